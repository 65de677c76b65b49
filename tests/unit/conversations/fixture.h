// A fresh store per test with the ingest resolver installed, a steppable clock and raw SQL access.
#pragma once

#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "conversations/ingest_resolver.h"
#include "conversations/service.h"
#include "store/model.h"
#include "store/store.h"

namespace sb::conversations::testing {

inline constexpr int64_t kStart = 1'700'000'000'000;
inline constexpr int64_t kHour = 3'600'000;

class ModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() / ("sb_conv_" + std::to_string(::getpid()) + "_" +
                                                     info->test_suite_name() + "_" + info->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    reopen();
  }
  void TearDown() override {
    service_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  virtual ResolverOptions resolver_options() {
    ResolverOptions o;
    o.default_region = "DE";
    o.reopen_horizon = std::chrono::hours(24);
    o.clock = [now = now_] { return now->load(); };
    return o;
  }

  void reopen() {
    service_.reset();
    store_.reset();
    store::StoreOptions options;
    options.now_ms = [now = now_] { return now->load(); };
    options.inbound_resolver = std::make_shared<IngestResolver>(resolver_options());
    auto s = store::open_sqlite_store(dir_ / "sb.db", options);
    ASSERT_TRUE(s.is_ok()) << s.status().message();
    store_ = std::move(s).value();
    ASSERT_NE(store_->model(), nullptr);
    service_ = std::make_unique<ConversationService>(
        *store_->model(), [now = now_] { return now->load(); }, "DE");
  }

  void advance(int64_t ms) { *now_ += ms; }
  int64_t now() const { return now_->load(); }

  static store::InboundMessage msg(std::string instance, std::string provider_id, std::string from,
                                   std::string kind, std::string text = "hello",
                                   std::string name = {}) {
    store::InboundMessage m;
    m.instance_id = std::move(instance);
    m.provider_message_id = std::move(provider_id);
    m.from = std::move(from);
    m.from_kind = std::move(kind);
    m.from_name = std::move(name);
    m.content_type = "text";
    m.text = std::move(text);
    return m;
  }

  // Inserts one message and returns its result (failing the test on error).
  store::InboundResult ingest(const store::InboundMessage& m) {
    auto r = store_->insert_inbound_resolved(std::span<const store::InboundMessage>(&m, 1));
    EXPECT_TRUE(r.is_ok()) << r.status().message();
    if (!r.is_ok() || r->size() != 1) return {};
    return r->front();
  }

  store::Conversation conversation(int64_t id) {
    auto c = service_->conversation(id);
    EXPECT_TRUE(c.is_ok() && c->has_value()) << "conversation " << id;
    return c.is_ok() && c->has_value() ? **c : store::Conversation{};
  }

  // One integer from SQL on a second connection, as another process would see it.
  int64_t sql_int(const std::string& sql) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open((dir_ / "sb.db").c_str(), &db), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sql;
    int64_t n = -1;
    if (st && sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
  }

  std::shared_ptr<std::atomic<int64_t>> now_ = std::make_shared<std::atomic<int64_t>>(kStart);
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<ConversationService> service_;
};

}  // namespace sb::conversations::testing
