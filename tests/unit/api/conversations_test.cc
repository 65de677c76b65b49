// Conversations: agent visibility, assignment rules, status, sending with idempotency, can-send,
// messages; malformed bodies, wrong types and size limits.
#include "fixture.h"

namespace sb::api::testing {
namespace {

class ConversationsApi : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    ASSERT_EQ(call("POST", "/v1/queues", admin_, R"({"id":"sales"})").status, 201);
    ASSERT_EQ(call("POST", "/v1/agents", admin_, R"({"id":"alice","queues":["sales"]})").status,
              201);
    ASSERT_EQ(call("POST", "/v1/agents", admin_, R"({"id":"bob"})").status, 201);
    first_ = inbound("m1", "+4915111111111", "hello there", "Ann");
    second_ = inbound("m2", "+4915122222222", "other customer", "Ben");
    conv_ = "/v1/conversations/" + std::to_string(first_.resolution.conversation_id);
  }
  store::InboundResult first_, second_;
  std::string conv_;
};

TEST_F(ConversationsApi, AgentsSeeOnlyTheirQueuesOrAssignments) {
  auto all = call("GET", "/v1/conversations", supervisor_);
  ASSERT_EQ(all.status, 200);
  EXPECT_EQ(json(all)->getArray("items")->size(), 2u);
  EXPECT_EQ(json(call("GET", "/v1/conversations", agent_))->getArray("items")->size(), 0u);
  EXPECT_EQ(call("GET", conv_, agent_).status, 403);

  // Into alice's queue: she sees it, bob does not.
  ASSERT_EQ(
      call("POST", conv_ + "/assign", supervisor_, R"({"agent":null,"queue":"sales"})").status,
      200);
  auto mine = json(call("GET", "/v1/conversations", agent_));
  ASSERT_EQ(mine->getArray("items")->size(), 1u);
  EXPECT_EQ(mine->getArray("items")->getObject(0)->getValue<int64_t>("id"),
            first_.resolution.conversation_id);
  EXPECT_EQ(call("GET", conv_, agent_).status, 200);
  EXPECT_EQ(call("GET", conv_, other_agent_).status, 403);

  // Filters: status and queue.
  EXPECT_EQ(
      json(call("GET", "/v1/conversations?queue=sales", supervisor_))->getArray("items")->size(),
      1u);
  EXPECT_EQ(json(call("GET", "/v1/conversations?status=resolved", supervisor_))
                ->getArray("items")
                ->size(),
            0u);
  auto bad = call("GET", "/v1/conversations?status=closed", supervisor_);
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(json(bad)->getObject("error")->getValue<std::string>("field"), "status");
}

TEST_F(ConversationsApi, AnAgentMayOnlyTakeAVisibleConversationForItself) {
  ASSERT_EQ(
      call("POST", conv_ + "/assign", supervisor_, R"({"agent":null,"queue":"sales"})").status,
      200);
  EXPECT_EQ(call("POST", conv_ + "/assign", agent_, R"({"agent":"bob"})").status, 403);
  EXPECT_EQ(call("POST", conv_ + "/assign", agent_, R"({"agent":"alice","queue":null})").status,
            403);
  EXPECT_EQ(call("POST", conv_ + "/assign", other_agent_, R"({"agent":"bob"})").status, 403);
  auto took = call("POST", conv_ + "/assign", agent_, R"({"agent":"alice"})");
  ASSERT_EQ(took.status, 200) << took.body;
  EXPECT_EQ(json(took)->getValue<std::string>("assignee"), "alice");
  EXPECT_EQ(json(took)->getValue<std::string>("queue"), "sales");  // kept

  auto unknown = call("POST", conv_ + "/assign", supervisor_, R"({"agent":"zed"})");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(json(unknown)->getObject("error")->getValue<std::string>("field"), "agent");
  auto missing = call("POST", conv_ + "/assign", supervisor_, R"({})");
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(json(missing)->getObject("error")->getValue<std::string>("field"), "agent");
}

TEST_F(ConversationsApi, ResolveAndReopen) {
  auto resolved = call("POST", conv_ + "/resolve", supervisor_);
  ASSERT_EQ(resolved.status, 200) << resolved.body;
  EXPECT_EQ(json(resolved)->getValue<std::string>("status"), "resolved");
  EXPECT_GT(json(resolved)->getValue<int64_t>("resolved_at_ms"), 0);
  EXPECT_EQ(json(call("GET", "/v1/conversations?status=resolved", supervisor_))
                ->getArray("items")
                ->size(),
            1u);
  auto reopened = call("POST", conv_ + "/reopen", supervisor_);
  EXPECT_EQ(json(reopened)->getValue<std::string>("status"), "open");
  EXPECT_EQ(call("POST", conv_ + "/resolve", agent_).status, 403);  // not alice's
  EXPECT_EQ(call("POST", "/v1/conversations/99999/resolve", supervisor_).status, 404);
  EXPECT_EQ(call("POST", "/v1/conversations/abc/resolve", supervisor_).status, 404);
}

