// send(): the exact request bodies of docs/whatsapp-cloud-api.md §3 for each content type, the
// window rule enforced before Meta is called, template status checks, Graph errors mapped to ABI
// statuses, token-expiry degradation, and the per-number throughput limit.
#include "wa_fixture.hpp"

namespace watest {
namespace {

constexpr const char* kOk =
    R"({"messaging_product":"whatsapp","contacts":[{"input":"+16505551234","wa_id":"16505551234"}],)"
    R"("messages":[{"id":"wamid.OUT1"}]})";

class WaSendTest : public WhatsApp {
 protected:
  void SetUp() override {
    WhatsApp::SetUp();
    on("POST", std::string("/") + kPnid + "/messages", 200, kOk);
  }
  Outbound msg(std::string content_type, std::string text = {}, std::string payload = {}) {
    Outbound m;
    m.message_id = 7;
    m.to = "+1 (650) 555-1234";
    m.content_type = std::move(content_type);
    m.text = std::move(text);
    m.payload_json = std::move(payload);
    return m;
  }
  // `body` with the callback data send() adds for message 7 of instance wa-1.
  static std::string with_callback(std::string body) {
    body.insert(body.size() - 1, R"(,"biz_opaque_callback_data":"sb:wa-1:7")");
    return body;
  }
  // The body of the last messages call, as sent.
  std::string last_body() {
    auto calls = calls_to(std::string("/v21.0/") + kPnid + "/messages");
    return calls.empty() ? std::string() : calls.back().body;
  }
};

TEST_F(WaSendTest, TextBodyMatchesTheReference) {
  customer_writes();
  auto r = fake.send(msg("text", "See https://example.com/x", R"({"preview_url":true})"));
  ASSERT_EQ(r.status, SB_OK) << r.error.message;
  EXPECT_EQ(r.provider_id, "wamid.OUT1");
  EXPECT_EQ(
      last_body(),
      with_callback(
          R"({"messaging_product":"whatsapp","recipient_type":"individual","to":"+16505551234",)"
          R"("type":"text","text":{"preview_url":true,"body":"See https://example.com/x"}})"));
  auto call = calls_to(std::string("/v21.0/") + kPnid + "/messages").back();
  EXPECT_EQ(call.method, "POST");
  EXPECT_EQ(call.url, std::string(kBase) + "/v21.0/" + kPnid + "/messages");
  EXPECT_NE(call.headers.find(std::string("Authorization: Bearer ") + kToken), std::string::npos);
  EXPECT_NE(call.headers.find("Content-Type: application/json"), std::string::npos);
  EXPECT_FALSE(fake.logged(kToken));
}

TEST_F(WaSendTest, ReplyCarriesContext) {
  customer_writes();
  Outbound m = msg("text", "Yes");
  m.reply_to_provider_id = "wamid.ORIG";
  ASSERT_EQ(fake.send(m).status, SB_OK);
  EXPECT_EQ(
      last_body(),
      with_callback(
          R"({"messaging_product":"whatsapp","recipient_type":"individual","to":"+16505551234",)"
          R"("type":"text","text":{"preview_url":false,"body":"Yes"},)"
          R"("context":{"message_id":"wamid.ORIG"}})"));
}

TEST_F(WaSendTest, FreeFormOutsideTheWindowIsRefusedBeforeCallingMeta) {
  auto r = fake.send(msg("text", "hello"));
  EXPECT_EQ(r.status, SB_ERR_REJECTED);
  EXPECT_EQ(r.error.provider_code, "131047");
  EXPECT_NE(r.error.message.find("template"), std::string::npos);
  EXPECT_TRUE(fake.http_calls().empty());
}

TEST_F(WaSendTest, TemplateBodyMatchesTheReferenceAndNeedsNoWindow) {
  std::string payload =
      R"({"name":"order_confirmation","language":{"code":"en_US","policy":"deterministic"},)"
      R"("components":[{"type":"header","parameters":[{"type":"image","image":{"link":"https://cdn.example/h.jpg"}}]},)"
      R"({"type":"body","parameters":[{"type":"text","text":"Jessica"}]},)"
      R"({"type":"button","sub_type":"quick_reply","index":"0","parameters":[{"type":"payload","payload":"TRACK-1"}]}]})";
  auto r = fake.send(msg("template", "", payload));
  ASSERT_EQ(r.status, SB_OK) << r.error.message;
  EXPECT_EQ(
      last_body(),
      with_callback(
          R"({"messaging_product":"whatsapp","recipient_type":"individual","to":"+16505551234",)"
          R"("type":"template","template":{"name":"order_confirmation",)"
          R"("language":{"code":"en_US","policy":"deterministic"},"components":)" +
          parse(payload).find("components")->dump() + "}}"));
}

TEST_F(WaSendTest, TemplateLanguageAsAString) {
  ASSERT_EQ(fake.send(msg("template", "", R"({"name":"hello_world","language":"en_US"})")).status,
            SB_OK);
  EXPECT_EQ(
      last_body(),
      with_callback(
          R"({"messaging_product":"whatsapp","recipient_type":"individual","to":"+16505551234",)"
          R"("type":"template","template":{"name":"hello_world","language":{"code":"en_US"}}})"));
}

TEST_F(WaSendTest, PausedDisabledOrRejectedTemplatesAreBlockedLocally) {
  for (const char* status : {"PAUSED", "DISABLED", "REJECTED"}) {
    fake.kv_set(std::string("tpl/") + kWaba + "/promo/en_US",
                std::string(R"({"name":"promo","language":"en_US","status":")") + status +
                    R"(","components":[]})");
    auto r = fake.send(msg("template", "", R"({"name":"promo","language":"en_US"})"));
    EXPECT_EQ(r.status, SB_ERR_REJECTED) << status;
    EXPECT_NE(r.error.message.find(status), std::string::npos) << r.error.message;
  }
  EXPECT_TRUE(fake.http_calls().empty());
}

TEST_F(WaSendTest, ApprovedTemplateParameterCountIsChecked) {
  fake.kv_set(std::string("tpl/") + kWaba + "/greet/en",
              R"({"name":"greet","language":"en","status":"APPROVED",)"
              R"("components":[{"type":"BODY","text":"Hi {{1}}, order {{2}}"}]})");
  auto r = fake.send(msg("template", "",
                         R"({"name":"greet","language":"en","components":[{"type":"body",)"
                         R"("parameters":[{"type":"text","text":"Ann"}]}]})"));
  EXPECT_EQ(r.status, SB_ERR_INVALID_ARG);
  EXPECT_NE(r.error.message.find("expects 2 parameter(s), 1 given"), std::string::npos)
      << r.error.message;
  EXPECT_TRUE(fake.http_calls().empty());
}

TEST_F(WaSendTest, MediaByLinkAndById) {
  customer_writes();
  Outbound m = msg("media");
  m.attachments.push_back(
      {"image", "image/jpeg", "", "https://cdn.example/a.jpg", "", "A cat", -1});
  ASSERT_EQ(fake.send(m).status, SB_OK);
  EXPECT_EQ(
      last_body(),
      with_callback(
          R"({"messaging_product":"whatsapp","recipient_type":"individual","to":"+16505551234",)"
          R"("type":"image","image":{"link":"https://cdn.example/a.jpg","caption":"A cat"}})"));
  Outbound d = msg("media", "Invoice");
  d.attachments.push_back(
      {"file", "application/pdf", "invoice.pdf", "", "1037543291543636", "", -1});
  ASSERT_EQ(fake.send(d).status, SB_OK);
  EXPECT_EQ(
      last_body(),
      with_callback(
          R"({"messaging_product":"whatsapp","recipient_type":"individual","to":"+16505551234",)"
          R"("type":"document","document":{"id":"1037543291543636","caption":"Invoice",)"
          R"("filename":"invoice.pdf"}})"));
  Outbound a = msg("audio", "ignored caption");
  a.attachments.push_back({"audio", "audio/ogg", "", "", "555", "", -1});
  ASSERT_EQ(fake.send(a).status, SB_OK);
  EXPECT_EQ(
      last_body(),
      with_callback(
          R"({"messaging_product":"whatsapp","recipient_type":"individual","to":"+16505551234",)"
          R"("type":"audio","audio":{"id":"555"}})"));
}

TEST_F(WaSendTest, MediaNeedsExactlyOneOfIdOrLink) {
  customer_writes();
  Outbound m = msg("media");
  m.attachments.push_back({"image", "", "", "https://x/a.jpg", "123", "", -1});
  EXPECT_EQ(fake.send(m).status, SB_ERR_INVALID_ARG);
  m.attachments.clear();
  EXPECT_EQ(fake.send(m).status, SB_ERR_INVALID_ARG);
}

TEST_F(WaSendTest, InteractiveButtonsAndList) {
  customer_writes();
  std::string buttons =
      R"({"type":"button","header":{"type":"text","text":"Order 4412"},"body":{"text":"Change or cancel?"},)"
      R"("footer":{"text":"Lucky Shrub"},"action":{"buttons":[{"type":"reply","reply":{"id":"change","title":"Change"}},)"
      R"({"type":"reply","reply":{"id":"cancel","title":"Cancel"}}]}})";
  ASSERT_EQ(fake.send(msg("interactive", "", buttons)).status, SB_OK);
  EXPECT_EQ(
      last_body(),
      with_callback(
          R"({"messaging_product":"whatsapp","recipient_type":"individual","to":"+16505551234",)"
          R"("type":"interactive","interactive":)" +
          buttons + "}"));
  std::string list =
      R"({"type":"list","body":{"text":"Pick a slot"},"action":{"button":"Slots","sections":[)"
      R"({"title":"Morning","rows":[{"id":"m9","title":"09:00","description":"Front desk"}]}]}})";
  ASSERT_EQ(fake.send(msg("interactive", "", list)).status, SB_OK);
  EXPECT_EQ(
      last_body(),
      with_callback(
          R"({"messaging_product":"whatsapp","recipient_type":"individual","to":"+16505551234",)"
          R"("type":"interactive","interactive":)" +
          list + "}"));
}

TEST_F(WaSendTest, InteractiveLimitsAreCheckedLocally) {
  customer_writes();
  std::string four =
      R"({"type":"button","body":{"text":"x"},"action":{"buttons":[)"
      R"({"type":"reply","reply":{"id":"1","title":"A"}},{"type":"reply","reply":{"id":"2","title":"B"}},)"
      R"({"type":"reply","reply":{"id":"3","title":"C"}},{"type":"reply","reply":{"id":"4","title":"D"}}]}})";
  auto r = fake.send(msg("interactive", "", four));
  EXPECT_EQ(r.status, SB_ERR_INVALID_ARG);
  EXPECT_NE(r.error.message.find("1 to 3"), std::string::npos);
  std::string dup =
      R"({"type":"button","body":{"text":"x"},"action":{"buttons":[)"
      R"({"type":"reply","reply":{"id":"1","title":"Same"}},{"type":"reply","reply":{"id":"2","title":"Same"}}]}})";
  EXPECT_EQ(fake.send(msg("interactive", "", dup)).status, SB_ERR_INVALID_ARG);
  std::string long_title =
      R"({"type":"button","body":{"text":"x"},"action":{"buttons":[)"
      R"({"type":"reply","reply":{"id":"1","title":"This title is far too long"}}]}})";
  EXPECT_EQ(fake.send(msg("interactive", "", long_title)).status, SB_ERR_INVALID_ARG);
  EXPECT_TRUE(calls_to(std::string("/v21.0/") + kPnid + "/messages").empty());
}

TEST_F(WaSendTest, ReactionUsesTheRepliedMessage) {
  customer_writes();
  Outbound m = msg("reaction", "\xf0\x9f\x98\x80");
  m.reply_to_provider_id = "wamid.IN1";
  ASSERT_EQ(fake.send(m).status, SB_OK);
  EXPECT_EQ(
      last_body(),
      with_callback(
          R"({"messaging_product":"whatsapp","recipient_type":"individual","to":"+16505551234",)"
          R"("type":"reaction","reaction":{"message_id":"wamid.IN1","emoji":")" +
          std::string("\xf0\x9f\x98\x80") + R"("}})"));
}

TEST_F(WaSendTest, LocationBody) {
  customer_writes();
  ASSERT_EQ(
      fake.send(msg("location", "", R"({"latitude":52.5,"longitude":13.4,"name":"HQ"})")).status,
      SB_OK);
  EXPECT_EQ(
      last_body(),
      with_callback(
          R"({"messaging_product":"whatsapp","recipient_type":"individual","to":"+16505551234",)"
          R"("type":"location","location":{"latitude":52.5,"longitude":13.4,"name":"HQ"}})"));
  EXPECT_EQ(fake.send(msg("location", "", R"({"latitude":"x"})")).status, SB_ERR_INVALID_ARG);
}

TEST_F(WaSendTest, MarkAsReadWithTypingIndicator) {
  on("POST", std::string("/") + kPnid + "/messages", 200, R"({"success":true})");
  Outbound m = msg("read", "", R"({"typing_indicator":true})");
  m.reply_to_provider_id = "wamid.IN1";
  ASSERT_EQ(fake.send(m).status, SB_OK);
  EXPECT_EQ(last_body(),
            R"({"messaging_product":"whatsapp","status":"read","message_id":"wamid.IN1",)"
            R"("typing_indicator":{"type":"text"}})");
}

TEST_F(WaSendTest, MarkAsRead) {
  on("POST", std::string("/") + kPnid + "/messages", 200, R"({"success":true})");
  Outbound m = msg("read");
  m.reply_to_provider_id = "wamid.IN1";
  auto r = fake.send(m);  // allowed without a window: it is not a message
  ASSERT_EQ(r.status, SB_OK) << r.error.message;
  EXPECT_EQ(r.provider_id, "wamid.IN1");
  EXPECT_EQ(last_body(),
            R"({"messaging_product":"whatsapp","status":"read","message_id":"wamid.IN1"})");
}

TEST_F(WaSendTest, NationalNumbersGetTheDefaultCountry) {
  fake.kv_set(std::string("win/") + kPnid + "/4915112345678", std::to_string(fake.now_ms()));
  Outbound m = msg("text", "hi");
  m.to = "0151 12345678";
  ASSERT_EQ(fake.send(m).status, SB_OK);
  EXPECT_NE(last_body().find(R"("to":"+4915112345678")"), std::string::npos) << last_body();
}

TEST_F(WaSendTest, UnknownContentTypeIsUnsupported) {
  customer_writes();
  EXPECT_EQ(fake.send(msg("fax", "x")).status, SB_ERR_UNSUPPORTED);
}

TEST_F(WaSendTest, GraphErrorsMapToAbiStatuses) {
  struct Case {
    int32_t http;
    int64_t code;
    int32_t status;
    bool retryable;
  };
  for (Case c :
       {Case{400, 131056, SB_ERR_RATE_LIMITED, true}, Case{400, 130429, SB_ERR_RATE_LIMITED, true},
        Case{500, 131000, SB_ERR_TRANSIENT, true}, Case{400, 131026, SB_ERR_REJECTED, false},
        Case{400, 100, SB_ERR_INVALID_ARG, false}, Case{404, 132001, SB_ERR_REJECTED, false},
        Case{400, 133010, SB_ERR_STATE, false}}) {
    fake.advance(std::chrono::seconds(6));  // past a hold of the number (130429) or pair (131056)
    on("POST", std::string("/") + kPnid + "/messages", c.http, graph_error(c.code, "Title"));
    auto r = fake.send(msg("template", "", R"({"name":"t","language":"en"})"));
    EXPECT_EQ(r.status, c.status) << c.code;
    EXPECT_EQ(r.error.retryable, c.retryable) << c.code;
    EXPECT_EQ(r.error.provider_code, std::to_string(c.code));
  }
}

TEST_F(WaSendTest, Synchronous131047ClosesTheWindow) {
  customer_writes();
  on("POST", std::string("/") + kPnid + "/messages", 400,
     graph_error(131047, "Re-engagement message"));
  auto r = fake.send(msg("text", "hi"));
  EXPECT_EQ(r.status, SB_ERR_REJECTED);
  EXPECT_EQ(r.error.provider_code, "131047");
  EXPECT_FALSE(fake.can_send("+16505551234", "text").allowed);
}

TEST_F(WaSendTest, ExpiredTokenDegradesTheInstanceAndRecovers) {
  on("POST", std::string("/") + kPnid + "/messages", 401,
     graph_error(190, "Error validating access token"));
  auto r = fake.send(msg("template", "", R"({"name":"t","language":"en"})"));
  EXPECT_EQ(r.status, SB_ERR_AUTH);
  ASSERT_FALSE(fake.states().empty());
  EXPECT_EQ(fake.states().back().state, SB_STATE_DEGRADED);
  EXPECT_NE(fake.states().back().reason.find("access_token"), std::string::npos);
  EXPECT_EQ(fake.health().state, SB_STATE_DEGRADED);
  on("POST", std::string("/") + kPnid + "/messages", 200, kOk);
  ASSERT_EQ(fake.send(msg("template", "", R"({"name":"t","language":"en"})")).status, SB_OK);
  EXPECT_EQ(fake.states().back().state, SB_STATE_RUNNING);
  EXPECT_EQ(fake.health().state, SB_STATE_RUNNING);
}

TEST_F(WaSendTest, NetworkFailureIsTransient) {
  fake.set_http_handler([](const HttpCall&) {
    return HttpReply{0, {}, {}, SB_ERR_TRANSIENT, "connection refused"};
  });
  auto r = fake.send(msg("template", "", R"({"name":"t","language":"en"})"));
  EXPECT_EQ(r.status, SB_ERR_TRANSIENT);
  EXPECT_TRUE(r.error.retryable);
}

TEST_F(WaSendTest, ThroughputLimitHoldsBackBeforeMeta) {
  int ok = 0, limited = 0;
  for (int i = 0; i < 85; ++i) {
    Outbound m = msg("template", "", R"({"name":"t","language":"en"})");
    m.to = "+1650555" + std::to_string(1000 + i);  // many customers: only the number's limit counts
    auto r = fake.send(m);
    if (r.status == SB_OK) ++ok;
    if (r.status == SB_ERR_RATE_LIMITED) {
      ++limited;
      EXPECT_GT(r.error.retry_after.count(), 0);
    }
  }
  EXPECT_EQ(ok, 80);
  EXPECT_EQ(limited, 5);
  EXPECT_EQ(calls_to(std::string("/v21.0/") + kPnid + "/messages").size(), 80u);
  fake.advance(std::chrono::milliseconds(100));  // 8 tokens at 80 mps
  EXPECT_EQ(fake.send(msg("template", "", R"({"name":"t","language":"en"})")).status, SB_OK);
}

TEST_F(WaSendTest, StatusesNameTheHostMessageThroughTheCallbackData) {
  ASSERT_EQ(fake.send(msg("template", "", R"({"name":"t","language":"en"})")).status, SB_OK);
  EXPECT_NE(last_body().find(R"("biz_opaque_callback_data":"sb:wa-1:7")"), std::string::npos);
  std::string st =
      R"({"id":"wamid.OUT1","status":"delivered","timestamp":"1","recipient_id":"16505551234",)"
      R"("biz_opaque_callback_data":"sb:wa-1:7"},)"
      R"({"id":"wamid.OTHER","status":"delivered","timestamp":"1","recipient_id":"16505551234",)"
      R"("biz_opaque_callback_data":"sb:wa-2:8"})";
  ASSERT_EQ(post_signed(statuses_payload(st)).http_status, 200);
  auto d = fake.deliveries();
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].message_id, 7);
  EXPECT_EQ(d[1].message_id, 0);  // another instance's message: only the provider id is known
}

TEST_F(WaSendTest, MediaUrlResolvesAnInboundMediaId) {
  on("GET", "/1037543291543636", 200,
     R"({"messaging_product":"whatsapp","url":"https://lookaside/x","mime_type":"image/jpeg",)"
     R"("sha256":"abc","file_size":"303833","id":"1037543291543636"})");
  auto r = fake.invoke("media_url", R"({"media_id":"1037543291543636"})");
  ASSERT_EQ(r.status, SB_OK) << r.error.message;
  auto out = parse(r.json);
  EXPECT_EQ(out.find("url")->as_string(), "https://lookaside/x");
  EXPECT_EQ(out.find("mime_type")->as_string(), "image/jpeg");
  EXPECT_EQ(fake.invoke("media_url", R"({"media_id":"../x"})").status, SB_ERR_INVALID_ARG);
}

TEST_F(WaSendTest, ContactsCardsArePassedOn) {
  customer_writes();
  std::string cards = R"([{"name":{"formatted_name":"Ann Lee"},"phones":[{"phone":"+15550100"}]}])";
  ASSERT_EQ(fake.send(msg("contacts", "", R"({"contacts":)" + cards + "}")).status, SB_OK);
  EXPECT_EQ(
      last_body(),
      with_callback(
          R"({"messaging_product":"whatsapp","recipient_type":"individual","to":"+16505551234",)"
          R"("type":"contacts","contacts":)" +
          cards + "}"));
  EXPECT_EQ(fake.send(msg("contacts", "", R"({"contacts":[{"name":{}}]})")).status,
            SB_ERR_INVALID_ARG);
}

TEST_F(WaSendTest, Meta130429HoldsTheNumberBack) {
  on("POST", std::string("/") + kPnid + "/messages", 400, graph_error(130429, "Rate limit hit"));
  EXPECT_EQ(fake.send(msg("template", "", R"({"name":"t","language":"en"})")).status,
            SB_ERR_RATE_LIMITED);
  on("POST", std::string("/") + kPnid + "/messages", 200, kOk);
  auto held = fake.send(msg("template", "", R"({"name":"t","language":"en"})"));
  EXPECT_EQ(held.status, SB_ERR_RATE_LIMITED);  // refused locally for about a second
  EXPECT_EQ(calls_to(std::string("/v21.0/") + kPnid + "/messages").size(), 1u);
  fake.advance(std::chrono::seconds(1));
  EXPECT_EQ(fake.send(msg("template", "", R"({"name":"t","language":"en"})")).status, SB_OK);
}

TEST_F(WaSendTest, MediaUploadSendsMultipartAndAnswersTheId) {
  std::string seen_type, seen_body;
  fake.set_http_handler([&](const HttpCall& c) {
    EXPECT_EQ(path_of(c), std::string("/v21.0/") + kPnid + "/media");
    std::size_t at = c.headers.find("Content-Type: ");
    seen_type = c.headers.substr(at + 14, c.headers.find("\r\n", at) - at - 14);
    seen_body = c.body;
    return HttpReply{200, {}, R"({"id":"1037543291543636"})", SB_OK, {}};
  });
  // "hello\0pdf" base64-encoded: binary bytes survive.
  auto r = fake.invoke(
      "media_upload",
      R"({"mime_type":"application/pdf","filename":"inv.pdf","data_base64":"aGVsbG8AcGRm"})");
  ASSERT_EQ(r.status, SB_OK) << r.error.message;
  EXPECT_EQ(parse(r.json).find("media_id")->as_string(), "1037543291543636");
  EXPECT_EQ(parse(r.json).find("bytes")->as_int(), 9);
  ASSERT_TRUE(seen_type.starts_with("multipart/form-data; boundary=")) << seen_type;
  std::string boundary = seen_type.substr(30);
  EXPECT_NE(seen_body.find("name=\"messaging_product\"\r\n\r\nwhatsapp\r\n"), std::string::npos);
  EXPECT_NE(seen_body.find("name=\"type\"\r\n\r\napplication/pdf\r\n"), std::string::npos);
  EXPECT_NE(seen_body.find("filename=\"inv.pdf\"\r\nContent-Type: application/pdf\r\n\r\n" +
                           std::string("hello\0pdf", 9) + "\r\n--" + boundary + "--\r\n"),
            std::string::npos);
}

TEST_F(WaSendTest, MediaUploadChecksTypeSizeAndEncoding) {
  EXPECT_EQ(fake.invoke("media_upload", R"({"mime_type":"image/gif","data_base64":"aGk="})").status,
            SB_ERR_INVALID_ARG);
  EXPECT_EQ(fake.invoke("media_upload", R"({"mime_type":"image/png","data_base64":"a$b"})").status,
            SB_ERR_INVALID_ARG);
  std::string big(700 * 1024 / 3 * 4, 'A');  // ~700 KB of zero bytes: above the sticker limit
  auto r =
      fake.invoke("media_upload", R"({"mime_type":"image/webp","data_base64":")" + big + "\"}");
  EXPECT_EQ(r.status, SB_ERR_INVALID_ARG);
  EXPECT_NE(r.error.message.find("limit"), std::string::npos);
  EXPECT_TRUE(fake.http_calls().empty());
}

