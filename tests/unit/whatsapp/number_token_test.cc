// Numbers of several WABAs in one instance, each with its own token (a secret NAME of the
// instance): the token is chosen per number for every Graph call, unknown names are refused
// without echoing any secret, and the WABA/token pair survives a restart.
#include "config.hpp"
#include "wa_fixture.hpp"

namespace watest {
namespace {

constexpr const char* kWabaB = "200000000000002";
constexpr const char* kPnidB = "300000000000003";
constexpr const char* kTokenB = "EAAG-brand-b-secret";

class WaNumberTokenTest : public WhatsApp {
 protected:
  void SetUp() override {
    fake.set_secret("token_brand_b", kTokenB);  // before the instance starts
    WhatsApp::SetUp();
  }

  // Attaches kPnidB of WABA B with token_brand_b; Meta answers only with token B.
  sw::testing::InvokeOutcome attach_b() {
    on("GET", std::string("/") + kWabaB + "/phone_numbers", 200,
       std::string(R"({"data":[{"id":")") + kPnidB + R"("}]})");
    on("GET", std::string("/") + kPnidB, 200,
       std::string(R"({"id":")") + kPnidB +
           R"(","display_phone_number":"+44 20 7946 0000","verified_name":"Brand B",)"
           R"("status":"CONNECTED","code_verification_status":"VERIFIED"})");
    return fake.invoke("add_number", std::string(R"({"phone_number_id":")") + kPnidB +
                                         R"(","waba_id":")" + kWabaB +
                                         R"(","token":"token_brand_b"})");
  }

  // "Bearer <token>" from the call's header block.
  static std::string bearer(const HttpCall& c) {
    const std::string key = "Authorization: ";
    std::size_t at = c.headers.find(key);
    if (at == std::string::npos) return "";
    at += key.size();
    return c.headers.substr(at, c.headers.find_first_of("\r\n", at) - at);
  }

  void send_text(const std::string& from, const std::string& wamid) {
    on("POST", "/" + from + "/messages", 200,
       R"({"messaging_product":"whatsapp","messages":[{"id":")" + wamid + R"("}]})");
    customer_writes_to(from);
    Outbound m;
    m.message_id = static_cast<int64_t>(++sent_);
    m.from = from;
    m.to = "+16505551234";
    m.content_type = "text";
    m.text = "hello";
    sw::testing::SendOutcome r = fake.send(m);
    ASSERT_EQ(r.status, SB_OK) << r.error.message;
    EXPECT_EQ(r.provider_id, wamid);
  }

  int sent_ = 0;

  // A second host holding `kv` (the instance's store after a restart) and every secret; the
  // instance is created and started by the caller.
  static void restart_into(FakeHost& again, const std::map<std::string, std::string>& kv) {
    ASSERT_TRUE(again.load(whatsapp_entry()));
    for (const auto& [k, v] : kv) again.kv_set(k, v);
    again.set_secret("access_token", kToken);
    again.set_secret("app_secret", kAppSecret);
    again.set_secret("verify_token", "verify-me");
    again.set_secret("token_brand_b", kTokenB);
  }

  // A customer message to `pnid` (opening its window), in a delivery of that number's WABA.
  void customer_writes_to(const std::string& pnid) {
    const bool b = pnid == kPnidB;
    std::string ts = std::to_string(fake.now_ms() / 1000);
    std::string body =
        std::string(R"({"object":"whatsapp_business_account","entry":[{"id":")") +
        (b ? kWabaB : kWaba) +
        R"(","changes":[{"field":"messages","value":{"messaging_product":"whatsapp",)"
        R"("metadata":{"display_phone_number":")" +
        (b ? "442079460000" : kDisplay) + R"(","phone_number_id":")" + pnid +
        R"("},"contacts":[{"profile":{"name":"Sheena"},"wa_id":"16505551234"}],)"
        R"("messages":[{"from":"16505551234","id":"wamid.IN-)" +
        pnid + R"(","timestamp":")" + ts + R"(","type":"text","text":{"body":"hi"}}]}}]}]})";
    ASSERT_EQ(post_signed(body).http_status, 200);
  }
};

