// Agent read positions and read receipts (POST /v1/conversations/{id}/read), replies quoting a
// message (reply_to), media uploads (POST /v1/channels/{id}/media) and one conversation per
// business number.
#include "fixture.h"

namespace sb::api::testing {
namespace {

class ReadApi : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    ASSERT_EQ(call("POST", "/v1/queues", admin_, R"({"id":"sales"})").status, 201);
    ASSERT_EQ(call("POST", "/v1/agents", admin_, R"({"id":"alice","queues":["sales"]})").status,
              201);
    first_ = inbound("wamid.1", "+4915111111111", "hello", "Ann");
    second_ = inbound("wamid.2", "+4915111111111", "anyone?", "Ann");
    conv_ = "/v1/conversations/" + std::to_string(first_.resolution.conversation_id);
  }
  Poco::JSON::Object::Ptr get(const std::string& path) { return json(call("GET", path, admin_)); }
  int64_t unread() { return get(conv_)->getValue<int64_t>("unread_count"); }
  size_t read_events() const {
    size_t n = 0;
    for (const auto& [type, data] : events_) n += type == "conversation.read" ? 1 : 0;
    return n;
  }
  static std::string receipt(const http::Response& r) {
    return json(r)->getObject("receipt")->getValue<std::string>("status");
  }

  store::InboundResult first_, second_;
  std::string conv_;
};

TEST_F(ReadApi, ReadingRecordsWhoReadWhatAndClearsTheUnreadCount) {
  ASSERT_EQ(second_.resolution.conversation_id, first_.resolution.conversation_id);
  auto before = get(conv_);
  EXPECT_EQ(before->getValue<int64_t>("unread_count"), 2);
  EXPECT_TRUE(before->isNull("read"));
  auto listed = json(call("GET", "/v1/conversations", admin_))->getArray("items")->getObject(0);
  EXPECT_EQ(listed->getValue<int64_t>("unread_count"), 2);

  // An agent who cannot see the conversation cannot mark it read.
  EXPECT_EQ(call("POST", conv_ + "/read", agent_, "{}").status, 403);
  EXPECT_EQ(read_events(), 0u);

  auto r = call("POST", conv_ + "/read", supervisor_, "");
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = json(r);
  EXPECT_EQ(body->getValue<int64_t>("unread_count"), 0);
  auto read = body->getObject("read");
  EXPECT_EQ(read->getValue<int64_t>("last_read_message_id"), second_.message_id);
  EXPECT_EQ(read->getValue<std::string>("read_by"), "sue");
  EXPECT_GT(read->getValue<int64_t>("read_at_ms"), 0);
  // The fake channel has no read receipts: the position is recorded, nothing is sent.
  EXPECT_EQ(receipt(r), "unsupported");
  EXPECT_TRUE(channels_.mark_read_calls.empty());
  ASSERT_EQ(read_events(), 1u);
  EXPECT_NE(events_.back().second.find(R"("by":"sue")"), std::string::npos)
      << events_.back().second;
  EXPECT_NE(events_.back().second.find(R"("unread_count":0)"), std::string::npos);
  EXPECT_EQ(unread(), 0);

  inbound("wamid.3", "+4915111111111", "hello again");
  EXPECT_EQ(unread(), 1);
}

TEST_F(ReadApi, TheReadPositionNeverMovesBack) {
  const std::string up_to_first = R"({"message_id":)" + std::to_string(first_.message_id) + "}";
  auto r = call("POST", conv_ + "/read", admin_, up_to_first);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json(r)->getValue<int64_t>("unread_count"), 1);
  ASSERT_EQ(call("POST", conv_ + "/read", admin_, "{}").status, 200);
  EXPECT_EQ(read_events(), 2u);
  // Reading an older message again changes nothing and publishes nothing.
  r = call("POST", conv_ + "/read", admin_, up_to_first);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(json(r)->getObject("read")->getValue<int64_t>("last_read_message_id"),
            second_.message_id);
  EXPECT_EQ(json(r)->getValue<int64_t>("unread_count"), 0);
  EXPECT_EQ(read_events(), 2u);
}

