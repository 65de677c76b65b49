// Templates: local validation with field-level errors (docs/whatsapp-cloud-api.md §2.2-2.3), and
// the invoke operations create/list/sync/delete/preview plus status webhooks updating what send()
// checks.
#include "templates.hpp"

#include "wa_fixture.hpp"

namespace watest {
namespace {

json::Value tpl(std::string_view text) {
  return parse(text);
}

std::vector<wa::FieldError> errors_of(std::string_view text) {
  return wa::validate_template(tpl(text), nullptr);
}

bool has_error(const std::vector<wa::FieldError>& errs, std::string_view field,
               std::string_view fragment) {
  for (const auto& e : errs) {
    if (e.field == field && e.message.find(fragment) != std::string::npos) return true;
  }
  return false;
}

constexpr const char* kGood = R"({
  "name": "order_confirmation", "language": "en_US", "category": "utility",
  "components": [
    { "type": "header", "format": "text", "text": "Order {{1}}", "example": { "header_text": ["#4412"] } },
    { "type": "body", "text": "Hi {{1}}! Your order {{2}} ships on {{3}}.",
      "example": { "body_text": [["Pablo", "860198-230332", "June 3"]] } },
    { "type": "footer", "text": "Reply STOP to opt out" },
    { "type": "buttons", "buttons": [
        { "type": "QUICK_REPLY", "text": "Track order" },
        { "type": "URL", "text": "View", "url": "https://shop.example/o/{{1}}", "example": ["https://shop.example/o/860198"] },
        { "type": "PHONE_NUMBER", "text": "Call us", "phone_number": "+15551234567" } ] } ] })";

TEST(WaTemplateValidation, TheReferenceExampleIsValidAndNormalised) {
  json::Value normalized;
  auto errs = wa::validate_template(tpl(kGood), &normalized);
  EXPECT_TRUE(errs.empty()) << wa::errors_text(errs);
  EXPECT_EQ(normalized.find("category")->as_string(), "UTILITY");
  EXPECT_EQ(normalized.find("components")->items()[0].find("type")->as_string(), "HEADER");
  EXPECT_EQ(normalized.find("components")->items()[0].find("format")->as_string(), "TEXT");
}

TEST(WaTemplateValidation, Names) {
  EXPECT_TRUE(wa::valid_template_name("order_2"));
  EXPECT_FALSE(wa::valid_template_name("Order"));
  EXPECT_FALSE(wa::valid_template_name("order-2"));
  EXPECT_FALSE(wa::valid_template_name(""));
  EXPECT_FALSE(wa::valid_template_name(std::string(513, 'a')));
  EXPECT_TRUE(wa::valid_template_name(std::string(512, 'a')));
  auto errs = errors_of(R"({"name":"Bad Name","language":"en","category":"UTILITY",)"
                        R"("components":[{"type":"BODY","text":"hi"}]})");
  EXPECT_TRUE(has_error(errs, "name", "lowercase"));
}

TEST(WaTemplateValidation, LanguageAndCategory) {
  auto errs = errors_of(R"({"name":"a","language":"english","category":"PROMO",)"
                        R"("components":[{"type":"BODY","text":"hi"}]})");
  EXPECT_TRUE(has_error(errs, "language", "locale"));
  EXPECT_TRUE(has_error(errs, "category", "MARKETING"));
  EXPECT_TRUE(wa::valid_language("pt_BR"));
  EXPECT_TRUE(wa::valid_language("en"));
  EXPECT_FALSE(wa::valid_language("en-US"));
  EXPECT_EQ(wa::normalize_language("en-US"), "en_US");
}

TEST(WaTemplateValidation, PlaceholdersMustBeSequential) {
  auto errs = errors_of(
      R"({"name":"a","language":"en","category":"UTILITY","components":[)"
      R"({"type":"BODY","text":"Hi {{1}} and {{3}}","example":{"body_text":[["x","y"]]}}]})");
  EXPECT_TRUE(has_error(errs, "components[0].text", "sequential"));
  auto zero = errors_of(R"({"name":"a","language":"en","category":"UTILITY","components":[)"
                        R"({"type":"BODY","text":"Hi {{0}}","example":{"body_text":[["x"]]}}]})");
  EXPECT_TRUE(has_error(zero, "components[0].text", "malformed"));
}

