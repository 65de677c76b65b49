// Bot queues in the router: no agent assignment, handover keywords, API handover, loop protection.
#include "fixture.h"
#include "switchboard/abi.h"

namespace sb::routing::testing {
namespace {

class BotRouterTest : public RouterTest {
 protected:
  // "bot" (default, handing over to "support") and "billing", both human queues besides.
  void SetUp() override {
    RouterTest::SetUp();
    RoutingConfig c;
    QueueConfig bot = make_queue("bot");
    bot.bot = BotConfig{"http://127.0.0.1:9/hook", "s", "support", default_handover_keywords()};
    bot.welcome = "Hi, I am a bot";
    c.queues.push_back(bot);
    c.queues.push_back(make_queue("support"));
    c.queues.push_back(make_queue("billing"));
    c.default_queue = "bot";
    make_router(c);
  }
};

TEST_F(BotRouterTest, ABotQueueConversationIsNeverAssignedAndEveryMessageGoesToTheBot) {
  add_agent("ann", 5);
  auto first = deliver(msg("+491701"));
  EXPECT_EQ(first.queue, "bot");
  EXPECT_FALSE(first.assignee);
  EXPECT_EQ(first.reason, "bot");
  EXPECT_EQ(first.bot_queue, "bot");
  EXPECT_FALSE(first.handover);
  ASSERT_EQ(first.replies.size(), 1u);  // the bot queue's welcome stays an auto-reply
  const int64_t id = last_.resolution.conversation_id;
  EXPECT_EQ(conversation(id).queue, "bot");
  EXPECT_FALSE(conversation(id).assignee);

  auto second = deliver(msg("+491701", "what are your prices?"));
  EXPECT_EQ(second.reason, "kept");
  EXPECT_EQ(second.bot_queue, "bot");
  EXPECT_FALSE(second.assignee);

  // An agent coming online does not take conversations from the bot.
  ASSERT_TRUE(router_->set_presence("ann", store::Presence::kOnline).is_ok());
  auto rebalanced = router_->rebalance();
  ASSERT_TRUE(rebalanced.is_ok());
  EXPECT_TRUE(rebalanced->empty());
  EXPECT_FALSE(conversation(id).assignee);
}

TEST_F(BotRouterTest, AHandoverKeywordMovesToTheHandoverQueueAndAssigns) {
  add_agent("ann", 5);
  deliver(msg("+491702"));
  const int64_t id = last_.resolution.conversation_id;
  // Whole words only: "agents" and "agentur" are no keyword.
  EXPECT_EQ(deliver(msg("+491702", "do your agents speak german? agentur")).bot_queue, "bot");
  auto d = deliver(msg("+491702", "I want a real PERSON please"));
  EXPECT_TRUE(d.bot_queue.empty());
  ASSERT_TRUE(d.handover);
  EXPECT_EQ(d.handover->from_queue, "bot");
  EXPECT_EQ(d.handover->to_queue, "support");
  EXPECT_EQ(d.handover->keyword, "real person");
  EXPECT_EQ(d.handover->assignee, "ann");
  EXPECT_EQ(d.queue, "support");
  EXPECT_EQ(d.assignee, "ann");
  EXPECT_EQ(conversation(id).queue, "support");
  EXPECT_EQ(conversation(id).assignee, "ann");

  // From now on the conversation is the agent's: nothing goes to the bot.
  auto after = deliver(msg("+491702", "hello? agent?"));
  EXPECT_TRUE(after.bot_queue.empty());
  EXPECT_FALSE(after.handover);
  EXPECT_EQ(after.reason, "kept");
}

TEST_F(BotRouterTest, AKeywordInTheFirstMessageHandsOverAtOnceAndWaitsWithoutAgents) {
  auto d = deliver(msg("+491703", "Agent!"));
  ASSERT_TRUE(d.handover);
  EXPECT_FALSE(d.handover->assignee);
  EXPECT_EQ(d.handover->reason, "waiting");
  const int64_t id = last_.resolution.conversation_id;
  EXPECT_EQ(conversation(id).queue, "support");
  add_agent("bob", 1);
  ASSERT_TRUE(router_->set_presence("bob", store::Presence::kOnline).is_ok());
  EXPECT_EQ(conversation(id).assignee, "bob");
}

TEST_F(BotRouterTest, AutomatedAndSystemMessagesNeitherReachTheBotNorHandOver) {
  auto auto_msg = msg("+491704", "agent");
  auto_msg.flags = SB_INBOUND_AUTOMATED;
  auto d = deliver(auto_msg);
  EXPECT_EQ(d.queue, "bot");
  EXPECT_TRUE(d.bot_queue.empty());
  EXPECT_FALSE(d.handover);
  auto sys = msg("+491704", "template approved");
  sys.flags = SB_INBOUND_SYSTEM;
  EXPECT_TRUE(deliver(sys).bot_queue.empty());
  EXPECT_EQ(deliver(msg("+491704", "hi")).bot_queue, "bot");
}

TEST_F(BotRouterTest, ApiHandoverToTheDefaultOrAGivenHumanQueue) {
  add_agent("ann", 5);
  deliver(msg("+491705"));
  const int64_t a = last_.resolution.conversation_id;
  deliver(msg("+491706"));
  const int64_t b = last_.resolution.conversation_id;

  auto to_bot = router_->handover(a, std::string("bot"), "bot:bot");
  ASSERT_FALSE(to_bot.is_ok());
  EXPECT_EQ(to_bot.status().code(), Code::kInvalidArgument);
  auto unknown = router_->handover(a, std::string("nowhere"), "bot:bot");
  EXPECT_EQ(unknown.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(router_->handover(999, std::nullopt, "sue").status().code(), Code::kNotFound);

  auto h = router_->handover(a, std::nullopt, "bot:bot");
  ASSERT_TRUE(h.is_ok()) << h.status().message();
  EXPECT_EQ(h->to_queue, "support");
  EXPECT_EQ(h->assignee, "ann");
  EXPECT_EQ(conversation(a).queue, "support");
  // Twice: the conversation is no longer with the bot.
  EXPECT_EQ(router_->handover(a, std::nullopt, "bot:bot").status().code(),
            Code::kFailedPrecondition);

  auto billing = router_->handover(b, std::string("billing"), "sue");
  ASSERT_TRUE(billing.is_ok()) << billing.status().message();
  EXPECT_EQ(billing->to_queue, "billing");
  EXPECT_EQ(conversation(b).queue, "billing");
}

// The handover is a note on the conversation's timeline (the bot's note, or the customer's
// keyword): a system message that is never sent, no first response, not counted as outbound.
TEST_F(BotRouterTest, HandoversAreNotesOnTheConversationsTimeline) {
  add_agent("ann", 5);
  deliver(msg("+491708"));
  const int64_t a = last_.resolution.conversation_id;
  const int64_t contact = last_.resolution.contact_id;
  auto counters_before = store_->counters();
  ASSERT_TRUE(counters_before.is_ok());
  ASSERT_TRUE(router_->handover(a, std::nullopt, "bot:bot", "wants a refund").is_ok());
  auto page = store_->model()->timeline(contact, "", 10, sb::store::ConversationScope());
  ASSERT_TRUE(page.is_ok()) << page.status().message();
  ASSERT_FALSE(page->messages.empty());
  const store::MessageRecord& note = page->messages.front();  // newest first
  EXPECT_EQ(note.from_kind, "system");
  EXPECT_EQ(note.content_type, "note");
  EXPECT_EQ(note.conversation_id, a);
  EXPECT_EQ(note.text, "Handed over from bot to support (assigned to ann): wants a refund");
  EXPECT_NE(note.payload_json.find(R"("actor":"bot:bot")"), std::string::npos) << note.payload_json;
  EXPECT_TRUE(note.provider_message_id.empty());
  EXPECT_EQ(conversation(a).first_response_at_ms, 0);
  auto counters_after = store_->counters();
  ASSERT_TRUE(counters_after.is_ok());
  auto outbound = [](const std::vector<store::InstanceCounters>& all) {
    int64_t n = 0;
    for (const auto& c : all) n += c.outbound;
    return n;
  };
  EXPECT_EQ(outbound(*counters_after), outbound(*counters_before));

  deliver(msg("+491709", "agent please"));
  auto keyword = store_->model()->timeline(last_.resolution.contact_id, "", 10,
                                           sb::store::ConversationScope());
  ASSERT_TRUE(keyword.is_ok());
  ASSERT_FALSE(keyword->messages.empty());
  EXPECT_EQ(keyword->messages.front().text,
            "Handed over from bot to support (assigned to ann): the customer wrote \"agent\"");
}

TEST_F(BotRouterTest, ANewConversationAfterResolveStartsWithTheBotAgain) {
  add_agent("ann", 5);
  deliver(msg("+491707", "agent"));
  const int64_t first = last_.resolution.conversation_id;
  EXPECT_EQ(conversation(first).queue, "support");
  resolve(first);
  advance(30 * 24 * kHour);  // beyond any reopen horizon
  auto d = deliver(msg("+491707", "hello again"));
  EXPECT_NE(last_.resolution.conversation_id, first);
  EXPECT_EQ(d.queue, "bot");
  EXPECT_EQ(d.bot_queue, "bot");
  EXPECT_FALSE(d.assignee);
}

}  // namespace
}  // namespace sb::routing::testing