TEST_F(ConversationsApi, SendIsIdempotentPerKeyAndRepliesToTheCustomer) {
  const std::vector<std::pair<std::string, std::string>> key = {{"Idempotency-Key", "k-1"}};
  auto first = call("POST", conv_ + "/messages", supervisor_, R"({"text":"hi Ann"})", key);
  ASSERT_EQ(first.status, 202) << first.body;
  auto m = json(first);
  EXPECT_EQ(m->getValue<std::string>("to"), "+4915111111111");
  EXPECT_EQ(m->getValue<std::string>("from"), "+4930123456");
  EXPECT_EQ(m->getValue<int64_t>("conversation_id"), first_.resolution.conversation_id);
  EXPECT_FALSE(m->getValue<bool>("duplicate"));

  auto again = call("POST", conv_ + "/messages", supervisor_, R"({"text":"hi Ann"})", key);
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(json(again)->getValue<int64_t>("id"), m->getValue<int64_t>("id"));
  EXPECT_TRUE(json(again)->getValue<bool>("duplicate"));
  EXPECT_EQ(sent_.size(), 1u);

  auto conflict = call("POST", conv_ + "/messages", supervisor_, R"({"text":"else"})", key);
  EXPECT_EQ(conflict.status, 409);
  EXPECT_EQ(error_code(conflict), "idempotency_conflict");
  EXPECT_EQ(sent_.size(), 1u);

  auto other = call("POST", conv_ + "/messages", supervisor_,
                    R"({"content_type":"template","payload":{"name":"welcome"}})",
                    {{"Idempotency-Key", "k-2"}});
  ASSERT_EQ(other.status, 202) << other.body;
  EXPECT_EQ(sent_.size(), 2u);
  EXPECT_EQ(sent_[1].payload_json, R"({"name":"welcome"})");

  // The conversation now has its first response.
  auto conv = json(call("GET", conv_, supervisor_));
  EXPECT_GT(conv->getValue<int64_t>("first_response_at_ms"), 0);

  // The message with its history.
  auto read =
      call("GET", "/v1/messages/" + std::to_string(m->getValue<int64_t>("id")), supervisor_);
  ASSERT_EQ(read.status, 200);
  EXPECT_TRUE(json(read)->has("status_history"));
  EXPECT_EQ(
      call("GET", "/v1/messages/" + std::to_string(m->getValue<int64_t>("id")), agent_).status,
      403);
  EXPECT_EQ(call("GET", "/v1/messages/424242", supervisor_).status, 404);
}

TEST_F(ConversationsApi, SendValidation) {
  const std::vector<std::pair<std::string, std::string>> key = {{"Idempotency-Key", "k"}};
  auto no_key = call("POST", conv_ + "/messages", supervisor_, R"({"text":"x"})");
  EXPECT_EQ(no_key.status, 400);
  EXPECT_EQ(error_code(no_key), "missing_idempotency_key");

  auto malformed = call("POST", conv_ + "/messages", supervisor_, R"({"text":)", key);
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(error_code(malformed), "malformed_json");
  EXPECT_EQ(error_code(call("POST", conv_ + "/messages", supervisor_, "[1,2]", key)),
            "invalid_body");

  auto wrong_type = call("POST", conv_ + "/messages", supervisor_, R"({"text":42})", key);
  EXPECT_EQ(wrong_type.status, 400);
  EXPECT_EQ(json(wrong_type)->getObject("error")->getValue<std::string>("field"), "text");
  auto missing = call("POST", conv_ + "/messages", supervisor_, R"({})", key);
  EXPECT_EQ(json(missing)->getObject("error")->getValue<std::string>("field"), "text");
  auto unknown = call("POST", conv_ + "/messages", supervisor_, R"({"text":"a","to":"+1"})", key);
  EXPECT_EQ(json(unknown)->getObject("error")->getValue<std::string>("field"), "to");
  auto payload =
      call("POST", conv_ + "/messages", supervisor_, R"({"text":"a","payload":"s"})", key);
  EXPECT_EQ(json(payload)->getObject("error")->getValue<std::string>("field"), "payload");

  auto too_long = call("POST", conv_ + "/messages", supervisor_,
                       R"({"text":")" + std::string(17 * 1024, 'a') + R"("})", key);
  EXPECT_EQ(too_long.status, 400);
  auto too_big =
      call("POST", conv_ + "/messages", supervisor_,
           R"({"text":"a","payload":{"x":")" + std::string(70 * 1024, 'a') + R"("}})", key);
  EXPECT_EQ(too_big.status, 413);
  EXPECT_EQ(error_code(too_big), "payload_too_large");
  EXPECT_TRUE(sent_.empty());
}

