// The same plugins, every build flavour at once, in the real host runtime (sb_runtime: Asio
// strands, real timers, the SQLite store behind submit_inbound): create, start, send, the plugin's
// timer fires on its strand and submit_inbound stores the echo, stop, destroy. Plus the throwing
// SDK plugin: its exception arrives as a failed send and the instance keeps sending.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "fixtures.h"
#include "runtime/runtime.h"
#include "store/store.h"

namespace sb::abi_test {
namespace {

using plugin::LoadedPlugin;
using plugin::LoadError;
using namespace std::chrono_literals;

std::vector<std::string> check_fixtures() {
  std::vector<std::string> names{"check_c", "snapshot_1_0", "check_noexc"};
  names.emplace_back("check_clang");
  names.emplace_back("sdk_check_noexc");
  names.emplace_back("sdk_snapshot_1_0");
  return names;
}

class RuntimeFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sb-abi-runtime-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto opened = store::open_sqlite_store(dir_ / "abi.db");
    ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
    store_ = std::move(opened).value();
    runtime::HostServices services;
    services.store = store_.get();
    runtime_ = std::make_unique<runtime::Runtime>(runtime::RuntimeOptions{}, services);
  }

  void TearDown() override {
    if (runtime_) runtime_->shutdown();
    runtime_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::shared_ptr<runtime::ChannelInstance> add_started(const std::string& fixture) {
    auto loaded = load_fixture(fixture);
    if (auto* error = std::get_if<LoadError>(&loaded)) {
      ADD_FAILURE() << fixture << ": " << error->message;
      return nullptr;
    }
    auto plugin = std::get<std::shared_ptr<LoadedPlugin>>(loaded);
    if (auto error = plugin->init(runtime_->host_api())) {
      ADD_FAILURE() << fixture << ": " << error->message;
      return nullptr;
    }
    runtime::InstanceSpec spec;
    spec.id = fixture + "-1";
    spec.plugin = plugin;
    Status added = runtime_->add_instance(std::move(spec));
    if (!added.is_ok()) ADD_FAILURE() << added.to_string();
    Status started = runtime_->start_instance(fixture + "-1");
    if (!started.is_ok()) ADD_FAILURE() << started.to_string();
    return runtime_->find(fixture + "-1");
  }

  static store::OutboundMessage text_to(const std::string& text, const std::string& key) {
    store::OutboundMessage m;
    m.to = "+4915112345678";
    m.content_type = "text";
    m.text = text;
    m.idempotency_key = key;
    return m;
  }

  // The echo is stored from the plugin's timer, on another thread: wait for it, bounded.
  std::optional<store::MessageRecord> wait_for_inbound(const std::string& instance,
                                                       const std::string& provider_id) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (std::chrono::steady_clock::now() < deadline) {
      auto found = store_->find_inbound(instance, provider_id);
      if (found.is_ok() && found->has_value()) return **found;
      std::this_thread::sleep_for(2ms);
    }
    return std::nullopt;
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<runtime::Runtime> runtime_;
};

TEST_F(RuntimeFixture, EveryBuildFlavourRunsTheCheckSequenceInOneRuntime) {
  const std::vector<std::string> names = check_fixtures();
  std::vector<std::shared_ptr<runtime::ChannelInstance>> instances;
  for (const auto& name : names) {
    auto inst = add_started(name);
    ASSERT_NE(inst, nullptr) << name;
    EXPECT_EQ(inst->state(), runtime::InstanceState::kRunning) << name;
    instances.push_back(inst);
  }
  for (size_t i = 0; i < instances.size(); ++i) {
    const std::string& name = names[i];
    auto sent = instances[i]->send(text_to("hello " + name, "k-" + name));
    ASSERT_TRUE(sent.is_ok()) << name << ": " << sent.status().to_string();
    ASSERT_EQ(sent->kind, runtime::SendOutcome::Kind::kSent)
        << name << ": " << sent->error.to_string();
    EXPECT_EQ(sent->provider_message_id, name + "-" + std::to_string(sent->message_id));

    auto echo =
        wait_for_inbound(instances[i]->id(), name + "-in-" + std::to_string(sent->message_id));
    ASSERT_TRUE(echo.has_value()) << name << ": the timer's submit_inbound never arrived";
    EXPECT_EQ(echo->text, "echo: hello " + name);
    EXPECT_EQ(echo->from, "+4915112345678");
    EXPECT_EQ(instances[i]->stats().inbound_stored, 1u) << name;
  }
  // Stop with an echo armed in every instance: none of them may arrive afterwards.
  std::vector<int64_t> armed;
  for (size_t i = 0; i < instances.size(); ++i) {
    auto sent = instances[i]->send(text_to("late", "late-" + names[i]));
    ASSERT_TRUE(sent.is_ok());
    armed.push_back(sent->message_id);
    instances[i]->stop();
  }
  std::this_thread::sleep_for(50ms);  // ten times the echo delay
  for (size_t i = 0; i < instances.size(); ++i) {
    const std::string& name = names[i];
    auto late = store_->find_inbound(instances[i]->id(), name + "-in-" + std::to_string(armed[i]));
    ASSERT_TRUE(late.is_ok());
    EXPECT_FALSE(late->has_value()) << name << ": a timer fired after stop";
    EXPECT_EQ(instances[i]->state(), runtime::InstanceState::kStopped);
    instances[i]->destroy();
  }
}

TEST_F(RuntimeFixture, ThrowingSendIsAFailedSendAndTheInstanceKeepsWorking) {
  auto inst = add_started("sdk_throwing");
  ASSERT_NE(inst, nullptr);
  auto boom = inst->send(text_to("boom", "k1"));
  ASSERT_TRUE(boom.is_ok()) << boom.status().to_string();
  EXPECT_EQ(boom->kind, runtime::SendOutcome::Kind::kFailed);
  EXPECT_NE(boom->error.message().find("boom"), std::string::npos) << boom->error.to_string();
  EXPECT_EQ(boom->error.code(), Code::kInternal) << boom->error.to_string();

  auto fine = inst->send(text_to("fine", "k2"));
  ASSERT_TRUE(fine.is_ok()) << fine.status().to_string();
  EXPECT_EQ(fine->kind, runtime::SendOutcome::Kind::kSent) << fine->error.to_string();
  EXPECT_EQ(fine->provider_message_id, "sent-" + std::to_string(fine->message_id));
  EXPECT_EQ(inst->state(), runtime::InstanceState::kRunning);
}

}  // namespace
}  // namespace sb::abi_test
