#include "core/host_clock.h"

#include <chrono>
#include <string>

namespace sb {
namespace {
// Far enough for any test (years of simulated time), near enough that now_ms() cannot overflow.
constexpr int64_t kMaxOffsetMs = int64_t{100} * 366 * 24 * 3600 * 1000;
}  // namespace

int64_t HostClock::system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t HostClock::now_ms() const {
  const int64_t now = system_now_ms();
  return controllable_ ? now + offset_ms_.load(std::memory_order_acquire) : now;
}

Result<int64_t> HostClock::advance(int64_t ms) {
  if (!controllable_) {
    return failed_precondition(
        "the host clock is the system clock; enable testing.controllable_clock to move it");
  }
  if (ms <= 0) return invalid_argument("advance_ms must be positive: the clock never goes back");
  int64_t current = offset_ms_.load(std::memory_order_acquire);
  int64_t next = 0;
  do {
    if (ms > kMaxOffsetMs - current) {
      return invalid_argument("advance_ms would move the clock more than 100 years ahead");
    }
    next = current + ms;
  } while (!offset_ms_.compare_exchange_weak(current, next, std::memory_order_acq_rel));
  return next;
}

}  // namespace sb
