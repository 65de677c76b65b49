// A runtime with the loopback plugin, a real SQLite store in a scratch directory, a fake clock and
// a fixed jitter, and the Outbox under test. boot() can run again after shutdown() (a "restart").
#pragma once

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <thread>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include "outbox/outbox.h"
#include "plugin/registry.h"
#include "runtime/runtime.h"
#include "store/outbox_store.h"
#include "store/store.h"

namespace sbtest {

inline bool eventually(const std::function<bool()>& pred,
                       std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return pred();
}

struct Send {
  int64_t message_id = 0;
  std::string outcome, provider_id, to;
};

class OutboxFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() /
           ("sb-outbox-test-" + std::to_string(getpid()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(dir_);
    options_.base_backoff = std::chrono::milliseconds(1000);
    options_.max_backoff = std::chrono::milliseconds(8000);
    options_.horizon = std::chrono::milliseconds(60'000);
    options_.clock = [this] { return clock_ms_.load(); };
    options_.random = [this] { return jitter_.load(); };
    options_.poll_interval = std::chrono::milliseconds(5);
  }
  void TearDown() override {
    shutdown();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  void open_store() {
    sb::store::StoreOptions so;
    so.now_ms = [this] { return clock_ms_.load(); };
    auto store = sb::store::open_sqlite_store(dir_ / "test.db", so);
    ASSERT_TRUE(store.is_ok()) << store.status().to_string();
    store_ = std::move(store).value();
  }

  // Store, registry, runtime with one started loopback instance "lb", then the outbox.
  void boot(bool start_outbox = true) {
    if (!store_) open_store();
    registry_ = std::make_unique<sb::plugin::Registry>();
    const auto results = registry_->scan({SBT_LOOPBACK_DIR});
    ASSERT_EQ(results.size(), 1u);
    ASSERT_TRUE(results[0].ok()) << results[0].error().message;
    ASSERT_TRUE(registry_->init_all(sb::runtime::host_api_table()).empty());
    sb::runtime::HostServices services;
    services.store = store_.get();
    services.now_ms = [this] { return clock_ms_.load(); };
    runtime_ = std::make_unique<sb::runtime::Runtime>(sb::runtime::RuntimeOptions{2}, services);
    sb::runtime::InstanceSpec spec;
    spec.id = "lb";
    spec.plugin = registry_->find("loopback");
    spec.config_json = loopback_config_;
    ASSERT_TRUE(runtime_->add_instance(spec).is_ok());
    ASSERT_TRUE(runtime_->start_instance("lb").is_ok());
    outbox_ = std::make_unique<sb::outbox::Outbox>(*store_, *runtime_, options_);
    if (start_outbox) {
      auto s = outbox_->start();
      ASSERT_TRUE(s.is_ok()) << s.to_string();
    }
  }

  // The order a real host stops in: outbox, runtime, plugins, store.
  void shutdown() {
    if (outbox_) outbox_->stop();
    if (runtime_) runtime_->shutdown();
    if (registry_) registry_->deinit_all();
    outbox_.reset();
    runtime_.reset();
    registry_.reset();
    store_.reset();
  }

  sb::runtime::WebhookReply hook(const std::string& method, const std::string& path,
                                 const std::string& body = "") {
    sb::runtime::WebhookCall call;
    call.method = method;
    call.path = path;
    call.body = body;
    call.remote_addr = "127.0.0.1:1";
    auto reply = runtime_->find("lb")->handle_webhook(std::move(call));
    EXPECT_TRUE(reply.has_value());
    return reply.value_or(sb::runtime::WebhookReply{});
  }

  void faults(const std::string& next_json) {
    auto r = hook("POST", "/faults", R"({"next":)" + next_json + "}");
    ASSERT_EQ(r.status, 200) << r.body;
  }

  // What the loopback plugin was asked to send, oldest first.
  std::vector<Send> sends() {
    auto r = hook("GET", "/sent");
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<Send> out;
    Poco::JSON::Parser parser;
    auto arr = parser.parse(r.body).extract<Poco::JSON::Array::Ptr>();
    for (size_t i = 0; i < arr->size(); ++i) {
      auto o = arr->getObject(static_cast<unsigned>(i));
      out.push_back({o->getValue<int64_t>("message_id"), o->getValue<std::string>("outcome"),
                     o->getValue<std::string>("provider_id"), o->getValue<std::string>("to")});
    }
    return out;
  }

  sb::outbox::EnqueueResult enqueue(const std::string& to, const std::string& text,
                                    const std::string& key = "") {
    sb::store::OutboundMessage m;
    m.instance_id = "lb";
    m.to = to;
    m.content_type = "text";
    m.text = text;
    m.idempotency_key = key;
    auto r = outbox_->enqueue(m);
    EXPECT_TRUE(r.is_ok()) << r.status().to_string();
    return r.is_ok() ? *r : sb::outbox::EnqueueResult{};
  }

  sb::store::OutboxRow row(int64_t id) {
    auto r = store_->outbox()->outbox_get(id);
    EXPECT_TRUE(r.is_ok() && r->has_value());
    return r.is_ok() && r->has_value() ? **r : sb::store::OutboxRow{};
  }

  bool reaches(int64_t id, sb::store::OutboxState state, int attempts) {
    return eventually([&] {
      auto r = row(id);
      return r.state == state && r.attempts == attempts;
    });
  }

  void advance(int64_t ms) {
    clock_ms_ += ms;
    outbox_->kick("lb");
  }

  std::filesystem::path dir_;
  // The loopback instance's configuration; by default it reports no delivery statuses itself.
  std::string loopback_config_ = R"({"delivery":{"auto":false}})";
  std::atomic<int64_t> clock_ms_{1'700'000'000'000};
  std::atomic<double> jitter_{0.5};
  sb::outbox::OutboxOptions options_;
  std::unique_ptr<sb::store::Store> store_;
  std::unique_ptr<sb::plugin::Registry> registry_;
  std::unique_ptr<sb::runtime::Runtime> runtime_;
  std::unique_ptr<sb::outbox::Outbox> outbox_;
};

}  // namespace sbtest
