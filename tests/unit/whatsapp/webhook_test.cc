// Webhook route "/": GET verification handshake, signed POSTs, and parsing of every inbound type
// and status of docs/whatsapp-cloud-api.md §4.
#include "wa_fixture.hpp"

namespace watest {
namespace {

using WaWebhookTest = WhatsApp;

TEST_F(WaWebhookTest, RegistersTheRootRoute) {
  EXPECT_EQ(fake.webhook_routes(), std::vector<std::string>{"/"});
}

TEST_F(WaWebhookTest, HandshakeEchoesTheChallengeWhenTheTokenMatches) {
  WebhookCall call;
  call.method = "GET";
  call.query = "hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=verify-me";
  WebhookReply r = fake.webhook(call);
  EXPECT_EQ(r.http_status, 200);
  EXPECT_EQ(r.body, "1158201444");
}

TEST_F(WaWebhookTest, HandshakeRefusesAWrongTokenOrMode) {
  WebhookCall call;
  call.method = "GET";
  call.query = "hub.mode=subscribe&hub.challenge=42&hub.verify_token=wrong";
  EXPECT_EQ(fake.webhook(call).http_status, 403);
  call.query = "hub.mode=unsubscribe&hub.challenge=42&hub.verify_token=verify-me";
  EXPECT_EQ(fake.webhook(call).http_status, 403);
  call.query = "hub.mode=subscribe&hub.verify_token=verify-me";
  EXPECT_EQ(fake.webhook(call).http_status, 403);
  EXPECT_FALSE(fake.logged("verify-me"));
}

TEST_F(WaWebhookTest, ValidSignatureStoresTheMessage) {
  std::string body = inbound_payload(
      R"({"from":"16505551234","id":"wamid.A","timestamp":"1749416383","type":"text",)"
      R"("text":{"body":"Hello there"}})");
  WebhookReply r = post_signed(body);
  ASSERT_EQ(r.http_status, 200) << r.body;
  ASSERT_EQ(fake.inbound().size(), 1u);
  const auto in = fake.inbound()[0];
  EXPECT_EQ(in.provider_message_id, "wamid.A");
  EXPECT_EQ(in.from, "+16505551234");
  EXPECT_EQ(in.from_kind, "phone");
  EXPECT_EQ(in.from_name, "Sheena Nelson");
  EXPECT_EQ(in.to, kPnid);
  EXPECT_EQ(in.content_type, "text");
  EXPECT_EQ(in.text, "Hello there");
  EXPECT_EQ(in.sent_at_ms, 1749416383000);
  EXPECT_EQ(parse(in.raw).find("id")->as_string(), "wamid.A");
}

TEST_F(WaWebhookTest, BadSignatureIsRefusedAndNothingIsStored) {
  std::string body = inbound_payload(
      R"({"from":"16505551234","id":"wamid.B","timestamp":"1","type":"text","text":{"body":"x"}})");
  WebhookReply r = post_signed(body, "another-secret");
  EXPECT_EQ(r.http_status, 401);
  EXPECT_EQ(parse(r.body).find("error")->as_string(), "invalid signature");
  EXPECT_TRUE(fake.inbound().empty());
  EXPECT_FALSE(fake.logged(kAppSecret));
}

TEST_F(WaWebhookTest, SignatureOverDifferentBytesIsRefused) {
  std::string body = inbound_payload(
      R"({"from":"16505551234","id":"wamid.B2","timestamp":"1","type":"text","text":{"body":"\u00e4"}})");
  WebhookCall call;
  call.path = "/";
  // Signed over a re-serialised form (raw UTF-8 instead of the escape): must not verify.
  std::string reserialised = body;
  reserialised.replace(reserialised.find("\\u00e4"), 6, "\xc3\xa4");
  call.headers = "X-Hub-Signature-256: sha256=" + wa::hmac_sha256_hex(kAppSecret, reserialised);
  call.body = body;
  EXPECT_EQ(fake.webhook(call).http_status, 401);
  EXPECT_TRUE(fake.inbound().empty());
  EXPECT_EQ(post_signed(body).http_status, 200);  // over the exact bytes it verifies
  EXPECT_EQ(fake.inbound().at(0).text, "\xc3\xa4");
}

TEST_F(WaWebhookTest, MissingSignatureIsRefused) {
  WebhookCall call;
  call.path = "/";
  call.body = inbound_payload(
      R"({"from":"16505551234","id":"wamid.C","timestamp":"1","type":"text","text":{"body":"x"}})");
  WebhookReply r = fake.webhook(call);
  EXPECT_EQ(r.http_status, 401);
  EXPECT_TRUE(fake.inbound().empty());
}

TEST_F(WaWebhookTest, UppercaseHexSignatureIsAccepted) {
  std::string body = inbound_payload(
      R"({"from":"16505551234","id":"wamid.U","timestamp":"1","type":"text","text":{"body":"x"}})");
  std::string hex = wa::hmac_sha256_hex(kAppSecret, body);
  for (char& c : hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  WebhookCall call;
  call.path = "/";
  call.headers = "x-hub-signature-256: sha256=" + hex;
  call.body = body;
  EXPECT_EQ(fake.webhook(call).http_status, 200);
}

TEST_F(WaWebhookTest, NotAWhatsAppDeliveryIsA400) {
  EXPECT_EQ(post_signed(R"({"object":"page","entry":[]})").http_status, 400);
  EXPECT_EQ(post_signed("not json").http_status, 400);
}

TEST_F(WaWebhookTest, EveryInboundTypeIsParsed) {
  std::string msgs =
      R"({"from":"16505551234","id":"w.img","timestamp":"10","type":"image","image":{"id":"m1","mime_type":"image/jpeg","sha256":"x","caption":"a cat","url":"https://lookaside/1"}},)"
      R"({"from":"16505551234","id":"w.vid","timestamp":"10","type":"video","video":{"id":"m2","mime_type":"video/mp4","sha256":"x"}},)"
      R"({"from":"16505551234","id":"w.aud","timestamp":"10","type":"audio","audio":{"id":"m3","mime_type":"audio/ogg","sha256":"x","voice":true}},)"
      R"({"from":"16505551234","id":"w.doc","timestamp":"10","type":"document","document":{"id":"m4","mime_type":"application/pdf","sha256":"x","filename":"inv.pdf"}},)"
      R"({"from":"16505551234","id":"w.stk","timestamp":"10","type":"sticker","sticker":{"id":"m5","mime_type":"image/webp","sha256":"x","animated":false}},)"
      R"({"from":"16505551234","id":"w.loc","timestamp":"10","type":"location","location":{"latitude":52.5,"longitude":13.4,"name":"HQ","address":"Main St 1"}},)"
      R"({"from":"16505551234","id":"w.con","timestamp":"10","type":"contacts","contacts":[{"name":{"formatted_name":"Ann Lee"},"phones":[{"phone":"+1 555 0100","wa_id":"15550100","type":"CELL"}]}]},)"
      R"({"from":"16505551234","id":"w.btn","timestamp":"10","type":"interactive","context":{"from":"15550783881","id":"wamid.BUTTONS"},"interactive":{"type":"button_reply","button_reply":{"id":"change","title":"Change"}}},)"
      R"({"from":"16505551234","id":"w.lst","timestamp":"10","type":"interactive","interactive":{"type":"list_reply","list_reply":{"id":"m9","title":"09:00","description":"Front desk"}}},)"
      R"({"from":"16505551234","id":"w.nfm","timestamp":"10","type":"interactive","interactive":{"type":"nfm_reply","nfm_reply":{"name":"flow","body":"Sent","response_json":"{}"}}},)"
      R"({"from":"16505551234","id":"w.tpb","timestamp":"10","type":"button","context":{"from":"15550783881","id":"wamid.TPL"},"button":{"payload":"TRACK-1","text":"Track order"}},)"
      R"({"from":"16505551234","id":"w.rea","timestamp":"10","type":"reaction","reaction":{"message_id":"wamid.OUT","emoji":"\ud83d\udc4d"}},)"
      R"({"from":"16505551234","id":"w.ord","timestamp":"10","type":"order","order":{"catalog_id":"c1","text":"asap","product_items":[{"product_retailer_id":"p1","quantity":2,"item_price":9.5,"currency":"USD"}]}},)"
      R"({"from":"16505551234","id":"w.sys","timestamp":"10","type":"system","system":{"body":"User changed number","type":"customer_changed_number","wa_id":"16505559999"}},)"
      R"({"from":"16505551234","id":"w.wel","timestamp":"10","type":"request_welcome"},)"
      R"({"from":"16505551234","id":"w.uns","timestamp":"10","type":"unsupported","unsupported":{"type":"poll"},"errors":[{"code":131051,"title":"Message type unknown"}]},)"
      R"({"from":"16505551234","id":"w.txt","timestamp":"10","type":"text","text":{"body":"quoted"},"context":{"from":"15550783881","id":"wamid.ORIG","forwarded":true},"referral":{"source_type":"ad","source_id":"a1","ctwa_clid":"c"}})";
  WebhookReply r = post_signed(inbound_payload(msgs));
  ASSERT_EQ(r.http_status, 200) << r.body;
  std::map<std::string, sw::testing::StoredInbound> by_id;
  for (const auto& in : fake.inbound()) by_id[in.provider_message_id] = in;
  ASSERT_EQ(by_id.size(), 17u);

  auto img = by_id["w.img"];
  EXPECT_EQ(img.content_type, "image");
  EXPECT_EQ(img.text, "a cat");
  ASSERT_EQ(img.attachments.size(), 1u);
  EXPECT_EQ(img.attachments[0].kind, "image");
  EXPECT_EQ(img.attachments[0].provider_media_id, "m1");
  EXPECT_EQ(img.attachments[0].mime_type, "image/jpeg");
  EXPECT_EQ(img.attachments[0].url, "https://lookaside/1");
  EXPECT_EQ(img.attachments[0].caption, "a cat");
  EXPECT_EQ(by_id["w.vid"].attachments.at(0).provider_media_id, "m2");
  EXPECT_EQ(by_id["w.aud"].text, "[voice message]");
  EXPECT_EQ(by_id["w.doc"].attachments.at(0).filename, "inv.pdf");
  EXPECT_EQ(by_id["w.doc"].text, "[document] inv.pdf");
  EXPECT_EQ(by_id["w.stk"].attachments.at(0).mime_type, "image/webp");
  EXPECT_EQ(by_id["w.loc"].text, "[location] HQ, Main St 1 (52.5, 13.4)");
  EXPECT_DOUBLE_EQ(
      parse(by_id["w.loc"].payload_json).find("location")->find("latitude")->as_double(), 52.5);
  EXPECT_EQ(by_id["w.con"].text, "[contacts] Ann Lee +1 555 0100");
  EXPECT_EQ(by_id["w.btn"].text, "Change");
  EXPECT_EQ(by_id["w.btn"].reply_to_provider_id, "wamid.BUTTONS");
  EXPECT_EQ(parse(by_id["w.btn"].payload_json)
                .find("interactive")
                ->find("button_reply")
                ->find("id")
                ->as_string(),
            "change");
  EXPECT_EQ(by_id["w.lst"].text, "09:00");
  EXPECT_EQ(by_id["w.nfm"].text, "[form] Sent");
  EXPECT_EQ(by_id["w.tpb"].content_type, "button");
  EXPECT_EQ(by_id["w.tpb"].text, "Track order");
  EXPECT_EQ(by_id["w.tpb"].reply_to_provider_id, "wamid.TPL");
  EXPECT_EQ(by_id["w.rea"].text, "\xf0\x9f\x91\x8d");
  EXPECT_EQ(by_id["w.rea"].reply_to_provider_id, "wamid.OUT");
  EXPECT_EQ(by_id["w.ord"].text, "[order] 1 item(s): asap");
  EXPECT_EQ(by_id["w.sys"].flags, static_cast<uint32_t>(SB_INBOUND_SYSTEM));
  EXPECT_EQ(by_id["w.sys"].text, "User changed number");
  EXPECT_EQ(by_id["w.wel"].text, "[chat opened]");
  EXPECT_EQ(by_id["w.uns"].text, "[unsupported message: poll]");
  EXPECT_EQ(parse(by_id["w.uns"].payload_json).find("errors")->items().at(0).find("code")->as_int(),
            131051);
  EXPECT_EQ(by_id["w.txt"].reply_to_provider_id, "wamid.ORIG");
  auto payload = parse(by_id["w.txt"].payload_json);
  EXPECT_TRUE(payload.find("context")->find("forwarded")->as_bool());
  EXPECT_EQ(payload.find("referral")->find("source_type")->as_string(), "ad");
}

TEST_F(WaWebhookTest, DuplicateDeliveryIsAcknowledgedWithoutASecondCopy) {
  std::string body = inbound_payload(
      R"({"from":"16505551234","id":"wamid.D","timestamp":"5","type":"text","text":{"body":"x"}})");
  EXPECT_EQ(post_signed(body).http_status, 200);
  WebhookReply again = post_signed(body);
  EXPECT_EQ(again.http_status, 200);
  EXPECT_EQ(parse(again.body).find("stored")->as_int(), 0);
  EXPECT_EQ(fake.inbound().size(), 1u);
}

TEST_F(WaWebhookTest, StoreFailureAsksMetaToDeliverAgain) {
  std::string body = inbound_payload(
      R"({"from":"16505551234","id":"wamid.R","timestamp":"5","type":"text","text":{"body":"x"}})");
  auto original = fake.api().submit_inbound;
  fake.api().submit_inbound = [](sb_host_ctx*, const sb_inbound_message* const*, uint32_t,
                                 int32_t*) -> int32_t { return SB_ERR_TRANSIENT; };
  EXPECT_EQ(post_signed(body).http_status, 503);
  fake.api().submit_inbound = original;
  EXPECT_EQ(post_signed(body).http_status, 200);
  EXPECT_EQ(fake.inbound().size(), 1u);
}

// More messages than the host takes per call (issue 8): every one is stored before the 200.
TEST_F(WaWebhookTest, DeliveryAboveTheHostBatchLimitIsStoredCompletely) {
  std::string messages;
  for (int i = 0; i < 2500; ++i) {
    if (i > 0) messages += ",";
    messages += R"({"from":"16505551234","id":"wamid.L)" + std::to_string(i) +
                R"(","timestamp":"5","type":"text","text":{"body":"x"}})";
  }
  WebhookReply r = post_signed(inbound_payload(messages));
  ASSERT_EQ(r.http_status, 200) << r.body;
  EXPECT_EQ(parse(r.body).find("stored")->as_int(), 2500);
  EXPECT_EQ(fake.inbound().size(), 2500u);
  for (uint32_t n : fake.submit_calls()) EXPECT_LE(n, sw::kMaxInboundBatch);
}