TEST_F(WaSendTest, PairRateLimitPerCustomer) {
  int ok = 0;
  for (int i = 0; i < 50; ++i) {
    fake.advance(std::chrono::milliseconds(20));  // 50 mps: under the number's 80
    auto r = fake.send(msg("template", "", R"({"name":"t","language":"en"})"));
    if (r.status == SB_OK) {
      ++ok;
    } else {
      EXPECT_EQ(r.status, SB_ERR_RATE_LIMITED);
      EXPECT_NE(r.error.message.find("pair rate"), std::string::npos);
    }
  }
  EXPECT_EQ(ok, 45);
  Outbound other = msg("template", "", R"({"name":"t","language":"en"})");
  other.to = "+16505559999";
  EXPECT_EQ(fake.send(other).status, SB_OK);  // another customer is not affected
  fake.advance(std::chrono::seconds(6));
  EXPECT_EQ(fake.send(msg("template", "", R"({"name":"t","language":"en"})")).status, SB_OK);
}

TEST_F(WaSendTest, UnknownSenderIsInvalid) {
  Outbound m = msg("template", "", R"({"name":"t","language":"en"})");
  m.from = "+4930000";
  EXPECT_EQ(fake.send(m).status, SB_ERR_INVALID_ARG);
}

// Template sends (no window needed) to `to`, each with its own message id.
Outbound template_to(const std::string& to) {
  static int64_t id = 100;
  Outbound m;
  m.message_id = ++id;
  m.to = to;
  m.content_type = "template";
  m.payload_json = R"({"name":"t","language":"en"})";
  return m;
}

