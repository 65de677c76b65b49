#include "fixture.h"
#include "store/store.h"

namespace {

using sbtest::http;

class ServeTest : public sbtest::HostFixture {
 protected:
  void start(const std::filesystem::path& config) {
    proc_ = std::make_unique<sbtest::Process>(
        std::vector<std::string>{"serve", "--config", config.string()}, dir_);
    ASSERT_TRUE(proc_->started());
    auto port = proc_->wait_listening();
    ASSERT_TRUE(port.has_value()) << proc_->err();
    port_ = *port;
  }
  void stop_cleanly() {
    proc_->signal(SIGTERM);
    auto code = proc_->wait();
    ASSERT_TRUE(code.has_value()) << "did not exit after SIGTERM";
    EXPECT_EQ(*code, 0) << proc_->err();
  }
  void TearDown() override {
    proc_.reset();
    HostFixture::TearDown();
  }
  std::unique_ptr<sbtest::Process> proc_;
  uint16_t port_ = 0;
};

TEST_F(ServeTest, HealthReadinessAndMetrics) {
  start(write_config());
  auto h = http(port_, "GET", "/healthz");
  EXPECT_EQ(h.status, 200);
  EXPECT_NE(h.body.find("\"ok\""), std::string::npos);
  auto r = http(port_, "GET", "/readyz");
  EXPECT_EQ(r.status, 200) << r.body;
  auto m = http(port_, "GET", "/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(m.content_type.find("text/plain"), std::string::npos);
  EXPECT_NE(m.body.find("switchboard_instances{state=\"running\"} 1"), std::string::npos) << m.body;
  EXPECT_NE(m.body.find("switchboard_plugins_loaded 1"), std::string::npos);
  EXPECT_NE(m.body.find("switchboard_uptime_seconds"), std::string::npos);
  stop_cleanly();
}

TEST_F(ServeTest, WebhookMessageIsInTheDatabaseWhenThe200Arrives) {
  start(write_config());
  auto r = http(port_, "POST", "/webhooks/t1/inbound?id=wamid.XYZ", "hello from the provider");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, "stored");
  // Read the daemon's database from this process while it still runs (WAL allows it).
  auto store = sb::store::open_sqlite_store(dir_ / "data" / "switchboard.db");
  ASSERT_TRUE(store.is_ok()) << store.status().to_string();
  auto rec = (*store)->find_inbound("t1", "wamid.XYZ");
  ASSERT_TRUE(rec.is_ok()) << rec.status().to_string();
  ASSERT_TRUE(rec->has_value());
  EXPECT_EQ((*rec)->text, "hello from the provider");
  store.value().reset();

  EXPECT_EQ(http(port_, "POST", "/webhooks/t1/inbound?id=wamid.XYZ", "again").body, "duplicate");
  auto m = http(port_, "GET", "/metrics");
  EXPECT_NE(
      m.body.find("switchboard_inbound_messages_total{instance=\"t1\",result=\"duplicate\"} 1"),
      std::string::npos)
      << m.body;
  stop_cleanly();
}

TEST_F(ServeTest, UnknownRoutesAreJson404) {
  start(write_config());
  for (const char* path : {"/nope", "/webhooks/t1/not-registered", "/webhooks/ghost/inbound"}) {
    auto r = http(port_, "POST", path, "x");
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_NE(r.content_type.find("application/json"), std::string::npos) << path;
    EXPECT_NE(r.body.find("\"error\""), std::string::npos) << path << ": " << r.body;
  }
  stop_cleanly();
}

TEST_F(ServeTest, OversizedWebhookBodyIsJson413AndNothingIsStored) {
  start(write_config());
  auto r = http(port_, "POST", "/webhooks/t1/inbound?id=big", std::string(8192, 'a'));
  EXPECT_EQ(r.status, 413);
  EXPECT_NE(r.body.find("payload_too_large"), std::string::npos) << r.body;
  stop_cleanly();
  auto store = sb::store::open_sqlite_store(dir_ / "data" / "switchboard.db");
  ASSERT_TRUE(store.is_ok());
  auto rec = (*store)->find_inbound("t1", "big");
  ASSERT_TRUE(rec.is_ok());
  EXPECT_FALSE(rec->has_value());
}

TEST_F(ServeTest, FailedInstanceMakesReadinessFailButTheHostServes) {
  start(write_config(R"([{"id":"ok1","plugin":"rt_test"},
                         {"id":"bad1","plugin":"rt_test","config":{"fail_start":true}}])"));
  auto r = http(port_, "GET", "/readyz");
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("\"id\":\"bad1\""), std::string::npos) << r.body;
  EXPECT_EQ(http(port_, "POST", "/webhooks/ok1/inbound?id=1", "x").status, 200);
  stop_cleanly();
}

TEST_F(ServeTest, SecretsReachThePluginAndStayOutOfTheLog) {
  start(write_config());
  EXPECT_EQ(http(port_, "GET", "/webhooks/t1/secret?name=token").body, "tok-123");
  http(port_, "POST", "/webhooks/t1/log", "the token is tok-123");
  stop_cleanly();
  const std::string log = proc_->err();
  EXPECT_NE(log.find("the token is ***"), std::string::npos) << log;
  EXPECT_EQ(log.find("is tok-123"), std::string::npos) << log;
}

TEST_F(ServeTest, SigintAlsoShutsDownCleanly) {
  start(write_config());
  proc_->signal(SIGINT);
  auto code = proc_->wait();
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0);
  EXPECT_NE(proc_->err().find("stopped"), std::string::npos);
}

}  // namespace
