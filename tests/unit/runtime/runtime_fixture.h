// A runtime with the rt_test plugin, a real SQLite store in a scratch directory and a fake clock.
#pragma once

#include <dlfcn.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "plugin/registry.h"
#include "runtime/runtime.h"
#include "store/store.h"

namespace sbtest {

// Reads one of the test plugin's exported counters (the library is already mapped by then).
inline long plugin_counter(const char* name) {
  void* h = dlopen(SBT_RT_PLUGIN_LIB, RTLD_NOW | RTLD_NOLOAD);
  if (h == nullptr) return -100;
  auto fn = reinterpret_cast<long (*)(const char*)>(dlsym(h, "sbtest_counter"));
  const long v = fn != nullptr ? fn(name) : -101;
  dlclose(h);
  return v;
}

inline bool eventually(const std::function<bool()>& pred,
                       std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return pred();
}

class RuntimeFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() /
           ("sb-runtime-test-" + std::to_string(getpid()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(dir_);
    auto store = sb::store::open_sqlite_store(dir_ / "test.db");
    ASSERT_TRUE(store.is_ok()) << store.status().to_string();
    store_ = std::move(store).value();
    const auto results = registry_.scan({SBT_RT_PLUGIN_DIR});
    ASSERT_EQ(results.size(), 1u);
    ASSERT_TRUE(results[0].ok()) << results[0].error().message;
    ASSERT_TRUE(registry_.init_all(sb::runtime::host_api_table()).empty());
    sb::runtime::HostServices services;
    services.store = store_.get();
    services.now_ms = [this] { return clock_ms_.load(); };
    runtime_ = std::make_unique<sb::runtime::Runtime>(sb::runtime::RuntimeOptions{4}, services);
  }
  void TearDown() override {
    if (runtime_) runtime_->shutdown();
    registry_.deinit_all();
    runtime_.reset();
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // Adds and starts an instance of rt_test; returns it.
  std::shared_ptr<sb::runtime::ChannelInstance> add(const std::string& id,
                                                    const std::string& config = "{}",
                                                    bool start = true) {
    sb::runtime::InstanceSpec spec;
    spec.id = id;
    spec.plugin = registry_.find("rt_test");
    spec.config_json = config;
    spec.secrets = {{"token", "s3cr3t-value"}};
    EXPECT_TRUE(runtime_->add_instance(spec).is_ok());
    if (start) {
      const sb::Status s = runtime_->start_instance(id);
      EXPECT_TRUE(s.is_ok()) << s.to_string();
    }
    return runtime_->find(id);
  }

  static sb::runtime::WebhookReply hook(sb::runtime::ChannelInstance& inst, std::string method,
                                        std::string path, std::string query = "",
                                        std::string body = "") {
    sb::runtime::WebhookCall call;
    call.method = std::move(method);
    call.path = std::move(path);
    call.query = std::move(query);
    call.body = std::move(body);
    call.remote_addr = "127.0.0.1:1";
    auto reply = inst.handle_webhook(std::move(call));
    EXPECT_TRUE(reply.has_value());
    return reply.value_or(sb::runtime::WebhookReply{});
  }

  std::filesystem::path dir_;
  std::unique_ptr<sb::store::Store> store_;
  sb::plugin::Registry registry_;
  std::atomic<int64_t> clock_ms_{1'700'000'000'000};
  std::unique_ptr<sb::runtime::Runtime> runtime_;
};

}  // namespace sbtest
