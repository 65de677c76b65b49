// The simulator's clock: real time plus an offset that tests move (advance/set), so the 24-hour
// window, review delays and retry horizons can be crossed without waiting.
#pragma once

#include <atomic>
#include <cstdint>

namespace wasim {

class SimClock {
 public:
  // Milliseconds since the Unix epoch on the simulated timeline.
  int64_t nowMs() const;
  int64_t nowSec() const { return nowMs() / 1000; }
  void advanceMs(int64_t delta_ms);
  void setMs(int64_t epoch_ms);
  void reset() { offset_ms_ = 0; }

 private:
  static int64_t realMs();
  std::atomic<int64_t> offset_ms_{0};
};

}  // namespace wasim
