// The host's one time source. Production: the system clock. With the configuration's
// "testing": {"controllable_clock": true} it becomes the system clock plus an offset that an
// admin route moves forward, so black-box tests can cross the 24-hour window, outbox horizons and
// the like without waiting. Every part of the host that needs "now" gets it from here (passed in,
// never global); plugins see it through the host table's now_ms.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>

#include "core/status.h"

namespace sb {

class HostClock {
 public:
  // controllable = false: advance() is refused and now_ms() is the system clock, always.
  explicit HostClock(bool controllable = false) : controllable_(controllable) {}
  HostClock(const HostClock&) = delete;
  HostClock& operator=(const HostClock&) = delete;

  // Unix milliseconds: the system clock plus the offset (0 unless controllable and advanced).
  int64_t now_ms() const;
  // Moves the clock forward by ms (> 0); the offset only ever grows, so time never runs
  // backwards for anyone who already read it. kFailedPrecondition when not controllable,
  // kInvalidArgument for ms <= 0 or an offset past ~100 years. Returns the new offset.
  Result<int64_t> advance(int64_t ms);
  int64_t offset_ms() const { return offset_ms_.load(std::memory_order_acquire); }
  bool controllable() const { return controllable_; }

  // A std::function view of now_ms() for components that take an injectable clock. The clock
  // must outlive every copy.
  std::function<int64_t()> fn() const {
    return [this] { return now_ms(); };
  }

  static int64_t system_now_ms();

 private:
  const bool controllable_;
  std::atomic<int64_t> offset_ms_{0};
};

}  // namespace sb
