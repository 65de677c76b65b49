// Runs callbacks when the simulated clock reaches their due time (review delays, status
// progression). Moving the clock forward makes due work run on the next tick.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

#include "clock.h"

namespace wasim {

class Scheduler {
 public:
  explicit Scheduler(const SimClock& clock) : clock_(clock) {}
  ~Scheduler() { stop(); }
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  void start();
  void stop();
  void at(int64_t due_ms, std::function<void()> fn);
  void clear();
  void poke() { cv_.notify_all(); }  // the clock moved

 private:
  struct Job {
    int64_t due_ms;
    uint64_t seq;  // FIFO among equal due times
    std::function<void()> fn;
    bool operator>(const Job& o) const {
      return due_ms != o.due_ms ? due_ms > o.due_ms : seq > o.seq;
    }
  };
  void run();

  const SimClock& clock_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::priority_queue<Job, std::vector<Job>, std::greater<>> jobs_;
  uint64_t seq_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace wasim
