// The per-number token bucket (80 mps default).
#include "throughput.hpp"

#include <gtest/gtest.h>

namespace {

TEST(WaTokenBucket, AllowsOneSecondsWorthThenRefillsAtTheRate) {
  wa::TokenBucket b(80);
  int64_t t = 1'000'000;
  int taken = 0;
  while (b.try_take(t)) ++taken;
  EXPECT_EQ(taken, 80);
  EXPECT_EQ(b.wait_ms(t).count(), 13);  // 1000/80 = 12.5 ms per token
  EXPECT_FALSE(b.try_take(t + 12));
  EXPECT_TRUE(b.try_take(t + 13));
  EXPECT_FALSE(b.try_take(t + 13));
}

TEST(WaTokenBucket, NeverHoldsMoreThanTheBurst) {
  wa::TokenBucket b(10);
  int64_t t = 0;
  EXPECT_TRUE(b.try_take(t));
  int taken = 0;
  while (b.try_take(t + 60'000)) ++taken;  // a minute idle still gives one second's worth
  EXPECT_EQ(taken, 10);
}

TEST(WaTokenBucket, RateChangeApplies) {
  wa::TokenBucket b(20);
  int taken = 0;
  while (b.try_take(5)) ++taken;
  EXPECT_EQ(taken, 20);
  b.set_rate(1000);
  taken = 0;
  while (b.try_take(1005)) ++taken;
  EXPECT_EQ(taken, 1000);
}

TEST(WaThroughput, BucketsAreSeparatePerNumber) {
  wa::Throughput t(2);
  EXPECT_TRUE(t.for_number("a").try_take(0));
  EXPECT_TRUE(t.for_number("a").try_take(0));
  EXPECT_FALSE(t.for_number("a").try_take(0));
  EXPECT_TRUE(t.for_number("b").try_take(0));
}

TEST(WaPairLimiter, BurstOf45ThenOneEverySixSeconds) {
  wa::PairLimiter p;
  int taken = 0;
  while (p.try_take("n", "c", 0)) ++taken;
  EXPECT_EQ(taken, 45);
  EXPECT_EQ(p.wait_ms("n", "c", 0).count(), 6000);
  EXPECT_FALSE(p.try_take("n", "c", 5999));
  EXPECT_TRUE(p.try_take("n", "c", 6000));
  EXPECT_TRUE(p.try_take("n", "other", 6000));
}

TEST(WaPairLimiter, IdlePairsAreForgotten) {
  wa::PairLimiter p;
  for (int i = 0; i <= 10001; ++i) p.try_take("n", std::to_string(i), 0);
  EXPECT_GT(p.size(), 10000u);
  p.try_take("n", "late", 271'000);  // every earlier pair has been idle long enough to be full
  EXPECT_EQ(p.size(), 1u);
}

}  // namespace
