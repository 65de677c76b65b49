// Outbound SMS end to end: encoding and concatenation as the SMSC sees them, receipts per part,
// permanent and throttling statuses, and the preview operation.
#include "sms_fixture.h"

namespace smstest {
namespace {

std::string history_extras(waapi::Db& db, const std::string& id) {
  return db.scalar(
      "SELECT group_concat(extra_json, '|') FROM message_status_history WHERE message_id = ?", id);
}

TEST_F(SmsTest, LongGsmTextGoesAsTwoUdhPartsAndIsDeliveredWhenBothPartsAre) {
  ASSERT_TRUE(bound()) << smsc_->diagnostics();
  const std::string text = std::string(150, 'a') + "{€}" + std::string(40, 'b');  // 196 septets
  const std::string id = send("+44 7700 900123", text, "long-1");
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(wait_status(id, "3"), "3") << history_extras(*db_, id);  // delivered
  auto subs = smsc_->submitted();
  ASSERT_TRUE(subs);
  ASSERT_EQ(subs->size(), 2u);
  JsonPtr first = subs->getObject(0), second = subs->getObject(1);
  EXPECT_EQ(str(first, "destination_addr"), "447700900123");
  EXPECT_EQ(first->getValue<int>("dest_ton"), 1);
  EXPECT_EQ(first->getValue<int>("source_ton"), 5);  // alphanumeric sender
  EXPECT_EQ(str(first, "source_addr"), "Switchbd");
  EXPECT_EQ(first->getValue<int>("data_coding"), 0);
  EXPECT_EQ(first->getValue<int>("esm_class") & 0x40, 0x40);
  EXPECT_EQ(first->getValue<int>("registered_delivery"), 1);
  const std::string udh1 = str(first, "udh"), udh2 = str(second, "udh");
  ASSERT_EQ(udh1.size(), 12u);
  EXPECT_EQ(udh1.substr(0, 6), "050003");
  EXPECT_EQ(udh1.substr(8, 4), "0201");
  EXPECT_EQ(udh2.substr(0, 8), udh1.substr(0, 8));  // same reference
  EXPECT_EQ(udh2.substr(8, 4), "0202");
  // 153 septets in the first part: the escape pair of '€' is never split.
  EXPECT_EQ(str(first, "payload").size() / 2 + str(second, "payload").size() / 2, 196u);
  EXPECT_EQ(str(first, "text") + str(second, "text"), text);
  // The history lists each transition once; the "delivered" entry carries both parts' receipts.
  const std::string h = history_extras(*db_, id);
  EXPECT_NE(h.find("{\"part\":1,\"part_id\":"), std::string::npos) << h;
  EXPECT_NE(h.find("{\"part\":2,\"part_id\":"), std::string::npos) << h;
  EXPECT_EQ(db_->scalar("SELECT provider_message_id FROM messages WHERE id = ?", id),
            str(first, "message_id"));
}

TEST_F(SmsTest, EmojiTextGoesAsUcs2) {
  ASSERT_TRUE(bound());
  const std::string id = send("+447700900124", "Hi 😀", "ucs2-1");
  EXPECT_EQ(wait_status(id, "3"), "3");
  auto subs = smsc_->submitted();
  ASSERT_EQ(subs->size(), 1u);
  EXPECT_EQ(subs->getObject(0)->getValue<int>("data_coding"), 8);
  EXPECT_EQ(str(subs->getObject(0), "payload"), "004800690020d83dde00");
  EXPECT_EQ(str(subs->getObject(0), "text"), "Hi 😀");
}

TEST_F(SmsTest, OnePartFailingFailsTheWholeMessage) {
  ASSERT_EQ(smsc_
                ->call("POST", "/config",
                       R"({"receipts":{"stat":{"0125":"UNDELIV"},"order":"shuffled"}})")
                .status,
            200);
  ASSERT_TRUE(bound());
  const std::string id = send("+447700900125", std::string(300, 'x'), "fail-part");
  EXPECT_EQ(wait_status(id, "5"), "5");
  EXPECT_NE(db_->scalar("SELECT error_code FROM messages WHERE id = ?", id).find("UNDELIV"),
            std::string::npos);
}

TEST_F(SmsTest, PermanentStatusIsRejectedAndNeverRetried) {
  ASSERT_EQ(smsc_->call("POST", "/config", R"({"fail":{"0000":11}})").status, 200);
  ASSERT_TRUE(bound());
  const std::string id = send("+447700900000", "hello", "perm-1");
  EXPECT_EQ(wait_status(id, "5"), "5");
  EXPECT_EQ(db_->scalar("SELECT error_code FROM messages WHERE id = ?", id), "ESME_RINVDSTADR");
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(smsc_->submitted()->size(), 1u);
  EXPECT_EQ(outbox_state(id), "failed");
}

TEST_F(SmsTest, ThrottlingSlowsTheSenderDownAndEveryMessageGetsThrough) {
  ASSERT_EQ(smsc_->call("POST", "/config", R"({"throttle":{"per_second":2}})").status, 200);
  ASSERT_TRUE(bound());
  std::vector<std::string> ids;
  for (int i = 0; i < 6; ++i) {
    ids.push_back(send("+4477009002" + std::to_string(10 + i), "m" + std::to_string(i),
                       "thr-" + std::to_string(i)));
  }
  for (const auto& id : ids) EXPECT_EQ(wait_status(id, "3", 30s), "3") << id;
  int throttled = 0;
  auto subs = smsc_->submitted();
  for (size_t i = 0; i < subs->size(); ++i)
    throttled += str(subs->getObject(i), "status") == "throttled";
  EXPECT_GT(throttled, 0);
  // A throttled attempt is recorded as rate limited with a retry-after, not as a failure.
  EXPECT_NE(db_->scalar("SELECT COUNT(*) FROM message_status_history WHERE error_code = "
                        "'ESME_RTHROTTLED'"),
            "0");
}

TEST_F(SmsTest, PreviewTellsEncodingSegmentsAndPrice) {
  Reply r = api("POST", "/v1/channels/sms-1/ops/preview",
                R"({"text":")" + std::string(161, 'a') + R"(","to":"+447700900123"})");
  ASSERT_EQ(r.status, 200) << r.body;
  JsonPtr p = parse(r.body);
  EXPECT_EQ(str(p, "encoding"), "gsm7");
  EXPECT_EQ(p->getValue<int>("segments"), 2);
  EXPECT_EQ(p->getValue<int>("characters_left"), 145);
  JsonPtr price = p->getObject("price");
  ASSERT_TRUE(price);
  EXPECT_DOUBLE_EQ(price->getValue<double>("per_segment"), 0.04);
  EXPECT_DOUBLE_EQ(price->getValue<double>("total"), 0.08);
  Reply u = api("POST", "/v1/channels/sms-1/ops/preview", R"({"text":"Привет 😀"})");
  ASSERT_EQ(u.status, 200) << u.body;
  EXPECT_EQ(str(parse(u.body), "encoding"), "ucs2");
  EXPECT_EQ(parse(u.body)->getValue<int>("characters_left"), 61);
  // Three segments at the default 0.05: the total reads 0.15, not 0.15000000000000002.
  Reply three = api("POST", "/v1/channels/sms-1/ops/preview",
                    R"({"text":")" + std::string(400, 'a') + R"(","to":"+15551234567"})");
  EXPECT_NE(three.body.find("\"total\":0.15}"), std::string::npos) << three.body;
  Reply bad = api("POST", "/v1/channels/sms-1/ops/preview", R"({"txt":"x"})");
  EXPECT_EQ(bad.status, 400) << bad.body;
}

}  // namespace
}  // namespace smstest
