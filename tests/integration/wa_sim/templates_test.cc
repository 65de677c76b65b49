// Templates: validation, PENDING -> APPROVED/REJECTED on the simulated clock with the
// message_template_status_update webhook, PAUSED/DISABLED, list paging, delete.
#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>

#include "harness.h"

namespace wasim_test {
namespace {

std::string tmpl(const std::string& name, const std::string& body_text,
                 const std::string& example = R"([["Pablo"]])", const std::string& lang = "en_US") {
  return R"({"name":")" + name + R"(","language":")" + lang +
         R"(","category":"UTILITY","components":[{"type":"BODY","text":")" + body_text +
         R"(","example":{"body_text":)" + example + "}}]}";
}

TEST(WaSimTemplates, ValidationRejectsBadTemplates) {
  SimProcess sim;
  World w = makeWorld(sim);
  auto create = [&](const std::string& body) {
    return sim.graph("POST", "/" + w.waba + "/message_templates", body);
  };
  EXPECT_EQ(create(tmpl("Bad-Name", "Hi {{1}}")).code(), 100);
  EXPECT_EQ(create(tmpl("gap", "Hi {{1}} and {{3}}", R"([["a","b"]])")).code(), 100);
  EXPECT_EQ(create(tmpl("no_example", "Hi {{1}}", "[]")).code(), 100);
  EXPECT_EQ(create(tmpl("too_long", std::string(1025, 'x'))).code(), 100);
  auto no_body = create(R"({"name":"x","language":"en","category":"UTILITY","components":[]})");
  EXPECT_EQ(no_body.code(), 100);
  EXPECT_TRUE(no_body.json->getObject("error")->has("error_user_msg"));
  EXPECT_EQ(create(R"({"name":"x","language":"en","category":"NEWS","components":[
      {"type":"BODY","text":"hello"}]})")
                .code(),
            100);
  EXPECT_EQ(create(R"({"name":"hdr","language":"en","category":"MARKETING","components":[
      {"type":"HEADER","format":"TEXT","text":"{{1}} and {{2}}","example":{"header_text":["a","b"]}},
      {"type":"BODY","text":"hello"}]})")
                .code(),
            100);
  EXPECT_EQ(create(R"({"name":"btn","language":"en","category":"MARKETING","components":[
      {"type":"BODY","text":"hello"},{"type":"BUTTONS","buttons":[
      {"type":"QUICK_REPLY","text":"A"},{"type":"URL","text":"Go","url":"https://x.example"},
      {"type":"QUICK_REPLY","text":"B"}]}]})")
                .code(),
            100)
      << "quick replies must be grouped";

  ASSERT_EQ(create(tmpl("ok_one", "Hi {{1}}")).status, 200);
  auto dup = create(tmpl("ok_one", "Hi {{1}}"));
  EXPECT_EQ(dup.code(), 100);
  EXPECT_EQ(create(tmpl("ok_one", "Hola {{1}}", R"([["Pablo"]])", "es")).status, 200)
      << "same name in another language is fine";
}

