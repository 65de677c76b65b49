#pragma once

#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <unistd.h>

#include "store/store.h"

namespace sb::store::testing {

// A fresh directory per test, removed afterwards.
class TempDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ =
        std::filesystem::temp_directory_path() / ("sb_store_" + std::to_string(::getpid()) + "_" +
                                                  info->test_suite_name() + "_" + info->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<Store> open(StoreOptions options = {}) {
    auto s = open_sqlite_store(dir_ / "sb.db", options);
    EXPECT_TRUE(s.is_ok()) << s.status().message();
    return s.is_ok() ? std::move(s).value() : nullptr;
  }

  static InboundMessage inbound(std::string instance, std::string provider_id,
                                std::string text = "hi") {
    InboundMessage m;
    m.instance_id = std::move(instance);
    m.provider_message_id = std::move(provider_id);
    m.from = "+4915112345678";
    m.from_kind = "phone";
    m.to = "+4930123456";
    m.content_type = "text";
    m.text = std::move(text);
    return m;
  }

  std::filesystem::path dir_;
};

}  // namespace sb::store::testing
