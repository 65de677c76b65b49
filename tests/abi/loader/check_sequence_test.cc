// Plugins built every supported way (pure C; the frozen 1.0 headers; g++ -fno-exceptions -fno-rtti;
// clang++) pass the same sequence through the real loader and a real host table: load, init,
// create, start, send, a timer via set_timer, submit_inbound from it, stop, destroy.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "fixtures.h"
#include "test_host.h"

namespace sb::abi_test {
namespace {

using plugin::LoadedPlugin;
using plugin::LoadError;

std::vector<std::string> good_fixtures() {
  std::vector<std::string> names{"check_c", "snapshot_1_0", "check_noexc"};
  names.emplace_back("check_clang");
  names.emplace_back("sdk_check_noexc");
  names.emplace_back("sdk_snapshot_1_0");
  return names;
}

sb_str str(std::string_view s) {
  return {s.data(), s.size()};
}

// One channel instance of a check fixture, driven step by step so several can be interleaved.
class Instance {
 public:
  explicit Instance(std::string name) : name_(std::move(name)) {}
  ~Instance() {
    if (channel_ != nullptr) plugin_->vtable().destroy(channel_);
  }

  void load_and_init() {
    auto loaded = load_fixture(name_);
    if (auto* error = std::get_if<LoadError>(&loaded)) {
      FAIL() << name_ << ": " << plugin::to_string(error->kind) << ": " << error->message;
    }
    plugin_ = std::get<std::shared_ptr<LoadedPlugin>>(loaded);
    EXPECT_EQ(plugin_->id(), name_);
    EXPECT_EQ(plugin_->entry().abi_major, SB_ABI_MAJOR);
    EXPECT_EQ(plugin_->entry_struct_size(), sizeof(sb_plugin_entry));
    EXPECT_EQ(plugin_->vtable_struct_size(), sizeof(sb_channel_vtable));
    const auto slots = plugin_->vtable_slots();
    for (const char* slot : {"destroy", "start", "stop", "send", "health"}) {
      EXPECT_NE(std::find(slots.begin(), slots.end(), slot), slots.end()) << slot;
    }
    auto init_error = plugin_->init(TestHost::api());
    ASSERT_FALSE(init_error.has_value()) << init_error->message;
  }

  void create() {
    sb_create_params params{};
    params.struct_size = sizeof params;
    params.host_api = TestHost::api();
    params.host = host_.ctx();
    params.instance_id = str(name_ + "-1");
    params.config_json = str("{}");
    ErrorCapture err;
    ASSERT_EQ(plugin_->entry().create(&params, &channel_, &err.sink), SB_OK) << err.message;
    ASSERT_NE(channel_, nullptr);
  }

  void send_before_start_is_refused() {
    StringSink id;
    ErrorCapture err;
    auto msg = message(1, "too early");
    EXPECT_EQ(plugin_->vtable().send(channel_, &msg, &id.sink, &err.sink), SB_ERR_STATE);
    EXPECT_EQ(err.calls, 1);
    EXPECT_EQ(err.message, "not started");
    EXPECT_EQ(host_.timers_set, 0);
  }

  void start() {
    ErrorCapture err;
    ASSERT_EQ(plugin_->vtable().start(channel_, &err.sink), SB_OK) << err.message;
    ASSERT_EQ(host_.states.size(), 1u);
    EXPECT_EQ(host_.states[0].first, SB_STATE_RUNNING);
    EXPECT_EQ(host_.states[0].second, "ready");
  }

  void send(int64_t message_id, const std::string& text) {
    StringSink id;
    ErrorCapture err;
    auto msg = message(message_id, text);
    ASSERT_EQ(plugin_->vtable().send(channel_, &msg, &id.sink, &err.sink), SB_OK) << err.message;
    EXPECT_EQ(id.data, name_ + "-" + std::to_string(message_id));
    EXPECT_EQ(err.calls, 0);
    EXPECT_EQ(host_.armed_timers(), 1u) << "send arms its echo through set_timer";
  }

