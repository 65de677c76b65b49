// POST /v1/conversations: business-initiated conversations. Resolution of the customer (new
// contact, normalised address, existing contact by id), reuse of an open conversation, the
// channel's can_send asked first, idempotency, assignment rules per role, events, and validation.
#include "fixture.h"

namespace sb::api::testing {
namespace {

constexpr const char* kTemplate =
    R"("message":{"content_type":"template","payload":{"name":"order_ready","language":"en"}})";

class StartApi : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    ASSERT_EQ(call("POST", "/v1/queues", admin_, R"({"id":"sales"})").status, 201);
    ASSERT_EQ(call("POST", "/v1/queues", admin_, R"({"id":"support"})").status, 201);
    ASSERT_EQ(call("POST", "/v1/agents", admin_, R"({"id":"alice","queues":["sales"]})").status,
              201);
    ASSERT_EQ(call("POST", "/v1/agents", admin_, R"({"id":"bob"})").status, 201);
  }

  http::Response start(const std::string& token, const std::string& body,
                       const std::string& key = "k1") {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!key.empty()) headers.emplace_back("Idempotency-Key", key);
    return call("POST", "/v1/conversations", token, body, headers);
  }
  static std::string to_address(const std::string& address,
                                const std::string& message = kTemplate) {
    return R"({"instance_id":"wa1","to":{"address":")" + address + R"("},)" + message + "}";
  }
  static std::string field(const http::Response& r) {
    auto e = json(r)->getObject("error");
    return e->has("field") ? e->getValue<std::string>("field") : "";
  }
  size_t count(const std::string& type) const {
    size_t n = 0;
    for (const auto& [t, data] : events_) n += t == type ? 1 : 0;
    return n;
  }
};

TEST_F(StartApi, ATemplateToANumberThatNeverWroteOpensAConversationAndQueuesOnce) {
  // A national number: normalised with the default region like an inbound sender's.
  auto r = start(supervisor_, to_address("0151 33333333"));
  ASSERT_EQ(r.status, 201) << r.body;
  auto body = json(r);
  auto conv = body->getObject("conversation");
  auto msg = body->getObject("message");
  EXPECT_FALSE(body->getValue<bool>("duplicate"));
  EXPECT_EQ(conv->getValue<std::string>("channel"), "wa1");
  EXPECT_EQ(conv->getValue<std::string>("status"), "open");
  EXPECT_EQ(conv->getValue<std::string>("reference").substr(0, 3), "SB-");
  EXPECT_TRUE(conv->isNull("assignee"));
  EXPECT_EQ(msg->getValue<std::string>("to"), "+4915133333333");
  EXPECT_EQ(msg->getValue<std::string>("direction"), "outbound");
  EXPECT_EQ(msg->getValue<std::string>("content_type"), "template");
  EXPECT_EQ(msg->getValue<int64_t>("conversation_id"), conv->getValue<int64_t>("id"));
  EXPECT_EQ(msg->getValue<int64_t>("contact_id"), conv->getValue<int64_t>("contact_id"));
  // The channel was asked about this customer, who never wrote.
  EXPECT_EQ(channels_.last_to, "+4915133333333");
  EXPECT_EQ(channels_.last_inbound_at_ms, 0);
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_[0].to, "+4915133333333");
  EXPECT_EQ(sent_[0].instance_id, "wa1");
  EXPECT_EQ(count("conversation.created"), 1u);
  EXPECT_EQ(count("message.created"), 1u);

  // The contact is the one a later inbound message from that number joins.
  auto contact = service_->find_contact("+49 151 33333333", "phone");
  ASSERT_TRUE(contact.is_ok());
  ASSERT_TRUE(contact->has_value());
  EXPECT_EQ((*contact)->id, conv->getValue<int64_t>("contact_id"));
  auto reply = inbound("r1", "+4915133333333", "thanks!");
  EXPECT_EQ(reply.resolution.conversation_id, conv->getValue<int64_t>("id"));

  // The same key: the same conversation and message, nothing sent again.
  auto again = start(supervisor_, to_address("0151 33333333"));
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_TRUE(json(again)->getValue<bool>("duplicate"));
  EXPECT_EQ(json(again)->getObject("message")->getValue<int64_t>("id"),
            msg->getValue<int64_t>("id"));
  EXPECT_EQ(json(again)->getObject("conversation")->getValue<int64_t>("id"),
            conv->getValue<int64_t>("id"));
  EXPECT_EQ(sent_.size(), 1u);
  EXPECT_EQ(count("message.created"), 1u);

  // The same key for other content or another customer is a conflict.
  auto other_content =
      start(supervisor_,
            to_address(
                "0151 33333333",
                R"("message":{"content_type":"template","payload":{"name":"x","language":"en"}})"));
  EXPECT_EQ(other_content.status, 409);
  EXPECT_EQ(error_code(other_content), "idempotency_conflict");
  EXPECT_EQ(field(other_content), "Idempotency-Key");
  auto other_customer = start(supervisor_, to_address("+4915144444444"));
  EXPECT_EQ(other_customer.status, 409);
  EXPECT_EQ(sent_.size(), 1u);
}