TEST_F(WaNumberTokenTest, EachNumberUsesItsOwnToken) {
  auto r = attach_b();
  ASSERT_EQ(r.status, SB_OK) << r.error.message;
  // The WABA check and the number lookup already used token B.
  ASSERT_EQ(calls_to(std::string("/v21.0/") + kWabaB + "/phone_numbers").size(), 1u);
  EXPECT_EQ(bearer(calls_to(std::string("/v21.0/") + kWabaB + "/phone_numbers").at(0)),
            std::string("Bearer ") + kTokenB);
  json::Value st = parse(r.json);
  EXPECT_EQ(st.find("number")->find("token")->as_string(), "token_brand_b");
  EXPECT_EQ(st.find("number")->find("waba_id")->as_string(), kWabaB);
  EXPECT_EQ(r.json.find(kTokenB), std::string::npos);

  send_text(kPnidB, "wamid.B");
  send_text(kPnid, "wamid.A");
  EXPECT_EQ(bearer(calls_to(std::string("/v21.0/") + kPnidB + "/messages").at(0)),
            std::string("Bearer ") + kTokenB);
  EXPECT_EQ(bearer(calls_to(std::string("/v21.0/") + kPnid + "/messages").at(0)),
            std::string("Bearer ") + kToken);
  // Both inbound messages (one per WABA) were accepted.
  EXPECT_EQ(fake.inbound().size(), 2u);

  // Onboarding ops and mark_read of number B use token B too.
  on("POST", std::string("/") + kPnidB + "/request_code", 200, R"({"success":true})");
  ASSERT_EQ(
      fake.invoke("request_code", std::string(R"({"phone_number_id":")") + kPnidB + "\"}").status,
      SB_OK);
  EXPECT_EQ(bearer(calls_to(std::string("/v21.0/") + kPnidB + "/request_code").at(0)),
            std::string("Bearer ") + kTokenB);
  ASSERT_EQ(fake.invoke("mark_read",
                        std::string(R"({"from":")") + kPnidB + R"(","message_id":"wamid.IN-x"})")
                .status,
            SB_OK);
  EXPECT_EQ(bearer(calls_to(std::string("/v21.0/") + kPnidB + "/messages").back()),
            std::string("Bearer ") + kTokenB);
}

TEST_F(WaNumberTokenTest, UnknownTokenNameIsRefusedWithoutSecrets) {
  auto r =
      fake.invoke("add_number", std::string(R"({"phone_number_id":")") + kPnidB +
                                    R"(","waba_id":")" + kWabaB + R"(","token":"no_such_secret"})");
  EXPECT_EQ(r.status, SB_ERR_INVALID_ARG);
  EXPECT_TRUE(r.error.message.starts_with("token:")) << r.error.message;
  EXPECT_NE(r.error.message.find("no_such_secret"), std::string::npos);
  EXPECT_TRUE(fake.http_calls().empty());
  auto created =
      fake.invoke("add_number", std::string(R"({"waba_id":")") + kWabaB +
                                    R"(","token":"missing","cc":"44",)"
                                    R"("phone_number":"2079460001","verified_name":"B"})");
  EXPECT_EQ(created.status, SB_ERR_INVALID_ARG);
  EXPECT_EQ(parse(fake.invoke("list_numbers").json).find("numbers")->items().size(), 1u);
}

TEST_F(WaNumberTokenTest, NewNumberIsCreatedInItsWabaWithItsToken) {
  on("POST", std::string("/") + kWabaB + "/phone_numbers", 200, R"({"id":"444"})");
  auto r = fake.invoke("add_number", std::string(R"({"waba_id":")") + kWabaB +
                                         R"(","token":"token_brand_b","cc":"44",)"
                                         R"("phone_number":"2079460001","verified_name":"B"})");
  ASSERT_EQ(r.status, SB_OK) << r.error.message;
  EXPECT_EQ(bearer(calls_to(std::string("/v21.0/") + kWabaB + "/phone_numbers").at(0)),
            std::string("Bearer ") + kTokenB);
  EXPECT_EQ(parse(r.json).find("number")->find("token")->as_string(), "token_brand_b");
}