TEST_F(ReadApi, ReceiptGoesOutOncePerPositionAndIsRetriedAfterAFailure) {
  channels_.receipts = true;
  auto r = call("POST", conv_ + "/read", admin_, "{}");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(receipt(r), "sent");
  ASSERT_EQ(channels_.mark_read_calls.size(), 1u);
  // The newest inbound message by the provider's id, from the number the customer wrote to.
  auto in =
      Poco::JSON::Parser().parse(channels_.mark_read_calls[0]).extract<Poco::JSON::Object::Ptr>();
  EXPECT_EQ(in->getValue<std::string>("message_id"), "wamid.2");
  EXPECT_EQ(in->getValue<std::string>("from"), "+4930123456");

  EXPECT_EQ(receipt(call("POST", conv_ + "/read", admin_, "{}")), "already_sent");
  EXPECT_EQ(channels_.mark_read_calls.size(), 1u);

  // A failing channel: the read position still moves, the receipt waits for the next read.
  inbound("wamid.3", "+4915111111111", "third");
  channels_.mark_read_error = Status(Code::kUnavailable, "Graph API unreachable");
  r = call("POST", conv_ + "/read", admin_, "{}");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(receipt(r), "failed");
  EXPECT_NE(r.body.find("Graph API unreachable"), std::string::npos);
  EXPECT_EQ(json(r)->getValue<int64_t>("unread_count"), 0);
  EXPECT_EQ(channels_.mark_read_calls.size(), 2u);

  channels_.mark_read_error = Status();
  r = call("POST", conv_ + "/read", admin_, "{}");
  EXPECT_EQ(receipt(r), "sent");
  ASSERT_EQ(channels_.mark_read_calls.size(), 3u);
  EXPECT_NE(channels_.mark_read_calls[2].find("wamid.3"), std::string::npos);
  EXPECT_EQ(receipt(call("POST", conv_ + "/read", admin_, "{}")), "already_sent");
  EXPECT_EQ(channels_.mark_read_calls.size(), 3u);
}

TEST_F(ReadApi, Validation) {
  EXPECT_EQ(call("POST", conv_ + "/read", admin_, R"({"message_id":"x"})").status, 400);
  EXPECT_EQ(call("POST", conv_ + "/read", admin_, R"({"message_id":0})").status, 400);
  EXPECT_EQ(call("POST", conv_ + "/read", admin_, R"({"other":1})").status, 400);
  EXPECT_EQ(call("POST", conv_ + "/read", admin_, "[]").status, 400);
  EXPECT_EQ(call("POST", "/v1/conversations/999999/read", admin_, "{}").status, 404);
  EXPECT_EQ(call("POST", conv_ + "/read", "", "{}").status, 401);
  // Our own messages are not read by agents.
  auto sent =
      call("POST", conv_ + "/messages", admin_, R"({"text":"hi"})", {{"Idempotency-Key", "k1"}});
  ASSERT_EQ(sent.status, 202) << sent.body;
  const int64_t out = json(sent)->getValue<int64_t>("id");
  auto r = call("POST", conv_ + "/read", admin_, R"({"message_id":)" + std::to_string(out) + "}");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find(R"("field":"message_id")"), std::string::npos) << r.body;
  EXPECT_EQ(read_events(), 0u);
}