TEST_F(StartApi, FreeTextOutsideTheWindowIsRefusedWithTheTemplateHintBeforeAnythingIsWritten) {
  channels_.window_open = false;
  auto r = start(supervisor_, to_address("+4915133333333", R"("message":{"text":"hi"})"));
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(error_code(r), "cannot_send");
  EXPECT_EQ(field(r), "message.content_type");
  const std::string message = json(r)->getObject("error")->getValue<std::string>("message");
  EXPECT_NE(message.find("24-hour window"), std::string::npos) << message;
  EXPECT_NE(message.find("template"), std::string::npos) << message;
  EXPECT_TRUE(sent_.empty());
  EXPECT_TRUE(events_.empty());
  auto contact = service_->find_contact("+4915133333333", "phone");
  ASSERT_TRUE(contact.is_ok());
  EXPECT_FALSE(contact->has_value()) << "a refused start must not create a contact";

  // Where the channel allows free text, it goes.
  channels_.window_open = true;
  auto ok = start(supervisor_, to_address("+4915133333333", R"("message":{"text":"hi"})"), "k2");
  ASSERT_EQ(ok.status, 201) << ok.body;
  EXPECT_EQ(json(ok)->getObject("message")->getValue<std::string>("text"), "hi");
}

TEST_F(StartApi, AChannelWithoutCanSendDoesNotBlockAStart) {
  channels_.window_open = false;
  channels_.no_can_send = true;
  auto r = start(supervisor_, to_address("+4915133333333", R"("message":{"text":"hi"})"));
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(channels_.can_send_calls, 1);
  EXPECT_EQ(sent_.size(), 1u);
}

TEST_F(StartApi, AStartWhoseMessageCannotBeQueuedLeavesNoContactConversationOrEvent) {
  send_error_ = unavailable("outbox: the database is locked");
  auto r = start(supervisor_, to_address("+4915133333333", R"("message":{"text":"hi"})"));
  ASSERT_EQ(r.status, 503) << r.body;
  EXPECT_TRUE(events_.empty()) << events_.front().first;
  auto contact = service_->find_contact("+4915133333333", "phone");
  ASSERT_TRUE(contact.is_ok());
  EXPECT_FALSE(contact->has_value()) << "the new contact and its identity are taken back";
  auto none = call("GET", "/v1/conversations", supervisor_);
  ASSERT_EQ(none.status, 200) << none.body;
  EXPECT_EQ(json(none)->getArray("items")->size(), 0u) << none.body;

  // A known customer keeps their contact and open conversation; only what the start made goes.
  send_error_ = Status();
  auto first = inbound("m1", "+4915111111111", "hello", "Ann");
  send_error_ = unavailable("outbox: the database is locked");
  ASSERT_EQ(start(supervisor_, to_address("+4915111111111"), "k2").status, 503);
  auto kept = service_->conversation(first.resolution.conversation_id);
  ASSERT_TRUE(kept.is_ok());
  EXPECT_TRUE(kept->has_value());
  EXPECT_TRUE(events_.empty());

  // Once queueing works, the same request succeeds and announces the conversation.
  send_error_ = Status();
  auto ok = start(supervisor_, to_address("+4915133333333", R"("message":{"text":"hi"})"));
  ASSERT_EQ(ok.status, 201) << ok.body;
  ASSERT_FALSE(events_.empty());
  EXPECT_EQ(events_.front().first, "conversation.created");
}

