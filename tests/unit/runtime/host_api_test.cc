#include <fstream>
#include <sstream>

#include "http/router.h"
#include "http/server.h"
#include "log/log.h"
#include "runtime_fixture.h"

namespace sb::runtime {
namespace {

using sbtest::eventually;

class HostApiTest : public sbtest::RuntimeFixture {
 protected:
  bool stored(const std::string& instance, const std::string& provider_id) {
    auto r = store_->find_inbound(instance, provider_id);
    return r.is_ok() && r->has_value();
  }
};

TEST_F(HostApiTest, TableAdvertisesTheHostAbi) {
  const sb_host_api* api = host_api_table();
  EXPECT_EQ(api->struct_size, sizeof(sb_host_api));
  EXPECT_EQ(api->abi_major, SB_ABI_MAJOR);
  EXPECT_EQ(api->abi_minor, SB_ABI_MINOR);
  EXPECT_EQ(api->get_extension(nullptr, "x", 1), nullptr);
  // A NULL context never crashes the host.
  EXPECT_EQ(api->kv_put(nullptr, "k", 1, "v", 1), SB_ERR_INVALID_ARG);
  EXPECT_EQ(api->set_timer(
                nullptr, 1, [](void*) {}, nullptr),
            0u);
}

TEST_F(HostApiTest, SubmitInboundStoresAndDedupes) {
  auto inst = add("in");
  auto r = hook(*inst, "POST", "/inbound", "id=wamid.1", "hello there");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "stored");
  auto rec = store_->find_inbound("in", "wamid.1");
  ASSERT_TRUE(rec.is_ok() && rec->has_value());
  EXPECT_EQ((*rec)->text, "hello there");
  EXPECT_EQ((*rec)->from, "+15550001");
  EXPECT_EQ((*rec)->raw, "hello there");

  r = hook(*inst, "POST", "/inbound", "id=wamid.1", "changed");
  EXPECT_EQ(r.body, "duplicate");
  rec = store_->find_inbound("in", "wamid.1");
  EXPECT_EQ((*rec)->text, "hello there");  // a duplicate changes nothing
  EXPECT_EQ(inst->stats().inbound_stored, 1u);
  EXPECT_EQ(inst->stats().inbound_duplicate, 1u);
}

TEST_F(HostApiTest, SubmitInboundRejectsAnEmptyProviderId) {
  auto inst = add("inv");
  auto r = hook(*inst, "POST", "/inbound", "id=", "x");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("SB_ERR_INVALID_ARG"), std::string::npos) << r.body;
  EXPECT_EQ(inst->stats().inbound_invalid, 1u);
}

TEST_F(HostApiTest, InboundIsPerInstance) {
  auto a = add("ia");
  auto b = add("ib");
  EXPECT_EQ(hook(*a, "POST", "/inbound", "id=same", "a").body, "stored");
  EXPECT_EQ(hook(*b, "POST", "/inbound", "id=same", "b").body, "stored");
}

TEST_F(HostApiTest, KeyValueRoundTripScopedByInstance) {
  auto inst = add("kv");
  EXPECT_EQ(hook(*inst, "PUT", "/kv", "key=cursor", "v1").status, 200);
  auto r = hook(*inst, "GET", "/kv", "key=cursor");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "v1");
  auto direct = store_->kv_get("kv", "cursor");
  ASSERT_TRUE(direct.is_ok() && direct->has_value());
  EXPECT_EQ(**direct, "v1");
  auto other = add("kv2");
  EXPECT_EQ(hook(*other, "GET", "/kv", "key=cursor").status, 404);
  EXPECT_EQ(hook(*inst, "DELETE", "/kv", "key=cursor").status, 200);
  EXPECT_EQ(hook(*inst, "GET", "/kv", "key=cursor").status, 404);
}

TEST_F(HostApiTest, TimerFiresOnTheStrand) {
  auto inst = add("timer");
  EXPECT_EQ(hook(*inst, "POST", "/timer", "ms=20&id=t-1").status, 200);
  EXPECT_TRUE(eventually([&] { return stored("timer", "t-1"); }));
}

TEST_F(HostApiTest, CancelledTimerNeverFires) {
  auto inst = add("cancel");
  auto r = hook(*inst, "POST", "/cancel", "ms=30&id=c-1");
  EXPECT_EQ(r.body, std::to_string(SB_OK) + " " + std::to_string(SB_ERR_NOT_FOUND));
  // A timer armed later fires; by then the cancelled one would have too.
  hook(*inst, "POST", "/timer", "ms=80&id=later");
  ASSERT_TRUE(eventually([&] { return stored("cancel", "later"); }));
  EXPECT_FALSE(stored("cancel", "c-1"));
}

TEST_F(HostApiTest, TimersDoNotFireAfterStop) {
  auto inst = add("tstop");
  hook(*inst, "POST", "/timer", "ms=50&id=after-stop");
  inst->stop();
  std::this_thread::sleep_for(std::chrono::milliseconds(120));
  EXPECT_FALSE(stored("tstop", "after-stop"));
}

TEST_F(HostApiTest, SecretsComeFromTheInstanceConfig) {
  auto inst = add("sec");
  auto r = hook(*inst, "GET", "/secret", "name=token");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "s3cr3t-value");
  EXPECT_EQ(hook(*inst, "GET", "/secret", "name=absent").status, 404);
}

