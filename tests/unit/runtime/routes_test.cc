#include "runtime/routes.h"

#include "runtime_fixture.h"

namespace sb::runtime {
namespace {

class RoutesTest : public sbtest::RuntimeFixture {
 protected:
  void install() {
    metrics_ = std::make_shared<http::MetricsRegistry>();
    RouteOptions options;
    options.store_ok = [this] { return store_ok_; };
    options.plugins_loaded = [this] { return registry_.list().size(); };
    install_routes(router_, *runtime_, metrics_, options);
  }
  http::Response get(const std::string& path, const std::string& method = "GET",
                     const std::string& body = "", const std::string& query = "") {
    http::Request req;
    req.method = method;
    req.path = path;
    req.query = query;
    req.body = body;
    return router_.dispatch(req);
  }
  http::Router router_;
  std::shared_ptr<http::MetricsRegistry> metrics_;
  bool store_ok_ = true;
};

TEST_F(RoutesTest, HealthAndReadiness) {
  add("r1");
  install();
  EXPECT_EQ(get("/healthz").status, 200);
  auto ready = get("/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;
  store_ok_ = false;
  ready = get("/readyz");
  EXPECT_EQ(ready.status, 503);
  EXPECT_NE(ready.body.find("\"store\":\"unavailable\""), std::string::npos) << ready.body;
}

TEST_F(RoutesTest, ReadinessNamesInstancesThatAreNotRunning) {
  add("good");
  add("broken", R"({"fail_start":true})", false);
  (void)runtime_->start_instance("broken");
  install();
  auto r = get("/readyz");
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("\"id\":\"broken\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\"state\":\"failed\""), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("\"id\":\"good\""), std::string::npos) << r.body;
}

TEST_F(RoutesTest, WebhooksRouteToTheInstance) {
  add("wa");
  install();
  auto r = get("/webhooks/wa/inbound", "POST", "hi", "id=m-1");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "stored");
  EXPECT_EQ(get("/webhooks/wa/unregistered", "POST").status, 404);
  auto missing = get("/webhooks/nobody/inbound", "POST");
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find("\"error\""), std::string::npos);
}

// The ABI hands the plugin the request line and headers as UTF-8 text; only the body is bytes.
TEST_F(RoutesTest, AWebhookWhoseQueryOrHeadersAreNotUtf8IsRefusedBeforeThePlugin) {
  add("wa");
  install();
  auto bad_query = get("/webhooks/wa/inbound", "POST", "hi", "id=m\xFF");
  EXPECT_EQ(bad_query.status, 400);
  EXPECT_NE(bad_query.body.find("query is not valid UTF-8"), std::string::npos) << bad_query.body;
  http::Request with_header;
  with_header.method = "POST";
  with_header.path = "/webhooks/wa/inbound";
  with_header.query = "id=m-2";
  with_header.headers = {{"X-Note", "caf\xC3"}};
  auto bad_header = router_.dispatch(with_header);
  EXPECT_EQ(bad_header.status, 400);
  EXPECT_NE(bad_header.body.find("headers is not valid UTF-8"), std::string::npos)
      << bad_header.body;
  // Bytes in the body are the provider's business (signatures are computed over them).
  auto bytes = get("/webhooks/wa/echo", "POST", "h\xFFi");
  EXPECT_EQ(bytes.status, 201);
  EXPECT_EQ(bytes.body, "h\xFFi");
}

TEST_F(RoutesTest, MetricsCountStatesAndMessages) {
  auto inst = add("m1");
  add("m2", R"({"fail_start":true})", false);
  (void)runtime_->start_instance("m2");
  install();
  get("/webhooks/m1/inbound", "POST", "hi", "id=a");
  get("/webhooks/m1/inbound", "POST", "hi", "id=a");
  const std::string text = get("/metrics").body;
  EXPECT_NE(text.find("switchboard_instances{state=\"running\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("switchboard_instances{state=\"failed\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("switchboard_plugins_loaded 1"), std::string::npos) << text;
  EXPECT_NE(text.find("switchboard_inbound_messages_total{instance=\"m1\",result=\"stored\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("switchboard_inbound_messages_total{instance=\"m1\",result=\"duplicate\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("switchboard_uptime_seconds"), std::string::npos);
  EXPECT_NE(text.find("switchboard_stored_messages{direction=\"inbound\",instance=\"m1\"} 1"),
            std::string::npos)
      << text;
}

// Each message's outcome once: a send the provider fails later (a failed status, reported twice)
// is failed, a refused one rejected; a transient failure is an attempt, not an outcome.
TEST_F(RoutesTest, OutboundMetricsCountEachMessagesFinalOutcomeOnce) {
  auto inst = add("m1");
  install();
  auto send = [&](const std::string& to) {
    store::OutboundMessage m;
    m.to = to;
    m.text = "x";
    auto r = inst->send(m);
    EXPECT_TRUE(r.is_ok());
    return r.is_ok() ? *r : SendOutcome{};
  };
  const SendOutcome ok = send("+15551234");
  ASSERT_EQ(ok.kind, SendOutcome::Kind::kSent);
  // Accepted, then delivered: a late failed status does not override it.
  const SendOutcome delivered = send("+15551235");
  send("transient");
  send("reject");
  const std::string failed = "id=" + ok.provider_message_id + "&status=5";
  EXPECT_EQ(hook(*inst, "POST", "/delivery", failed).status, 200);
  EXPECT_EQ(hook(*inst, "POST", "/delivery", failed).status, 200);  // Meta retries webhooks
  const std::string other = delivered.provider_message_id;
  EXPECT_EQ(hook(*inst, "POST", "/delivery", "id=" + other + "&status=3").status, 200);
  EXPECT_EQ(hook(*inst, "POST", "/delivery", "id=" + other + "&status=5").status, 200);
  const std::string text = get("/metrics").body;
  auto has = [&](const std::string& family, const std::string& result, int n) {
    return text.find(family + "{instance=\"m1\",result=\"" + result + "\"} " + std::to_string(n)) !=
           std::string::npos;
  };
  EXPECT_TRUE(has("switchboard_outbound_messages_total", "sent", 2)) << text;
  EXPECT_TRUE(has("switchboard_outbound_messages_total", "failed", 1)) << text;
  EXPECT_TRUE(has("switchboard_outbound_messages_total", "rejected", 1)) << text;
  EXPECT_TRUE(has("switchboard_outbound_attempts_total", "failed", 2)) << text;
  EXPECT_TRUE(has("switchboard_outbound_attempts_total", "sent", 2)) << text;
}

}  // namespace
}  // namespace sb::runtime