TEST_F(StartApi, ATemplateTheChannelKnowsIsUnknownIsRefusedAndCreatesNothing) {
  // The channel judges the template by the payload the send would carry (ABI 1.1).
  const std::string unknown = R"("message":{"content_type":"template",)"
                              R"("payload":{"name":"no_such_template","language":"en_US"}})";
  auto r = start(supervisor_, to_address("+4915133333333", unknown));
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(error_code(r), "cannot_send");
  EXPECT_EQ(field(r), "message.content_type");
  EXPECT_NE(r.body.find("template no_such_template (en_US) is not known"), std::string::npos)
      << r.body;
  // A template is not told to send a template instead.
  EXPECT_EQ(r.body.find("send an approved template instead"), std::string::npos) << r.body;
  EXPECT_NE(channels_.last_payload.find("\"no_such_template\""), std::string::npos)
      << channels_.last_payload;
  EXPECT_TRUE(sent_.empty()) << "no message may be queued";
  EXPECT_TRUE(events_.empty());
  auto contact = service_->find_contact("+4915133333333", "phone");
  ASSERT_TRUE(contact.is_ok());
  EXPECT_FALSE(contact->has_value()) << "a refused start must not create a contact";
  auto none = call("GET", "/v1/conversations", supervisor_);
  ASSERT_EQ(none.status, 200) << none.body;
  EXPECT_EQ(json(none)->getArray("items")->size(), 0u) << none.body;

  // A known customer's open conversation gets no message either.
  auto first = inbound("m1", "+4915111111111", "hello", "Ann");
  auto refused = start(supervisor_, to_address("+4915111111111", unknown), "k2");
  ASSERT_EQ(refused.status, 422) << refused.body;
  EXPECT_TRUE(sent_.empty());
  EXPECT_TRUE(events_.empty());
  auto one = call("GET", "/v1/conversations", supervisor_);
  ASSERT_EQ(one.status, 200) << one.body;
  ASSERT_EQ(json(one)->getArray("items")->size(), 1u) << one.body;
  EXPECT_EQ(json(one)->getArray("items")->getObject(0)->getValue<int64_t>("id"),
            first.resolution.conversation_id);

  // A template the channel knows goes through, with its payload asked about as it is sent.
  auto ok = start(supervisor_, to_address("+4915133333333"), "k3");
  ASSERT_EQ(ok.status, 201) << ok.body;
  EXPECT_EQ(channels_.last_payload, sent_.at(0).payload_json);
}

TEST_F(StartApi, ACanSendThatFailsRefusesTheStartAndCreatesNothing) {
  channels_.can_send_error = internal_error("can_send: SB_ERR_INTERNAL: template store locked");
  auto r = start(supervisor_, to_address("+4915133333333", R"("message":{"text":"hi"})"));
  ASSERT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(error_code(r), "unavailable");
  EXPECT_NE(r.body.find("template store locked"), std::string::npos) << r.body;
  EXPECT_TRUE(sent_.empty());
  EXPECT_TRUE(events_.empty());
  auto contact = service_->find_contact("+4915133333333", "phone");
  ASSERT_TRUE(contact.is_ok());
  EXPECT_FALSE(contact->has_value()) << "a refused start must not create a contact";
}

