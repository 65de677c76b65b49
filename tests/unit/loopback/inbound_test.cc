// POST /inbound (and invoke "inbound"): injected messages reach submit_inbound, and the answer
// reflects what the host committed.
#include "loopback_fixture.hpp"

namespace lbtest {
namespace {

using InboundTest = Loopback;

TEST_F(InboundTest, SingleMessageIsStoredWithDefaults) {
  fake.set_now_ms(1'700'000'123'000);
  WebhookReply r = post("/inbound", R"({"id":"in-1","from":"+4915112345678","text":"hi"})");
  ASSERT_EQ(r.http_status, 200) << r.body;
  EXPECT_EQ(r.body, R"({"results":[{"id":"in-1","status":"stored"}]})");
  ASSERT_EQ(fake.inbound().size(), 1u);
  const auto in = fake.inbound().at(0);
  EXPECT_EQ(in.provider_message_id, "in-1");
  EXPECT_EQ(in.from, "+4915112345678");
  EXPECT_EQ(in.from_kind, "phone");
  EXPECT_EQ(in.to, "lb-1");
  EXPECT_EQ(in.content_type, "text");
  EXPECT_EQ(in.text, "hi");
  EXPECT_EQ(in.flags, 0u);
  EXPECT_EQ(in.sent_at_ms, 1'700'000'123'000);
  EXPECT_EQ(parse(in.raw).find("id")->as_string(), "in-1");
}

TEST_F(InboundTest, OptionalFieldsAndAttachmentsReachTheHost) {
  WebhookReply r = post("/inbound", R"({"id":"in-2","from":"+4915112345678","text":"",
      "from_name":"Ann","content_type":"image","automated":true,"thread_key":"t-9",
      "reply_to":"lb-4","sent_at_ms":1234,"payload":{"x":1},
      "attachments":[{"kind":"image","mime_type":"image/png","url":"http://127.0.0.1/a.png",
                      "media_id":"m-1","caption":"cat","size_bytes":2048}]})");
  ASSERT_EQ(r.http_status, 200) << r.body;
  const auto in = fake.inbound().at(0);
  EXPECT_EQ(in.from_name, "Ann");
  EXPECT_EQ(in.content_type, "image");
  EXPECT_EQ(in.flags, static_cast<uint32_t>(SB_INBOUND_AUTOMATED));
  EXPECT_EQ(in.thread_key, "t-9");
  EXPECT_EQ(in.reply_to_provider_id, "lb-4");
  EXPECT_EQ(in.sent_at_ms, 1234);
  EXPECT_EQ(in.payload_json, R"({"x":1})");
  ASSERT_EQ(in.attachments.size(), 1u);
  EXPECT_EQ(in.attachments[0].kind, "image");
  EXPECT_EQ(in.attachments[0].mime_type, "image/png");
  EXPECT_EQ(in.attachments[0].provider_media_id, "m-1");
  EXPECT_EQ(in.attachments[0].caption, "cat");
  EXPECT_EQ(in.attachments[0].size_bytes, 2048);
}

TEST_F(InboundTest, BatchAnswersEachMessageInOrder) {
  ASSERT_EQ(post("/inbound", R"({"id":"b-2","from":"+4915100000002","text":"x"})").http_status,
            200);
  WebhookReply r = post("/inbound", R"({"messages":[
      {"id":"b-1","from":"+4915100000001","text":"one"},
      {"id":"b-2","from":"+4915100000002","text":"again"},
      {"id":"b-3","from":"+4915100000003","text":"three"}]})");
  ASSERT_EQ(r.http_status, 200) << r.body;
  EXPECT_EQ(r.body,
            R"({"results":[{"id":"b-1","status":"stored"},{"id":"b-2","status":"duplicate"},)"
            R"({"id":"b-3","status":"stored"}]})");
  ASSERT_EQ(fake.inbound().size(), 3u);
  EXPECT_EQ(fake.inbound()[1].text, "one");
  EXPECT_EQ(fake.inbound()[2].text, "three");
}

TEST_F(InboundTest, RedeliveryIsADuplicateAndChangesNothing) {
  const std::string body = R"({"id":"d-1","from":"+4915112345678","text":"first"})";
  ASSERT_EQ(post("/inbound", body).http_status, 200);
  WebhookReply again = post("/inbound", body);
  ASSERT_EQ(again.http_status, 200);
  EXPECT_EQ(again.body, R"({"results":[{"id":"d-1","status":"duplicate"}]})");
  EXPECT_EQ(fake.inbound().size(), 1u);
  json::Value stats = parse(fake.invoke("stats").json);
  EXPECT_EQ(stats.find("inbound_stored")->as_int(), 1);
  EXPECT_EQ(stats.find("inbound_duplicate")->as_int(), 1);
}