// A message the host refuses (here: as invalid) is not stored: Meta must deliver again rather
// than be told everything arrived.
TEST_F(WaWebhookTest, AnyMessageTheHostRefusesIsA503) {
  std::string body = inbound_payload(
      R"({"from":"16505551234","id":"wamid.I1","timestamp":"5","type":"text","text":{"body":"x"}},)"
      R"({"from":"16505551234","id":"wamid.I2","timestamp":"5","type":"text","text":{"body":"y"}})");
  fake.api().submit_inbound = [](sb_host_ctx*, const sb_inbound_message* const*, uint32_t count,
                                 int32_t* statuses) -> int32_t {
    for (uint32_t i = 0; i < count; ++i) statuses[i] = i == 1 ? SB_ERR_INVALID_ARG : SB_OK;
    return SB_ERR_INVALID_ARG;
  };
  WebhookReply r = post_signed(body);
  EXPECT_EQ(r.http_status, 503) << r.body;
  EXPECT_TRUE(fake.logged("wamid.I2 not stored"));
}

TEST_F(WaWebhookTest, MessagesForAnotherNumberAreIgnored) {
  std::string body = inbound_payload(
      R"({"from":"16505551234","id":"wamid.E","timestamp":"5","type":"text","text":{"body":"x"}})");
  body.replace(body.find(kPnid), std::string(kPnid).size(), "999");
  EXPECT_EQ(post_signed(body).http_status, 200);
  EXPECT_TRUE(fake.inbound().empty());
}