TEST_F(StartApi, AnOpenConversationOfTheContactIsReusedAResolvedOneIsNot) {
  auto first = inbound("m1", "+4915111111111", "hello", "Ann");
  const int64_t conv_id = first.resolution.conversation_id;
  // Another spelling of the same number reaches the same contact and its open conversation, and
  // the reply goes where the customer wrote from, with the customer's last message's time.
  auto r = start(supervisor_, to_address("+49 (151) 111-111-11"));
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(json(r)->getObject("conversation")->getValue<int64_t>("id"), conv_id);
  EXPECT_EQ(channels_.last_to, "+4915111111111");
  EXPECT_GT(channels_.last_inbound_at_ms, 0);
  EXPECT_EQ(sent_.at(0).from, "+4930123456");
  EXPECT_EQ(count("conversation.created"), 0u);

  // By contact id: the same.
  const std::string by_id = R"({"instance_id":"wa1","to":{"contact_id":)" +
                            std::to_string(first.resolution.contact_id) + "}," + kTemplate + "}";
  auto r2 = start(supervisor_, by_id, "k2");
  ASSERT_EQ(r2.status, 201) << r2.body;
  EXPECT_EQ(json(r2)->getObject("conversation")->getValue<int64_t>("id"), conv_id);

  // Resolved: a new matter, a new conversation with its own reference.
  ASSERT_EQ(
      call("POST", "/v1/conversations/" + std::to_string(conv_id) + "/resolve", supervisor_, "{}")
          .status,
      200);
  auto r3 = start(supervisor_, by_id, "k3");
  ASSERT_EQ(r3.status, 201) << r3.body;
  auto conv = json(r3)->getObject("conversation");
  EXPECT_NE(conv->getValue<int64_t>("id"), conv_id);
  EXPECT_EQ(conv->getValue<int64_t>("contact_id"), first.resolution.contact_id);
  EXPECT_NE(conv->getValue<std::string>("reference"), first.resolution.reference);
  EXPECT_EQ(count("conversation.created"), 1u);
}

TEST_F(StartApi, AnEmailAddressIsLowerCasedIntoOneContact) {
  auto r = start(supervisor_, to_address("Ann.Lee@Example.COM"));
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(json(r)->getObject("message")->getValue<std::string>("to"), "ann.lee@example.com");
  auto again = start(supervisor_, to_address("ann.lee@example.com"), "k2");
  ASSERT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(json(again)->getObject("conversation")->getValue<int64_t>("id"),
            json(r)->getObject("conversation")->getValue<int64_t>("id"));
}

TEST_F(StartApi, AnAgentStartsForItselfInItsOwnQueuesOnly) {
  auto mine = start(agent_, R"({"instance_id":"wa1","to":{"address":"+4915133333333"},)"
                            R"("queue":"sales",)" +
                                std::string(kTemplate) + "}");
  ASSERT_EQ(mine.status, 201) << mine.body;
  auto conv = json(mine)->getObject("conversation");
  EXPECT_EQ(conv->getValue<std::string>("assignee"), "alice");
  EXPECT_EQ(conv->getValue<std::string>("queue"), "sales");
  EXPECT_EQ(count("conversation.assigned"), 1u);
  // Alice sees what she started.
  EXPECT_EQ(
      call("GET", "/v1/conversations/" + std::to_string(conv->getValue<int64_t>("id")), agent_)
          .status,
      200);

  auto not_her_queue = start(agent_,
                             R"({"instance_id":"wa1","to":{"address":"+4915144444444"},)"
                             R"("queue":"support",)" +
                                 std::string(kTemplate) + "}",
                             "k2");
  EXPECT_EQ(not_her_queue.status, 403);
  EXPECT_EQ(field(not_her_queue), "queue");
  auto for_bob = start(agent_,
                       R"({"instance_id":"wa1","to":{"address":"+4915144444444"},)"
                       R"("assignee":"bob",)" +
                           std::string(kTemplate) + "}",
                       "k3");
  EXPECT_EQ(for_bob.status, 403);
  EXPECT_EQ(field(for_bob), "assignee");

  // A customer whose open conversation is bob's is not alice's to write to.
  auto bobs = inbound("m9", "+4915155555555", "hi bob");
  ASSERT_EQ(call("POST",
                 "/v1/conversations/" + std::to_string(bobs.resolution.conversation_id) + "/assign",
                 supervisor_, R"({"agent":"bob"})")
                .status,
            200);
  auto taken = start(agent_, to_address("+4915155555555"), "k4");
  EXPECT_EQ(taken.status, 403);
  EXPECT_EQ(error_code(taken), "forbidden");
  // ... nor may she look the contact up by id.
  auto by_id = start(agent_,
                     R"({"instance_id":"wa1","to":{"contact_id":)" +
                         std::to_string(bobs.resolution.contact_id) + "}," + kTemplate + "}",
                     "k5");
  EXPECT_EQ(by_id.status, 403);
  EXPECT_EQ(sent_.size(), 1u);
}