TEST(WaTemplateValidation, AdjacentPlaceholdersAreRefused) {
  auto errs =
      errors_of(R"({"name":"a","language":"en","category":"UTILITY","components":[)"
                R"({"type":"BODY","text":"Hi {{1}}{{2}}","example":{"body_text":[["x","y"]]}}]})");
  EXPECT_TRUE(has_error(errs, "components[0].text", "text between"));
}

TEST(WaTemplateValidation, ExamplesMustMatchThePlaceholders) {
  auto missing = errors_of(R"({"name":"a","language":"en","category":"UTILITY","components":[)"
                           R"({"type":"BODY","text":"Hi {{1}}, {{2}}"}]})");
  EXPECT_TRUE(has_error(missing, "components[0].example.body_text", "required"));
  auto count =
      errors_of(R"({"name":"a","language":"en","category":"UTILITY","components":[)"
                R"({"type":"BODY","text":"Hi {{1}}, {{2}}","example":{"body_text":[["x"]]}}]})");
  EXPECT_TRUE(has_error(count, "components[0].example.body_text", "1 example(s) for 2"));
  auto header = errors_of(
      R"({"name":"a","language":"en","category":"UTILITY","components":[)"
      R"({"type":"HEADER","format":"TEXT","text":"Hi {{1}}"},{"type":"BODY","text":"b"}]})");
  EXPECT_TRUE(has_error(header, "components[0].example.header_text", "required"));
}

TEST(WaTemplateValidation, NamedParameters) {
  auto ok = errors_of(
      R"({"name":"a","language":"en","category":"UTILITY","parameter_format":"named",)"
      R"("components":[{"type":"BODY","text":"Hi {{first_name}}",)"
      R"("example":{"body_text_named_params":[{"param_name":"first_name","example":"Pablo"}]}}]})");
  EXPECT_TRUE(ok.empty()) << wa::errors_text(ok);
  auto missing =
      errors_of(R"({"name":"a","language":"en","category":"UTILITY","parameter_format":"NAMED",)"
                R"("components":[{"type":"BODY","text":"Hi {{first_name}}"}]})");
  EXPECT_TRUE(has_error(missing, "components[0].example.body_text_named_params", "first_name"));
  auto mixed = errors_of(R"({"name":"a","language":"en","category":"UTILITY",)"
                         R"("components":[{"type":"BODY","text":"Hi {{first_name}}"}]})");
  EXPECT_TRUE(has_error(mixed, "components[0].text", "NAMED"));
}

TEST(WaTemplateValidation, ComponentLimits) {
  std::string long_body(1025, 'x');
  auto errs = errors_of(
      std::string(R"({"name":"a","language":"en","category":"UTILITY","components":[)") +
      R"({"type":"HEADER","format":"TEXT","text":"h {{1}} {{2}}","example":{"header_text":["1","2"]}},)" +
      R"({"type":"BODY","text":")" + long_body + R"("},)" +
      R"({"type":"FOOTER","text":"f {{1}}"}]})");
  EXPECT_TRUE(has_error(errs, "components[0].text", "at most 1 parameter"));
  EXPECT_TRUE(has_error(errs, "components[1].text", "1024"));
  EXPECT_TRUE(has_error(errs, "components[2].text", "no parameters"));
  auto nobody = errors_of(R"({"name":"a","language":"en","category":"UTILITY","components":[]})");
  EXPECT_TRUE(has_error(nobody, "components", "exactly one BODY"));
  auto media = errors_of(R"({"name":"a","language":"en","category":"UTILITY","components":[)"
                         R"({"type":"HEADER","format":"IMAGE"},{"type":"BODY","text":"b"}]})");
  EXPECT_TRUE(has_error(media, "components[0].example.header_handle", "handle"));
}