  // The echo timer is 5 ms: nothing before, exactly one submit_inbound after.
  void timer_delivers_inbound(int64_t message_id, const std::string& text) {
    const size_t before = host_.inbound.size();
    host_.advance(4);
    EXPECT_EQ(host_.inbound.size(), before);
    host_.advance(1);
    ASSERT_EQ(host_.inbound.size(), before + 1);
    const InboundRecord& in = host_.inbound.back();
    EXPECT_EQ(in.provider_message_id, name_ + "-in-" + std::to_string(message_id));
    EXPECT_EQ(in.from, kTo);
    EXPECT_EQ(in.from_kind, "phone");
    EXPECT_EQ(in.content_type, "text");
    EXPECT_EQ(in.text, "echo: " + text);
    EXPECT_EQ(host_.armed_timers(), 0u);
  }

  void health(bool running) {
    StringSink details;
    EXPECT_EQ(plugin_->vtable().health(channel_, &details.sink),
              running ? SB_STATE_RUNNING : SB_STATE_STOPPED);
    EXPECT_EQ(details.data, R"({"echo_pending":false})");
  }

  // Stop with an echo still armed: the plugin cancels it and nothing fires afterwards.
  void stop_cancels_armed_timer() {
    send(99, "never echoed");
    const size_t inbound_before = host_.inbound.size();
    plugin_->vtable().stop(channel_);
    host_.mark_stopping();
    EXPECT_EQ(host_.timers_cancelled, 1);
    EXPECT_EQ(host_.armed_timers(), 0u);
    host_.advance(1000);
    EXPECT_EQ(host_.inbound.size(), inbound_before);
    EXPECT_EQ(host_.logs.back().second, "stopped");
  }

  void destroy() {
    plugin_->vtable().destroy(channel_);
    channel_ = nullptr;
  }

  const TestHost& host() const { return host_; }

 private:
  static constexpr const char* kTo = "+4915112345678";

  sb_outbound_message message(int64_t message_id, const std::string& text) {
    texts_.push_back(text);  // kept alive for the duration of the call, as the ABI requires
    sb_outbound_message msg{};
    msg.struct_size = sizeof msg;
    msg.message_id = message_id;
    msg.idempotency_key = str("idem");
    msg.to = str(kTo);
    msg.content_type = str("text");
    msg.text = str(texts_.back());
    return msg;
  }

  std::string name_;
  std::shared_ptr<LoadedPlugin> plugin_;
  TestHost host_;
  sb_channel* channel_ = nullptr;
  std::vector<std::string> texts_;
};

class CheckSequence : public ::testing::TestWithParam<std::string> {};

TEST_P(CheckSequence, LoadInitCreateStartSendTimerInboundStopDestroy) {
  Instance in(GetParam());
  ASSERT_NO_FATAL_FAILURE(in.load_and_init());
  ASSERT_NO_FATAL_FAILURE(in.create());
  in.send_before_start_is_refused();
  ASSERT_NO_FATAL_FAILURE(in.start());
  ASSERT_NO_FATAL_FAILURE(in.send(42, "hello"));
  in.timer_delivers_inbound(42, "hello");
  in.health(true);
  ASSERT_NO_FATAL_FAILURE(in.send(43, "second"));
  in.timer_delivers_inbound(43, "second");
  in.stop_cancels_armed_timer();
  in.health(false);
  in.destroy();
  EXPECT_EQ(in.host().inbound.size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Builds, CheckSequence, ::testing::ValuesIn(good_fixtures()),
                         [](const auto& info) { return info.param; });

// Every build flavour alive in one process at once, driven in lockstep: each instance sees only
// its own plugin's answers, so no plugin bound to another's same-named internals.
TEST(MixedToolchains, AllBuildsRunSideBySideInOneHost) {
  std::vector<std::unique_ptr<Instance>> all;
  for (const auto& name : good_fixtures()) all.push_back(std::make_unique<Instance>(name));
  for (auto& in : all) ASSERT_NO_FATAL_FAILURE(in->load_and_init());
  for (auto& in : all) ASSERT_NO_FATAL_FAILURE(in->create());
  for (auto& in : all) ASSERT_NO_FATAL_FAILURE(in->start());
  int64_t id = 1000;
  for (auto& in : all) ASSERT_NO_FATAL_FAILURE(in->send(++id, "side by side"));
  id = 1000;
  for (auto& in : all) in->timer_delivers_inbound(++id, "side by side");
  for (auto& in : all) in->stop_cancels_armed_timer();
  for (auto& in : all) in->destroy();
}

}  // namespace
}  // namespace sb::abi_test