TEST_F(WaNumberTokenTest, RestartKeepsNumbersWithTheirTokenNames) {
  ASSERT_EQ(attach_b().status, SB_OK);
  auto kv = fake.kv();
  for (const auto& [k, v] : kv) EXPECT_EQ(v.find(kTokenB), std::string::npos) << k;
  FakeHost again;
  ASSERT_NO_FATAL_FAILURE(restart_into(again, kv));
  std::vector<HttpCall> seen;
  again.set_http_handler([&](const HttpCall& c) {
    seen.push_back(c);
    return HttpReply{200, {}, R"({"messages":[{"id":"wamid.AFTER"}]})", SB_OK, {}};
  });
  ASSERT_TRUE(again.create("wa-1", config()));
  ASSERT_TRUE(again.start());
  auto got = again.invoke("get_number", std::string(R"({"phone_number_id":")") + kPnidB + "\"}");
  ASSERT_EQ(got.status, SB_OK) << got.error.message;
  EXPECT_EQ(parse(got.json).find("token")->as_string(), "token_brand_b");
  EXPECT_EQ(parse(got.json).find("waba_id")->as_string(), kWabaB);
  ASSERT_EQ(again
                .invoke("mark_read",
                        std::string(R"({"from":")") + kPnidB + R"(","message_id":"wamid.IN-x"})")
                .status,
            SB_OK);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(bearer(seen.at(0)), std::string("Bearer ") + kTokenB);
}

TEST_F(WaNumberTokenTest, TemplatesOfAnotherWabaUseThatWabasToken) {
  ASSERT_EQ(attach_b().status, SB_OK);
  on("POST", std::string("/") + kWabaB + "/message_templates", 200,
     R"({"id":"t-1","status":"PENDING","category":"UTILITY"})");
  auto r =
      fake.invoke("template_create",
                  std::string(R"({"waba_id":")") + kWabaB +
                      R"(","template":{"name":"order_ready","language":"en_US",)"
                      R"("category":"UTILITY","components":[{"type":"BODY","text":"Ready"}]}})");
  ASSERT_EQ(r.status, SB_OK) << r.error.message;
  EXPECT_EQ(bearer(calls_to(std::string("/v21.0/") + kWabaB + "/message_templates").at(0)),
            std::string("Bearer ") + kTokenB);
  // A WABA the instance has no number of needs an explicit token.
  auto unknown = fake.invoke("template_sync", R"({"waba_id":"555"})");
  EXPECT_EQ(unknown.status, SB_ERR_INVALID_ARG);
  auto bad = fake.invoke("template_sync", R"({"waba_id":"555","token":"nope"})");
  EXPECT_EQ(bad.status, SB_ERR_INVALID_ARG);
  EXPECT_TRUE(bad.error.message.starts_with("token:")) << bad.error.message;
}

TEST_F(WaNumberTokenTest, SecretValuesNeverReachLogsOrAnswers) {
  ASSERT_EQ(attach_b().status, SB_OK);
  auto list = fake.invoke("list_numbers");
  EXPECT_EQ(list.json.find(kTokenB), std::string::npos);
  EXPECT_EQ(list.json.find(kToken), std::string::npos);
  for (const auto& line : fake.logs()) {
    EXPECT_EQ(line.text.find(kTokenB), std::string::npos) << line.text;
    EXPECT_EQ(line.text.find(kToken), std::string::npos) << line.text;
  }
}

// The host fetches an inbound file by media id only: the default token may not see media of
// WABA B's number (Meta's permission error), so the lookup and the download use token B.
TEST_F(WaNumberTokenTest, MediaOfAnotherWabaAreFetchedWithThatWabasToken) {
  ASSERT_EQ(attach_b().status, SB_OK);
  const std::string bytes = "brand b file bytes";
  std::vector<std::string> used;
  fake.set_http_handler([&](const HttpCall& c) {
    const std::string auth = bearer(c);
    if (path_of(c) == "/v21.0/777000") {
      used.push_back(auth);
      if (auth != std::string("Bearer ") + kTokenB) {
        return HttpReply{403, {}, graph_error(200, "Permissions error"), SB_OK, {}};
      }
      return HttpReply{200,
                       {},
                       std::string(R"({"url":")") + kBase +
                           R"(/_media/777000?ext=1","mime_type":"text/plain","file_size":")" +
                           std::to_string(bytes.size()) + R"(","id":"777000"})",
                       SB_OK,
                       {}};
    }
    if (path_of(c) == "/_media/777000") {
      used.push_back(auth);
      return HttpReply{200, {{"Content-Type", "text/plain"}}, bytes, SB_OK, {}};
    }
    return route(c);
  });
  auto r = fake.invoke("media_download", R"({"media_id":"777000"})");
  ASSERT_EQ(r.status, SB_OK) << r.error.message;
  ASSERT_EQ(used.size(), 3u);
  EXPECT_EQ(used[0], std::string("Bearer ") + kToken);
  EXPECT_EQ(used[1], std::string("Bearer ") + kTokenB);
  EXPECT_EQ(used[2], std::string("Bearer ") + kTokenB);
  // With the number named, only its token is used.
  used.clear();
  ASSERT_EQ(fake.invoke("media_url",
                        std::string(R"({"media_id":"777000","phone_number_id":")") + kPnidB + "\"}")
                .status,
            SB_OK);
  ASSERT_EQ(used.size(), 1u);
  EXPECT_EQ(used[0], std::string("Bearer ") + kTokenB);
}