TEST(WaTemplateValidation, ButtonRules) {
  auto errs = errors_of(
      R"({"name":"a","language":"en","category":"UTILITY","components":[)"
      R"({"type":"BODY","text":"b"},{"type":"BUTTONS","buttons":[)"
      R"({"type":"QUICK_REPLY","text":"One"},{"type":"URL","text":"u","url":"https://a"},)"
      R"({"type":"QUICK_REPLY","text":"Two"},{"type":"URL","text":"u","url":"https://b"},)"
      R"({"type":"URL","text":"u","url":"https://c"},)"
      R"({"type":"PHONE_NUMBER","text":"p","phone_number":"+1"},{"type":"PHONE_NUMBER","text":"p","phone_number":"+2"},)"
      R"({"type":"COPY_CODE","text":"c"},)"
      R"({"type":"QUICK_REPLY","text":"This text is longer than 25"}]}]})");
  EXPECT_TRUE(has_error(errs, "components[1].buttons[2]", "grouped"));
  EXPECT_TRUE(has_error(errs, "components[1].buttons", "at most 2 URL"));
  EXPECT_TRUE(has_error(errs, "components[1].buttons", "at most 1 PHONE_NUMBER"));
  EXPECT_TRUE(has_error(errs, "components[1].buttons[7]", "MARKETING"));
  EXPECT_TRUE(has_error(errs, "components[1].buttons[8].text", "25"));
  std::string eleven;
  for (int i = 0; i < 11; ++i)
    eleven += std::string(i ? "," : "") + R"({"type":"QUICK_REPLY","text":"q"})";
  auto many = errors_of(R"({"name":"a","language":"en","category":"MARKETING","components":[)"
                        R"({"type":"BODY","text":"b"},{"type":"BUTTONS","buttons":[)" +
                        eleven + "]}]}");
  EXPECT_TRUE(has_error(many, "components[1].buttons", "at most 10"));
}

TEST(WaTemplatePreview, FillsParametersAndCountsThem) {
  json::Value stored =
      parse(R"([{"type":"HEADER","format":"TEXT","text":"Order {{1}}"},)"
            R"({"type":"BODY","text":"Hi {{1}}, total {{2}}"},{"type":"FOOTER","text":"Bye"}])");
  json::Value send = parse(
      R"([{"type":"header","parameters":[{"type":"text","text":"#9"}]},)"
      R"({"type":"body","parameters":[{"type":"text","text":"Ann"},)"
      R"({"type":"currency","currency":{"fallback_value":"$5","code":"USD","amount_1000":5000}}]}])");
  EXPECT_EQ(wa::render_preview(stored, send), "Order #9\nHi Ann, total $5\nBye");
  EXPECT_TRUE(wa::check_send_components(stored, send).empty());
  json::Value short_send =
      parse(R"([{"type":"body","parameters":[{"type":"text","text":"Ann"}]}])");
  auto errs = wa::check_send_components(stored, short_send);
  ASSERT_EQ(errs.size(), 2u);
  EXPECT_EQ(errs[0].field, "components.header");
  EXPECT_EQ(errs[1].field, "components.body");
}

