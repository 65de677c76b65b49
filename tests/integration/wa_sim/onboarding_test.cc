// Phone-number onboarding state machine (docs/whatsapp-cloud-api.md §1): create, request/verify
// code, PIN, register/deregister, display-name review, OBA, quality webhooks, fields=... reads.
#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>

#include <set>

#include "harness.h"

namespace wasim_test {
namespace {

constexpr const char* kText =
    R"({"messaging_product":"whatsapp","to":"+16505551234","type":"text","text":{"body":"hi"}})";

struct Onboarding {
  WebhookReceiver hook;
  SimProcess sim{{"--webhook-url", hook.url(), "--app-secret", "s"}};
  std::string waba;
  std::string pn;

  Onboarding() {
    waba = sim.control("POST", "/wabas", R"({"name":"Lucky Shrub"})")
               .json->getValue<std::string>("id");
    auto r = sim.graph("POST", "/" + waba + "/phone_numbers",
                       R"({"cc":"1","phone_number":"6315551234","verified_name":"Lucky Shrub"})");
    if (r.status != 200) throw std::runtime_error(r.body);
    pn = r.json->getValue<std::string>("id");
  }
  Obj fields(const std::string& f) { return sim.graph("GET", "/" + pn + "?fields=" + f).json; }
  std::string code() {
    return sim.control("GET", "/numbers/" + pn + "/code").json->getValue<std::string>("code");
  }
};

TEST(WaSimOnboarding, HappyPathToConnectedAndBack) {
  Onboarding o;
  auto fresh = o.fields(
      "code_verification_status,name_status,status,quality_rating,platform_type,"
      "display_phone_number");
  EXPECT_EQ(fresh->getValue<std::string>("code_verification_status"), "NOT_VERIFIED");
  EXPECT_EQ(fresh->getValue<std::string>("name_status"), "PENDING_REVIEW");
  EXPECT_EQ(fresh->getValue<std::string>("status"), "PENDING");
  EXPECT_EQ(fresh->getValue<std::string>("quality_rating"), "UNKNOWN");
  EXPECT_EQ(fresh->getValue<std::string>("platform_type"), "NOT_APPLICABLE");
  EXPECT_EQ(fresh->getValue<std::string>("display_phone_number"), "+1 631-555-1234");
  EXPECT_EQ(fresh->getValue<std::string>("id"), o.pn);
  EXPECT_EQ(o.sim.graph("POST", "/" + o.pn + "/messages", kText).code(), 133010);

  EXPECT_EQ(
      o.sim.graph("POST", "/" + o.pn + "/request_code", R"({"code_method":"FAX","language":"en"})")
          .code(),
      100);
  EXPECT_EQ(o.sim.graph("POST", "/" + o.pn + "/request_code", R"({"code_method":"SMS"})").code(),
            100);
  // Meta's own samples pass these as query parameters.
  ASSERT_EQ(o.sim.graph("POST", "/" + o.pn + "/request_code?code_method=SMS&language=en_US").status,
            200);
  const std::string code = o.code();
  EXPECT_EQ(code.size(), 6u);
  const std::string wrong = code == "111111" ? "222222" : "111111";
  EXPECT_EQ(o.sim.graph("POST", "/" + o.pn + "/verify_code", R"({"code":")" + wrong + "\"}").code(),
            100);
  EXPECT_EQ(o.sim
                .graph("POST", "/" + o.pn + "/register",
                       R"({"messaging_product":"whatsapp","pin":"212834"})")
                .code(),
            133006)
      << "not verified yet";
  ASSERT_EQ(o.sim.graph("POST", "/" + o.pn + "/verify_code", R"({"code":")" + code + "\"}").status,
            200);
  EXPECT_EQ(o.fields("code_verification_status")->getValue<std::string>("code_verification_status"),
            "VERIFIED");

  EXPECT_EQ(o.sim.graph("POST", "/" + o.pn, R"({"pin":"12345"})").code(), 100);
  ASSERT_EQ(o.sim.graph("POST", "/" + o.pn, R"({"pin":"212834"})").status, 200);
  EXPECT_TRUE(o.fields("is_pin_enabled")->getValue<bool>("is_pin_enabled"));

