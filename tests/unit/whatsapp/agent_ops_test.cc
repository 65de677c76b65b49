// What the host's REST API needs from the channel beyond send(): the mark_read operation behind
// agents' read receipts, and media described in the payload (the API passes no attachments).
#include "wa_fixture.hpp"

namespace watest {
namespace {

constexpr const char* kOk =
    R"({"messaging_product":"whatsapp","contacts":[{"input":"+16505551234","wa_id":"16505551234"}],)"
    R"("messages":[{"id":"wamid.OUT1"}]})";

class WaAgentOpsTest : public WhatsApp {
 protected:
  void SetUp() override {
    WhatsApp::SetUp();
    on("POST", std::string("/") + kPnid + "/messages", 200, kOk);
  }
  Outbound msg(std::string content_type, std::string payload) {
    Outbound m;
    m.message_id = 9;
    m.to = "+16505551234";
    m.content_type = std::move(content_type);
    m.payload_json = std::move(payload);
    return m;
  }
  std::string last_body() {
    auto calls = calls_to(std::string("/v21.0/") + kPnid + "/messages");
    return calls.empty() ? std::string() : calls.back().body;
  }
  static std::string envelope(const std::string& type, const std::string& object) {
    return R"({"messaging_product":"whatsapp","recipient_type":"individual","to":"+16505551234",)"
           R"("type":")" +
           type + R"(",")" + type + R"(":)" + object +
           R"(,"biz_opaque_callback_data":"sb:wa-1:9"})";
  }
};

TEST_F(WaAgentOpsTest, MarkReadPostsTheReadStatusWithoutAWindow) {
  on("POST", std::string("/") + kPnid + "/messages", 200, R"({"success":true})");
  // No customer message in the window: a receipt is not a message.
  auto r = fake.invoke("mark_read",
                       R"({"message_id":"wamid.IN1","from":")" + std::string(kPnid) + R"("})");
  ASSERT_EQ(r.status, SB_OK) << r.error.message;
  EXPECT_EQ(parse(r.json).find("message_id")->as_string(), "wamid.IN1");
  EXPECT_EQ(last_body(),
            R"({"messaging_product":"whatsapp","status":"read","message_id":"wamid.IN1"})");
  r = fake.invoke("mark_read", R"({"message_id":"wamid.IN2","typing_indicator":true})");
  ASSERT_EQ(r.status, SB_OK) << r.error.message;
  EXPECT_EQ(last_body(),
            R"({"messaging_product":"whatsapp","status":"read","message_id":"wamid.IN2",)"
            R"("typing_indicator":{"type":"text"}})");
}

TEST_F(WaAgentOpsTest, MarkReadChecksItsInputAndMapsGraphErrors) {
  EXPECT_EQ(fake.invoke("mark_read", "{}").status, SB_ERR_INVALID_ARG);
  EXPECT_EQ(fake.invoke("mark_read", R"({"message_id":"wamid.IN1","from":"999"})").status,
            SB_ERR_INVALID_ARG);
  EXPECT_TRUE(calls_to(std::string("/v21.0/") + kPnid + "/messages").empty());
  on("POST", std::string("/") + kPnid + "/messages", 400,
     graph_error(100, "Invalid parameter: message_id wamid.X is not a received message"));
  auto r = fake.invoke("mark_read", R"({"message_id":"wamid.X"})");
  EXPECT_EQ(r.status, SB_ERR_INVALID_ARG) << r.error.message;
}

TEST_F(WaAgentOpsTest, MediaFromThePayload) {
  customer_writes();
  ASSERT_EQ(
      fake.send(msg("image", R"({"link":"https://cdn.example/a.jpg","caption":"A cat"})")).status,
      SB_OK);
  EXPECT_EQ(last_body(),
            envelope("image", R"({"link":"https://cdn.example/a.jpg","caption":"A cat"})"));
  ASSERT_EQ(
      fake.send(msg("document", R"({"media_id":"1037543291543636","filename":"r.pdf"})")).status,
      SB_OK);
  EXPECT_EQ(last_body(), envelope("document", R"({"id":"1037543291543636","filename":"r.pdf"})"));
  // content_type "media" takes the kind from the payload; "file" is a document.
  ASSERT_EQ(fake.send(msg("media", R"({"kind":"file","link":"https://cdn.example/i.pdf"})")).status,
            SB_OK);
  EXPECT_EQ(last_body(), envelope("document", R"({"link":"https://cdn.example/i.pdf"})"));
}

TEST_F(WaAgentOpsTest, PayloadMediaNeedsExactlyOneOfLinkOrId) {
  customer_writes();
  EXPECT_EQ(fake.send(msg("image", R"({"caption":"no file"})")).status, SB_ERR_INVALID_ARG);
  EXPECT_EQ(fake.send(msg("image", R"({"link":"https://x/a.jpg","media_id":"1"})")).status,
            SB_ERR_INVALID_ARG);
  EXPECT_EQ(fake.send(msg("image", R"({"link":"ftp://x/a.jpg"})")).status, SB_ERR_INVALID_ARG);
  EXPECT_EQ(fake.send(msg("media", R"({"link":"https://x/a.jpg"})")).status, SB_ERR_INVALID_ARG);
  EXPECT_TRUE(calls_to(std::string("/v21.0/") + kPnid + "/messages").empty());
}

}  // namespace
}  // namespace watest
