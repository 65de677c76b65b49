// Onboarding operations through invoke, against scripted Graph responses: each op calls the right
// endpoint with the right body and moves the number's stored state; account webhooks
// (docs/whatsapp-cloud-api.md §1.13) update the same state.
#include "wa_fixture.hpp"

namespace watest {
namespace {

class WaOnboardingTest : public WhatsApp {
 protected:
  json::Value number(const std::string& pnid = kPnid) {
    auto r = fake.invoke("get_number", R"({"phone_number_id":")" + pnid + R"("})");
    EXPECT_EQ(r.status, SB_OK) << r.error.message;
    return parse(r.json);
  }
  std::string state_of(const std::string& field, const std::string& pnid = kPnid) {
    json::Value st = number(pnid);
    const json::Value* v = st.find(field);
    return v == nullptr ? "" : v->is_string() ? v->as_string() : v->dump();
  }
};

TEST_F(WaOnboardingTest, FullRegistrationFlow) {
  on("POST", std::string("/") + kWaba + "/phone_numbers", 200, R"({"id":"777"})");
  auto added = fake.invoke(
      "add_number", R"({"cc":"1","phone_number":"631-555-1234","verified_name":"Lucky Shrub"})");
  ASSERT_EQ(added.status, SB_OK) << added.error.message;
  EXPECT_EQ(calls_to(std::string("/v21.0/") + kWaba + "/phone_numbers").at(0).body,
            R"({"cc":"1","phone_number":"6315551234","verified_name":"Lucky Shrub"})");
  EXPECT_EQ(state_of("code_verification_status", "777"), "NOT_VERIFIED");
  EXPECT_EQ(state_of("display_phone_number", "777"), "16315551234");
  EXPECT_EQ(state_of("verified_name", "777"), "Lucky Shrub");

  on("POST", "/777/request_code", 200, R"({"success":true})");
  ASSERT_EQ(fake.invoke("request_code",
                        R"({"phone_number_id":"777","code_method":"voice","language":"en_US"})")
                .status,
            SB_OK);
  EXPECT_EQ(calls_to("/v21.0/777/request_code").at(0).body,
            R"({"code_method":"VOICE","language":"en_US"})");
  EXPECT_EQ(state_of("code_verification_status", "777"), "CODE_REQUESTED");

  on("POST", "/777/verify_code", 200, R"({"success":true})");
  ASSERT_EQ(fake.invoke("verify_code", R"({"phone_number_id":"777","code":"000000"})").status,
            SB_OK);
  EXPECT_EQ(calls_to("/v21.0/777/verify_code").at(0).body, R"({"code":"000000"})");
  EXPECT_EQ(state_of("code_verification_status", "777"), "VERIFIED");

  on("POST", "/777", 200, R"({"success":true})");
  ASSERT_EQ(fake.invoke("set_pin", R"({"phone_number_id":"777","pin":"123456"})").status, SB_OK);
  EXPECT_EQ(calls_to("/v21.0/777").at(0).body, R"({"pin":"123456"})");
  EXPECT_EQ(state_of("is_pin_enabled", "777"), "true");
  EXPECT_FALSE(fake.logged("123456"));

  on("POST", "/777/register", 200, R"({"success":true})");
  ASSERT_EQ(fake.invoke("register", R"({"phone_number_id":"777","pin":"123456"})").status, SB_OK);
  EXPECT_EQ(calls_to("/v21.0/777/register").at(0).body,
            R"({"messaging_product":"whatsapp","pin":"123456"})");
  EXPECT_EQ(state_of("status", "777"), "CONNECTED");
  EXPECT_EQ(state_of("registered", "777"), "true");

  on("POST", "/777/deregister", 200, R"({"success":true})");
  ASSERT_EQ(fake.invoke("deregister", R"({"phone_number_id":"777"})").status, SB_OK);
  EXPECT_EQ(state_of("status", "777"), "DISCONNECTED");
  EXPECT_EQ(state_of("registered", "777"), "false");
}

TEST_F(WaOnboardingTest, ArgumentsAreCheckedBeforeCallingMeta) {
  EXPECT_EQ(fake.invoke("set_pin", R"({"pin":"12345"})").status, SB_ERR_INVALID_ARG);
  EXPECT_EQ(fake.invoke("register", R"({"pin":"abcdef"})").status, SB_ERR_INVALID_ARG);
  EXPECT_EQ(fake.invoke("request_code", R"({"code_method":"FAX"})").status, SB_ERR_INVALID_ARG);
  EXPECT_EQ(fake.invoke("verify_code", R"({"phone_number_id":"1"})").status, SB_ERR_NOT_FOUND);
  EXPECT_EQ(fake.invoke("add_number", R"({"cc":"1"})").status, SB_ERR_INVALID_ARG);
  EXPECT_EQ(fake.invoke("request_official_account", R"({"business_website_url":"ftp://x"})").status,
            SB_ERR_INVALID_ARG);
  EXPECT_EQ(fake.invoke("nope").status, SB_ERR_UNSUPPORTED);
  EXPECT_EQ(fake.invoke("get_number", "not json").status, SB_ERR_INVALID_ARG);
  EXPECT_TRUE(fake.http_calls().empty());
}

TEST_F(WaOnboardingTest, GraphErrorsKeepTheStateAndMapTheCode) {
  on("POST", std::string("/") + kPnid + "/register", 400, graph_error(133005, "PIN mismatch"));
  auto r = fake.invoke("register", R"({"pin":"654321"})");
  EXPECT_EQ(r.status, SB_ERR_INVALID_ARG);
  EXPECT_EQ(r.error.provider_code, "133005");
  EXPECT_EQ(state_of("status"), "");
  on("POST", std::string("/") + kPnid + "/register", 400, graph_error(133016, "Rate limit"));
  auto limited = fake.invoke("register", R"({"pin":"654321"})");
  EXPECT_EQ(limited.status, SB_ERR_RATE_LIMITED);
  EXPECT_EQ(limited.error.retry_after, std::chrono::hours(72));
}

TEST_F(WaOnboardingTest, DisplayNameChangeAndReviewWebhook) {
  on("POST", std::string("/") + kPnid, 200, R"({"success":true})");
  ASSERT_EQ(fake.invoke("set_display_name", R"({"display_name":"New Lucky Shrub"})").status, SB_OK);
  EXPECT_EQ(calls_to(std::string("/v21.0/") + kPnid).at(0).body,
            R"({"new_display_name":"New Lucky Shrub"})");
  EXPECT_EQ(state_of("new_name_status"), "PENDING_REVIEW");
  ASSERT_EQ(
      post_signed(account_payload(
                      "phone_number_name_update",
                      R"({"display_phone_number":"15550783881","decision":"APPROVED",)"
                      R"("requested_verified_name":"New Lucky Shrub","rejection_reason":null})"))
          .http_status,
      200);
  EXPECT_EQ(state_of("new_name_status"), "APPROVED");
  // Re-registering makes the approved name the verified one.
  on("POST", std::string("/") + kPnid + "/register", 200, R"({"success":true})");
  ASSERT_EQ(fake.invoke("register", R"({"pin":"111111"})").status, SB_OK);
  EXPECT_EQ(state_of("verified_name"), "New Lucky Shrub");
  EXPECT_EQ(state_of("name_status"), "APPROVED");
}

TEST_F(WaOnboardingTest, RejectedNameKeepsTheReason) {
  ASSERT_EQ(
      post_signed(
          account_payload(
              "phone_number_name_update",
              R"({"display_phone_number":"15550783881","decision":"REJECTED",)"
              R"("requested_verified_name":"X","rejection_reason":"NAME_FORMAT_UNACCEPTABLE"})"))
          .http_status,
      200);
  EXPECT_EQ(state_of("name_status"), "DECLINED");
  EXPECT_EQ(state_of("name_rejection_reason"), "NAME_FORMAT_UNACCEPTABLE");
}

TEST_F(WaOnboardingTest, OfficialAccountRequestAndAlert) {
  on("POST", std::string("/") + kPnid + "/official_business_account", 200, R"({"success":true})");
  auto r =
      fake.invoke("request_official_account",
                  R"({"business_website_url":"https://www.luckyshrub.com",)"
                  R"("primary_country_of_operation":"United States of America",)"
                  R"("primary_language":"English","supporting_links":["https://news.example/a"]})");
  ASSERT_EQ(r.status, SB_OK) << r.error.message;
  EXPECT_EQ(state_of("oba_status"), "PENDING");
  EXPECT_EQ(
      fake.invoke("request_official_account",
                  R"({"business_website_url":"https://x","primary_country_of_operation":"US",)"
                  R"("primary_language":"English","supporting_links":["1","2","3","4","5","6"]})")
          .status,
      SB_ERR_INVALID_ARG);
  ASSERT_EQ(post_signed(account_payload(
                            "account_alerts",
                            std::string(R"({"entity_type":"PHONE_NUMBER","entity_id":")") + kPnid +
                                R"(","alert_info":{"alert_severity":"INFORMATIONAL",)"
                                R"("alert_status":"ACTIVE","alert_type":"OBA_APPROVED",)"
                                R"("alert_description":"approved"}})"))
                .http_status,
            200);
  EXPECT_EQ(state_of("oba_status"), "APPROVED");
  EXPECT_EQ(state_of("is_official"), "true");
}

TEST_F(WaOnboardingTest, RefreshReadsTheNumberAndItsThroughput) {
  on("GET", std::string("/") + kPnid, 200,
     R"({"id":"106540352242922","display_phone_number":"+1 555-078-3881","verified_name":"Support",)"
     R"("code_verification_status":"VERIFIED","name_status":"APPROVED","quality_rating":"YELLOW",)"
     R"("status":"CONNECTED","whatsapp_business_manager_messaging_limit":"TIER_2K",)"
     R"("throughput":{"level":"HIGH"},"is_official_business_account":false,)"
     R"("official_business_account":{"oba_status":"NOT_STARTED"}})");
  auto r = fake.invoke("refresh");
  ASSERT_EQ(r.status, SB_OK) << r.error.message;
  auto call = calls_to(std::string("/v21.0/") + kPnid).at(0);
  EXPECT_EQ(call.method, "GET");
  EXPECT_NE(call.url.find("fields=id%2Cdisplay_phone_number"), std::string::npos) << call.url;
  EXPECT_EQ(state_of("quality_rating"), "YELLOW");
  EXPECT_EQ(state_of("messaging_tier"), "TIER_2K");
  EXPECT_EQ(state_of("throughput_level"), "HIGH");
  EXPECT_EQ(state_of("code_verification_status"), "VERIFIED");
  EXPECT_EQ(state_of("oba_status"), "NOT_STARTED");
  EXPECT_EQ(state_of("registered"), "true");
  auto health = parse(fake.health().details_json);
  EXPECT_EQ(health.find("numbers")->items().at(0).find("throughput_limit_mps")->as_double(), 1000);
}

// Issue 8: a configured number's state is read from Graph after start, without a refresh.
TEST_F(WaOnboardingTest, ConfiguredNumberStateIsLoadedAfterStart) {
  on("GET", std::string("/") + kPnid, 200,
     R"({"id":"106540352242922","display_phone_number":"+1 555-078-3881","verified_name":"Support",)"
     R"("quality_rating":"GREEN","status":"CONNECTED","throughput":{"level":"STANDARD"}})");
  EXPECT_TRUE(calls_to(std::string("/v21.0/") + kPnid).empty());  // start() did not wait for it
  fake.run_due();
  ASSERT_EQ(calls_to(std::string("/v21.0/") + kPnid).size(), 1u);
  EXPECT_EQ(state_of("verified_name"), "Support");
  EXPECT_EQ(state_of("quality_rating"), "GREEN");
  EXPECT_EQ(state_of("status"), "CONNECTED");
  auto list = parse(fake.invoke("list_numbers").json);
  EXPECT_EQ(list.find("numbers")->items().at(0).find("verified_name")->as_string(), "Support");
  EXPECT_EQ(fake.health().state, SB_STATE_RUNNING);
  EXPECT_EQ(fake.pending_timers(), 0u);  // loaded: no retry left
}

TEST_F(WaOnboardingTest, GraphDownAtStartIsRetriedWithBackoffAndShownInHealth) {
  on("GET", std::string("/") + kPnid, 500, graph_error(2, "Service temporarily unavailable"));
  fake.run_due();
  EXPECT_EQ(fake.health().state, SB_STATE_DEGRADED);
  EXPECT_NE(parse(fake.health().details_json).find("reason")->as_string().find("not loaded"),
            std::string::npos);
  fake.advance_and_run(std::chrono::milliseconds(999));
  EXPECT_EQ(calls_to(std::string("/v21.0/") + kPnid).size(), 1u);
  fake.advance_and_run(std::chrono::milliseconds(1));  // first retry after 1 s
  EXPECT_EQ(calls_to(std::string("/v21.0/") + kPnid).size(), 2u);
  fake.advance_and_run(std::chrono::milliseconds(1999));  // then 2 s
  EXPECT_EQ(calls_to(std::string("/v21.0/") + kPnid).size(), 2u);
  on("GET", std::string("/") + kPnid, 200,
     R"({"id":"106540352242922","verified_name":"Support","quality_rating":"GREEN"})");
  fake.advance_and_run(std::chrono::milliseconds(1));
  EXPECT_EQ(calls_to(std::string("/v21.0/") + kPnid).size(), 3u);
  EXPECT_EQ(state_of("quality_rating"), "GREEN");
  EXPECT_EQ(fake.health().state, SB_STATE_RUNNING);
  EXPECT_EQ(fake.pending_timers(), 0u);
}

TEST_F(WaOnboardingTest, QualityWebhookUpdatesTierAndThroughput) {
  ASSERT_EQ(post_signed(account_payload("phone_number_quality_update",
                                        R"({"display_phone_number":"15550783881",)"
                                        R"("event":"THROUGHPUT_UPGRADE",)"
                                        R"("max_daily_conversations_per_business":"TIER_10K"})"))
                .http_status,
            200);
  EXPECT_EQ(state_of("messaging_tier"), "TIER_10K");
  EXPECT_EQ(state_of("throughput_level"), "HIGH");
  EXPECT_EQ(state_of("quality_event"), "THROUGHPUT_UPGRADE");
}

// An account change the host could not save is not acknowledged: Meta delivers it again.
TEST_F(WaOnboardingTest, AccountChangeNotSavedIsA503) {
  const std::string body = account_payload("phone_number_quality_update",
                                           R"({"display_phone_number":"15550783881",)"
                                           R"("event":"FLAGGED","current_limit":"TIER_250"})");
  auto original = fake.api().kv_put;
  fake.api().kv_put = [](sb_host_ctx*, const char*, size_t, const char*, size_t) -> int32_t {
    return SB_ERR_TRANSIENT;
  };
  EXPECT_EQ(post_signed(body).http_status, 503);
  fake.api().kv_put = original;
  EXPECT_EQ(post_signed(body).http_status, 200);
  EXPECT_EQ(state_of("quality_rating"), "RED");
}

TEST_F(WaOnboardingTest, WabaLevelChangesAreKept) {
  ASSERT_EQ(
      post_signed(
          account_payload("account_update",
                          R"({"event":"DISABLED_UPDATE","ban_info":{"waba_ban_state":"DISABLE"}})"))
          .http_status,
      200);
  ASSERT_EQ(post_signed(account_payload("business_capability_update",
                                        R"({"max_phone_numbers_per_business":20})"))
                .http_status,
            200);
  auto waba = parse(fake.kv().at("waba/state"));
  EXPECT_EQ(waba.find("account_update")->find("event")->as_string(), "DISABLED_UPDATE");
  EXPECT_EQ(
      waba.find("business_capability_update")->find("max_phone_numbers_per_business")->as_int(),
      20);
}

TEST_F(WaOnboardingTest, SecurityWebhookIsRecordedOnTheNumber) {
  ASSERT_EQ(post_signed(
                account_payload("security",
                                R"({"display_phone_number":"15550783881","event":"PIN_CHANGED"})"))
                .http_status,
            200);
  EXPECT_EQ(state_of("security_event"), "PIN_CHANGED");
}

TEST_F(WaOnboardingTest, StateSurvivesARestart) {
  on("POST", std::string("/") + kPnid + "/verify_code", 200, R"({"success":true})");
  ASSERT_EQ(fake.invoke("verify_code", R"({"code":"123456"})").status, SB_OK);
  auto kv = fake.kv();
  FakeHost again;
  ASSERT_TRUE(again.load(whatsapp_entry()));
  for (const auto& [k, v] : kv) again.kv_set(k, v);
  ASSERT_TRUE(again.create("wa-1", config()));
  ASSERT_TRUE(again.start());
  auto r = again.invoke("get_number");
  EXPECT_EQ(parse(r.json).find("code_verification_status")->as_string(), "VERIFIED");
}

}  // namespace
}  // namespace watest

namespace watest {
namespace {

TEST_F(WaOnboardingTest, ExistingNumberIsAttachedAfterMetaConfirmsIt) {
  // Unknown to Meta: refused, nothing remembered.
  EXPECT_EQ(fake.invoke("add_number", R"({"phone_number_id":"888"})").status, SB_ERR_INVALID_ARG);
  on("GET", "/888", 200,
     R"({"id":"888","display_phone_number":"+49 30 1234567","verified_name":"Shrub DE",)"
     R"("code_verification_status":"VERIFIED","name_status":"APPROVED","status":"CONNECTED",)"
     R"("quality_rating":"GREEN","throughput":{"level":"STANDARD"}})");
  // Meta lists the WABA's numbers: 888 is not among them yet.
  on("GET", std::string("/") + kWaba + "/phone_numbers", 200, R"({"data":[{"id":"1"}]})");
  EXPECT_EQ(fake.invoke("add_number", R"({"phone_number_id":"888"})").status, SB_ERR_INVALID_ARG);
  on("GET", std::string("/") + kWaba + "/phone_numbers", 200,
     std::string(R"({"data":[{"id":")") + kPnid + R"("},{"id":"888"}]})");
  // WABA 999 is not visible with this token: Graph's error, nothing remembered.
  EXPECT_NE(fake.invoke("add_number", R"({"phone_number_id":"888","waba_id":"999"})").status,
            SB_OK);
  EXPECT_EQ(fake.invoke("add_number", R"({"phone_number_id":"888","cc":"49"})").status,
            SB_ERR_INVALID_ARG);
  auto r = fake.invoke("add_number",
                       std::string(R"({"phone_number_id":"888","waba_id":")") + kWaba + R"("})");
  ASSERT_EQ(r.status, SB_OK) << r.error.message;
  EXPECT_EQ(state_of("display_phone_number", "888"), "49301234567");
  EXPECT_EQ(state_of("status", "888"), "CONNECTED");
  EXPECT_EQ(state_of("throughput_mps", "888"), "80");

  auto list = fake.invoke("list_numbers");
  ASSERT_EQ(list.status, SB_OK) << list.error.message;
  json::Value all = parse(list.json);
  EXPECT_EQ(all.find("waba_id")->as_string(), kWaba);
  ASSERT_EQ(all.find("numbers")->items().size(), 2u);
  EXPECT_EQ(all.find("numbers")->items().at(0).find("phone_number_id")->as_string(), kPnid);
  EXPECT_EQ(all.find("numbers")->items().at(1).find("verified_name")->as_string(), "Shrub DE");
}

TEST_F(WaOnboardingTest, AnAddedNumberSendsWithoutAConfigChange) {
  on("POST", std::string("/") + kWaba + "/phone_numbers", 200, R"({"id":"777"})");
  ASSERT_EQ(fake.invoke("add_number",
                        R"({"cc":"1","phone_number":"6315551234","verified_name":"Lucky Shrub"})")
                .status,
            SB_OK);
  on("POST", "/777/messages", 200,
     R"({"messaging_product":"whatsapp","contacts":[{"input":"+16505551234",)"
     R"("wa_id":"16505551234"}],"messages":[{"id":"wamid.FROM777"}]})");
  Outbound m;
  m.message_id = 9;
  m.to = "+16505551234";
  m.from = "+1 631-555-1234";  // the display number works as well as the id
  m.content_type = "template";
  m.payload_json = R"({"name":"hello_world","language":"en_US"})";
  auto r = fake.send(m);
  ASSERT_EQ(r.status, SB_OK) << r.error.message;
  EXPECT_EQ(calls_to("/v21.0/777/messages").size(), 1u);
  m.from = "123";
  EXPECT_EQ(fake.send(m).status, SB_ERR_INVALID_ARG);
}

class WaNoNumbersYet : public WaOnboardingTest {
 protected:
  std::string config() const override {
    return std::string(R"({"graph_base_url":")") + kBase + R"(","waba_id":")" + kWaba +
           R"(","template_sync_interval_s":0})";
  }
};

TEST_F(WaNoNumbersYet, AnInstanceStartsWithoutNumbersAndSendsFromItsFirstOnboardedOne) {
  Outbound m;
  m.message_id = 3;
  m.to = "+16505551234";
  m.content_type = "template";
  m.payload_json = R"({"name":"hello_world","language":"en_US"})";
  auto none = fake.send(m);
  EXPECT_EQ(none.status, SB_ERR_INVALID_ARG);
  EXPECT_NE(none.error.message.find("no number yet"), std::string::npos) << none.error.message;
  EXPECT_EQ(parse(fake.invoke("list_numbers").json).find("numbers")->items().size(), 0u);

  on("POST", std::string("/") + kWaba + "/phone_numbers", 200, R"({"id":"777"})");
  ASSERT_EQ(fake.invoke("add_number",
                        R"({"cc":"1","phone_number":"6315551234","verified_name":"Lucky Shrub"})")
                .status,
            SB_OK);
  on("POST", "/777/messages", 200,
     R"({"messaging_product":"whatsapp","contacts":[{"input":"+16505551234",)"
     R"("wa_id":"16505551234"}],"messages":[{"id":"wamid.FROM777"}]})");
  auto sent = fake.send(m);
  ASSERT_EQ(sent.status, SB_OK) << sent.error.message;
  EXPECT_EQ(calls_to("/v21.0/777/messages").size(), 1u);
}

}  // namespace
}  // namespace watest
