#include "core/host_clock.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace sb {
namespace {

constexpr int64_t kHour = 3600'000;

TEST(HostClock, ProductionClockIsTheSystemClockAndCannotMove) {
  HostClock clock;
  EXPECT_FALSE(clock.controllable());
  const int64_t before = HostClock::system_now_ms();
  auto moved = clock.advance(kHour);
  ASSERT_FALSE(moved.is_ok());
  EXPECT_EQ(moved.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(clock.offset_ms(), 0);
  const int64_t now = clock.now_ms();
  EXPECT_GE(now, before);
  EXPECT_LT(now, HostClock::system_now_ms() + 1);
}

TEST(HostClock, ControllableClockMovesForwardOnly) {
  HostClock clock(true);
  const int64_t before = clock.now_ms();
  auto moved = clock.advance(25 * kHour);
  ASSERT_TRUE(moved.is_ok()) << moved.status().message();
  EXPECT_EQ(*moved, 25 * kHour);
  EXPECT_GE(clock.now_ms(), before + 25 * kHour);
  EXPECT_GE(clock.fn()(), before + 25 * kHour);
  EXPECT_EQ(clock.advance(0).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(clock.advance(-kHour).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(clock.offset_ms(), 25 * kHour);
  EXPECT_EQ(clock.advance(int64_t{200} * 366 * 24 * kHour).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(clock.offset_ms(), 25 * kHour);
}

TEST(HostClock, ConcurrentAdvancesAllCount) {
  HostClock clock(true);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) ASSERT_TRUE(clock.advance(1).is_ok());
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(clock.offset_ms(), 4000);
}

}  // namespace
}  // namespace sb