TEST_F(WaSendTest, Meta131056HoldsThatPairOnly) {
  const std::string path = std::string("/") + kPnid + "/messages";
  on("POST", path, 400, graph_error(131056, "Pair rate limit hit"));
  auto first = fake.send(template_to("+4915100000001"));
  EXPECT_EQ(first.status, SB_ERR_RATE_LIMITED);
  EXPECT_EQ(first.error.retry_after.count(), 6000);
  on("POST", path, 200, kOk);
  // Our own estimate still had 44 of the pair's burst left; Meta's answer wins for 6 s.
  auto held = fake.send(template_to("+4915100000001"));
  EXPECT_EQ(held.status, SB_ERR_RATE_LIMITED);
  EXPECT_GT(held.error.retry_after.count(), 5000);
  EXPECT_EQ(calls_to("/v21.0" + path).size(), 1u);
  // Other customers of the same number are not held back.
  EXPECT_EQ(fake.send(template_to("+4915100000002")).status, SB_OK);
  EXPECT_EQ(calls_to("/v21.0" + path).size(), 2u);
  fake.advance(std::chrono::seconds(6));
  EXPECT_EQ(fake.send(template_to("+4915100000001")).status, SB_OK);
}

TEST_F(WaSendTest, PairLimitRefusalsDoNotSpendTheNumbersThroughput) {
  // The number allows 80 per second (one second's burst); the pair 45.
  int sent = 0;
  while (fake.send(template_to("+4915100000001")).status == SB_OK) ++sent;
  EXPECT_EQ(sent, 45);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(fake.send(template_to("+4915100000001")).status, SB_ERR_RATE_LIMITED);
  }
  // The 21 refusals above cost nothing: the rest of the number's second is still there.
  int others = 0;
  while (fake.send(template_to("+49151000002" + std::to_string(10 + others))).status == SB_OK) {
    ++others;
  }
  EXPECT_EQ(others, 80 - 45);
}

TEST_F(WaSendTest, NumberThrottleRefusalNamesTheWaitAndRecoversAtTheRate) {
  int sent = 0;
  while (fake.send(template_to("+49151000003" + std::to_string(10 + sent))).status == SB_OK) {
    ++sent;
  }
  EXPECT_EQ(sent, 80);
  auto refused = fake.send(template_to("+4915100000399"));
  EXPECT_EQ(refused.status, SB_ERR_RATE_LIMITED);
  EXPECT_EQ(refused.error.retry_after.count(), 13);  // one token at 80 mps
  fake.advance(std::chrono::milliseconds(13));
  EXPECT_EQ(fake.send(template_to("+4915100000399")).status, SB_OK);
}

}  // namespace
}  // namespace watest
