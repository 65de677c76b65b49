// A fresh store per test with the ingest resolver installed, a steppable clock and a router.
#pragma once

#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "conversations/ingest_resolver.h"
#include "make_queue.h"
#include "routing/router.h"
#include "store/model.h"
#include "store/routing_store.h"
#include "store/store.h"

namespace sb::routing::testing {

// Wednesday 3 June 2026 10:00 UTC (12:00 in Berlin).
inline constexpr int64_t kStart = 1'780'480'800'000;
inline constexpr int64_t kMinute = 60'000;
inline constexpr int64_t kHour = 3'600'000;

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ =
        std::filesystem::temp_directory_path() / ("sb_routing_" + std::to_string(::getpid()) + "_" +
                                                  info->test_suite_name() + "_" + info->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store::StoreOptions options;
    options.now_ms = [now = now_] { return now->load(); };
    conversations::ResolverOptions resolver;
    resolver.clock = options.now_ms;
    options.inbound_resolver = std::make_shared<conversations::IngestResolver>(resolver);
    options.track_routing = track_routing_;
    auto s = store::open_sqlite_store(dir_ / "sb.db", options);
    ASSERT_TRUE(s.is_ok()) << s.status().message();
    store_ = std::move(s).value();
    ASSERT_NE(store_->routing(), nullptr);
  }
  void TearDown() override {
    router_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // One queue "general" with the given strategy unless the test builds its own config.
  static RoutingConfig one_queue(Strategy strategy) {
    RoutingConfig c;
    c.queues.push_back(make_queue("general", strategy));
    c.default_queue = "general";
    return c;
  }

  void make_router(RoutingConfig config) {
    RouterOptions o;
    o.clock = [now = now_] { return now->load(); };
    o.on_assigned = [this](const Assignment& a) { announced_.push_back(a); };
    auto r = Router::create(std::move(config), *store_, o);
    ASSERT_TRUE(r.is_ok()) << r.status().message();
    router_ = std::move(r).value();
  }

  void add_agent(const std::string& id, int64_t capacity,
                 store::Presence presence = store::Presence::kOnline,
                 std::vector<std::string> skills = {}) {
    store::Agent a;
    a.id = id;
    a.display_name = "Agent " + id;
    a.max_concurrent = capacity;
    a.presence = presence;
    a.skills = std::move(skills);
    ASSERT_TRUE(routing().put_agent(a, now()).is_ok());
  }

  store::InboundMessage msg(const std::string& from, const std::string& text = "hello",
                            const std::string& instance = "sms-1") {
    store::InboundMessage m;
    m.instance_id = instance;
    m.provider_message_id = "p" + std::to_string(++seq_);
    m.from = from;
    m.from_kind = "phone";
    m.from_name = "Ada";
    m.to = "+4930123456";
    m.content_type = "text";
    m.text = text;
    return m;
  }

  store::InboundResult ingest(const store::InboundMessage& m) {
    auto r = store_->insert_inbound_resolved(std::span<const store::InboundMessage>(&m, 1));
    EXPECT_TRUE(r.is_ok()) << r.status().message();
    return r.is_ok() && r->size() == 1 ? r->front() : store::InboundResult{};
  }

  // Stores and routes one message; fails the test on an error.
  Decision deliver(const store::InboundMessage& m) {
    auto result = ingest(m);
    last_ = result;
    auto d = router_->route(m, result);
    EXPECT_TRUE(d.is_ok()) << d.status().message();
    return d.is_ok() ? *d : Decision{};
  }

  store::Conversation conversation(int64_t id) {
    auto c = store_->model()->get_conversation(id);
    EXPECT_TRUE(c.is_ok() && c->has_value());
    return c.is_ok() && c->has_value() ? **c : store::Conversation{};
  }

  void resolve(int64_t conversation_id) {
    ASSERT_TRUE(
        store_->model()
            ->set_conversation_status(conversation_id, store::ConversationStatus::kResolved, now())
            .is_ok());
  }

  // Raw SQL on a second connection, as the REST API (its own connection) would write.
  void sql(const std::string& statement) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ / "sb.db").c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    const int rc = sqlite3_exec(db, statement.c_str(), nullptr, nullptr, &error);
    std::string message = error ? error : "";
    sqlite3_free(error);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << statement << ": " << message;
  }

  store::RoutingStore& routing() { return *store_->routing(); }
  void advance(int64_t ms) { *now_ += ms; }
  int64_t now() const { return now_->load(); }

  bool track_routing_ = false;         // routing_pending markers (set before SetUp)
  std::vector<Assignment> announced_;  // what the router told on_assigned, in order
  std::shared_ptr<std::atomic<int64_t>> now_ = std::make_shared<std::atomic<int64_t>>(kStart);
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Router> router_;
  store::InboundResult last_;
  int seq_ = 0;
};

}  // namespace sb::routing::testing
