// The per-bind submit rate: token bucket, halved on ESME_RTHROTTLED, recovering step by step.
#include "rate.hpp"

#include <gtest/gtest.h>

namespace sms {
namespace {

int taken(SubmitRate& r, int64_t from_ms, int64_t to_ms) {
  int n = 0;
  for (int64_t t = from_ms; t < to_ms; ++t) {
    while (r.take(t)) ++n;
  }
  return n;
}

TEST(SmsRate, UnlimitedAlwaysTakes) {
  SubmitRate r(0);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(r.take(0));
  r.throttled(0);
  EXPECT_TRUE(r.take(0));
}

TEST(SmsRate, HoldsTheConfiguredRate) {
  SubmitRate r(100);
  r.reset(0);
  EXPECT_NEAR(taken(r, 0, 1000), 100, 6);
}

TEST(SmsRate, ThrottlingHalvesAndQuietTimeRestoresStepByStep) {
  SubmitRate r(100);
  r.reset(0);
  r.throttled(0);
  EXPECT_DOUBLE_EQ(r.rate(), 50);
  EXPECT_NEAR(taken(r, 0, 1000), 50, 6);
  r.throttled(1000);
  r.throttled(1000);
  r.throttled(1000);
  r.throttled(1000);
  EXPECT_DOUBLE_EQ(r.rate(), 100.0 / 16);  // never below a sixteenth
  r.take(1000 + SubmitRate::kRecoverEveryMs - 1);
  EXPECT_DOUBLE_EQ(r.rate(), 100.0 / 16);
  r.take(1000 + SubmitRate::kRecoverEveryMs);
  EXPECT_DOUBLE_EQ(r.rate(), 100.0 / 16 + 10);
  for (int step = 2; step <= 12; ++step) r.take(1000 + step * SubmitRate::kRecoverEveryMs);
  EXPECT_DOUBLE_EQ(r.rate(), 100);  // back to, never above, the configured rate
}

}  // namespace
}  // namespace sms