  EXPECT_EQ(o.sim.graph("POST", "/" + o.pn + "/register", R"({"pin":"212834"})").code(), 100);
  EXPECT_EQ(o.sim
                .graph("POST", "/" + o.pn + "/register",
                       R"({"messaging_product":"whatsapp","pin":"999999"})")
                .code(),
            133005);
  ASSERT_EQ(o.sim
                .graph("POST", "/" + o.pn + "/register",
                       R"({"messaging_product":"whatsapp","pin":"212834"})")
                .status,
            200);
  auto connected = o.fields("status,platform_type,throughput");
  EXPECT_EQ(connected->getValue<std::string>("status"), "CONNECTED");
  EXPECT_EQ(connected->getValue<std::string>("platform_type"), "CLOUD_API");
  EXPECT_EQ(connected->getObject("throughput")->getValue<std::string>("level"), "STANDARD");
  EXPECT_EQ(o.sim.graph("POST", "/" + o.pn + "/messages", kText).status, 200);

  ASSERT_EQ(o.sim.graph("POST", "/" + o.pn + "/deregister").status, 200);
  EXPECT_NE(o.fields("status")->getValue<std::string>("status"), "CONNECTED");
  EXPECT_EQ(o.sim.graph("POST", "/" + o.pn + "/messages", kText).code(), 133010);

  auto security = [](const auto& d) {
    for (const auto& [field, v] : changesOf(d))
      if (field == "security") return true;
    return false;
  };
  EXPECT_TRUE(o.hook.waitFor(security)) << "PIN change emits a security webhook";
}

TEST(WaSimOnboarding, ExpiredCodeAndRegisterRateLimit) {
  Onboarding o;
  o.sim.graph("POST", "/" + o.pn + "/request_code", R"({"code_method":"VOICE","language":"en"})");
  const std::string code = o.code();
  o.sim.control("POST", "/clock/advance", R"({"seconds":601})");
  EXPECT_EQ(o.sim.graph("POST", "/" + o.pn + "/verify_code", R"({"code":")" + code + "\"}").code(),
            100);
  EXPECT_EQ(o.fields("code_verification_status")->getValue<std::string>("code_verification_status"),
            "EXPIRED");
  o.sim.graph("POST", "/" + o.pn + "/request_code", R"({"code_method":"SMS","language":"en"})");
  ASSERT_EQ(
      o.sim.graph("POST", "/" + o.pn + "/verify_code", R"({"code":")" + o.code() + "\"}").status,
      200);
  const std::string reg = R"({"messaging_product":"whatsapp","pin":"212834"})";
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(o.sim.graph("POST", "/" + o.pn + "/register", reg).status, 200);
    ASSERT_EQ(o.sim.graph("POST", "/" + o.pn + "/deregister").status, 200);
  }
  EXPECT_EQ(o.sim.graph("POST", "/" + o.pn + "/register", reg).code(), 133016);
  o.sim.control("POST", "/clock/advance", R"({"seconds":259201})");
  EXPECT_EQ(o.sim.graph("POST", "/" + o.pn + "/register", reg).status, 200);
}

TEST(WaSimOnboarding, DisplayNameChangeReviewAndReregister) {
  Onboarding o;
  o.sim.graph("POST", "/" + o.pn + "/request_code", R"({"code_method":"SMS","language":"en"})");
  o.sim.graph("POST", "/" + o.pn + "/verify_code", R"({"code":")" + o.code() + "\"}");
  const std::string reg = R"({"messaging_product":"whatsapp","pin":"212834"})";
  ASSERT_EQ(o.sim.graph("POST", "/" + o.pn + "/register", reg).status, 200);

  ASSERT_EQ(o.sim.graph("POST", "/" + o.pn + "?new_display_name=New%20Lucky%20Shrub").status, 200);
  auto pending = o.fields("new_display_name,new_name_status");
  EXPECT_EQ(pending->getValue<std::string>("new_display_name"), "New Lucky Shrub");
  EXPECT_EQ(pending->getValue<std::string>("new_name_status"), "PENDING_REVIEW");

  ASSERT_EQ(o.sim.control("POST", "/numbers/" + o.pn + "/name_review", R"({"decision":"APPROVED"})")
                .status,
            200);
  auto name_update = [](const auto& d) {
    for (const auto& [field, v] : changesOf(d))
      if (field == "phone_number_name_update") return true;
    return false;
  };
  ASSERT_TRUE(o.hook.waitFor(name_update));
  for (const auto& [field, v] : changesOf(o.hook.deliveries())) {
    if (field != "phone_number_name_update") continue;
    EXPECT_EQ(v->getValue<std::string>("decision"), "APPROVED");
    EXPECT_EQ(v->getValue<std::string>("requested_verified_name"), "New Lucky Shrub");
    EXPECT_TRUE(v->get("rejection_reason").isEmpty());
  }
  EXPECT_EQ(o.fields("verified_name")->getValue<std::string>("verified_name"), "Lucky Shrub")
      << "takes effect only after re-registering";
  ASSERT_EQ(o.sim.graph("POST", "/" + o.pn + "/register", reg).status, 200);
  EXPECT_EQ(o.fields("verified_name,name_status")->getValue<std::string>("verified_name"),
            "New Lucky Shrub");
}

