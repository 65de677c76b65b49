// A minimal host for the ABI tests: a real sb_host_api table whose state lives in a TestHost.
// Single-threaded on purpose: the test thread is the instance strand and time is virtual, so the
// tests decide exactly when a timer fires and can prove that nothing fires after stop.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <switchboard/abi.h>

namespace sb::abi_test {

struct InboundRecord {
  std::string provider_message_id, from, from_kind, content_type, text;
};

// One per channel instance: its address is the instance's sb_host_ctx.
class TestHost {
 public:
  TestHost() = default;
  TestHost(const TestHost&) = delete;
  TestHost& operator=(const TestHost&) = delete;

  // The same constant table for every TestHost; the ctx tells them apart.
  static const sb_host_api* api();
  sb_host_ctx* ctx() { return reinterpret_cast<sb_host_ctx*>(this); }

  // Moves the clock and runs, in due order, every timer and post that became due.
  void advance(int64_t ms);
  size_t armed_timers() const { return timers_.size(); }
  // After this, set_timer returns 0 and post SB_ERR_STATE, as a stopping instance's would.
  void mark_stopping() { stopping_ = true; }

  std::vector<std::pair<int32_t, std::string>> logs;
  std::vector<std::pair<int32_t, std::string>> states;
  std::vector<InboundRecord> inbound;
  int timers_set = 0, timers_cancelled = 0, timers_fired = 0;

 private:
  struct Timer {
    int64_t due_ms;
    sb_task_fn fn;
    void* user_data;
  };
  static TestHost& of(sb_host_ctx* ctx) { return *reinterpret_cast<TestHost*>(ctx); }
  static int32_t submit_inbound(sb_host_ctx* ctx, const sb_inbound_message* const* messages,
                                uint32_t count, int32_t* statuses);
  static uint64_t set_timer(sb_host_ctx* ctx, uint64_t delay_ms, sb_task_fn fn, void* user_data);
  static int32_t cancel_timer(sb_host_ctx* ctx, uint64_t timer_id);
  static int32_t post(sb_host_ctx* ctx, sb_task_fn fn, void* user_data);

  int64_t now_ms_ = 1'700'000'000'000;
  uint64_t next_timer_id_ = 1;
  bool stopping_ = false;
  std::map<uint64_t, Timer> timers_;
  std::set<std::string, std::less<>> seen_provider_ids_;
  std::map<std::string, std::string, std::less<>> kv_;
};

// Output and error sinks that keep what the plugin wrote.
// Not copyable: the sink's ctx points at the object itself.
struct StringSink {
  StringSink();
  StringSink(const StringSink&) = delete;
  StringSink& operator=(const StringSink&) = delete;
  sb_output_sink sink{};
  std::string data;
};

struct ErrorCapture {
  ErrorCapture();
  ErrorCapture(const ErrorCapture&) = delete;
  ErrorCapture& operator=(const ErrorCapture&) = delete;
  sb_error_sink sink{};
  int calls = 0;
  std::string message;
};

}  // namespace sb::abi_test
