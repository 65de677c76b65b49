// Leases on credentials: revoked at once in process, or by a periodic recheck against the store.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "auth/credential_watch.h"

namespace sb::auth {
namespace {

using namespace std::chrono_literals;

TEST(CredentialWatch, RevokeEndsEveryLeaseOnThatCredentialOnly) {
  CredentialWatch watch;
  auto a1 = watch.hold(1);
  auto a2 = watch.hold(1);
  auto b = watch.hold(2);
  EXPECT_EQ(watch.holders(1), 2u);
  watch.revoke(1);
  EXPECT_FALSE(a1->valid());
  EXPECT_FALSE(a2->valid());
  EXPECT_TRUE(b->valid());
  a1.reset();
  EXPECT_EQ(watch.holders(1), 1u);
  // A lease taken after the revocation is not affected by it (the caller authenticated again).
  auto a3 = watch.hold(1);
  EXPECT_TRUE(a3->valid());
}

TEST(CredentialWatch, RecheckRunsAtMostOncePerIntervalAndSticks) {
  CredentialWatch watch;
  std::atomic<int> calls{0};
  std::atomic<bool> still{true};
  auto lease = watch.hold(
      7, [&] { return ++calls, still.load(); }, 50ms);
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(lease->valid());
  EXPECT_EQ(calls.load(), 0);  // not before the first interval
  std::this_thread::sleep_for(60ms);
  EXPECT_TRUE(lease->valid());
  EXPECT_EQ(calls.load(), 1);
  still = false;
  std::this_thread::sleep_for(60ms);
  EXPECT_FALSE(lease->valid());
  still = true;
  std::this_thread::sleep_for(60ms);
  EXPECT_FALSE(lease->valid()) << "a revoked lease stays revoked";
}

TEST(CredentialWatch, LeasesMayOutliveTheWatch) {
  std::unique_ptr<CredentialLease> lease;
  {
    CredentialWatch watch;
    lease = watch.hold(3);
  }
  EXPECT_TRUE(lease->valid());
  lease.reset();
}

}  // namespace
}  // namespace sb::auth