TEST(WaSimOnboarding, OfficialBusinessAccountAndQualityWebhooks) {
  Onboarding o;
  EXPECT_EQ(o.sim
                .graph("POST", "/" + o.pn + "/official_business_account",
                       R"({"business_website_url":"https://luckyshrub.example",
          "primary_country_of_operation":"US","primary_language":"English",
          "supporting_links":["https://a.example","https://b.example","https://c.example",
                              "https://d.example","https://e.example","https://f.example"]})")
                .code(),
            100)
      << "at most 5 supporting links";
  ASSERT_EQ(o.sim
                .graph("POST", "/" + o.pn + "/official_business_account",
                       R"({"business_website_url":"https://luckyshrub.example",
          "primary_country_of_operation":"US","primary_language":"English"})")
                .status,
            200);
  EXPECT_EQ(o.fields("official_business_account")
                ->getObject("official_business_account")
                ->getValue<std::string>("oba_status"),
            "PENDING");
  o.sim.control("POST", "/numbers/" + o.pn + "/oba_review", R"({"decision":"APPROVED"})");
  EXPECT_TRUE(
      o.fields("is_official_business_account")->getValue<bool>("is_official_business_account"));
  o.sim.control("POST", "/numbers/" + o.pn + "/quality", R"({"throughput":"HIGH"})");
  auto fields = [](const auto& d) {
    std::set<std::string> f;
    for (const auto& [field, v] : changesOf(d)) f.insert(field);
    return f.count("account_alerts") && f.count("phone_number_quality_update");
  };
  ASSERT_TRUE(o.hook.waitFor(fields));
  for (const auto& [field, v] : changesOf(o.hook.deliveries())) {
    if (field == "account_alerts") {
      EXPECT_EQ(v->getObject("alert_info")->getValue<std::string>("alert_type"), "OBA_APPROVED");
    }
    if (field == "phone_number_quality_update") {
      EXPECT_EQ(v->getValue<std::string>("event"), "THROUGHPUT_UPGRADE");
    }
  }
  auto payload = parse(o.hook.deliveries().front().body);
  EXPECT_TRUE(payload->getArray("entry")->getObject(0)->get("time").isInteger())
      << "account-level webhooks carry an integer entry[].time";
  EXPECT_EQ(o.fields("throughput")->getObject("throughput")->getValue<std::string>("level"),
            "HIGH");
}

}  // namespace
}  // namespace wasim_test

namespace wasim_test {
namespace {

TEST(WaSimOnboarding, BusinessProfileRoundTrip) {
  SimProcess sim;
  World w = makeWorld(sim);
  const std::string path = "/" + w.number + "/whatsapp_business_profile";
  EXPECT_EQ(sim.graph("POST", path, R"({"about":"x"})").code(), 100) << "messaging_product";
  EXPECT_EQ(
      sim.graph("POST", path,
                R"({"messaging_product":"whatsapp","about":")" + std::string(140, 'a') + "\"}")
          .code(),
      100);
  ASSERT_EQ(sim.graph("POST", path,
                      R"({"messaging_product":"whatsapp","about":"Plants","email":"a@b.example",
          "websites":["https://luckyshrub.example"]})")
                .status,
            200);
  auto got = sim.graph("GET", path);
  ASSERT_EQ(got.status, 200);
  auto profile = got.json->getArray("data")->getObject(0);
  EXPECT_EQ(profile->getValue<std::string>("about"), "Plants");
  EXPECT_EQ(profile->getArray("websites")->getElement<std::string>(0),
            "https://luckyshrub.example");
}

}  // namespace
}  // namespace wasim_test