// Meta rejecting token B degrades the instance naming that secret; a success with the default
// token does not hide it, a success with token B again does.
TEST_F(WaNumberTokenTest, ARejectedTokenDegradesUntilThatTokenWorksAgain) {
  ASSERT_EQ(attach_b().status, SB_OK);
  on("POST", std::string("/") + kPnidB + "/request_code", 401,
     R"({"error":{"message":"Invalid OAuth access token","type":"OAuthException","code":190}})");
  EXPECT_NE(
      fake.invoke("request_code", std::string(R"({"phone_number_id":")") + kPnidB + "\"}").status,
      SB_OK);
  ASSERT_FALSE(fake.states().empty());
  EXPECT_EQ(fake.states().back().state, SB_STATE_DEGRADED);
  EXPECT_NE(fake.states().back().reason.find("token_brand_b"), std::string::npos);
  EXPECT_EQ(fake.states().back().reason.find(kTokenB), std::string::npos);
  on("POST", std::string("/") + kPnid + "/request_code", 200, R"({"success":true})");
  ASSERT_EQ(
      fake.invoke("request_code", std::string(R"({"phone_number_id":")") + kPnid + "\"}").status,
      SB_OK);
  EXPECT_EQ(fake.health().state, SB_STATE_DEGRADED);
  on("POST", std::string("/") + kPnidB + "/request_code", 200, R"({"success":true})");
  ASSERT_EQ(
      fake.invoke("request_code", std::string(R"({"phone_number_id":")") + kPnidB + "\"}").status,
      SB_OK);
  EXPECT_EQ(fake.health().state, SB_STATE_RUNNING);
  EXPECT_EQ(fake.states().back().state, SB_STATE_RUNNING);
}

// Two WABAs of one instance, each with a template order_update/en_US of its own content: the
// local records are kept per WABA, and every op and send uses the number's or the request's WABA.
TEST_F(WaNumberTokenTest, TemplatesOfTwoWabasWithTheSameNameAndLanguageAreKeptApart) {
  ASSERT_EQ(attach_b().status, SB_OK);
  auto create = [&](const std::string& waba, const std::string& id, const std::string& body) {
    on("POST", "/" + waba + "/message_templates", 200,
       R"({"id":")" + id + R"(","status":"APPROVED","category":"UTILITY"})");
    return fake.invoke("template_create",
                       R"({"waba_id":")" + waba +
                           R"(","template":{"name":"order_update","language":"en_US",)"
                           R"("category":"UTILITY","components":[{"type":"BODY","text":")" +
                           body + R"("}]}})");
  };
  ASSERT_EQ(create(kWaba, "ta", "Order from A").status, SB_OK);
  ASSERT_EQ(create(kWabaB, "tb", "Order from B").status, SB_OK);
  const std::string key = R"("name":"order_update","language":"en_US")";
  auto body_of = [&](const std::string& extra) {
    auto r = fake.invoke("template_get", "{" + key + extra + "}");
    EXPECT_EQ(r.status, SB_OK) << r.error.message;
    return parse(r.json).find("components")->items().at(0).find("text")->as_string();
  };
  EXPECT_EQ(body_of(""), "Order from A");
  EXPECT_EQ(body_of(std::string(R"(,"waba_id":")") + kWabaB + "\""), "Order from B");
  EXPECT_EQ(body_of(std::string(R"(,"from":")") + kPnidB + "\""), "Order from B");
  EXPECT_EQ(parse(fake.invoke("template_list").json).find("templates")->items().size(), 2u);
  auto only_b =
      parse(fake.invoke("template_list", std::string(R"({"waba_id":")") + kWabaB + "\"}").json);
  ASSERT_EQ(only_b.find("templates")->items().size(), 1u);
  EXPECT_EQ(only_b.find("templates")->items()[0].find("id")->as_string(), "tb");
  auto preview = fake.invoke("template_preview",
                             "{" + key + R"(,"from":")" + kPnidB + R"(","components":[]})");
  EXPECT_EQ(parse(preview.json).find("text")->as_string(), "Order from B");

  // Meta pauses B's template (a webhook entry of WABA B): only B's number is refused locally.
  std::string paused =
      std::string(R"({"object":"whatsapp_business_account","entry":[{"id":")") + kWabaB +
      R"(","time":1739321024,"changes":[{"field":"message_template_status_update","value":)"
      R"({"event":"PAUSED","message_template_id":7,"message_template_name":"order_update",)"
      R"("message_template_language":"en_US","reason":"NONE"}}]}]})";
  ASSERT_EQ(post_signed(paused).http_status, 200);
  Outbound m;
  m.to = "+16505551234";
  m.content_type = "template";
  m.payload_json = R"({"name":"order_update","language":"en_US"})";
  m.from = kPnidB;
  EXPECT_EQ(fake.send(m).status, SB_ERR_REJECTED);
  EXPECT_TRUE(calls_to(std::string("/v21.0/") + kPnidB + "/messages").empty());
  on("POST", std::string("/") + kPnid + "/messages", 200,
     R"({"messaging_product":"whatsapp","messages":[{"id":"wamid.TA"}]})");
  m.from = kPnid;
  sw::testing::SendOutcome a = fake.send(m);
  EXPECT_EQ(a.status, SB_OK) << a.error.message;
  EXPECT_EQ(body_of(""), "Order from A");

  // A sync of WABA B that no longer lists it drops B's record only; a delete in A drops A's.
  on("GET", std::string("/") + kWabaB + "/message_templates", 200, R"({"data":[]})");
  ASSERT_EQ(fake.invoke("template_sync", std::string(R"({"waba_id":")") + kWabaB + "\"}").status,
            SB_OK);
  EXPECT_EQ(fake.invoke("template_get", "{" + key + R"(,"waba_id":")" + kWabaB + "\"}").status,
            SB_ERR_NOT_FOUND);
  EXPECT_EQ(body_of(""), "Order from A");
  on("DELETE", std::string("/") + kWaba + "/message_templates", 200, R"({"success":true})");
  ASSERT_EQ(fake.invoke("template_delete", "{" + key + "}").status, SB_OK);
  EXPECT_TRUE(parse(fake.invoke("template_list").json).find("templates")->items().empty());
}

