#include "fixture.h"

namespace sb::routing::testing {
namespace {

TEST_F(RouterTest, AgentsRoundTrip) {
  store::Agent a;
  a.id = "alice";
  a.display_name = "Alice";
  a.skills = {"en", "billing", "en", "say \"hi\""};
  a.max_concurrent = 3;
  a.presence = store::Presence::kAway;
  ASSERT_TRUE(routing().put_agent(a, now()).is_ok());
  auto got = routing().get_agent("alice");
  ASSERT_TRUE(got.is_ok() && got->has_value());
  EXPECT_EQ((*got)->skills, (std::vector<std::string>{"billing", "en", "say \"hi\""}));
  EXPECT_EQ((*got)->max_concurrent, 3);
  EXPECT_EQ((*got)->presence, store::Presence::kAway);
  EXPECT_TRUE((*got)->queues.empty());
  advance(kMinute);
  ASSERT_TRUE(routing().set_presence("alice", store::Presence::kOnline, now()).is_ok());
  EXPECT_EQ((*routing().get_agent("alice"))->presence, store::Presence::kOnline);
  EXPECT_EQ((*routing().get_agent("alice"))->updated_at_ms, now());
  EXPECT_EQ(routing().set_presence("bob", store::Presence::kOnline, now()).code(), Code::kNotFound);
  EXPECT_FALSE(routing().get_agent("bob")->has_value());
  a.skills = {"bad\nskill"};
  EXPECT_EQ(routing().put_agent(a, now()).code(), Code::kInvalidArgument);
  a.skills = {};
  a.max_concurrent = -1;
  EXPECT_EQ(routing().put_agent(a, now()).code(), Code::kInvalidArgument);
  EXPECT_EQ(store::parse_presence("online"), store::Presence::kOnline);
  EXPECT_FALSE(store::parse_presence("busy"));
  EXPECT_EQ(store::to_string(store::Presence::kAway), "away");
}

TEST_F(RouterTest, AssignChecksCapacityInTheTransaction) {
  add_agent("alice", 1);
  auto r1 = ingest(msg("+4915100000011"));
  auto r2 = ingest(msg("+4915100000012"));
  store::AssignRequest req{r1.resolution.conversation_id, "alice", "q", "test", "t", 1, now()};
  EXPECT_TRUE(*routing().assign(req));
  req.conversation_id = r2.resolution.conversation_id;
  EXPECT_FALSE(*routing().assign(req));  // full
  EXPECT_FALSE(store_->model()->get_conversation(req.conversation_id)->value().assignee);
  req.max_active = -1;  // a supervisor overrides
  EXPECT_TRUE(*routing().assign(req));
  auto loads = routing().agent_loads();
  ASSERT_TRUE(loads.is_ok());
  ASSERT_EQ(loads->size(), 1u);
  EXPECT_EQ(loads->front().active, 2);
  EXPECT_EQ(loads->front().last_assigned_at_ms, now());
  // Resolved conversations no longer count, and cannot be assigned.
  resolve(r1.resolution.conversation_id);
  EXPECT_EQ(routing().agent_loads()->front().active, 1);
  req.conversation_id = r1.resolution.conversation_id;
  EXPECT_FALSE(*routing().assign(req));
  req.conversation_id = 999;
  EXPECT_EQ(routing().assign(req).status().code(), Code::kNotFound);
}

TEST_F(RouterTest, AutoReplyClaimOncePerPeriod) {
  auto r = ingest(msg("+4915100000011"));
  const int64_t c = r.resolution.conversation_id;
  EXPECT_TRUE(*routing().claim_auto_reply(c, "away", kHour, now()));
  EXPECT_FALSE(*routing().claim_auto_reply(c, "away", kHour, now() + kHour - 1));
  EXPECT_TRUE(*routing().claim_auto_reply(c, "welcome", kHour, now()));  // kinds are separate
  EXPECT_TRUE(*routing().claim_auto_reply(c, "away", kHour, now() + kHour));
  EXPECT_FALSE(*routing().claim_auto_reply(c, "away", kHour, now() + kHour + 1));
}

TEST_F(RouterTest, SchemaVersionIncludesRouting) {
  EXPECT_GE(store_->schema_version(), 5);
}

}  // namespace
}  // namespace sb::routing::testing