TEST_F(StartApi, ASupervisorAssignsToAnyAgentAndQueue) {
  auto r = start(supervisor_, R"({"instance_id":"wa1","to":{"address":"+4915133333333",)"
                              R"("name":"Carla"},"assignee":"bob","queue":"support",)" +
                                  std::string(kTemplate) + "}");
  ASSERT_EQ(r.status, 201) << r.body;
  auto conv = json(r)->getObject("conversation");
  EXPECT_EQ(conv->getValue<std::string>("assignee"), "bob");
  EXPECT_EQ(conv->getValue<std::string>("queue"), "support");
  auto contact = service_->contact(conv->getValue<int64_t>("contact_id"));
  ASSERT_TRUE(contact.is_ok() && contact->has_value());
  EXPECT_EQ((*contact)->display_name, "Carla");
}

TEST_F(StartApi, ValidationNamesTheField) {
  auto no_key = start(supervisor_, to_address("+4915133333333"), "");
  EXPECT_EQ(no_key.status, 400);
  EXPECT_EQ(error_code(no_key), "missing_idempotency_key");
  EXPECT_EQ(start(supervisor_, to_address("+4915133333333"), std::string(201, 'k')).status, 400);

  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"to":{"address":"+4915133333333"},)" + std::string(kTemplate) + "}", "instance_id"},
      {R"({"instance_id":"nope","to":{"address":"+4915133333333"},)" + std::string(kTemplate) + "}",
       "instance_id"},
      {R"({"instance_id":"wa1",)" + std::string(kTemplate) + "}", "to"},
      {R"({"instance_id":"wa1","to":"+4915133333333",)" + std::string(kTemplate) + "}", "to"},
      {R"({"instance_id":"wa1","to":{},)" + std::string(kTemplate) + "}", "to"},
      {R"({"instance_id":"wa1","to":{"address":"+4915133333333","contact_id":1},)" +
           std::string(kTemplate) + "}",
       "to"},
      {R"({"instance_id":"wa1","to":{"address":"+4915133333333","phone":1},)" +
           std::string(kTemplate) + "}",
       "to.phone"},
      {R"({"instance_id":"wa1","to":{"contact_id":"7"},)" + std::string(kTemplate) + "}",
       "to.contact_id"},
      {R"({"instance_id":"wa1","to":{"contact_id":999999},)" + std::string(kTemplate) + "}",
       "to.contact_id"},
      {to_address("ACME"), "to.address"},
      {to_address("+4915133333333", R"("message":{})"), "message.text"},
      {to_address("+4915133333333", R"("message":{"text":"x","subject":"y"})"), "message.subject"},
      {to_address("+4915133333333", R"("message":{"content_type":"template"})"), "message.payload"},
      {R"({"instance_id":"wa1","to":{"address":"+4915133333333"}})", "message"},
      {R"({"instance_id":"wa1","to":{"address":"+4915133333333"},"queue":"ghost",)" +
           std::string(kTemplate) + "}",
       "queue"},
      {R"({"instance_id":"wa1","to":{"address":"+4915133333333"},"assignee":"ghost",)" +
           std::string(kTemplate) + "}",
       "assignee"},
      {R"({"instance_id":"wa1","to":{"address":"+4915133333333"},"status":"open",)" +
           std::string(kTemplate) + "}",
       "status"},
  };
  int key = 0;
  for (const auto& [body, expected] : cases) {
    auto r = start(supervisor_, body, "v" + std::to_string(++key));
    SCOPED_TRACE(body + " -> " + r.body);
    EXPECT_GE(r.status, 400);
    EXPECT_LT(r.status, 500);
    EXPECT_EQ(field(r), expected);
  }
  EXPECT_TRUE(sent_.empty());
  EXPECT_TRUE(events_.empty());
}

}  // namespace
}  // namespace sb::api::testing