TEST(WaTemplateSendCheck, MediaHeaderTypeNamesAndLengths) {
  json::Value image = parse(R"([{"type":"HEADER","format":"IMAGE"},{"type":"BODY","text":"Hi"}])");
  auto wrong = wa::check_send_components(
      image,
      parse(R"([{"type":"header","parameters":[{"type":"document","document":{"id":"1"}}]}])"));
  ASSERT_EQ(wrong.size(), 1u);
  EXPECT_EQ(wrong[0].field, "components.header.parameters[0].type");
  EXPECT_TRUE(
      wa::check_send_components(
          image, parse(R"([{"type":"header","parameters":[{"type":"image","image":{"id":"1"}}]}])"))
          .empty());

  json::Value named = parse(R"([{"type":"BODY","text":"Hi {{first_name}}, order {{order_id}}"}])");
  auto ok = wa::check_send_components(
      named, parse(R"([{"type":"body","parameters":[)"
                   R"({"type":"text","parameter_name":"order_id","text":"42"},)"
                   R"({"type":"text","parameter_name":"first_name","text":"Ann"}]}])"));
  EXPECT_TRUE(ok.empty()) << wa::errors_text(ok);
  auto bad_name = wa::check_send_components(
      named, parse(R"([{"type":"body","parameters":[)"
                   R"({"type":"text","parameter_name":"name","text":"42"},)"
                   R"({"type":"text","parameter_name":"first_name","text":"Ann"}]}])"));
  ASSERT_EQ(bad_name.size(), 1u);
  EXPECT_EQ(bad_name[0].field, "components.body.parameters[0].parameter_name");

  json::Value header = parse(
      R"([{"type":"HEADER","format":"TEXT","text":"Order {{1}}"},{"type":"BODY","text":"b"}])");
  auto long_text = wa::check_send_components(
      header, parse(R"([{"type":"header","parameters":[{"type":"text","text":")" +
                    std::string(61, 'x') + R"("}]}])"));
  ASSERT_EQ(long_text.size(), 1u);
  EXPECT_EQ(long_text[0].field, "components.header.parameters[0].text");
}

using WaTemplateOps = WhatsApp;

TEST_F(WaTemplateOps, ValidateAnswersFieldErrorsWithoutCallingMeta) {
  auto r = fake.invoke("template_validate",
                       R"({"template":{"name":"X","language":"en","category":"UTILITY",)"
                       R"("components":[{"type":"BODY","text":"hi"}]}})");
  ASSERT_EQ(r.status, SB_OK);
  auto out = parse(r.json);
  EXPECT_FALSE(out.find("ok")->as_bool());
  EXPECT_EQ(out.find("errors")->items().at(0).find("field")->as_string(), "name");
  EXPECT_TRUE(fake.http_calls().empty());
}

TEST_F(WaTemplateOps, CreateSendsTheNormalisedTemplateAndStoresIt) {
  on("POST", std::string("/") + kWaba + "/message_templates", 200,
     R"({"id":"1259544702043867","status":"PENDING","category":"UTILITY"})");
  auto r = fake.invoke("template_create", kGood);
  ASSERT_EQ(r.status, SB_OK) << r.error.message;
  auto sent = parse(calls_to(std::string("/v21.0/") + kWaba + "/message_templates").at(0).body);
  EXPECT_EQ(sent.find("category")->as_string(), "UTILITY");
  EXPECT_EQ(sent.find("components")->items()[1].find("type")->as_string(), "BODY");
  auto get = fake.invoke("template_get", R"({"name":"order_confirmation","language":"en_US"})");
  ASSERT_EQ(get.status, SB_OK);
  EXPECT_EQ(parse(get.json).find("status")->as_string(), "PENDING");
  EXPECT_EQ(parse(get.json).find("id")->as_string(), "1259544702043867");
  // Pending is not sendable yet; preview says so.
  auto preview = fake.invoke("template_preview",
                             R"({"name":"order_confirmation","language":"en_US","components":[)"
                             R"({"type":"header","parameters":[{"type":"text","text":"#1"}]},)"
                             R"({"type":"body","parameters":[{"type":"text","text":"Ann"},)"
                             R"({"type":"text","text":"42"},{"type":"text","text":"Monday"}]}]})");
  ASSERT_EQ(preview.status, SB_OK) << preview.error.message;
  auto p = parse(preview.json);
  EXPECT_EQ(p.find("text")->as_string(),
            "Order #1\nHi Ann! Your order 42 ships on Monday.\nReply STOP to opt out");
  EXPECT_FALSE(p.find("sendable")->as_bool());
  EXPECT_TRUE(p.find("problems")->items().empty());
}

TEST_F(WaTemplateOps, CreateRefusesAnInvalidTemplateLocally) {
  auto r = fake.invoke("template_create", R"({"name":"a","language":"en","category":"UTILITY",)"
                                          R"("components":[{"type":"BODY","text":"Hi {{2}}"}]})");
  EXPECT_EQ(r.status, SB_ERR_INVALID_ARG);
  // The offending field leads, so the API reports it as the error's `field`.
  EXPECT_EQ(r.error.message.rfind("components[0].text: ", 0), 0u) << r.error.message;
  EXPECT_TRUE(fake.http_calls().empty());
}