// Records an older version kept under (name, language) move to (their WABA, name, language) at
// start, so an upgrade keeps them.
TEST_F(WaNumberTokenTest, TemplateRecordsOfAnOlderVersionAreKeptAfterTheUpgrade) {
  ASSERT_EQ(attach_b().status, SB_OK);
  auto kv = fake.kv();
  kv["tpl/index"] = R"(["promo/en_US","order_update/en_US"])";
  kv["tpl/promo/en_US"] =
      R"({"id":"1","name":"promo","language":"en_US","status":"PAUSED","category":"MARKETING"})";
  kv["tpl/order_update/en_US"] = std::string(R"({"id":"2","name":"order_update",)") +
                                 R"("language":"en_US","status":"APPROVED","waba_id":")" + kWabaB +
                                 R"(","components":[{"type":"BODY","text":"B"}]})";
  FakeHost again;
  ASSERT_NO_FATAL_FAILURE(restart_into(again, kv));
  ASSERT_TRUE(again.create("wa-1", config()));
  ASSERT_TRUE(again.start());
  auto promo = again.invoke("template_get", R"({"name":"promo","language":"en_US"})");
  ASSERT_EQ(promo.status, SB_OK) << promo.error.message;
  EXPECT_EQ(parse(promo.json).find("status")->as_string(), "PAUSED");
  EXPECT_EQ(again.invoke("template_get", R"({"name":"order_update","language":"en_US"})").status,
            SB_ERR_NOT_FOUND);
  auto b =
      again.invoke("template_get", std::string(R"({"name":"order_update","language":"en_US",)") +
                                       R"("from":")" + kPnidB + "\"}");
  ASSERT_EQ(b.status, SB_OK) << b.error.message;
  EXPECT_EQ(parse(b.json).find("id")->as_string(), "2");
  EXPECT_EQ(parse(again.invoke("template_list").json).find("templates")->items().size(), 2u);
  auto after = again.kv();
  EXPECT_EQ(after.count("tpl/promo/en_US"), 0u);
  EXPECT_EQ(after.count("tpl/order_update/en_US"), 0u);
  EXPECT_EQ(after.count(std::string("tpl/") + kWaba + "/promo/en_US"), 1u);
  EXPECT_EQ(after.count(std::string("tpl/") + kWabaB + "/order_update/en_US"), 1u);
  // The old (PAUSED) record still blocks sends after the upgrade.
  Outbound m;
  m.to = "+16505551234";
  m.content_type = "template";
  m.payload_json = R"({"name":"promo","language":"en_US"})";
  m.from = kPnid;
  EXPECT_EQ(again.send(m).status, SB_ERR_REJECTED);
}

