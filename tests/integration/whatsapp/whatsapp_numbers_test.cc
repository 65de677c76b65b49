// Several business numbers per WABA and several WABAs per host: instance wa-1 serves two numbers
// of one WABA, instance wa-2 the number of a second WABA whose webhooks Meta sends to wa-2's URL
// (the WABA's subscribed_apps override). Each customer's message must land on the right instance
// and conversation, replies must leave from the number the customer wrote to, and each number's
// status webhooks must reach the message they describe.
#include <string>

#include "wa_api_fixture.h"

namespace waapi {
namespace {

constexpr const char* kNumber2 = "106540352242923";  // second number of kWaba
constexpr const char* kWaba2 = "102290129340401";
constexpr const char* kNumber3 = "106540352242931";  // the number of kWaba2

class WhatsAppNumbersTest : public WhatsAppApi {
 protected:
  void create_sim_accounts() override {
    ASSERT_EQ(
        sim("POST", "/_sim/wabas",
            std::string(R"({"id":")") + kWaba + R"(","name":"Lucky Shrub","numbers":[{"id":")" +
                kNumber + R"(","cc":"1","phone_number":"5550783881"},{"id":")" + kNumber2 +
                R"(","cc":"1","phone_number":"5550783882"}]})")
            .status,
        200);
    ASSERT_EQ(
        sim("POST", "/_sim/wabas",
            std::string(R"({"id":")") + kWaba2 + R"(","name":"Shrub Repairs","numbers":[{"id":")" +
                kNumber3 + R"(","cc":"44","phone_number":"7700900123"}]})")
            .status,
        200);
  }
  std::string instances_config() override {
    const std::string secrets =
        R"("secrets": {"access_token": "env:SBT_WA_TOKEN", "app_secret": "env:SBT_WA_APP_SECRET",
                      "verify_token": "env:SBT_WA_VERIFY_TOKEN"})";
    return R"(
    {"id": "wa-1", "plugin": "whatsapp", "config": )" +
           whatsapp_config(kWaba, {kNumber, kNumber2}) + ", " + secrets + R"(},
    {"id": "wa-2", "plugin": "whatsapp", "config": )" +
           whatsapp_config(kWaba2, {kNumber3}) + ", " + secrets + "}";
  }
  void point_webhooks() override {
    WhatsAppApi::point_webhooks();
    // What an operator does at Meta for a second WABA: its own callback, verified by handshake.
    Reply r = sim("POST", std::string("/v21.0/") + kWaba2 + "/subscribed_apps",
                  R"({"override_callback_uri":"http://127.0.0.1:)" + std::to_string(host_port_) +
                      R"(/webhooks/wa-2/","verify_token":")" + kVerifyToken + R"("})");
    ASSERT_EQ(r.status, 200) << r.body;
  }
  Reply sim(const std::string& method, const std::string& path, const std::string& body = "") {
    return http(sim_port_, method, path, body, path.starts_with("/_sim") ? "" : kToken);
  }

  struct Filed {
    std::string conversation, instance, to;
  };
  Filed filed(const std::string& wamid) {
    return {
        db_->scalar("SELECT conversation_id FROM messages WHERE provider_message_id = ?", wamid),
        db_->scalar("SELECT instance_id FROM messages WHERE provider_message_id = ?", wamid),
        db_->scalar("SELECT to_addr FROM messages WHERE provider_message_id = ?", wamid)};
  }
};

TEST_F(WhatsAppNumbersTest, EachNumberKeepsItsOwnConversationsRepliesAndStatuses) {
  struct Case {
    const char* number;
    const char* instance;
    const char* customer;
  };
  // The same customer writes to two numbers of one WABA; another writes to the second WABA.
  const Case cases[] = {{kNumber, "wa-1", "4915111111111"},
                        {kNumber2, "wa-1", "4915111111111"},
                        {kNumber3, "wa-2", "447700900999"}};
  std::string conversations[3], replies[3];
  for (int i = 0; i < 3; ++i) {
    std::string wamid;
    conversations[i] = customer_writes(cases[i].customer, "hello number " + std::to_string(i),
                                       cases[i].number, &wamid);
    ASSERT_FALSE(conversations[i].empty()) << host_->err();
    Filed f = filed(wamid);
    EXPECT_EQ(f.instance, cases[i].instance);
    EXPECT_EQ(f.to, cases[i].number);
    JsonPtr conv = parse(api("GET", "/v1/conversations/" + conversations[i]).body);
    EXPECT_EQ(str(conv, "channel"), cases[i].instance);
  }
  // One customer on two numbers of one instance: two conversations, one per business number (as
  // two inboxes would be), each showing the number it lives on.
  EXPECT_NE(conversations[0], conversations[1]);
  EXPECT_NE(conversations[0], conversations[2]);
  for (int i = 0; i < 3; ++i) {
    JsonPtr conv = parse(api("GET", "/v1/conversations/" + conversations[i]).body);
    EXPECT_EQ(str(conv, "business_address"), cases[i].number);
  }
  // Writing again to the first number continues the first conversation.
  EXPECT_EQ(customer_writes(cases[0].customer, "me again", kNumber), conversations[0]);
  for (int i = 0; i < 3; ++i) {
    replies[i] = send(conversations[i], R"({"text":"reply )" + std::to_string(i) + R"("})",
                      "reply-" + std::to_string(i));
    ASSERT_FALSE(replies[i].empty());
  }
  for (int i = 0; i < 3; ++i) {
    // delivered then read arrive as status webhooks from the number that sent the reply.
    EXPECT_EQ(wait_status(replies[i], "read"), "read") << host_->err();
    std::vector<JsonPtr> sent = sim_sends("reply " + std::to_string(i));
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(str(sent[0], "phone_number_id"), cases[i].number);
    JsonPtr m = message(replies[i]);
    EXPECT_EQ(str(m, "channel"), cases[i].instance);
    EXPECT_EQ(str(m, "provider_message_id"), str(sent[0], "id"));
    EXPECT_EQ(str(m, "from"), cases[i].number);
  }
}

}  // namespace
}  // namespace waapi