TEST_F(WaTemplateOps, StatusWebhookUpdatesTheStoreAndBlocksSends) {
  on("POST", std::string("/") + kWaba + "/message_templates", 200,
     R"({"id":"1689556908129832","status":"APPROVED","category":"UTILITY"})");
  ASSERT_EQ(fake.invoke("template_create", kGood).status, SB_OK);
  ASSERT_EQ(
      post_signed(account_payload("message_template_status_update",
                                  R"({"event":"PAUSED","message_template_id":1689556908129832,)"
                                  R"("message_template_name":"order_confirmation",)"
                                  R"("message_template_language":"en-US","reason":"NONE"})"))
          .http_status,
      200);
  auto get = fake.invoke("template_get", R"({"name":"order_confirmation","language":"en_US"})");
  EXPECT_EQ(parse(get.json).find("status")->as_string(), "PAUSED");
  Outbound m;
  m.to = "+16505551234";
  m.content_type = "template";
  m.payload_json = R"({"name":"order_confirmation","language":"en_US"})";
  auto r = fake.send(m);
  EXPECT_EQ(r.status, SB_ERR_REJECTED);
  EXPECT_EQ(r.error.provider_code, "132015");
  EXPECT_NE(r.error.message.find("PAUSED"), std::string::npos);
}

TEST_F(WaTemplateOps, QualityAndCategoryWebhooksUpdateTheRecord) {
  fake.kv_set("tpl/index", std::string(R"([")") + kWaba + R"(/promo/en_US"])");
  fake.kv_set(
      std::string("tpl/") + kWaba + "/promo/en_US",
      R"({"id":"5","name":"promo","language":"en_US","status":"APPROVED","category":"UTILITY"})");
  ASSERT_EQ(
      post_signed(account_payload("message_template_quality_update",
                                  R"({"previous_quality_score":"GREEN","new_quality_score":"RED",)"
                                  R"("message_template_id":5,"message_template_name":"promo",)"
                                  R"("message_template_language":"en_US"})"))
          .http_status,
      200);
  ASSERT_EQ(post_signed(account_payload(
                            "template_category_update",
                            R"({"message_template_id":5,"message_template_name":"promo",)"
                            R"("message_template_language":"en_US","previous_category":"UTILITY",)"
                            R"("new_category":"MARKETING"})"))
                .http_status,
            200);
  auto rec = parse(fake.invoke("template_get", R"({"name":"promo","language":"en_US"})").json);
  EXPECT_EQ(rec.find("quality")->as_string(), "RED");
  EXPECT_EQ(rec.find("category")->as_string(), "MARKETING");
  ASSERT_EQ(
      post_signed(
          account_payload("message_template_status_update",
                          R"({"event":"REJECTED","message_template_id":5,)"
                          R"("message_template_name":"promo","message_template_language":"en_US",)"
                          R"("reason":"PROMOTIONAL"})"))
          .http_status,
      200);
  rec = parse(fake.invoke("template_get", R"({"name":"promo","language":"en_US"})").json);
  EXPECT_EQ(rec.find("status")->as_string(), "REJECTED");
  EXPECT_EQ(rec.find("reason")->as_string(), "PROMOTIONAL");
}

TEST_F(WaTemplateOps, SyncFollowsPagingAndReplacesTheStore) {
  fake.kv_set("tpl/index", std::string(R"([")") + kWaba + R"(/stale/en"])");
  fake.kv_set(std::string("tpl/") + kWaba + "/stale/en",
              R"({"name":"stale","language":"en","status":"APPROVED"})");
  int page = 0;
  fake.set_http_handler([&](const HttpCall& c) {
    EXPECT_EQ(path_of(c), std::string("/v21.0/") + kWaba + "/message_templates");
    ++page;
    if (c.url.find("after=CUR1") == std::string::npos) {
      return HttpReply{
          200,
          {},
          R"({"data":[{"id":"1","name":"a","language":"en_US","status":"APPROVED",)"
          R"("category":"UTILITY","components":[{"type":"BODY","text":"x"}]}],)"
          R"("paging":{"cursors":{"before":"B","after":"CUR1"},"next":"https://next"}})",
          SB_OK,
          {}};
    }
    return HttpReply{200,
                     {},
                     R"({"data":[{"id":"2","name":"b","language":"pt_BR","status":"REJECTED",)"
                     R"("category":"MARKETING","quality_score":{"score":"RED"}}],)"
                     R"("paging":{"cursors":{"before":"C","after":"CUR2"}}})",
                     SB_OK,
                     {}};
  });
  auto r = fake.invoke("template_sync");
  ASSERT_EQ(r.status, SB_OK) << r.error.message;
  EXPECT_EQ(page, 2);
  EXPECT_EQ(parse(r.json).find("templates")->as_int(), 2);
  auto list = parse(fake.invoke("template_list").json).find("templates")->items();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].find("name")->as_string(), "a");
  EXPECT_EQ(list[1].find("quality")->as_string(), "RED");
  EXPECT_EQ(fake.kv().count(std::string("tpl/") + kWaba + "/stale/en"), 0u);
  auto rejected = parse(fake.invoke("template_list", R"({"status":"rejected"})").json);
  EXPECT_EQ(rejected.find("templates")->items().size(), 1u);
}

