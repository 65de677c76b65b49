// Crash-safe routing end to end: the store holds what a host that died right after an inbound
// message's commit leaves (the message, resolved, with its routing_pending marker; nothing
// routed), written with the store API while no host runs. `switchboard serve` must then route it
// (queue, agent) and send the welcome exactly once, and a second restart must send nothing more.

#include <chrono>
#include <fstream>
#include <limits>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "conversations/ingest_resolver.h"
#include "db_scalar.h"
#include "fixture.h"
#include "store/routing_store.h"
#include "store/store.h"

namespace {

using namespace std::chrono_literals;

constexpr const char* kRouting = R"(  "routing": {
    "default_queue": "support",
    "queues": [{"id": "support", "name": "Support", "strategy": "least_busy",
                "welcome": "Welcome to {{queue.name}}, your reference is {{conversation.reference}}."}]
  },
)";

class RoutingReplay : public sbtest::HostFixture {
 protected:
  void SetUp() override {
    HostFixture::SetUp();
    config_ = write_config(R"([{"id":"lb","plugin":"loopback","config":{"delivery":{"auto":false},)"
                           R"("send_journal":")" +
                               journal().string() + R"("}}])",
                           kRouting);
  }
  void TearDown() override {
    stop();
    HostFixture::TearDown();
  }

  std::filesystem::path db_file() const { return dir_ / "data" / "switchboard.db"; }
  std::filesystem::path journal() const { return dir_ / "sends.jsonl"; }

  // The state a crash right after the commit leaves: the message stored and resolved to a new
  // conversation with its marker, an online agent; `claimed`: the welcome's claim also committed
  // (the crash came after it, before the outbox row). Returns the message id.
  int64_t write_crashed_state(bool claimed) {
    std::filesystem::create_directories(dir_ / "data");
    sb::store::StoreOptions options;
    options.inbound_resolver =
        std::make_shared<sb::conversations::IngestResolver>(sb::conversations::ResolverOptions{});
    options.track_routing = true;
    auto store = sb::store::open_sqlite_store(db_file(), options);
    EXPECT_TRUE(store.is_ok()) << store.status().message();
    if (!store.is_ok()) return 0;
    sb::store::Agent alice;
    alice.id = "alice";
    alice.max_concurrent = 5;
    alice.presence = sb::store::Presence::kOnline;
    EXPECT_TRUE((*store)->routing()->put_agent(alice, 1).is_ok());
    sb::store::InboundMessage m;
    m.instance_id = "lb";
    m.provider_message_id = "m1";
    m.from = "+4930111111";
    m.from_kind = "phone";
    m.content_type = "text";
    m.text = "Hello";
    auto r = (*store)->insert_inbound_resolved(std::span<const sb::store::InboundMessage>(&m, 1));
    EXPECT_TRUE(r.is_ok() && r->size() == 1);
    if (!r.is_ok() || r->size() != 1) return 0;
    const auto& res = r->front();
    if (claimed) {
      auto ok = (*store)->routing()->claim_auto_reply_for(
          res.message_id, res.resolution.conversation_id, "welcome",
          std::numeric_limits<int64_t>::max() / 4, 2);
      EXPECT_TRUE(ok.is_ok() && *ok);
    }
    return res.message_id;
  }

  void start() {
    host_ = std::make_unique<sbtest::Process>(
        std::vector<std::string>{"serve", "--config", config_.string()}, dir_);
    auto port = host_->wait_listening();
    ASSERT_TRUE(port) << host_->err();
    port_ = *port;
  }
  void stop() {
    if (!host_) return;
    host_->signal(SIGTERM);
    host_->wait();
    host_.reset();
  }

  // Sends of a welcome the channel accepted, across runs (the journal outlives the process).
  int welcomes_journaled() const {
    std::ifstream in(journal());
    int n = 0;
    for (std::string line; std::getline(in, line);) {
      if (line.find("\"sent\"") != std::string::npos &&
          line.find("Welcome to Support") != std::string::npos) {
        ++n;
      }
    }
    return n;
  }
  bool wait_welcomes(int n) const {
    for (int i = 0; i < 400; ++i) {
      if (welcomes_journaled() >= n) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }

  std::string scalar(const std::string& sql) const { return sbtest::db_scalar(db_file(), sql); }

  void expect_routed_once(int64_t message_id) {
    ASSERT_TRUE(wait_welcomes(1)) << host_->err();
    EXPECT_EQ(scalar("SELECT queue FROM conversations"), "support");
    EXPECT_EQ(scalar("SELECT assignee FROM conversations"), "alice");
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM routing_pending"), "0");
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM routing_pending_claims"), "0");
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM messages WHERE direction = 'out'"), "1");
    EXPECT_EQ(scalar("SELECT idempotency_key FROM messages WHERE direction = 'out'"),
              "auto:welcome:" + std::to_string(message_id));
    const std::string reference = scalar("SELECT reference FROM conversations");
    std::ifstream in(journal());
    const std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_NE(all.find("your reference is " + reference), std::string::npos) << all;

    // The replay published what the live path publishes: the inbound message, the welcome.
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM events WHERE type = 'conversation.assigned'"), "1");
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM events WHERE type = 'conversation.created'"), "1");
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM events WHERE type = 'message.created'"), "2");

    // Nothing is pending any more: a second restart routes and sends nothing.
    stop();
    start();
    // The outbox has started once the host listens; give a wrong resend time to show up.
    std::this_thread::sleep_for(700ms);
    EXPECT_EQ(welcomes_journaled(), 1);
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM messages WHERE direction = 'out'"), "1");
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM routing_assignments"), "1");

    // A live message's marker (written with its commit) goes once its routing committed.
    auto r = sbtest::http(port_, "POST", "/webhooks/lb/inbound",
                          R"({"id":"m2","from":"+4930222222","text":"Hi"})");
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_TRUE(wait_welcomes(2)) << host_->err();
    bool cleared = false;
    for (int i = 0; i < 200 && !cleared; ++i) {
      cleared = scalar("SELECT COUNT(*) FROM routing_pending") == "0";
      if (!cleared) std::this_thread::sleep_for(50ms);
    }
    EXPECT_TRUE(cleared);
  }

  std::filesystem::path config_;
  std::unique_ptr<sbtest::Process> host_;
  uint16_t port_ = 0;
};

TEST_F(RoutingReplay, MessageLeftUnroutedByACrashIsRoutedAndWelcomedOnceAtStart) {
  const int64_t id = write_crashed_state(false);
  ASSERT_GT(id, 0);
  ASSERT_EQ(scalar("SELECT COUNT(*) FROM routing_pending"), "1");
  start();
  expect_routed_once(id);
}

TEST_F(RoutingReplay, CrashBetweenTheWelcomeClaimAndItsOutboxRowStillSendsItOnce) {
  const int64_t id = write_crashed_state(true);
  ASSERT_GT(id, 0);
  ASSERT_EQ(scalar("SELECT COUNT(*) FROM routing_auto_replies"), "1");
  start();
  expect_routed_once(id);
}

}  // namespace
