// One list of queues: the routing configuration's queues are written into the store's queue list
// (the REST API's) when the router starts, and queues created through the API are queues the
// router routes to, hands out and lets rules name.
#include "fixture.h"

namespace sb::routing::testing {
namespace {

std::string phone(int n) {
  return "+49151000000" + std::to_string(10 + n);
}

TEST_F(RouterTest, ConfiguredQueuesJoinTheQueueListWithTheirNameAndStrategy) {
  // A row from an earlier start with other values: the configuration wins; members stay.
  sql("INSERT INTO queues (id, name, strategy, created_at, updated_at) "
      "VALUES ('general', 'Old', 'sticky', 0, 0)");
  add_agent("alice", 5);
  sql("INSERT INTO agent_queues (agent_id, queue_id) VALUES ('alice', 'general')");
  RoutingConfig c = one_queue(Strategy::kRoundRobin);
  c.queues.front().name = "General";
  c.queues.push_back(make_queue("billing", Strategy::kLeastBusy));
  make_router(c);
  auto rows = routing().queues();
  ASSERT_TRUE(rows.is_ok()) << rows.status().message();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].id, "billing");
  EXPECT_EQ((*rows)[0].strategy, "least_busy");
  EXPECT_EQ((*rows)[1].id, "general");
  EXPECT_EQ((*rows)[1].name, "General");
  EXPECT_EQ((*rows)[1].strategy, "round_robin");
  auto alice = routing().get_agent("alice");
  ASSERT_TRUE(alice.is_ok() && alice->has_value());
  EXPECT_EQ((*alice)->queues, std::vector<std::string>{"general"});
  // How the configuration uses a queue decides what the API may do with it.
  EXPECT_EQ(queue_use(router_->config(), "billing"), "declared");
  EXPECT_EQ(queue_use(router_->config(), "elsewhere"), "");
}

TEST_F(RouterTest, RulesAndTheDefaultQueueMayNameAQueueCreatedThroughTheApi) {
  // "vip" exists only in the queue list, as POST /v1/queues writes it.
  sql("INSERT INTO queues (id, name, strategy, created_at, updated_at) "
      "VALUES ('vip', 'VIP', 'round_robin', 0, 0)");
  RoutingConfig c = one_queue(Strategy::kLeastBusy);
  c.rules.push_back({"vip", {"wa-vip"}, {}, {}, "", HoursCondition::kAny, "vip"});
  EXPECT_EQ(validate(c).code(), Code::kInvalidArgument) << "without the list, vip is unknown";
  EXPECT_TRUE(validate(c, {"vip"}).is_ok());
  make_router(c);
  EXPECT_EQ(queue_use(router_->config(), "vip"), "named");
  add_agent("bob", 5);
  sql("INSERT INTO agent_queues (agent_id, queue_id) VALUES ('bob', 'vip')");
  Decision d = deliver(msg(phone(1), "hi", "wa-vip"));
  EXPECT_EQ(d.queue, "vip");
  EXPECT_EQ(d.assignee, "bob");
  EXPECT_EQ(d.reason, "round_robin");
}

TEST_F(RouterTest, AQueueCreatedThroughTheApiWhileRunningIsHandedOutAfterReload) {
  make_router(one_queue(Strategy::kLeastBusy));
  add_agent("carol", 1, store::Presence::kOffline);
  // A conversation an operator put into a new API queue (POST /v1/conversations with "queue").
  Decision first = deliver(msg(phone(2)));
  ASSERT_TRUE(first.queue == "general");
  const int64_t id = last_.resolution.conversation_id;
  sql("INSERT INTO queues (id, name, strategy, created_at, updated_at) "
      "VALUES ('night', 'Night', 'least_busy', 0, 0)");
  sql("UPDATE conversations SET queue = 'night' WHERE id = " + std::to_string(id));
  sql("INSERT INTO agent_queues (agent_id, queue_id) VALUES ('carol', 'night')");
  ASSERT_TRUE(router_->reload_queues().is_ok());
  ASSERT_TRUE(router_->set_presence("carol", store::Presence::kOnline).is_ok());
  EXPECT_EQ(conversation(id).assignee, "carol");
}

}  // namespace
}  // namespace sb::routing::testing
