// How long the dispatcher waits before the next attempt, and which failures are worth one.
#pragma once

#include <chrono>
#include <cstdint>

namespace sb::outbox {

// Full jitter: uniform in [0, min(cap, base * 2^(attempt-1))) using random01 in [0, 1), but at
// least retry_after_ms (the provider's own hint wins when it asks for longer). attempt >= 1.
int64_t backoff_delay_ms(int attempt, std::chrono::milliseconds base, std::chrono::milliseconds cap,
                         double random01, int64_t retry_after_ms);

// The delay before the next attempt after a retryable failure. A rate limit that says when capacity
// is back (SB_ERR_RATE_LIMITED with retry_after_ms) is retried exactly then: it is throughput
// pacing, not a sign of trouble, so it does not grow with the attempts (exponential backoff there
// kept a number far below its throughput long after Meta's 130429). Anything else:
// backoff_delay_ms.
int64_t retry_delay_ms(int32_t plugin_status, int attempt, std::chrono::milliseconds base,
                       std::chrono::milliseconds cap, double random01, int64_t retry_after_ms);

// REJECTED, INVALID_ARG, UNSUPPORTED and AUTH are never retried whatever the plugin says;
// TRANSIENT, RATE_LIMITED and TIMEOUT always are; anything else only when the plugin marked it
// retryable.
bool should_retry(int32_t plugin_status, bool plugin_says_retryable);

}  // namespace sb::outbox