TEST(WaSimTemplates, ReviewOnSimClockWithStatusWebhook) {
  WebhookReceiver hook;
  SimProcess sim({"--webhook-url", hook.url(), "--app-secret", "s"});
  World w = makeWorld(sim);
  sim.control("POST", "/config", R"({"review_delay_ms":3600000})");
  auto r = sim.graph(
      "POST", "/" + w.waba + "/message_templates",
      tmpl("order_confirmation", "Hi {{1}}! Order {{2}} ships.", R"([["Pablo","860198"]])"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json->getValue<std::string>("status"), "PENDING");
  EXPECT_EQ(r.json->getValue<std::string>("category"), "UTILITY");
  const auto id = r.json->getValue<std::string>("id");

  sim.control(
      "POST", "/inbound",
      R"({"phone_number_id":")" + w.number + R"(","from":"16505551234","text":{"body":"x"}})");
  const std::string send = R"({"messaging_product":"whatsapp","to":"16505551234","type":"template",
      "template":{"name":"order_confirmation","language":{"code":"en_US"},"components":[
      {"type":"body","parameters":[{"type":"text","text":"A"},{"type":"text","text":"B"}]}]}})";
  EXPECT_EQ(sim.graph("POST", "/" + w.number + "/messages", send).code(), 132001);

  sim.control("POST", "/clock/advance", R"({"seconds":3601})");
  auto approved = [](const auto& d) {
    for (const auto& [field, value] : changesOf(d))
      if (field == "message_template_status_update") return true;
    return false;
  };
  ASSERT_TRUE(hook.waitFor(approved));
  Obj value;
  for (const auto& [field, v] : changesOf(hook.deliveries()))
    if (field == "message_template_status_update") value = v;
  EXPECT_EQ(value->getValue<std::string>("event"), "APPROVED");
  EXPECT_TRUE(value->get("message_template_id").isInteger()) << "a JSON number, not a string";
  EXPECT_EQ(std::to_string(value->getValue<int64_t>("message_template_id")), id);
  EXPECT_EQ(value->getValue<std::string>("message_template_name"), "order_confirmation");

  EXPECT_EQ(sim.graph("GET", "/" + id + "?fields=status").json->getValue<std::string>("status"),
            "APPROVED");
  EXPECT_EQ(sim.graph("POST", "/" + w.number + "/messages", send).status, 200);

  sim.control("POST", "/templates/" + id + "/status", R"({"status":"PAUSED"})");
  EXPECT_EQ(sim.graph("POST", "/" + w.number + "/messages", send).code(), 132015);
  sim.control("POST", "/templates/" + id + "/status", R"({"status":"DISABLED"})");
  EXPECT_EQ(sim.graph("POST", "/" + w.number + "/messages", send).code(), 132016);
}

TEST(WaSimTemplates, AdjacentPlaceholdersRejectedAtReview) {
  SimProcess sim;
  World w = makeWorld(sim);
  sim.control("POST", "/config", R"({"review_delay_ms":0})");
  auto r = sim.graph("POST", "/" + w.waba + "/message_templates",
                     tmpl("adjacent", "Hi {{1}}{{2}}", R"([["a","b"]])"));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json->getValue<std::string>("status"), "REJECTED");
  auto got = sim.graph(
      "GET", "/" + r.json->getValue<std::string>("id") + "?fields=status,rejected_reason");
  EXPECT_EQ(got.json->getValue<std::string>("rejected_reason"), "INVALID_FORMAT");
}

TEST(WaSimTemplates, ListPagingAndDelete) {
  SimProcess sim;
  World w = makeWorld(sim);
  for (int i = 0; i < 5; ++i)
    ASSERT_EQ(sim.graph("POST", "/" + w.waba + "/message_templates",
                        tmpl("t" + std::to_string(i), "Hi {{1}}"))
                  .status,
              200);
  std::vector<std::string> names;
  std::string path = "/v21.0/" + w.waba + "/message_templates?limit=2&fields=name,status";
  for (int page = 0; page < 5 && !path.empty(); ++page) {
    auto r = sim.call("GET", path, "", "T");
    ASSERT_EQ(r.status, 200) << r.body;
    auto data = r.json->getArray("data");
    for (size_t i = 0; i < data->size(); ++i)
      names.push_back(data->getObject(static_cast<unsigned>(i))->getValue<std::string>("name"));
    path.clear();
    auto paging = r.json->getObject("paging");
    if (paging && paging->has("next")) {
      auto next = paging->getValue<std::string>("next");
      path = next.substr(next.find("/v21.0/"));
    }
  }
  EXPECT_EQ(names, (std::vector<std::string>{"t0", "t1", "t2", "t3", "t4"}));

  EXPECT_EQ(sim.graph("DELETE", "/" + w.waba + "/message_templates?name=t1").status, 200);
  EXPECT_EQ(sim.graph("DELETE", "/" + w.waba + "/message_templates?name=t1").code(), 100);
  auto after = sim.graph("GET", "/" + w.waba + "/message_templates?name=t1");
  EXPECT_EQ(after.json->getArray("data")->size(), 0u);
}

}  // namespace
}  // namespace wasim_test

