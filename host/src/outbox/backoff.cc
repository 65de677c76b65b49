#include "outbox/backoff.h"

#include <switchboard/abi.h>

#include <algorithm>

namespace sb::outbox {

int64_t backoff_delay_ms(int attempt, std::chrono::milliseconds base, std::chrono::milliseconds cap,
                         double random01, int64_t retry_after_ms) {
  const int64_t cap_ms = std::max<int64_t>(0, cap.count());
  int64_t ceiling = std::min(std::max<int64_t>(0, base.count()), cap_ms);
  // Doubling stops at the cap, so no shift can overflow however many attempts there were.
  for (int i = 1; i < attempt && ceiling < cap_ms; ++i) ceiling = std::min(ceiling * 2, cap_ms);
  const double r = std::clamp(random01, 0.0, 1.0);
  int64_t delay = static_cast<int64_t>(r * static_cast<double>(ceiling));
  delay = std::min(delay, std::max<int64_t>(0, ceiling - 1));  // [0, ceiling)
  return std::max(delay, retry_after_ms);
}

int64_t retry_delay_ms(int32_t plugin_status, int attempt, std::chrono::milliseconds base,
                       std::chrono::milliseconds cap, double random01, int64_t retry_after_ms) {
  if (plugin_status == SB_ERR_RATE_LIMITED && retry_after_ms > 0) return retry_after_ms;
  return backoff_delay_ms(attempt, base, cap, random01, retry_after_ms);
}

bool should_retry(int32_t plugin_status, bool plugin_says_retryable) {
  switch (plugin_status) {
    case SB_ERR_REJECTED:
    case SB_ERR_INVALID_ARG:
    case SB_ERR_UNSUPPORTED:
    case SB_ERR_AUTH:
      return false;
    case SB_ERR_TRANSIENT:
    case SB_ERR_RATE_LIMITED:
    case SB_ERR_TIMEOUT:
      return true;
    default:
      return plugin_says_retryable;
  }
}

}  // namespace sb::outbox
