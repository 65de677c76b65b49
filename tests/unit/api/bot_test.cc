// Bot tokens: what they may call, which conversations they see, sending as a bot and handover.
#include "fixture.h"

namespace sb::api::testing {
namespace {

class BotApiTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    bot_ = token("faq-bot", auth::Role::kBot);
    not_a_bot_queue_ = token("support", auth::Role::kBot);
  }
  // A conversation in `queue`, optionally assigned.
  int64_t conversation_in(const std::string& id, const std::string& queue,
                          const std::optional<std::string>& agent = std::nullopt) {
    auto r = inbound(id, "+49170" + std::to_string(++numbers_));
    const int64_t conv = r.resolution.conversation_id;
    EXPECT_TRUE(service_->assign(conv, agent, queue).is_ok());
    return conv;
  }
  http::Response send(int64_t conv, const std::string& tok, const std::string& key,
                      const std::string& text = "Hi, I am the FAQ bot") {
    return call("POST", "/v1/conversations/" + std::to_string(conv) + "/messages", tok,
                R"({"text":")" + text + R"("})", {{"Idempotency-Key", key}});
  }
  std::string bot_, not_a_bot_queue_;
  int numbers_ = 0;
};

TEST_F(BotApiTest, ABotTokenCallsOnlyTheRoutesThatAdmitBots) {
  for (const auto& [method, path] :
       std::vector<std::pair<std::string, std::string>>{{"GET", "/v1/conversations"},
                                                        {"GET", "/v1/contacts"},
                                                        {"GET", "/v1/agents"},
                                                        {"GET", "/v1/queues"},
                                                        {"GET", "/v1/search?q=x"},
                                                        {"GET", "/v1/messages/1"},
                                                        {"POST", "/v1/conversations/1/assign"},
                                                        {"POST", "/v1/conversations/1/reopen"},
                                                        {"GET", "/v1/channels"}}) {
    auto r = call(method, path, bot_, method == "POST" ? "{}" : "");
    EXPECT_EQ(r.status, 403) << method << " " << path;
    EXPECT_EQ(error_code(r), "forbidden") << method << " " << path;
  }
}

TEST_F(BotApiTest, ABotSeesAndAnswersOnlyConversationsWithItsBot) {
  const int64_t mine = conversation_in("m1", "faq-bot");
  const int64_t human = conversation_in("m2", "support");
  const int64_t taken = conversation_in("m3", "faq-bot", "alice");
  const std::string mine_path = "/v1/conversations/" + std::to_string(mine);

  EXPECT_EQ(call("GET", mine_path, bot_).status, 200);
  EXPECT_EQ(call("GET", mine_path + "/can-send", bot_).status, 200);
  EXPECT_EQ(call("GET", "/v1/conversations/" + std::to_string(human), bot_).status, 403);
  EXPECT_EQ(call("GET", "/v1/conversations/" + std::to_string(taken), bot_).status, 403);
  EXPECT_EQ(send(human, bot_, "k1").status, 403);
  EXPECT_EQ(send(taken, bot_, "k2").status, 403);
  // A bot token whose name is no bot queue sees nothing, not even its namesake queue.
  EXPECT_EQ(call("GET", "/v1/conversations/" + std::to_string(human), not_a_bot_queue_).status,
            403);

  auto sent = send(mine, bot_, "k3");
  ASSERT_EQ(sent.status, 202) << sent.body;
  EXPECT_EQ(json(sent)->getValue<std::string>("sender_kind"), "bot");
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_[0].sender_kind, "bot");
  // A person's message says so too.
  auto by_agent = send(human, supervisor_, "k4", "Hello from Sue");
  ASSERT_EQ(by_agent.status, 202) << by_agent.body;
  EXPECT_EQ(json(by_agent)->getValue<std::string>("sender_kind"), "agent");
  // Read back through the store: the kind is persisted, not only echoed.
  auto stored = store_->get_message(json(sent)->getValue<int64_t>("id"));
  ASSERT_TRUE(stored.is_ok() && stored->has_value());
  EXPECT_EQ((*stored)->from_kind, "bot");
}

TEST_F(BotApiTest, ABotsFreeTextOutsideTheWindowIsRefusedLikeAnAgents) {
  const int64_t mine = conversation_in("w1", "faq-bot");
  channels_.window_open = false;
  auto refused = send(mine, bot_, "k1");
  ASSERT_EQ(refused.status, 422) << refused.body;
  EXPECT_EQ(error_code(refused), "cannot_send");
  EXPECT_TRUE(sent_.empty());
  auto tpl = call("POST", "/v1/conversations/" + std::to_string(mine) + "/messages", bot_,
                  R"({"content_type":"template","payload":{"name":"faq_followup"}})",
                  {{"Idempotency-Key", "k2"}});
  ASSERT_EQ(tpl.status, 202) << tpl.body;
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_[0].sender_kind, "bot");
}

TEST_F(BotApiTest, TheBotHandsOverAndLosesAccess) {
  const int64_t conv = conversation_in("h1", "faq-bot");
  const std::string path = "/v1/conversations/" + std::to_string(conv);
  auto bad = call("POST", path + "/handover", bot_, R"({"queue":"nowhere"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(json(bad)->getObject("error")->getValue<std::string>("field"), "queue");
  EXPECT_EQ(call("POST", path + "/handover", bot_, R"({"colour":"red"})").status, 400);

  auto r = call("POST", path + "/handover", bot_, R"({"note":"asks for a refund"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json(r)->getValue<std::string>("queue"), "support");
  ASSERT_EQ(handovers_.size(), 1u);
  EXPECT_EQ(handovers_[0].actor, "bot:faq-bot");
  EXPECT_EQ(handovers_[0].note, "asks for a refund");
  EXPECT_EQ(call("GET", path, bot_).status, 403);
  EXPECT_EQ(send(conv, bot_, "late").status, 403);
  EXPECT_EQ(call("POST", path + "/handover", bot_).status, 403);
}

TEST_F(BotApiTest, SupervisorsHandOverAgentsCannot) {
  const int64_t conv = conversation_in("s1", "faq-bot");
  const int64_t human = conversation_in("s2", "support");
  const std::string path = "/v1/conversations/" + std::to_string(conv) + "/handover";
  EXPECT_EQ(call("POST", path, agent_).status, 403);
  auto r = call("POST", path, supervisor_, R"({"queue":"billing"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json(r)->getValue<std::string>("queue"), "billing");
  EXPECT_EQ(handovers_.at(0).actor, "sue");
  auto again = call("POST", path, supervisor_);
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(error_code(again), "not_with_bot");
  EXPECT_EQ(call("POST", "/v1/conversations/" + std::to_string(human) + "/handover", admin_).status,
            409);
  EXPECT_EQ(call("POST", "/v1/conversations/999/handover", supervisor_).status, 404);
}

TEST_F(BotApiTest, ABotResolvesItsConversation) {
  const int64_t conv = conversation_in("r1", "faq-bot");
  auto r = call("POST", "/v1/conversations/" + std::to_string(conv) + "/resolve", bot_, "{}");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json(r)->getValue<std::string>("status"), "resolved");
  EXPECT_EQ(call("GET", "/v1/conversations/" + std::to_string(conv), bot_).status, 403);
}

}  // namespace
}  // namespace sb::api::testing