namespace wasim_test {
namespace {

TEST(WaSimTemplates, DeletedApprovedNameBlockedForThirtyDays) {
  SimProcess sim;
  World w = makeWorld(sim);
  sim.control("POST", "/config", R"({"review_delay_ms":0})");
  const std::string body = tmpl("promo", "Hi {{1}}");
  ASSERT_EQ(sim.graph("POST", "/" + w.waba + "/message_templates", body).status, 200);
  ASSERT_EQ(sim.graph("DELETE", "/" + w.waba + "/message_templates?name=promo").status, 200);
  EXPECT_EQ(sim.graph("POST", "/" + w.waba + "/message_templates", body).code(), 100);
  sim.control("POST", "/clock/advance", R"({"seconds":2592001})");
  EXPECT_EQ(sim.graph("POST", "/" + w.waba + "/message_templates", body).status, 200);
}

TEST(WaSimTemplates, DeleteOneLanguageWithHsmId) {
  SimProcess sim;
  World w = makeWorld(sim);
  auto en = sim.graph("POST", "/" + w.waba + "/message_templates", tmpl("multi", "Hi {{1}}"));
  ASSERT_EQ(sim.graph("POST", "/" + w.waba + "/message_templates",
                      tmpl("multi", "Hola {{1}}", R"([["Pablo"]])", "es"))
                .status,
            200);
  const auto en_id = en.json->getValue<std::string>("id");
  ASSERT_EQ(
      sim.graph("DELETE", "/" + w.waba + "/message_templates?name=multi&hsm_id=" + en_id).status,
      200);
  auto left = sim.graph("GET", "/" + w.waba + "/message_templates?name=multi&fields=language");
  ASSERT_EQ(left.json->getArray("data")->size(), 1u);
  EXPECT_EQ(left.json->getArray("data")->getObject(0)->getValue<std::string>("language"), "es");
}

}  // namespace
}  // namespace wasim_test

namespace wasim_test {
namespace {

TEST(WaSimTemplates, AuthenticationTemplateUsesPresetTextAndOtpButton) {
  SimProcess sim;
  World w = makeWorld(sim);
  sim.control("POST", "/config", R"({"review_delay_ms":0})");
  auto r = sim.graph("POST", "/" + w.waba + "/message_templates",
                     R"({"name":"otp","language":"en_US","category":"AUTHENTICATION","components":[
          {"type":"BODY","add_security_recommendation":true},
          {"type":"FOOTER","code_expiration_minutes":10},
          {"type":"BUTTONS","buttons":[{"type":"OTP","otp_type":"COPY_CODE","text":"Copy code"}]}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto got = sim.graph("GET", "/" + r.json->getValue<std::string>("id") + "?fields=components");
  auto body = got.json->getArray("components")->getObject(0);
  EXPECT_EQ(body->getValue<std::string>("text"),
            "*{{1}}* is your verification code. For your security, do not share this code.");
  const std::string send = R"({"messaging_product":"whatsapp","to":"16505551234","type":"template",
      "template":{"name":"otp","language":{"code":"en_US"},"components":[
      {"type":"body","parameters":[{"type":"text","text":"123456"}]})";
  EXPECT_EQ(sim.graph("POST", "/" + w.number + "/messages", send + "]}}").code(), 132000)
      << "the OTP button needs the code too";
  EXPECT_EQ(sim.graph("POST", "/" + w.number + "/messages",
                      send + R"(,{"type":"button","sub_type":"url","index":"0",
          "parameters":[{"type":"text","text":"123456"}]}]}})")
                .status,
            200);
  EXPECT_EQ(sim.graph("POST", "/" + w.waba + "/message_templates",
                      R"({"name":"otp2","language":"en","category":"AUTHENTICATION","components":[
          {"type":"BODY"},{"type":"FOOTER","code_expiration_minutes":91}]})")
                .code(),
            100);
}

}  // namespace
}  // namespace wasim_test