TEST_F(ReadApi, RepliesQuoteAMessageOfTheConversationByItsProviderId) {
  auto r = call("POST", conv_ + "/messages", admin_,
                R"({"text":"yes, here","reply_to":)" + std::to_string(second_.message_id) + "}",
                {{"Idempotency-Key", "r1"}});
  ASSERT_EQ(r.status, 202) << r.body;
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_[0].reply_to_provider_id, "wamid.2");
  EXPECT_EQ(json(r)->getValue<std::string>("reply_to_provider_id"), "wamid.2");
  // The same key with another quoted message is another message.
  r = call("POST", conv_ + "/messages", admin_,
           R"({"text":"yes, here","reply_to":)" + std::to_string(first_.message_id) + "}",
           {{"Idempotency-Key", "r1"}});
  EXPECT_EQ(r.status, 409) << r.body;

  // A message of another conversation, or one the provider has no id for, cannot be quoted.
  auto other = inbound("wamid.9", "+4915199999999", "someone else");
  r = call("POST", conv_ + "/messages", admin_,
           R"({"text":"x","reply_to":)" + std::to_string(other.message_id) + "}",
           {{"Idempotency-Key", "r2"}});
  EXPECT_EQ(r.status, 400) << r.body;
  const int64_t ours = json(call("POST", conv_ + "/messages", admin_, R"({"text":"mine"})",
                                 {{"Idempotency-Key", "r3"}}))
                           ->getValue<int64_t>("id");
  r = call("POST", conv_ + "/messages", admin_,
           R"({"text":"x","reply_to":)" + std::to_string(ours) + "}", {{"Idempotency-Key", "r4"}});
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("no provider id"), std::string::npos) << r.body;
}

TEST_F(ReadApi, MediaUploadPassesTheBytesToTheChannel) {
  auto r = call("POST", "/v1/channels/wa1/media?filename=a.png", agent_, "PNG",
                {{"Content-Type", "image/png; charset=binary"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(json(r)->getValue<std::string>("media_id"), "4711");
  EXPECT_EQ(json(r)->getValue<std::string>("channel"), "wa1");
  ASSERT_EQ(channels_.media_uploads.size(), 1u);
  auto in =
      Poco::JSON::Parser().parse(channels_.media_uploads[0]).extract<Poco::JSON::Object::Ptr>();
  EXPECT_EQ(in->getValue<std::string>("mime_type"), "image/png");
  EXPECT_EQ(in->getValue<std::string>("filename"), "a.png");
  EXPECT_EQ(in->getValue<std::string>("data_base64"), "UE5H");  // base64("PNG")

  EXPECT_EQ(call("POST", "/v1/channels/wa1/media", agent_, "PNG").status, 400);  // no type
  EXPECT_EQ(
      call("POST", "/v1/channels/wa1/media", agent_, "", {{"Content-Type", "image/png"}}).status,
      400);
  EXPECT_EQ(call("POST", "/v1/channels/nope/media", agent_, "PNG", {{"Content-Type", "image/png"}})
                .status,
            404);
  EXPECT_EQ(
      call("POST", "/v1/channels/wa1/media", "", "PNG", {{"Content-Type", "image/png"}}).status,
      401);
  EXPECT_EQ(channels_.media_uploads.size(), 1u);
}

TEST_F(ReadApi, EachBusinessNumberHasItsOwnConversation) {
  auto other_number = inbound("wamid.5", "+4915111111111", "to support", "", "+4930999999");
  EXPECT_NE(other_number.resolution.conversation_id, first_.resolution.conversation_id);
  EXPECT_TRUE(other_number.resolution.opened_new);
  auto again = inbound("wamid.6", "+4915111111111", "back to sales");
  EXPECT_EQ(again.resolution.conversation_id, first_.resolution.conversation_id);
  EXPECT_EQ(get(conv_)->getValue<std::string>("business_address"), "+4930123456");
  // A reply leaves from the number of its conversation.
  const std::string other_conv =
      "/v1/conversations/" + std::to_string(other_number.resolution.conversation_id);
  ASSERT_EQ(call("POST", other_conv + "/messages", admin_, R"({"text":"hi"})",
                 {{"Idempotency-Key", "s1"}})
                .status,
            202);
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_[0].from, "+4930999999");
}

}  // namespace
}  // namespace sb::api::testing
