#include <thread>

#include "fixture.h"

namespace sb::routing::testing {
namespace {

// Two routers on one store (as two hosts would be on one database) route at the same time; the
// capacity check in the assignment transaction keeps every agent within max_concurrent.
TEST_F(RouterTest, ConcurrentRoutersNeverOverfillAnAgent) {
  make_router(one_queue(Strategy::kLeastBusy));
  RouterOptions o;
  o.clock = [now = now_] { return now->load(); };
  auto second = Router::create(one_queue(Strategy::kLeastBusy), *store_, o);
  ASSERT_TRUE(second.is_ok());
  add_agent("alice", 3);
  add_agent("bob", 2);
  constexpr int kEach = 10;
  std::vector<store::InboundMessage> a, b;
  for (int i = 0; i < kEach; ++i) {
    a.push_back(msg("+491510000" + std::to_string(1000 + i)));
    b.push_back(msg("+491510000" + std::to_string(2000 + i)));
  }
  std::atomic<int> errors{0};
  auto run = [&](Router& router, const std::vector<store::InboundMessage>& batch) {
    for (const auto& m : batch) {
      auto r = store_->insert_inbound_resolved(std::span<const store::InboundMessage>(&m, 1));
      if (!r || !router.route(m, r->front())) ++errors;
    }
  };
  std::thread t1(run, std::ref(*router_), std::cref(a));
  std::thread t2(run, std::ref(**second), std::cref(b));
  t1.join();
  t2.join();
  EXPECT_EQ(errors.load(), 0);
  auto loads = routing().agent_loads();
  ASSERT_TRUE(loads.is_ok());
  ASSERT_EQ(loads->size(), 2u);
  EXPECT_EQ(loads->at(0).active, 3);  // alice: full, not beyond
  EXPECT_EQ(loads->at(1).active, 2);  // bob
  auto waiting = routing().waiting("general", 100);
  ASSERT_TRUE(waiting.is_ok());
  EXPECT_EQ(waiting->size(), 2u * kEach - 5);
}

// The group-commit store forwards routing() to the SQLite store underneath.
TEST_F(RouterTest, WorksBehindTheGroupCommitStore) {
  auto group = store::make_group_commit_store(std::move(store_));
  ASSERT_NE(group->routing(), nullptr);
  store_ = std::move(group);
  make_router(one_queue(Strategy::kRoundRobin));
  add_agent("alice", 1);
  EXPECT_EQ(deliver(msg("+4915100000011")).assignee, "alice");
  EXPECT_FALSE(deliver(msg("+4915100000012")).assignee);
}

}  // namespace
}  // namespace sb::routing::testing