// can_send sees the template a send would carry (ABI 1.1) and refuses, before anything is queued,
// what the store knows WhatsApp would refuse; before the WABA's first sync an unknown template is
// left to Meta.
TEST_F(WaTemplateOps, CanSendRefusesAnUnknownOrUnapprovedTemplateOnceTheWabaIsSynced) {
  on("GET", std::string("/") + kWaba + "/message_templates", 200,
     R"({"data":[{"id":"1","name":"greet","language":"en","status":"APPROVED",)"
     R"("components":[{"type":"BODY","text":"Hi {{1}}"}]},)"
     R"({"id":"2","name":"promo","language":"en_US","status":"REJECTED"},)"
     R"({"id":"3","name":"later","language":"en","status":"PENDING"},)"
     R"({"id":"4","name":"quiet","language":"en","status":"PAUSED"}]})");
  const std::string to = "+16505551234";
  auto ask = [&](const std::string& payload, uint32_t size = sizeof(sb_can_send_query)) {
    return fake.can_send(to, "template", 0, {}, payload, size);
  };
  const std::string unknown = R"({"name":"no_such_template","language":"en_US"})";

  // Never synced: the store cannot know every template, so Meta decides.
  auto fresh = ask(unknown);
  ASSERT_EQ(fresh.status, SB_OK);
  EXPECT_TRUE(fresh.allowed) << fresh.reason;

  ASSERT_EQ(fake.invoke("template_sync").status, SB_OK);
  auto a = ask(unknown);
  ASSERT_EQ(a.status, SB_OK);
  EXPECT_FALSE(a.allowed);
  EXPECT_EQ(a.mode, SB_SEND_MODE_TEMPLATE_ONLY);  // the window's mode is kept
  EXPECT_NE(a.reason.find(std::string("template no_such_template (en_US) in WABA ") + kWaba +
                          " is unknown"),
            std::string::npos)
      << a.reason;
  for (const char* status : {"REJECTED", "PENDING", "PAUSED"}) {
    const std::string name = status == std::string("REJECTED")  ? "promo"
                             : status == std::string("PENDING") ? "later"
                                                                : "quiet";
    const std::string lang = name == "promo" ? "en_US" : "en";
    auto r = ask(R"({"name":")" + name + R"(","language":{"code":")" + lang + R"("}})");
    EXPECT_FALSE(r.allowed) << status;
    EXPECT_NE(
        r.reason.find("template " + name + " (" + lang + ") in WABA " + kWaba + " is " + status),
        std::string::npos)
        << r.reason;
  }
  // An approved template with the parameters it needs may go; with the wrong count it may not.
  auto ok = ask(R"({"name":"greet","language":"en","components":[{"type":"body",)"
                R"("parameters":[{"type":"text","text":"Ann"}]}]})");
  EXPECT_TRUE(ok.allowed) << ok.reason;
  auto short_of = ask(R"({"name":"greet","language":"en"})");
  EXPECT_FALSE(short_of.allowed);
  EXPECT_NE(short_of.reason.find("expects 1 parameter(s), 0 given"), std::string::npos)
      << short_of.reason;
  // A host of ABI 1.0 passes no payload: the template cannot be judged, send() and Meta decide.
  auto old_host = ask(unknown, offsetof(sb_can_send_query, payload_json));
  EXPECT_TRUE(old_host.allowed) << old_host.reason;
  // Free text outside the window stays refused for the window, whatever the payload.
  EXPECT_FALSE(fake.can_send(to, "text", 0, {}, unknown).allowed);
  EXPECT_TRUE(calls_to(std::string("/v21.0/") + kPnid + "/messages").empty());
}

