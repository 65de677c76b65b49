// The admin surface: token checks first, then enqueue / inspect / reconcile / retry.
#include "outbox/admin_routes.h"

#include "outbox_fixture.h"

namespace sbtest {
namespace {

class OutboxAdmin : public OutboxFixture {
 protected:
  sb::http::Response call(const std::string& method, const std::string& path,
                          const std::string& query = "", const std::string& body = "",
                          const std::string& auth = "Bearer admin-secret") {
    sb::http::Request req;
    req.method = method;
    req.path = path;
    req.query = query;
    req.body = body;
    if (!auth.empty()) req.headers.emplace_back("Authorization", auth);
    req.remote_addr = "127.0.0.1:1";
    return router_.dispatch(req);
  }
  sb::http::Router router_;
};

TEST_F(OutboxAdmin, EveryRouteNeedsTheToken) {
  boot();
  sb::outbox::install_admin_routes(router_, *outbox_, "admin-secret");
  const std::string body = R"({"instance_id":"lb","to":"+4915112345678","text":"hi"})";
  for (const std::string auth : {"", "Bearer wrong", "Bearer admin-secre", "Bearer admin-secretX",
                                 "admin-secret", "Basic admin-secret"}) {
    auto refused = call("POST", "/admin/outbox/messages", "", body, auth);
    EXPECT_EQ(refused.status, 401) << auth;
    // The REST API's vocabulary: code unauthorized and a Bearer challenge.
    EXPECT_NE(refused.body.find(R"("code":"unauthorized")"), std::string::npos) << refused.body;
    bool challenged = false;
    for (const auto& [name, value] : refused.headers) {
      challenged = challenged || (name == "WWW-Authenticate" && value.rfind("Bearer", 0) == 0);
    }
    EXPECT_TRUE(challenged) << auth;
    EXPECT_EQ(call("GET", "/admin/outbox/reconcile", "instance=lb", "", auth).status, 401);
    EXPECT_EQ(call("POST", "/admin/outbox/retry", "id=1", "", auth).status, 401);
    EXPECT_EQ(call("GET", "/admin/outbox/message", "id=1", "", auth).status, 401);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_TRUE(sends().empty());
}

TEST_F(OutboxAdmin, EnqueueInspectAndRetry) {
  boot();
  sb::outbox::install_admin_routes(router_, *outbox_, "admin-secret");
  auto r = call("POST", "/admin/outbox/messages", "",
                R"({"instance_id":"lb","to":"+4915112345678","text":"hi","idempotency_key":"a"})");
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_NE(r.body.find("\"duplicate\":false"), std::string::npos) << r.body;
  auto again =
      call("POST", "/admin/outbox/messages", "",
           R"({"instance_id":"lb","to":"+4915112345678","text":"hi","idempotency_key":"a"})");
  EXPECT_NE(again.body.find("\"duplicate\":true"), std::string::npos) << again.body;
  ASSERT_TRUE(eventually([&] {
    return call("GET", "/admin/outbox/message", "id=1").body.find("\"state\":\"sent\"") !=
           std::string::npos;
  }));
  EXPECT_EQ(call("POST", "/admin/outbox/retry", "id=1").status, 409);  // sent: nothing to retry
  EXPECT_EQ(call("POST", "/admin/outbox/retry", "id=99").status, 404);
  EXPECT_EQ(call("POST", "/admin/outbox/retry", "id=x").status, 400);
  EXPECT_EQ(call("GET", "/admin/outbox/message", "id=99").status, 404);
  auto listed = call("GET", "/admin/outbox/reconcile", "instance=lb");
  EXPECT_EQ(listed.status, 200);
  EXPECT_EQ(listed.body, R"({"messages":[]})");
}

TEST_F(OutboxAdmin, BadBodiesAreRefused) {
  boot();
  sb::outbox::install_admin_routes(router_, *outbox_, "admin-secret");
  EXPECT_EQ(call("POST", "/admin/outbox/messages", "", "not json").status, 400);
  EXPECT_EQ(call("POST", "/admin/outbox/messages", "", "[1]").status, 400);
  EXPECT_EQ(call("POST", "/admin/outbox/messages", "", R"({"instance_id":"lb"})").status, 400);
  EXPECT_EQ(
      call("POST", "/admin/outbox/messages", "", R"({"instance_id":"nope","to":"+1"})").status,
      404);
  EXPECT_EQ(call("POST", "/admin/outbox/messages", "", std::string(70 * 1024, ' ')).status, 413);
  EXPECT_EQ(call("GET", "/admin/outbox/reconcile").status, 400);
  // Text for the plugin must be UTF-8; an integer past 2^64 is not wrapped into "2".
  EXPECT_EQ(call("POST", "/admin/outbox/messages", "",
                 "{\"instance_id\":\"lb\",\"to\":\"+4915112345678\",\"text\":\"h\xFFi\"}")
                .status,
            400);
  EXPECT_EQ(call("POST", "/admin/outbox/messages", "",
                 R"({"instance_id":"lb","to":"+4915112345678","text":"\ud800"})")
                .status,
            400);
  EXPECT_EQ(call("POST", "/admin/outbox/messages", "",
                 R"({"instance_id":"lb","to":18446744073709551618,"text":"hi"})")
                .status,
            400);
}

}  // namespace
}  // namespace sbtest
