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

  const std::string attach_b =
      std::string(R"({"phone_number_id":")") + kNumberB + R"(","waba_id":")" + kWabaB + "\"";
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
        seen = op("template_get", R"({"name":"brand_b_update","language":"en_US"})").body;
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

}  // namespace
}  // namespace waapi
