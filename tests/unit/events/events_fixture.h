// A fresh store file at the newest schema and an event log on it.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <random>
#include <string>

#include "events/event_log.h"
#include "store/store.h"

namespace sb::events::test {

class EventsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sb-events-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(dir_);
    db_ = dir_ / "switchboard.db";
    auto s = store::open_sqlite_store(db_);
    ASSERT_TRUE(s) << s.status().message();
    store_ = std::move(s).value();
  }
  void TearDown() override {
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::shared_ptr<EventLog> open_log(std::vector<Subscription> subs = {}) {
    auto log = EventLog::open(db_, std::move(subs));
    EXPECT_TRUE(log) << log.status().message();
    return log ? std::shared_ptr<EventLog>(std::move(log).value()) : nullptr;
  }

  std::filesystem::path dir_, db_;
  std::unique_ptr<store::Store> store_;
};

}  // namespace sb::events::test
