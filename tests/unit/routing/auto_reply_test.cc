#include "contacts/reference.h"
#include "fixture.h"
#include "switchboard/abi.h"

namespace sb::routing::testing {
namespace {

// "general": Berlin office hours on weekdays 09:00-17:00, with welcome and away texts.
RoutingConfig office_config() {
  RoutingConfig c;
  QueueConfig q = make_queue("general");
  q.name = "Support";
  q.hours = "office";
  q.welcome = "Hi {{contact.name}}, your reference is {{conversation.reference}}.";
  q.away = "{{queue.name}} is closed; we open {{hours.next_open}}. {{unknown}}";
  c.queues.push_back(q);
  c.default_queue = "general";
  HoursSpec spec;
  spec.time_zone = "Europe/Berlin";
  for (int d = 1; d <= 5; ++d) spec.week[d] = "09:00-17:00";
  c.schedules.emplace("office", *BusinessHours::make(spec));
  c.keyword_answers = {
      {{"opening hours", "hours"}, "We are open Mon-Fri 9-17, {{contact.name}}."},
      {{"hours", "price"}, "never chosen for 'hours': the first match answers"},
      {{"price"}, "See example.com/prices."},
  };
  c.canned = {
      {"thanks", "Thanks {{contact.name}}, {{agent.name}} here ({{conversation.reference}})"}};
  c.away_period = std::chrono::hours(2);
  return c;
}

TEST_F(RouterTest, WelcomeCarriesTheReferenceOnlyOnANewConversation) {
  make_router(office_config());
  auto m = msg("+4915100000011");
  auto d = deliver(m);
  ASSERT_EQ(d.replies.size(), 1u);
  const auto ref = conversation(last_.resolution.conversation_id).reference;
  ASSERT_TRUE(contacts::parse_reference(ref));
  const auto& r = d.replies.front();
  EXPECT_EQ(r.text, "Hi Ada, your reference is " + ref + ".");
  EXPECT_EQ(r.to, m.from);
  EXPECT_EQ(r.from, m.to);
  EXPECT_EQ(r.instance_id, "sms-1");
  EXPECT_EQ(r.content_type, "text");
  EXPECT_EQ(r.idempotency_key, "auto:welcome:" + std::to_string(last_.message_id));
  EXPECT_TRUE(deliver(msg("+4915100000011", "more")).replies.empty());
}

TEST_F(RouterTest, AwayMessageOutsideHoursAtMostOncePerPeriod) {
  *now_ = kStart + 10 * kHour;  // Wednesday 22:00 in Berlin
  make_router(office_config());
  auto d = deliver(msg("+4915100000011"));
  ASSERT_EQ(d.replies.size(), 2u);  // welcome, then away
  EXPECT_EQ(d.replies[1].text,
            "Support is closed; we open 2026-06-04 09:00 (Europe/Berlin). {{unknown}}");
  EXPECT_EQ(d.replies[1].idempotency_key, "auto:away:" + std::to_string(last_.message_id));
  advance(kHour);
  EXPECT_TRUE(deliver(msg("+4915100000011", "hello?")).replies.empty());
  advance(kHour);  // two hours after the first away message
  auto again = deliver(msg("+4915100000011", "still there?"));
  ASSERT_EQ(again.replies.size(), 1u);
  EXPECT_NE(again.replies[0].text.find("closed"), std::string::npos);
}

TEST_F(RouterTest, NoAwayMessageDuringHours) {
  make_router(office_config());  // Wednesday 12:00 in Berlin
  auto d = deliver(msg("+4915100000011"));
  ASSERT_EQ(d.replies.size(), 1u);
  EXPECT_EQ(d.replies[0].idempotency_key.rfind("auto:welcome:", 0), 0u);
}

TEST_F(RouterTest, NeverAnswersAutomatedMessages) {
  *now_ = kStart + 10 * kHour;  // closed, so an away message would be due
  make_router(office_config());
  add_agent("alice", 5);
  auto m = msg("+4915100000011", "what are your opening hours");
  m.flags = SB_INBOUND_AUTOMATED;
  auto d = deliver(m);
  EXPECT_TRUE(d.replies.empty());
  EXPECT_EQ(d.assignee, "alice");  // still routed to a person
  // The first human message still gets everything: nothing was claimed for the automated one.
  auto human = deliver(msg("+4915100000011", "opening hours?"));
  EXPECT_EQ(human.replies.size(), 2u);  // away + keyword (not a new conversation: no welcome)
  auto system = msg("+4915100000012", "price");
  system.flags = SB_INBOUND_SYSTEM;
  EXPECT_TRUE(deliver(system).replies.empty());
}

TEST_F(RouterTest, KeywordAnswersFirstMatchOncePerPeriod) {
  make_router(office_config());
  deliver(msg("+4915100000011"));  // welcome out of the way
  auto d = deliver(msg("+4915100000011", "What are your HOURS?"));
  ASSERT_EQ(d.replies.size(), 1u);
  EXPECT_EQ(d.replies[0].text, "We are open Mon-Fri 9-17, Ada.");
  EXPECT_EQ(d.replies[0].idempotency_key, "auto:keyword:0:" + std::to_string(last_.message_id));
  EXPECT_TRUE(deliver(msg("+4915100000011", "hours??")).replies.empty());  // same answer, too soon
  auto price = deliver(msg("+4915100000011", "and the price"));
  ASSERT_EQ(price.replies.size(), 1u);
  EXPECT_EQ(price.replies[0].text, "never chosen for 'hours': the first match answers");
  advance(11 * kMinute);
  EXPECT_EQ(deliver(msg("+4915100000011", "hours")).replies.size(), 1u);
  EXPECT_TRUE(deliver(msg("+4915100000011", "thanks")).replies.empty());
}

TEST_F(RouterTest, CannedResponsesRenderForAConversation) {
  make_router(office_config());
  add_agent("alice", 5);
  deliver(msg("+4915100000011"));
  const int64_t id = last_.resolution.conversation_id;
  auto text = router_->canned("thanks", id);
  ASSERT_TRUE(text.is_ok()) << text.status().message();
  EXPECT_EQ(*text, "Thanks Ada, Agent alice here (" + conversation(id).reference + ")");
  EXPECT_EQ(router_->canned("nope", id).status().code(), Code::kNotFound);
  EXPECT_EQ(router_->canned("thanks", 999).status().code(), Code::kNotFound);
}

TEST_F(RouterTest, ContactNamesAreNotExpanded) {
  make_router(office_config());
  auto m = msg("+4915100000011");
  m.from_name = "{{conversation.reference}}";
  auto d = deliver(m);
  ASSERT_EQ(d.replies.size(), 1u);
  EXPECT_EQ(d.replies[0].text.rfind("Hi {{conversation.reference}}, your reference is SB-", 0), 0u);
}

}  // namespace
}  // namespace sb::routing::testing
