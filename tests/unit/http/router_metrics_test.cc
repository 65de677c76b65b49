#include <gtest/gtest.h>

#include "http/metrics.h"
#include "http/router.h"

namespace sb::http {
namespace {

Response text(std::string body) {
  return Response{200, "text/plain", {}, std::move(body)};
}

TEST(Router, ExactBeatsPrefixAndLongestPrefixWins) {
  Router r;
  r.add("GET", "/a/b", [](const Request&) { return text("exact"); });
  r.add_prefix("GET", "/a/", [](const Request&) { return text("short"); });
  r.add_prefix("GET", "/a/b/", [](const Request&) { return text("long"); });
  r.add_prefix("GET", "/a/bz", [](const Request&) { return text("sibling"); });
  auto get = [&](std::string path) {
    Request q;
    q.method = "GET";
    q.path = std::move(path);
    return r.dispatch(q);
  };
  EXPECT_EQ(get("/a/b").body, "exact");
  EXPECT_EQ(get("/a/b/c").body, "long");
  EXPECT_EQ(get("/a/c").body, "short");
  EXPECT_EQ(get("/a/bzz").body, "sibling");
  EXPECT_EQ(get("/b").status, 404);
}

TEST(Router, MethodNotAllowedListsAllowedMethods) {
  Router r;
  r.add("GET", "/x", [](const Request&) { return text("g"); });
  r.add("POST", "/x", [](const Request&) { return text("p"); });
  Request q;
  q.method = "PUT";
  q.path = "/x";
  auto resp = r.dispatch(q);
  EXPECT_EQ(resp.status, 405);
  ASSERT_EQ(resp.headers.size(), 1u);
  EXPECT_EQ(resp.headers[0].first, "Allow");
  EXPECT_EQ(resp.headers[0].second, "GET, POST");
}

TEST(Router, HeaderLookupIsCaseInsensitive) {
  Request q;
  q.headers = {{"Content-Type", "a"}, {"X-Hub-Signature-256", "sha256=1"}};
  EXPECT_EQ(q.header("content-type"), "a");
  EXPECT_EQ(q.header("x-hub-signature-256"), "sha256=1");
  EXPECT_EQ(q.header("missing"), "");
}

TEST(JsonError, EscapesItsFields) {
  auto r = json_error(400, "bad", "quote \" and\nnewline");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, R"({"error":{"code":"bad","message":"quote \" and\nnewline"}})");
}

TEST(Metrics, RendersTextFormatWithEscapedLabels) {
  MetricsRegistry m;
  m.describe("sb_messages_total", MetricType::kCounter, "Messages by direction.\nSecond line");
  m.inc("sb_messages_total", {{"instance", "wa"}, {"direction", "in"}});
  m.inc("sb_messages_total", {{"direction", "in"}, {"instance", "wa"}}, 2);  // same series
  m.inc("sb_messages_total", {{"instance", "we\"ird\\\n"}, {"direction", "out"}});
  m.set("sb_instances_running", {}, 2);
  m.set("sb_ratio", {}, 0.25);
  m.set("bad-name", {}, 1);
  EXPECT_EQ(m.value("sb_messages_total", {{"instance", "wa"}, {"direction", "in"}}), 3);
  EXPECT_EQ(m.render(),
            "# TYPE bad_name gauge\n"
            "bad_name 1\n"
            "# TYPE sb_instances_running gauge\n"
            "sb_instances_running 2\n"
            "# HELP sb_messages_total Messages by direction.\\nSecond line\n"
            "# TYPE sb_messages_total counter\n"
            "sb_messages_total{direction=\"in\",instance=\"wa\"} 3\n"
            "sb_messages_total{direction=\"out\",instance=\"we\\\"ird\\\\\\n\"} 1\n"
            "# TYPE sb_ratio gauge\n"
            "sb_ratio 0.25\n");
}

TEST(Metrics, CollectorsRunAtRender) {
  MetricsRegistry m;
  int calls = 0;
  m.add_collector([&](MetricsRegistry& r) { r.set("sb_scrapes", {}, ++calls); });
  EXPECT_NE(m.render().find("sb_scrapes 1\n"), std::string::npos);
  EXPECT_NE(m.render().find("sb_scrapes 2\n"), std::string::npos);
}

}  // namespace
}  // namespace sb::http