TEST_F(WaTemplateOps, ASyncOfAnotherWabaDoesNotMakeTemplatesUnknownInThisOne) {
  fake.kv_set("tplsync/999000111", "1");  // another WABA was synced, this one never
  auto a = fake.can_send("+16505551234", "template", 0, {},
                         R"({"name":"no_such_template","language":"en_US"})");
  EXPECT_TRUE(a.allowed) << a.reason;
}

TEST_F(WaTemplateOps, DeleteOneLanguageUsesTheTemplateId) {
  const std::string w = kWaba;
  fake.kv_set("tpl/index", R"([")" + w + R"(/promo/en",")" + w + R"(/promo/de"])");
  fake.kv_set("tpl/" + w + "/promo/en",
              R"({"id":"11","name":"promo","language":"en","status":"APPROVED"})");
  fake.kv_set("tpl/" + w + "/promo/de",
              R"({"id":"12","name":"promo","language":"de","status":"APPROVED"})");
  on("DELETE", std::string("/") + kWaba + "/message_templates", 200, R"({"success":true})");
  auto r = fake.invoke("template_delete", R"({"name":"promo","language":"de"})");
  ASSERT_EQ(r.status, SB_OK) << r.error.message;
  auto call = calls_to(std::string("/v21.0/") + kWaba + "/message_templates").at(0);
  EXPECT_EQ(call.method, "DELETE");
  EXPECT_NE(call.url.find("?name=promo&hsm_id=12"), std::string::npos) << call.url;
  EXPECT_EQ(parse(fake.invoke("template_list").json).find("templates")->items().size(), 1u);
  ASSERT_EQ(fake.invoke("template_delete", R"({"name":"promo"})").status, SB_OK);
  EXPECT_EQ(parse(fake.invoke("template_list").json).find("templates")->items().size(), 0u);
}

TEST_F(WaTemplateOps, PeriodicSyncRunsOnTheTimer) {
  FakeHost other;
  ASSERT_TRUE(other.load(whatsapp_entry()));
  other.set_secret("access_token", kToken);
  other.set_secret("app_secret", kAppSecret);
  other.set_secret("verify_token", "v");
  int calls = 0;
  other.set_http_handler([&](const HttpCall& c) {
    calls += c.url.find("/message_templates") != std::string::npos ? 1 : 0;  // not number loads
    return HttpReply{200, {}, R"({"data":[]})", SB_OK, {}};
  });
  std::string cfg = config();
  cfg.replace(cfg.find(R"("template_sync_interval_s":0)"), 28, R"("template_sync_interval_s":60)");
  ASSERT_TRUE(other.create("wa-3", cfg));
  ASSERT_TRUE(other.start());
  EXPECT_EQ(calls, 0);
  other.advance_and_run(std::chrono::seconds(5));
  EXPECT_EQ(calls, 1);
  other.advance_and_run(std::chrono::seconds(60));
  EXPECT_EQ(calls, 2);
  other.stop();
  EXPECT_EQ(other.pending_timers(), 0u);
}

}  // namespace
}  // namespace watest
