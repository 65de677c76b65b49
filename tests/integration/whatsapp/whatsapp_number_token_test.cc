// One instance serving two WABAs, each with its own system-user token (wa-sim scopes each token to
// its WABA, as Meta's asset assignment does): wa-1's default token reaches only WABA A; the number
// of WABA B is added at run time with a token reference (the instance secret "brand_b"). Inbound
// to each number, a reply from each, and a template created on WABA B and sent from its number
// must all go through, each Graph call with the token of that number's WABA.
#include <stdlib.h>

#include <string>

#include "wa_api_fixture.h"

namespace waapi {
namespace {

constexpr const char* kWabaB = "102290129340502";
constexpr const char* kNumberB = "106540352242952";
constexpr const char* kTokenA = "sim-token-brand-a";
constexpr const char* kTokenB = "sim-token-brand-b";
constexpr const char* kTemplateB = R"({"waba_id":"102290129340502","template":{
  "name":"brand_b_update","language":"en_US","category":"UTILITY","components":[{"type":"BODY",
  "text":"Hi {{1}}, brand B here.","example":{"body_text":[["Ann"]]}}]}})";
constexpr const char* kTemplateSendB = R"({"content_type":"template","payload":{
  "name":"brand_b_update","language":"en_US","components":[{"type":"body","parameters":[
  {"type":"text","text":"Zoe"}]}]}})";
// One template name and language in both WABAs, with different bodies: A's takes one parameter,
// B's two, so each send passes the local check and wa-sim's only against its own WABA's version.
constexpr const char* kOrderUpdateA = R"({"template":{
  "name":"order_update","language":"en_US","category":"UTILITY","components":[{"type":"BODY",
  "text":"Order {{1}} from brand A.","example":{"body_text":[["42"]]}}]}})";
constexpr const char* kOrderUpdateB = R"({"waba_id":"102290129340502","template":{
  "name":"order_update","language":"en_US","category":"UTILITY","components":[{"type":"BODY",
  "text":"Order {{1}} is on its way to {{2}}, brand B.","example":{"body_text":[["42","Leeds"]]}}]}})";
constexpr const char* kOrderSendA = R"({"content_type":"template","payload":{
  "name":"order_update","language":"en_US","components":[{"type":"body","parameters":[
  {"type":"text","text":"A-1"}]}]}})";
constexpr const char* kOrderSendB = R"({"content_type":"template","payload":{
  "name":"order_update","language":"en_US","components":[{"type":"body","parameters":[
  {"type":"text","text":"B-1"},{"type":"text","text":"Leeds"}]}]}})";

class WhatsAppNumberTokenTest : public WhatsAppApi {
 protected:
  void create_sim_accounts() override {
    WhatsAppApi::create_sim_accounts();
    ASSERT_EQ(sim("POST", "/_sim/wabas",
                  std::string(R"({"id":")") + kWabaB + R"(","name":"Brand B","numbers":[{"id":")" +
                      kNumberB + R"(","cc":"44","phone_number":"7700900555"}]})")
                  .status,
              200);
    // Each brand's token sees only its own WABA; the fixture's unscoped token is withdrawn.
    ASSERT_EQ(sim("POST", "/_sim/tokens",
                  std::string(R"({"token":")") + kTokenA + R"(","wabas":[")" + kWaba + R"("]})")
                  .status,
              200);
    ASSERT_EQ(sim("POST", "/_sim/tokens",
                  std::string(R"({"token":")") + kTokenB + R"(","wabas":[")" + kWabaB + R"("]})")
                  .status,
              200);
    ASSERT_EQ(sim("DELETE", std::string("/_sim/tokens/") + kToken).status, 200);
    setenv("SBT_WA_TOKEN_A", kTokenA, 1);
    setenv("SBT_WA_TOKEN_B", kTokenB, 1);
  }
  // add_number's input for number B of WABA B, without its closing brace (a token follows).
  const std::string attach_b =
      std::string(R"({"phone_number_id":")") + kNumberB + R"(","waba_id":")" + kWabaB + "\"";

  std::string instances_config() override {
    return R"(
    {"id": "wa-1", "plugin": "whatsapp", "config": )" +
           whatsapp_config(kWaba, {kNumber}) + R"(,
     "secrets": {"access_token": "env:SBT_WA_TOKEN_A", "brand_b": "env:SBT_WA_TOKEN_B",
                 "app_secret": "env:SBT_WA_APP_SECRET", "verify_token": "env:SBT_WA_VERIFY_TOKEN"}})";
  }
};