TEST_F(WaWebhookTest, StatusesBecomeDeliveryReportsWithPricingAndErrors) {
  std::string statuses =
      R"({"id":"wamid.S1","status":"sent","timestamp":"1750263773","recipient_id":"16505551234",)"
      R"("biz_opaque_callback_data":"ticket-123","conversation":{"id":"c1","origin":{"type":"service"}},)"
      R"("pricing":{"billable":false,"pricing_model":"PMP","type":"free_customer_service","category":"service"}},)"
      R"({"id":"wamid.S1","status":"delivered","timestamp":"1750263774","recipient_id":"16505551234"},)"
      R"({"id":"wamid.S1","status":"read","timestamp":"1750263775","recipient_id":"16505551234"},)"
      R"({"id":"wamid.S2","status":"failed","timestamp":"1750263776","recipient_id":"16505551234",)"
      R"("errors":[{"code":131047,"title":"Re-engagement message","message":"Re-engagement message",)"
      R"("error_data":{"details":"more than 24 hours have passed"}}]},)"
      R"({"id":"wamid.S3","status":"played","timestamp":"1750263777","recipient_id":"16505551234"})";
  WebhookReply r = post_signed(statuses_payload(statuses));
  ASSERT_EQ(r.http_status, 200) << r.body;
  auto d = fake.deliveries();
  ASSERT_EQ(d.size(), 5u);
  EXPECT_EQ(d[0].status, SB_DELIVERY_SENT);
  EXPECT_EQ(d[0].provider_message_id, "wamid.S1");
  EXPECT_EQ(d[0].message_id, 0);
  EXPECT_EQ(d[0].timestamp_ms, 1750263773000);
  auto extra = parse(d[0].extra_json);
  EXPECT_EQ(extra.find("pricing")->find("pricing_model")->as_string(), "PMP");
  EXPECT_EQ(extra.find("pricing")->find("category")->as_string(), "service");
  EXPECT_EQ(extra.find("pricing")->find("type")->as_string(), "free_customer_service");
  EXPECT_EQ(extra.find("biz_opaque_callback_data")->as_string(), "ticket-123");
  EXPECT_EQ(extra.find("conversation")->find("id")->as_string(), "c1");
  EXPECT_EQ(d[1].status, SB_DELIVERY_DELIVERED);
  EXPECT_EQ(d[2].status, SB_DELIVERY_READ);
  EXPECT_EQ(d[3].status, SB_DELIVERY_FAILED);
  EXPECT_EQ(d[3].error_code, "131047");
  EXPECT_EQ(d[3].error_text, "Re-engagement message: more than 24 hours have passed");
  EXPECT_EQ(d[4].status, SB_DELIVERY_READ);
  EXPECT_EQ(parse(d[4].extra_json).find("meta_status")->as_string(), "played");
  EXPECT_EQ(parse(d[3].raw).find("id")->as_string(), "wamid.S2");
}