TEST_F(ConversationsApi, CanSendAsksTheChannelWithTheCustomersFacts) {
  channels_.window_open = false;
  auto r = call("GET", conv_ + "/can-send?content_type=text", supervisor_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(json(r)->getValue<bool>("allowed"));
  EXPECT_EQ(json(r)->getValue<std::string>("mode"), "template_only");
  EXPECT_EQ(json(r)->getValue<std::string>("reason"), "outside the 24-hour window");
  EXPECT_EQ(channels_.last_to, "+4915111111111");
  EXPECT_GT(channels_.last_inbound_at_ms, 0);
  EXPECT_TRUE(json(call("GET", conv_ + "/can-send?content_type=template", supervisor_))
                  ->getValue<bool>("allowed"));
  EXPECT_EQ(call("GET", conv_ + "/can-send", agent_).status, 403);

  // A channel without can_send does not block: its send decides.
  channels_.no_can_send = true;
  auto unknown = call("GET", conv_ + "/can-send?content_type=text", supervisor_);
  ASSERT_EQ(unknown.status, 200) << unknown.body;
  EXPECT_TRUE(json(unknown)->getValue<bool>("allowed"));
  EXPECT_EQ(json(unknown)->getValue<std::string>("mode"), "unknown");
  EXPECT_NE(json(unknown)->getValue<std::string>("reason").find("has no can_send"),
            std::string::npos);
  // A can_send that fails is no answer: 503 with the channel's message, never "allowed".
  channels_.can_send_error = unavailable("instance \"wa1\" is not running");
  auto failed = call("GET", conv_ + "/can-send?content_type=text", supervisor_);
  ASSERT_EQ(failed.status, 503) << failed.body;
  EXPECT_EQ(error_code(failed), "unavailable");
  EXPECT_NE(failed.body.find("is not running"), std::string::npos) << failed.body;
}

TEST_F(ConversationsApi, SendOutsideTheWindowIsRefusedBeforeAnythingIsWritten) {
  channels_.window_open = false;
  const std::vector<std::pair<std::string, std::string>> key = {{"Idempotency-Key", "late"}};
  auto r = call("POST", conv_ + "/messages", supervisor_, R"({"text":"hi Ann"})", key);
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(error_code(r), "cannot_send");
  EXPECT_EQ(json(r)->getObject("error")->getValue<std::string>("field"), "content_type");
  const std::string message = json(r)->getObject("error")->getValue<std::string>("message");
  EXPECT_NE(message.find("outside the 24-hour window"), std::string::npos) << message;
  EXPECT_NE(message.find("content_type \"template\""), std::string::npos) << message;
  // Asked with the customer's facts, as GET can-send does.
  EXPECT_EQ(channels_.last_to, "+4915111111111");
  EXPECT_GT(channels_.last_inbound_at_ms, 0);
  // Nothing queued, stored or announced.
  EXPECT_TRUE(sent_.empty());
  EXPECT_TRUE(events_.empty());
  auto stored =
      api_store_->outbound_by_key("wa1", "api:" + conv_.substr(conv_.rfind('/') + 1) + ":late");
  ASSERT_TRUE(stored.is_ok());
  EXPECT_FALSE(stored->has_value());
  EXPECT_EQ(json(call("GET", conv_, supervisor_))->getValue<int64_t>("first_response_at_ms"), 0);

  // A template goes; so does free text under the refused key once the window is open again.
  auto tpl = call("POST", conv_ + "/messages", supervisor_,
                  R"({"content_type":"template","payload":{"name":"welcome"}})",
                  {{"Idempotency-Key", "tpl"}});
  ASSERT_EQ(tpl.status, 202) << tpl.body;
  channels_.window_open = true;
  auto later = call("POST", conv_ + "/messages", supervisor_, R"({"text":"hi Ann"})", key);
  ASSERT_EQ(later.status, 202) << later.body;
  EXPECT_EQ(sent_.size(), 2u);
}

TEST_F(ConversationsApi, ATemplateTheChannelKnowsIsUnknownIsRefusedBeforeAnythingIsWritten) {
  // Outside the window too: the refusal is the template's own, without the "send a template" hint.
  channels_.window_open = false;
  auto r = call("POST", conv_ + "/messages", supervisor_,
                R"({"content_type":"template",)"
                R"("payload":{"name":"no_such_template","language":"en_US"}})",
                {{"Idempotency-Key", "unknown"}});
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(error_code(r), "cannot_send");
  const std::string message = json(r)->getObject("error")->getValue<std::string>("message");
  EXPECT_NE(message.find("template no_such_template (en_US) is not known"), std::string::npos)
      << message;
  EXPECT_EQ(message.find("send an approved template instead"), std::string::npos) << message;
  // The channel saw what the send would have carried.
  EXPECT_EQ(channels_.last_payload, R"({"name":"no_such_template","language":"en_US"})");
  EXPECT_TRUE(sent_.empty());
  EXPECT_TRUE(events_.empty());
}

TEST_F(ConversationsApi, ARetryOfAnAcceptedMessageIsAnsweredEvenAfterTheWindowClosed) {
  const std::vector<std::pair<std::string, std::string>> key = {{"Idempotency-Key", "k-1"}};
  auto first = call("POST", conv_ + "/messages", supervisor_, R"({"text":"hi Ann"})", key);
  ASSERT_EQ(first.status, 202) << first.body;
  EXPECT_EQ(channels_.can_send_calls, 1);

  channels_.window_open = false;
  auto again = call("POST", conv_ + "/messages", supervisor_, R"({"text":"hi Ann"})", key);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_TRUE(json(again)->getValue<bool>("duplicate"));
  EXPECT_EQ(json(again)->getValue<int64_t>("id"), json(first)->getValue<int64_t>("id"));
  EXPECT_EQ(channels_.can_send_calls, 1) << "a retry must not ask the channel again";
  // Other content under the used key is still the client's bug, not the window's.
  auto conflict = call("POST", conv_ + "/messages", supervisor_, R"({"text":"else"})", key);
  EXPECT_EQ(conflict.status, 409);
  EXPECT_EQ(error_code(conflict), "idempotency_conflict");
  // A new key is a new message: refused.
  EXPECT_EQ(call("POST", conv_ + "/messages", supervisor_, R"({"text":"hi Ann"})",
                 {{"Idempotency-Key", "k-2"}})
                .status,
            422);
  EXPECT_EQ(sent_.size(), 1u);
}

TEST_F(ConversationsApi, AChannelWithoutCanSendDoesNotBlockSends) {
  channels_.window_open = false;
  channels_.no_can_send = true;
  auto r = call("POST", conv_ + "/messages", supervisor_, R"({"text":"hi Ann"})",
                {{"Idempotency-Key", "k"}});
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(channels_.can_send_calls, 1);
  EXPECT_EQ(sent_.size(), 1u);
}

TEST_F(ConversationsApi, ACanSendThatFailsRefusesTheSendInsteadOfAllowingIt) {
  const std::pair<Status, std::string> failures[] = {
      {unavailable("instance \"wa1\" is not running"), "instance \"wa1\" is not running"},
      {internal_error("can_send: SB_ERR_INTERNAL: template store locked"),
       "template store locked"}};
  for (const auto& [error, said] : failures) {
    channels_.can_send_error = error;
    auto r = call("POST", conv_ + "/messages", supervisor_, R"({"text":"hi Ann"})",
                  {{"Idempotency-Key", "k"}});
    ASSERT_EQ(r.status, 503) << r.body;
    EXPECT_EQ(error_code(r), "unavailable");
    const std::string message = json(r)->getObject("error")->getValue<std::string>("message");
    EXPECT_NE(message.find(said), std::string::npos) << message;
    EXPECT_EQ(message.find("SB_ERR_"), std::string::npos) << message;
    EXPECT_TRUE(sent_.empty());
    EXPECT_TRUE(events_.empty());
  }
  // Once the channel answers again, the same key sends.
  channels_.can_send_error = Status();
  EXPECT_EQ(call("POST", conv_ + "/messages", supervisor_, R"({"text":"hi Ann"})",
                 {{"Idempotency-Key", "k"}})
                .status,
            202);
  EXPECT_EQ(sent_.size(), 1u);
}

}  // namespace
}  // namespace sb::api::testing