TEST_F(WhatsAppNumberTokenTest, OneInstanceServesTwoWabasEachWithItsToken) {
  // The simulator really scopes the tokens: token A cannot read WABA B.
  Reply scoped =
      http(sim_port_, "GET", std::string("/v21.0/") + kWabaB + "/phone_numbers", "", kTokenA);
  ASSERT_EQ(scoped.status, 403) << scoped.body;

  // An unknown secret name is refused up front; the default token is refused by Meta.
  Reply unknown = op("add_number", attach_b + R"(,"token":"brand_c"})");
  EXPECT_EQ(unknown.status, 400) << unknown.body;
  EXPECT_NE(unknown.body.find("token"), npos) << unknown.body;
  EXPECT_NE(op("add_number", attach_b + "}").status, 200);
  Reply added = op("add_number", attach_b + R"(,"token":"brand_b"})");
  ASSERT_EQ(added.status, 200) << added.body;
  EXPECT_EQ(added.body.find(kTokenB), npos);
  JsonPtr number = parse(added.body)->getObject("number");
  ASSERT_TRUE(number);
  EXPECT_EQ(str(number, "token"), "brand_b");
  EXPECT_EQ(str(number, "waba_id"), kWabaB);

  // Inbound to each number and a reply from each (sends of B need token B at the simulator).
  const std::string conv_a = customer_writes("4915111111111", "hello brand a", kNumber);
  const std::string conv_b = customer_writes("447700900999", "hello brand b", kNumberB);
  ASSERT_FALSE(conv_a.empty());
  ASSERT_FALSE(conv_b.empty());
  EXPECT_NE(conv_a, conv_b);
  const std::string reply_a = send(conv_a, R"({"text":"reply from a"})", "nt-a");
  const std::string reply_b = send(conv_b, R"({"text":"reply from b"})", "nt-b");
  EXPECT_EQ(wait_status(reply_a, "read failed"), "read") << host_->err();
  EXPECT_EQ(wait_status(reply_b, "read failed"), "read") << host_->err();
  ASSERT_EQ(sim_sends("reply from b").size(), 1u);
  EXPECT_EQ(str(sim_sends("reply from b")[0], "phone_number_id"), kNumberB);
  EXPECT_EQ(str(sim_sends("reply from a")[0], "phone_number_id"), kNumber);

  // A template created on WABA B (with B's token, found through its number), approved by the
  // review webhook, and sent from number B.
  Reply created = op("template_create", kTemplateB);
  ASSERT_EQ(created.status, 200) << created.body;
  std::string seen;
  ASSERT_TRUE(eventually(
      [&] {
        seen = op("template_get", std::string(R"({"name":"brand_b_update","language":"en_US",)") +
                                      R"("waba_id":")" + kWabaB + "\"}")
                   .body;
        return seen.find(R"("status":"APPROVED")") != npos;
      },
      15s))
      << seen;
  EXPECT_NE(seen.find(kWabaB), npos) << seen;
  const std::string tpl = send(conv_b, kTemplateSendB, "nt-tpl");
  EXPECT_NE(wait_status(tpl, "sent delivered read failed"), "failed") << host_->err();
  auto sends = sim_sends("brand_b_update");
  ASSERT_EQ(sends.size(), 1u);
  EXPECT_EQ(str(sends[0], "phone_number_id"), kNumberB);

  // A sync covers both WABAs, each with its token, and keeps B's template.
  Reply sync = op("template_sync", "{}");
  EXPECT_EQ(sync.status, 200) << sync.body;
  EXPECT_NE(op("template_list", std::string(R"({"waba_id":")") + kWabaB + "\"}")
                .body.find("brand_b_update"),
            npos);
}

// Two WABAs each with its own order_update/en_US: the local records stay apart, each approval
// webhook updates its WABA's record, and each number sends its own WABA's version.
TEST_F(WhatsAppNumberTokenTest, TwoWabasKeepTheirOwnTemplateOfTheSameNameAndLanguage) {
  ASSERT_EQ(op("add_number", attach_b + R"(,"token":"brand_b"})").status, 200);
  const std::string conv_a = customer_writes("4915122222222", "order question a", kNumber);
  const std::string conv_b = customer_writes("447700900888", "order question b", kNumberB);
  ASSERT_FALSE(conv_a.empty());
  ASSERT_FALSE(conv_b.empty());
  Reply created_a = op("template_create", kOrderUpdateA);
  ASSERT_EQ(created_a.status, 200) << created_a.body;
  Reply created_b = op("template_create", kOrderUpdateB);
  ASSERT_EQ(created_b.status, 200) << created_b.body;
  auto get = [&](const std::string& from) {
    return op("template_get", std::string(R"({"name":"order_update","language":"en_US",)") +
                                  R"("from":")" + from + "\"}")
        .body;
  };
  std::string a, b;
  ASSERT_TRUE(eventually(
      [&] {
        a = get(kNumber);
        b = get(kNumberB);
        return a.find(R"("status":"APPROVED")") != npos && b.find(R"("status":"APPROVED")") != npos;
      },
      15s))
      << a << "\n"
      << b;
  EXPECT_NE(a.find("from brand A"), npos) << a;
  EXPECT_NE(b.find("brand B"), npos) << b;
  EXPECT_EQ(b.find("from brand A"), npos) << b;
  Reply list = op("template_list", R"({"name":"order_update"})");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(parse(list.body)->getArray("templates")->size(), 2u) << list.body;

  const std::string sent_a = send(conv_a, kOrderSendA, "ou-a");
  const std::string sent_b = send(conv_b, kOrderSendB, "ou-b");
  EXPECT_NE(wait_status(sent_a, "sent delivered read failed"), "failed") << host_->err();
  EXPECT_NE(wait_status(sent_b, "sent delivered read failed"), "failed") << host_->err();
  auto from_a = sim_sends("A-1");
  auto from_b = sim_sends("B-1");
  ASSERT_EQ(from_a.size(), 1u);
  ASSERT_EQ(from_b.size(), 1u);
  EXPECT_EQ(str(from_a[0], "phone_number_id"), kNumber);
  EXPECT_EQ(str(from_b[0], "phone_number_id"), kNumberB);
}

}  // namespace
}  // namespace waapi
