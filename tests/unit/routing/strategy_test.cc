#include "fixture.h"

namespace sb::routing::testing {
namespace {

std::string phone(int n) {
  return "+49151000000" + std::to_string(10 + n);
}

TEST_F(RouterTest, RoundRobinRotatesThroughOnlineAgents) {
  make_router(one_queue(Strategy::kRoundRobin));
  add_agent("alice", 10);
  add_agent("bob", 10);
  add_agent("carol", 10, store::Presence::kAway);  // not online: skipped
  add_agent("dave", 10);
  std::vector<std::string> got;
  for (int i = 0; i < 5; ++i) {
    auto d = deliver(msg(phone(i)));
    ASSERT_TRUE(d.assignee);
    EXPECT_EQ(d.reason, "round_robin");
    got.push_back(*d.assignee);
  }
  EXPECT_EQ(got, (std::vector<std::string>{"alice", "bob", "dave", "alice", "bob"}));
  EXPECT_EQ(conversation(last_.resolution.conversation_id).assignee, "bob");
  EXPECT_EQ(conversation(last_.resolution.conversation_id).queue, "general");
}

TEST_F(RouterTest, RoundRobinPositionSurvivesARestart) {
  make_router(one_queue(Strategy::kRoundRobin));
  add_agent("alice", 10);
  add_agent("bob", 10);
  EXPECT_EQ(deliver(msg(phone(1))).assignee, "alice");
  make_router(one_queue(Strategy::kRoundRobin));  // a new router reads the stored position
  EXPECT_EQ(deliver(msg(phone(2))).assignee, "bob");
}

TEST_F(RouterTest, LeastBusyRespectsCapacityThenQueues) {
  make_router(one_queue(Strategy::kLeastBusy));
  add_agent("alice", 1);
  add_agent("bob", 2);
  auto d1 = deliver(msg(phone(1)));
  auto d2 = deliver(msg(phone(2)));
  auto d3 = deliver(msg(phone(3)));
  EXPECT_EQ(d1.assignee, "alice");  // equal load: by id
  EXPECT_EQ(d2.assignee, "bob");
  EXPECT_EQ(d3.assignee, "bob");  // alice is full at 1
  auto d4 = deliver(msg(phone(4)));
  EXPECT_FALSE(d4.assignee);
  EXPECT_EQ(d4.reason, "waiting");
  EXPECT_EQ(d4.queue, "general");
  const auto waiting_id = last_.resolution.conversation_id;
  auto c = conversation(waiting_id);
  EXPECT_FALSE(c.assignee);
  EXPECT_EQ(c.queue, "general");
  auto waiting = routing().waiting("general", 10);
  ASSERT_TRUE(waiting.is_ok());
  ASSERT_EQ(waiting->size(), 1u);
  EXPECT_EQ(waiting->front().conversation_id, waiting_id);

  // A second message in the waiting conversation keeps it waiting (no duplicate log rows).
  auto again = deliver(msg(phone(4), "anyone?"));
  EXPECT_FALSE(again.assignee);
  auto log = routing().assignments_of(waiting_id);
  ASSERT_TRUE(log.is_ok());
  EXPECT_EQ(log->size(), 1u);

  // alice resolves hers: capacity frees and the waiting conversation goes to her.
  resolve(1);
  auto assigned = router_->rebalance();
  ASSERT_TRUE(assigned.is_ok());
  EXPECT_EQ(*assigned, std::vector<int64_t>{waiting_id});
  EXPECT_EQ(conversation(waiting_id).assignee, "alice");
  EXPECT_TRUE(routing().waiting("general", 10)->empty());
}

TEST_F(RouterTest, LeastBusyPrefersFewerConversationsThenLongestIdle) {
  make_router(one_queue(Strategy::kLeastBusy));
  add_agent("alice", 5);
  add_agent("bob", 5);
  EXPECT_EQ(deliver(msg(phone(1))).assignee, "alice");
  advance(kMinute);
  EXPECT_EQ(deliver(msg(phone(2))).assignee, "bob");
  advance(kMinute);
  resolve(1);  // alice has 0, bob 1
  EXPECT_EQ(deliver(msg(phone(3))).assignee, "alice");
  advance(kMinute);
  resolve(2);  // bob 0, alice 1
  EXPECT_EQ(deliver(msg(phone(4))).assignee, "bob");
  advance(kMinute);
  // Both at 1 now; alice was given one at +2 min, bob at +3 min: alice has been idle longer.
  EXPECT_EQ(deliver(msg(phone(5))).assignee, "alice");
}

TEST_F(RouterTest, WaitingConversationsGoToAnAgentComingOnline) {
  make_router(one_queue(Strategy::kLeastBusy));
  add_agent("alice", 2, store::Presence::kOffline);
  auto d1 = deliver(msg(phone(1)));
  advance(kMinute);
  auto d2 = deliver(msg(phone(2)));
  advance(kMinute);
  auto d3 = deliver(msg(phone(3)));
  EXPECT_FALSE(d1.assignee || d2.assignee || d3.assignee);
  ASSERT_TRUE(router_->set_presence("alice", store::Presence::kOnline).is_ok());
  // The two oldest go to alice (her capacity); the newest keeps waiting.
  EXPECT_EQ(conversation(1).assignee, "alice");
  EXPECT_EQ(conversation(2).assignee, "alice");
  EXPECT_FALSE(conversation(3).assignee);
  auto log = routing().assignments_of(1);
  ASSERT_TRUE(log.is_ok());
  ASSERT_EQ(log->size(), 2u);
  EXPECT_EQ(log->at(0).reason, "waiting");
  EXPECT_EQ(log->at(1).agent_id, "alice");
  EXPECT_EQ(log->at(1).reason, "least_busy");
  EXPECT_EQ(router_->set_presence("nobody", store::Presence::kOnline).code(), Code::kNotFound);
}

TEST_F(RouterTest, AgentsWithoutTheQueueSkillsAreSkipped) {
  RoutingConfig c = one_queue(Strategy::kLeastBusy);
  c.queues.push_back(make_queue("billing", Strategy::kLeastBusy, {"billing", "de"}));
  c.rules.push_back({"billing", {}, {"invoice"}, {}, "", HoursCondition::kAny, "billing"});
  make_router(c);
  add_agent("alice", 5, store::Presence::kOnline, {"de"});
  add_agent("bob", 5, store::Presence::kOnline, {"billing", "de", "en"});
  auto d = deliver(msg(phone(1), "my invoice"));
  EXPECT_EQ(d.queue, "billing");
  EXPECT_EQ(d.assignee, "bob");
  EXPECT_EQ(deliver(msg(phone(2), "hello")).assignee, "alice");
}

TEST_F(RouterTest, QueueMembersServeTheirQueuesOnly) {
  RoutingConfig c = one_queue(Strategy::kLeastBusy);
  c.queues.push_back(make_queue("vip"));
  c.rules.push_back({"vip", {"wa-vip"}, {}, {}, "", HoursCondition::kAny, "vip"});
  make_router(c);
  add_agent("alice", 5);  // in no queue: serves all
  add_agent("bob", 5);
  // bob is a member of "vip" only, written the way the REST API writes it (v4 tables); the
  // router put the configured queue into the queue list.
  sql("INSERT INTO agent_queues (agent_id, queue_id) VALUES ('bob', 'vip')");
  auto bob = routing().get_agent("bob");
  ASSERT_TRUE(bob.is_ok() && bob->has_value());
  EXPECT_EQ((*bob)->queues, std::vector<std::string>{"vip"});
  EXPECT_EQ(deliver(msg(phone(1))).assignee, "alice");
  EXPECT_EQ(deliver(msg(phone(2))).assignee, "alice");  // bob has room but is not in "general"
  EXPECT_EQ(deliver(msg(phone(3), "hi", "wa-vip")).assignee, "bob");
}

TEST_F(RouterTest, StickyReturnsToTheLastAgentOfTheContact) {
  make_router(one_queue(Strategy::kSticky));
  add_agent("alice", 5);
  add_agent("bob", 5);
  const std::string ada = phone(1), bert = phone(2);
  auto first = deliver(msg(ada));
  EXPECT_EQ(first.assignee, "alice");
  EXPECT_EQ(first.reason, "least_busy");  // nobody served Ada before
  // Bert goes to bob (least busy), then Ada's conversation is reassigned to bob by a supervisor.
  EXPECT_EQ(deliver(msg(bert)).assignee, "bob");
  const int64_t ada_conv = 1;
  ASSERT_TRUE(router_->reassign(ada_conv, "bob", "sue").is_ok());
  resolve(ada_conv);
  // Ada's next conversation on another channel is the same contact: bob again, although busier.
  auto next = deliver(msg(ada, "me again", "wa-1"));
  EXPECT_EQ(next.assignee, "bob");
  EXPECT_EQ(next.reason, "sticky");
  // When bob is away the conversation falls back to least busy.
  ASSERT_TRUE(router_->set_presence("bob", store::Presence::kAway).is_ok());
  auto other = deliver(msg(ada, "third", "email-1"));
  EXPECT_EQ(other.assignee, "alice");
  EXPECT_EQ(other.reason, "least_busy");
}

TEST_F(RouterTest, StickyAgentAtCapacityIsNotOverfilled) {
  make_router(one_queue(Strategy::kSticky));
  add_agent("alice", 1);
  add_agent("bob", 2);
  EXPECT_EQ(deliver(msg(phone(1))).assignee, "alice");
  // Contact 1 comes back on another channel while alice is full: bob takes it.
  auto d = deliver(msg(phone(1), "again", "wa-1"));
  EXPECT_EQ(d.assignee, "bob");
  EXPECT_EQ(d.reason, "least_busy");
}

TEST_F(RouterTest, AssignedConversationsStayWithTheirAgent) {
  make_router(one_queue(Strategy::kRoundRobin));
  add_agent("alice", 5);
  add_agent("bob", 5);
  EXPECT_EQ(deliver(msg(phone(1))).assignee, "alice");
  auto d = deliver(msg(phone(1), "follow-up"));
  EXPECT_EQ(d.assignee, "alice");
  EXPECT_EQ(d.reason, "kept");
  EXPECT_EQ(deliver(msg(phone(2))).assignee, "bob");  // the follow-up did not move the rotation
}

TEST_F(RouterTest, ReopenedConversationLeavesAnAgentWhoIsNotOnline) {
  make_router(one_queue(Strategy::kLeastBusy));
  add_agent("alice", 5);
  add_agent("bob", 5);
  EXPECT_EQ(deliver(msg(phone(1))).assignee, "alice");
  resolve(1);
  advance(kMinute);
  auto back = deliver(msg(phone(1), "it broke again"));  // re-opens conversation 1
  ASSERT_TRUE(last_.resolution.reopened);
  EXPECT_EQ(back.assignee, "alice");
  EXPECT_EQ(back.reason, "kept");
  resolve(1);
  ASSERT_TRUE(router_->set_presence("alice", store::Presence::kOffline).is_ok());
  advance(kMinute);
  auto again = deliver(msg(phone(1), "and again"));
  ASSERT_TRUE(last_.resolution.reopened);
  EXPECT_EQ(again.assignee, "bob");
  EXPECT_EQ(conversation(1).assignee, "bob");
  // Nobody online: it waits in the queue instead of sitting with an offline agent.
  resolve(1);
  ASSERT_TRUE(router_->set_presence("bob", store::Presence::kAway).is_ok());
  advance(kMinute);
  auto waits = deliver(msg(phone(1), "hello?"));
  EXPECT_FALSE(waits.assignee);
  EXPECT_FALSE(conversation(1).assignee);
  EXPECT_EQ(routing().waiting("general", 10)->size(), 1u);
}

TEST_F(RouterTest, SupervisorReassignsAndUnassigns) {
  make_router(one_queue(Strategy::kLeastBusy));
  add_agent("alice", 1);
  add_agent("bob", 1);
  EXPECT_EQ(deliver(msg(phone(1))).assignee, "alice");
  EXPECT_EQ(deliver(msg(phone(2))).assignee, "bob");
  EXPECT_FALSE(deliver(msg(phone(3))).assignee);  // both full: waits
  // The supervisor moves conversation 1 to bob beyond his capacity; alice is free and takes 3.
  ASSERT_TRUE(router_->reassign(1, "bob", "sue").is_ok());
  EXPECT_EQ(conversation(1).assignee, "bob");
  EXPECT_EQ(conversation(3).assignee, "alice");
  auto log = routing().assignments_of(1);
  ASSERT_TRUE(log.is_ok());
  EXPECT_EQ(log->back().reason, "supervisor");
  EXPECT_EQ(log->back().actor, "sue");
  // Unassigning puts it back in the queue; nobody has room, so it waits.
  ASSERT_TRUE(router_->reassign(2, std::nullopt, "sue").is_ok());
  EXPECT_FALSE(conversation(2).assignee);
  EXPECT_EQ(conversation(2).queue, "general");
  EXPECT_EQ(router_->reassign(1, "zed", "sue").code(), Code::kNotFound);
  EXPECT_EQ(router_->reassign(99, "bob", "sue").code(), Code::kNotFound);
}

// Every assignment the router makes outside route() reaches on_assigned (the host publishes
// conversation.assigned from it): rebalance, an agent coming online, reassign and what it frees.
TEST_F(RouterTest, AssignmentsOutsideRouteAreAnnounced) {
  make_router(one_queue(Strategy::kLeastBusy));
  add_agent("alice", 1, store::Presence::kOffline);
  add_agent("bob", 1, store::Presence::kOffline);
  EXPECT_FALSE(deliver(msg(phone(1))).assignee);
  EXPECT_FALSE(deliver(msg(phone(2))).assignee);
  EXPECT_FALSE(deliver(msg(phone(3))).assignee);
  EXPECT_TRUE(announced_.empty()) << "route()'s decisions are the caller's to publish";

  ASSERT_TRUE(router_->set_presence("alice", store::Presence::kOnline).is_ok());
  ASSERT_EQ(announced_.size(), 1u);
  EXPECT_EQ(announced_[0].conversation_id, 1);
  EXPECT_EQ(announced_[0].agent, "alice");
  EXPECT_EQ(announced_[0].queue, "general");
  EXPECT_EQ(announced_[0].by, "routing:rebalance");
  EXPECT_EQ(announced_[0].reason, "least_busy");

  // An agent comes online behind the router's back (the REST API writes the store): the host's
  // rebalance hands out 2.
  ASSERT_TRUE(routing().set_presence("bob", store::Presence::kOnline, now()).is_ok());
  auto assigned = router_->rebalance();
  ASSERT_TRUE(assigned.is_ok());
  ASSERT_EQ(announced_.size(), 2u);
  EXPECT_EQ(*assigned, std::vector<int64_t>{2});
  EXPECT_EQ(announced_[1].conversation_id, 2);
  EXPECT_EQ(announced_[1].agent, "bob");

  // A supervisor moves 1 back into the queue: that move, then alice (free again) takes 1 or 3.
  ASSERT_TRUE(router_->reassign(1, std::nullopt, "sue").is_ok());
  ASSERT_EQ(announced_.size(), 4u);
  EXPECT_EQ(announced_[2].conversation_id, 1);
  EXPECT_FALSE(announced_[2].agent);
  EXPECT_EQ(announced_[2].by, "sue");
  EXPECT_EQ(announced_[2].reason, "supervisor_unassign");
  EXPECT_EQ(announced_[3].agent, "alice");
  EXPECT_EQ(announced_[3].by, "routing:rebalance");
  EXPECT_EQ(conversation(announced_[3].conversation_id).assignee, "alice");

  // Nothing to hand out: nothing announced.
  ASSERT_TRUE(router_->rebalance().is_ok());
  EXPECT_EQ(announced_.size(), 4u);
}

TEST_F(RouterTest, DuplicatesAndResolvedConversationsRouteNothing) {
  make_router(one_queue(Strategy::kLeastBusy));
  add_agent("alice", 5);
  auto m = msg(phone(1));
  deliver(m);
  auto dup = ingest(m);
  ASSERT_EQ(dup.outcome, store::InsertOutcome::kDuplicate);
  auto d = router_->route(m, dup);
  ASSERT_TRUE(d.is_ok());
  EXPECT_TRUE(d->queue.empty());
  EXPECT_TRUE(d->replies.empty());
}

TEST_F(RouterTest, CreateRefusesBadConfig) {
  RoutingConfig c = one_queue(Strategy::kLeastBusy);
  c.default_queue = "missing";
  EXPECT_EQ(Router::create(c, *store_).status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace sb::routing::testing
