#include "scheduler.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <iostream>

namespace wasim {

void Scheduler::start() {
  thread_ = std::thread([this] { run(); });
}

void Scheduler::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Scheduler::at(int64_t due_ms, std::function<void()> fn) {
  {
    std::lock_guard lock(mu_);
    jobs_.push(Job{due_ms, seq_++, std::move(fn)});
  }
  cv_.notify_all();
}

void Scheduler::clear() {
  std::lock_guard lock(mu_);
  jobs_ = {};
}

void Scheduler::run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (!jobs_.empty() && jobs_.top().due_ms <= clock_.nowMs()) {
      auto fn = jobs_.top().fn;
      jobs_.pop();
      lock.unlock();
      try {
        fn();
      } catch (const std::exception& e) {
        // A failed job must not take the scheduler thread (and every later job) with it.
        std::cerr << "wa-sim: scheduled job failed: " << e.what() << "\n";
      }
      lock.lock();
      continue;
    }
    // The clock can jump (test control), so wake periodically rather than sleeping until due.
    int64_t wait_ms = 20;
    if (!jobs_.empty()) wait_ms = std::clamp<int64_t>(jobs_.top().due_ms - clock_.nowMs(), 1, 20);
    cv_.wait_for(lock, std::chrono::milliseconds(wait_ms));
  }
}

}  // namespace wasim