TEST_F(InboundTest, InvalidInputNamesTheFieldAndStoresNothing) {
  struct Case {
    std::string body, field;
  };
  const Case cases[] = {
      {R"({"id":"x","text":"no sender"})", "from"},
      {R"({"id":"","from":"+491","text":"t"})", "id"},
      {R"({"id":"x","from":"+491"})", "text"},
      {R"({"id":"x","from":"+491","text":5})", "text"},
      {R"({"id":"x","from":"+491","text":"t","automated":"yes"})", "automated"},
      {R"({"id":"x","from":"+491","text":"t","colour":"red"})", "colour"},
      {R"({"id":"x","from":"+491","attachments":[{"kind":"hologram"}]})", "attachments[0].kind"},
      {R"({"messages":[{"id":"ok","from":"+491","text":"t"},{"id":"y","from":7,"text":"t"}]})",
       "messages[1].from"},
      {R"({"messages":[]})", "messages"},
      {R"([1,2])", ""},
  };
  for (const Case& c : cases) {
    WebhookReply r = post("/inbound", c.body);
    EXPECT_EQ(r.http_status, 400) << c.body;
    EXPECT_EQ(error_field(r), c.field) << c.body << " -> " << r.body;
  }
  EXPECT_TRUE(fake.inbound().empty());  // the valid first message of the bad batch included
}

TEST_F(InboundTest, WrongMethodAndOversizedBody) {
  WebhookReply get = call("GET", "/inbound");
  EXPECT_EQ(get.http_status, 405);
  ASSERT_FALSE(get.headers.empty());
  EXPECT_EQ(get.headers[0].first, "Allow");
  EXPECT_EQ(post("/inbound", std::string((1 << 20) + 1, ' ')).http_status, 413);
  EXPECT_EQ(post("/inbound", "{not json").http_status, 400);
}

TEST_F(InboundTest, HostFailureIsA503SoTheCallerRetries) {
  fake.api().submit_inbound = [](sb_host_ctx*, const sb_inbound_message* const*, uint32_t count,
                                 int32_t* statuses) -> int32_t {
    for (uint32_t i = 0; i < count; ++i) statuses[i] = SB_ERR_TRANSIENT;
    return SB_ERR_TRANSIENT;
  };
  WebhookReply r = post("/inbound", R"({"id":"f-1","from":"+4915112345678","text":"hi"})");
  EXPECT_EQ(r.http_status, 503);
  json::Value v = parse(r.body);
  EXPECT_EQ(v.find("results")->items().at(0).find("status")->as_string(), "failed");
  EXPECT_EQ(v.find("results")->items().at(0).find("error")->as_string(), "TRANSIENT");
}

TEST_F(InboundTest, HostRefusalOfOneMessageIsA400WithPerMessageResults) {
  fake.api().submit_inbound = [](sb_host_ctx*, const sb_inbound_message* const*, uint32_t count,
                                 int32_t* statuses) -> int32_t {
    for (uint32_t i = 0; i < count; ++i) statuses[i] = i == 1 ? SB_ERR_INVALID_ARG : SB_OK;
    return SB_ERR_INVALID_ARG;
  };
  WebhookReply r = post("/inbound", R"({"messages":[{"id":"a","from":"+491","text":"t"},
                                                   {"id":"b","from":"+492","text":"t"}]})");
  EXPECT_EQ(r.http_status, 400);
  json::Value v = parse(r.body);
  EXPECT_EQ(v.find("results")->items().at(0).find("status")->as_string(), "stored");
  EXPECT_EQ(v.find("results")->items().at(1).find("status")->as_string(), "invalid");
}

TEST_F(InboundTest, InvokeInboundTakesTheSameInput) {
  auto ok = fake.invoke("inbound", R"({"id":"i-1","from":"+4915112345678","text":"hi"})");
  ASSERT_EQ(ok.status, SB_OK) << ok.error.message;
  EXPECT_EQ(ok.json, R"({"results":[{"id":"i-1","status":"stored"}]})");
  auto bad = fake.invoke("inbound", R"({"id":"i-2","text":"hi"})");
  EXPECT_EQ(bad.status, SB_ERR_INVALID_ARG);
  EXPECT_EQ(bad.error.message, "from: a non-empty string is required");
}

class EmailInbound : public Loopback {
  std::string config() const override { return R"({"address_kind":"email"})"; }
};

TEST_F(EmailInbound, FromIsFiledByTheConfiguredKind) {
  ASSERT_EQ(post("/inbound", R"({"id":"e-1","from":"ann@example.org","text":"hi"})").http_status,
            200);
  ASSERT_EQ(post("/inbound", R"({"id":"e-2","from":"x1","from_kind":"loopback_id","text":"hi"})")
                .http_status,
            200);
  EXPECT_EQ(fake.inbound().at(0).from_kind, "email");
  EXPECT_EQ(fake.inbound().at(1).from_kind, "loopback_id");
}

}  // namespace
}  // namespace lbtest
