// What the outbound benchmarks share: waiting for each enqueued message's final outbox record (sent
// or failed) and measuring enqueue -> record. Thread-safe: started() runs on the benchmark thread,
// recorded() on the instances' strands (wire it to OutboxOptions::on_recorded).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "bench_support.h"
#include "store/outbox_store.h"

namespace sb::bench {

class OutboxOutcomes {
 public:
  // The message was enqueued at `at`. Its outcome may already have been recorded (the strand can
  // be faster than the enqueue's return): then it is finished here.
  void started(int64_t message_id, Clock::time_point at) {
    std::lock_guard lock(mu_);
    if (auto e = early_.find(message_id); e != early_.end()) {
      finish(e->second.next, e->second.at - at, e->second.error);
      early_.erase(e);
    } else {
      started_[message_id] = at;
    }
  }

  // An attempt was recorded; a retry or a pending answer does not finish the message.
  void recorded(const store::OutboxAttempt& a) {
    if (a.next != store::OutboxState::kSent && a.next != store::OutboxState::kFailed) return;
    const auto now = Clock::now();
    std::string error = a.error_code + " " + a.error_text;
    std::lock_guard lock(mu_);
    auto it = started_.find(a.message_id);
    if (it == started_.end()) {
      early_[a.message_id] = {a.next, now, std::move(error)};
      return;
    }
    finish(a.next, now - it->second, error);
    started_.erase(it);
    if (started_.empty()) done_.notify_all();
  }

  // Waits (at most 5 minutes) until every started message finished; adds the sent ones' latencies
  // and answers how many were sent. *error says what failed or never finished (empty when none).
  int64_t wait(Latencies& latencies, std::string* error) {
    std::unique_lock lock(mu_);
    if (!done_.wait_for(lock, std::chrono::minutes(5), [&] { return started_.empty(); })) {
      *error = std::to_string(started_.size()) + " message(s) not finished after 5 minutes";
      return 0;
    }
    for (auto d : finished_) latencies.add(d);
    finished_.clear();
    const int64_t sent = sent_;
    sent_ = 0;
    if (failed_ > 0) *error = std::to_string(failed_) + " message(s) failed: " + last_failure_;
    failed_ = 0;
    return sent;
  }

 private:
  struct Early {
    store::OutboxState next;
    Clock::time_point at;
    std::string error;
  };

  void finish(store::OutboxState next, Clock::duration took, const std::string& error) {
    if (next == store::OutboxState::kSent) {
      ++sent_;
      finished_.push_back(took);
    } else {
      ++failed_;
      last_failure_ = error;
    }
  }

  std::mutex mu_;
  std::condition_variable done_;
  std::map<int64_t, Clock::time_point> started_;
  std::map<int64_t, Early> early_;
  std::vector<Clock::duration> finished_;
  int64_t sent_ = 0, failed_ = 0;
  std::string last_failure_;
};

}  // namespace sb::bench