TEST_F(WaWebhookTest, ValueLevelErrorsAreLogged) {
  std::string body = std::string(R"({"object":"whatsapp_business_account","entry":[{"id":")") +
                     kWaba +
                     R"(","changes":[{"field":"messages","value":{"messaging_product":)"
                     R"("whatsapp","metadata":{"phone_number_id":")" +
                     kPnid + R"("},"errors":[{"code":130429,"title":"Rate limit hit"}]}}]}]})";
  EXPECT_EQ(post_signed(body).http_status, 200);
  EXPECT_TRUE(fake.logged("Rate limit hit"));
}

TEST_F(WaWebhookTest, OversizedBodyIsRefused) {
  WebhookCall call;
  call.path = "/";
  call.body = std::string(3 * 1024 * 1024 + 1, ' ');
  EXPECT_EQ(fake.webhook(call).http_status, 413);
}

TEST_F(WaWebhookTest, MissingAppSecretRefusesDeliveriesAndDegrades) {
  FakeHost other;
  ASSERT_TRUE(other.load(whatsapp_entry()));
  other.set_secret("access_token", kToken);
  ASSERT_TRUE(other.create("wa-2", config()));
  ASSERT_TRUE(other.start());
  WebhookCall call;
  call.path = "/";
  call.body = inbound_payload(
      R"({"from":"16505551234","id":"wamid.F","timestamp":"5","type":"text","text":{"body":"x"}})");
  call.headers = "X-Hub-Signature-256: sha256=" + wa::hmac_sha256_hex("", call.body);
  EXPECT_EQ(other.webhook(call).http_status, 503);
  EXPECT_TRUE(other.inbound().empty());
  EXPECT_EQ(other.health().state, SB_STATE_DEGRADED);
  ASSERT_FALSE(other.states().empty());
  EXPECT_EQ(other.states().back().state, SB_STATE_DEGRADED);
}

}  // namespace
}  // namespace watest