TEST_F(HostApiTest, NowComesFromTheInjectedClock) {
  auto inst = add("clock");
  EXPECT_EQ(hook(*inst, "GET", "/now").body, "1700000000000");
  clock_ms_ += 86'400'000;
  EXPECT_EQ(hook(*inst, "GET", "/now").body, "1700086400000");
}

TEST_F(HostApiTest, DeliveryReportsMoveTheStatusForward) {
  auto inst = add("dlr");
  store::OutboundMessage m;
  m.to = "+15550009";
  auto sent = inst->send(m);
  ASSERT_TRUE(sent.is_ok());
  const std::string pid = sent->provider_message_id;
  EXPECT_EQ(hook(*inst, "POST", "/delivery", "id=" + pid + "&status=4").status, 200);
  EXPECT_EQ(hook(*inst, "POST", "/delivery", "id=" + pid + "&status=3").status, 200);
  auto rec = store_->get_message(sent->message_id);
  ASSERT_TRUE(rec.is_ok() && rec->has_value());
  EXPECT_EQ((*rec)->status, store::DeliveryStatus::kRead);  // a late "delivered" never wins
  EXPECT_EQ(hook(*inst, "POST", "/delivery", "id=unknown&status=3").status, 404);
  EXPECT_EQ(hook(*inst, "POST", "/delivery", "id=" + pid + "&status=9").status, 400);
  EXPECT_EQ(inst->stats().delivery_reports, 2u);
}

TEST_F(HostApiTest, WebhookReplyCarriesStatusHeadersAndBody) {
  auto inst = add("echo");
  auto r = hook(*inst, "POST", "/echo", "", "ping");
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.body, "ping");
  EXPECT_EQ(r.content_type, "application/octet-stream");
  ASSERT_EQ(r.headers.size(), 1u);  // the header with CR/LF in its name was dropped
  EXPECT_EQ(r.headers[0].first, "X-Test");
  r = hook(*inst, "POST", "/fail");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.content_type, "application/json");
  WebhookCall unknown;
  unknown.path = "/not-registered";
  EXPECT_FALSE(inst->handle_webhook(unknown).has_value());
}

TEST_F(HostApiTest, PluginLogsAreRedactedOfSecrets) {
  const auto file = dir_ / "log.txt";
  log::LogOptions options;
  options.level = "info";
  options.file = file;
  ASSERT_TRUE(log::init_logging(options).is_ok());
  auto inst = add("logs");
  hook(*inst, "POST", "/log", "", "token is s3cr3t-value here");
  log::logger("rt_test")->flush();
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("[logs] token is *** here"), std::string::npos) << text.str();
  EXPECT_EQ(text.str().find("s3cr3t-value"), std::string::npos);
  ASSERT_TRUE(log::init_logging({}).is_ok());
}

}  // namespace
}  // namespace sb::runtime

namespace sb::runtime {
namespace {

class HttpRequestTest : public sbtest::RuntimeFixture {
 protected:
  void SetUp() override {
    RuntimeFixture::SetUp();
    auto router = std::make_shared<http::Router>();
    router->add("GET", "/ping", [](const http::Request& req) {
      http::Response r;
      r.status = 202;
      r.content_type = "text/plain";
      r.body = "pong:" + std::string(req.header("X-From-Plugin"));
      return r;
    });
    router->add("GET", "/slow", [](const http::Request&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1500));
      return http::Response{};
    });
    http::ServerOptions options;
    options.port = 0;
    server_ = std::make_unique<http::Server>(options, router);
    ASSERT_TRUE(server_->start().is_ok());
    base_ = "http://127.0.0.1:" + std::to_string(server_->port());
  }
  void TearDown() override {
    server_.reset();
    RuntimeFixture::TearDown();
  }
  std::unique_ptr<http::Server> server_;
  std::string base_;
};

TEST_F(HttpRequestTest, DeliversStatusHeadersAndBodyToThePlugin) {
  auto inst = add("fetcher");
  auto r = hook(*inst, "POST", "/fetch", "", base_ + "/ping");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "202 pong:yes");
  r = hook(*inst, "POST", "/fetch", "", base_ + "/absent");
  EXPECT_EQ(r.body.substr(0, 4), "404 ");
}

TEST_F(HttpRequestTest, TimeoutAndBadUrlsAreStatuses) {
  auto inst = add("fetcher2");
  auto r = hook(*inst, "POST", "/fetch", "timeout=200", base_ + "/slow");
  EXPECT_EQ(r.status, 504) << r.body;  // SB_ERR_TIMEOUT
  EXPECT_NE(r.body.find("SB_ERR_TIMEOUT"), std::string::npos) << r.body;
  r = hook(*inst, "POST", "/fetch", "", "ftp://example.invalid/x");
  EXPECT_EQ(r.status, 400) << r.body;  // SB_ERR_INVALID_ARG
  // Nothing listens on port 1 of loopback: a transient network failure.
  r = hook(*inst, "POST", "/fetch", "", "http://127.0.0.1:1/");
  EXPECT_EQ(r.status, 503) << r.body;
}

}  // namespace
}  // namespace sb::runtime
