#include "outbox/backoff.h"

#include <switchboard/abi.h>

#include <gtest/gtest.h>

namespace sb::outbox {
namespace {

using std::chrono::milliseconds;

TEST(OutboxBackoff, FullJitterStaysBelowTheDoublingCeiling) {
  const milliseconds base{1000}, cap{60'000};
  for (int attempt = 1; attempt <= 8; ++attempt) {
    const int64_t ceiling = std::min<int64_t>(1000LL << (attempt - 1), 60'000);
    EXPECT_EQ(backoff_delay_ms(attempt, base, cap, 0.0, 0), 0);
    EXPECT_EQ(backoff_delay_ms(attempt, base, cap, 0.5, 0), ceiling / 2) << attempt;
    const int64_t top = backoff_delay_ms(attempt, base, cap, 0.999999999, 0);
    EXPECT_LT(top, ceiling);
    EXPECT_GE(top, ceiling - 1);
  }
}

TEST(OutboxBackoff, CapHoldsForManyAttemptsWithoutOverflow) {
  EXPECT_EQ(backoff_delay_ms(10'000, milliseconds{1000}, milliseconds{300'000}, 0.5, 0), 150'000);
  EXPECT_LT(backoff_delay_ms(64, milliseconds{1000}, milliseconds{300'000}, 0.99, 0), 300'000);
}

TEST(OutboxBackoff, RetryAfterIsAFloor) {
  EXPECT_EQ(backoff_delay_ms(1, milliseconds{1000}, milliseconds{8000}, 0.5, 30'000), 30'000);
  // A shorter hint than the jittered delay does not shorten it.
  EXPECT_EQ(backoff_delay_ms(3, milliseconds{1000}, milliseconds{8000}, 0.5, 10), 2000);
}

TEST(OutboxBackoff, RateLimitWithAHintIsRetriedExactlyThenWhateverTheAttempt) {
  const milliseconds base{1000}, cap{300'000};
  for (int attempt : {1, 2, 5, 12}) {
    EXPECT_EQ(retry_delay_ms(SB_ERR_RATE_LIMITED, attempt, base, cap, 0.9, 3), 3) << attempt;
  }
  // Without a hint a rate limit backs off like anything else.
  EXPECT_EQ(retry_delay_ms(SB_ERR_RATE_LIMITED, 3, base, cap, 0.5, 0), 2000);
  // Other failures keep the exponential backoff, the hint as its floor.
  EXPECT_EQ(retry_delay_ms(SB_ERR_TRANSIENT, 3, base, cap, 0.5, 3), 2000);
  EXPECT_EQ(retry_delay_ms(SB_ERR_TRANSIENT, 1, base, cap, 0.5, 30'000), 30'000);
}

TEST(OutboxBackoff, WhatIsRetried) {
  for (int32_t s : {SB_ERR_REJECTED, SB_ERR_INVALID_ARG, SB_ERR_UNSUPPORTED, SB_ERR_AUTH}) {
    EXPECT_FALSE(should_retry(s, true)) << s;
    EXPECT_FALSE(should_retry(s, false)) << s;
  }
  for (int32_t s : {SB_ERR_TRANSIENT, SB_ERR_RATE_LIMITED, SB_ERR_TIMEOUT}) {
    EXPECT_TRUE(should_retry(s, false)) << s;
  }
  EXPECT_TRUE(should_retry(SB_ERR_INTERNAL, true));
  EXPECT_FALSE(should_retry(SB_ERR_INTERNAL, false));
}

}  // namespace
}  // namespace sb::outbox