// The 190 hint names the secret of the number's own token reference, like the DEGRADED reason,
// and the default number's hint still names access_token.
TEST_F(WaNumberTokenTest, ExpiredTokenHintNamesTheNumbersSecret) {
  ASSERT_EQ(attach_b().status, SB_OK);
  const std::string expired =
      R"({"error":{"message":"Error validating access token: Session has expired",)"
      R"("type":"OAuthException","code":190}})";
  on("POST", std::string("/") + kPnidB + "/request_code", 401, expired);
  auto b = fake.invoke("request_code", std::string(R"({"phone_number_id":")") + kPnidB + "\"}");
  EXPECT_EQ(b.status, SB_ERR_AUTH);
  EXPECT_NE(b.error.message.find("replace the token_brand_b secret"), std::string::npos)
      << b.error.message;
  EXPECT_EQ(b.error.message.find("access_token"), std::string::npos) << b.error.message;
  EXPECT_EQ(b.error.message.find(kTokenB), std::string::npos);
  on("POST", std::string("/") + kPnid + "/request_code", 401, expired);
  auto a = fake.invoke("request_code", std::string(R"({"phone_number_id":")") + kPnid + "\"}");
  EXPECT_NE(a.error.message.find("replace the access_token secret"), std::string::npos)
      << a.error.message;
  // A bare 401 without Meta's error object names the secret too.
  on("POST", std::string("/") + kPnidB + "/request_code", 401, "");
  auto bare = fake.invoke("request_code", std::string(R"({"phone_number_id":")") + kPnidB + "\"}");
  EXPECT_NE(bare.error.message.find("token_brand_b"), std::string::npos) << bare.error.message;
}

// A number of WABA B in the static config, with its token reference there.
class WaConfiguredTokenTest : public WaNumberTokenTest {
 protected:
  std::string config() const override {
    return std::string(R"({"graph_base_url":")") + kBase + R"(","waba_id":")" + kWaba +
           R"(","numbers":[{"phone_number_id":")" + kPnid + R"("},{"phone_number_id":")" + kPnidB +
           R"(","waba_id":")" + kWabaB +
           R"(","token":"token_brand_b"}],"template_sync_interval_s":0})";
  }
};

TEST_F(WaConfiguredTokenTest, ConfiguredNumberUsesItsTokenReference) {
  send_text(kPnidB, "wamid.CB");
  EXPECT_EQ(bearer(calls_to(std::string("/v21.0/") + kPnidB + "/messages").at(0)),
            std::string("Bearer ") + kTokenB);
  auto got = fake.invoke("get_number", std::string(R"({"phone_number_id":")") + kPnidB + "\"}");
  EXPECT_EQ(parse(got.json).find("waba_id")->as_string(), kWabaB);
  EXPECT_EQ(parse(got.json).find("token")->as_string(), "token_brand_b");
  // Without that secret the instance reports which one is missing (by name only).
  FakeHost other;
  ASSERT_TRUE(other.load(whatsapp_entry()));
  other.set_secret("access_token", kToken);
  other.set_secret("app_secret", kAppSecret);
  other.set_secret("verify_token", "verify-me");
  ASSERT_TRUE(other.create("wa-2", config()));
  ASSERT_TRUE(other.start());
  EXPECT_EQ(other.health().state, SB_STATE_DEGRADED);
  EXPECT_NE(other.health().details_json.find("token_brand_b"), std::string::npos);
}

TEST(WaConfigToken, NumberTokenMustBeANonEmptyName) {
  auto bad = wa::parse_config(R"({"waba_id":"1","numbers":[{"phone_number_id":"2","token":""}]})");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("numbers[0].token"), std::string::npos);
  auto ok = wa::parse_config(
      R"({"waba_id":"1","numbers":[{"phone_number_id":"2","waba_id":"3","token":"t"}]})");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok.value().numbers.at(0).waba_id, "3");
  EXPECT_EQ(ok.value().numbers.at(0).token, "t");
}

}  // namespace
}  // namespace watest
