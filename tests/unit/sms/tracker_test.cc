// The receipt tracker (multipart aggregation, early and duplicate receipts, id forms), addresses
// and the instance configuration.
#include "address.hpp"
#include "config.hpp"
#include "receipt_tracker.hpp"

#include <switchboard/abi.h>

#include <gtest/gtest.h>

namespace sms {
namespace {

Receipt receipt(std::string id, std::string stat) {
  Receipt r;
  r.id = std::move(id);
  r.stat = std::move(stat);
  return r;
}

TEST(SmsTracker, MultipartIsDeliveredWhenEveryPartIsAndFailedWhenOneFails) {
  ReceiptTracker t(60'000, 3'600'000);
  t.record(7, {"a1", "a2", "a3"}, 0);
  ReceiptUpdate u;
  ASSERT_EQ(t.apply(receipt("a2", "DELIVRD"), 1, &u), ReceiptTracker::Applied::kUpdate);
  EXPECT_EQ(u.status, SB_DELIVERY_SENT);
  EXPECT_EQ(u.part, 1u);
  EXPECT_NE(u.extra_json.find("\"part\":2,\"parts\":3"), std::string::npos) << u.extra_json;
  ASSERT_EQ(t.apply(receipt("a1", "DELIVRD"), 1, &u), ReceiptTracker::Applied::kUpdate);
  EXPECT_EQ(u.status, SB_DELIVERY_SENT);
  ASSERT_EQ(t.apply(receipt("a3", "DELIVRD"), 1, &u), ReceiptTracker::Applied::kUpdate);
  EXPECT_EQ(u.status, SB_DELIVERY_DELIVERED);
  // The report that delivers the message carries every part's receipt, in part order.
  const size_t p1 = u.extra_json.find(R"({"part":1,"part_id":"a1","stat":"DELIVRD"})");
  const size_t p2 = u.extra_json.find(R"({"part":2,"part_id":"a2","stat":"DELIVRD"})");
  const size_t p3 = u.extra_json.find(R"({"part":3,"part_id":"a3","stat":"DELIVRD"})");
  EXPECT_NE(p1, std::string::npos) << u.extra_json;
  EXPECT_LT(p1, p2) << u.extra_json;
  EXPECT_LT(p2, p3) << u.extra_json;
  EXPECT_NE(p3, std::string::npos) << u.extra_json;
  t.record(8, {"b1", "b2"}, 0);
  ASSERT_EQ(t.apply(receipt("b2", "UNDELIV"), 1, &u), ReceiptTracker::Applied::kUpdate);
  EXPECT_EQ(u.status, SB_DELIVERY_FAILED);
  ASSERT_EQ(t.apply(receipt("b1", "DELIVRD"), 1, &u), ReceiptTracker::Applied::kUpdate);
  EXPECT_EQ(u.status, SB_DELIVERY_FAILED);  // one failed part fails the message for good
}

TEST(SmsTracker, DuplicatesAndFinalStatesAreKept) {
  ReceiptTracker t(60'000, 3'600'000);
  t.record(1, {"x"}, 0);
  ReceiptUpdate u;
  EXPECT_EQ(t.apply(receipt("x", "ENROUTE"), 1, &u), ReceiptTracker::Applied::kUpdate);
  EXPECT_EQ(t.apply(receipt("x", "ENROUTE"), 1, &u), ReceiptTracker::Applied::kDuplicate);
  EXPECT_EQ(t.apply(receipt("x", "DELIVRD"), 1, &u), ReceiptTracker::Applied::kUpdate);
  EXPECT_EQ(t.apply(receipt("x", "UNDELIV"), 1, &u), ReceiptTracker::Applied::kDuplicate);
}

TEST(SmsTracker, IdFormsMatchAndEarlyReceiptsWait) {
  ReceiptTracker t(1'000, 3'600'000);
  t.record(1, {"0A1B2C3D"}, 0);
  ReceiptUpdate u;
  EXPECT_EQ(t.apply(receipt("169552957", "DELIVRD"), 1, &u), ReceiptTracker::Applied::kUpdate);
  EXPECT_EQ(u.message_id, 1);
  t.record(2, {"00B8BE19"}, 0);
  EXPECT_EQ(t.apply(receipt("b8be19", "DELIVRD"), 1, &u), ReceiptTracker::Applied::kUpdate);
  EXPECT_EQ(u.message_id, 2);
  // Before its submit_sm_resp: waits, then matches when the id is recorded.
  EXPECT_EQ(t.apply(receipt("late-1", "DELIVRD"), 10, &u), ReceiptTracker::Applied::kWaiting);
  auto updates = t.record(3, {"late-1"}, 20);
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0].status, SB_DELIVERY_DELIVERED);
  // Never matched: dropped after the wait.
  EXPECT_EQ(t.apply(receipt("nobody", "DELIVRD"), 100, &u), ReceiptTracker::Applied::kWaiting);
  EXPECT_TRUE(t.expire(1'099).empty());
  ASSERT_EQ(t.expire(1'100).size(), 1u);
  EXPECT_EQ(t.waiting(), 0u);
}

TEST(SmsAddress, RecipientsAndSenders) {
  std::string err;
  auto e164 = destination_of("+44 7700 900123", "", &err);
  ASSERT_TRUE(e164);
  EXPECT_EQ(e164->addr, "447700900123");
  EXPECT_EQ(e164->ton, 1);
  auto national = destination_of("07700 900123", "44", &err);
  ASSERT_TRUE(national);
  EXPECT_EQ(national->addr, "447700900123");
  EXPECT_FALSE(destination_of("07700 900123", "", &err));
  EXPECT_NE(err.find("default_country"), std::string::npos);
  auto shortcode = destination_of("12345", "", &err);
  ASSERT_TRUE(shortcode);
  EXPECT_EQ(shortcode->ton, 3);
  EXPECT_FALSE(destination_of("not a number", "", &err));
  auto alnum = sender_of("ACME Shop", &err);
  ASSERT_TRUE(alnum);
  EXPECT_EQ(alnum->ton, 5);
  EXPECT_EQ(alnum->npi, 0);
  EXPECT_FALSE(sender_of("ACME Shop Ltd", &err));  // 13 characters
  EXPECT_FALSE(sender_of("", &err));
  EXPECT_EQ(sender_of("+447700900123", &err)->ton, 1);
  EXPECT_EQ(mo_identity("447700900123", 1).from, "+447700900123");
  EXPECT_EQ(mo_identity("07700900123", 2).from, "07700900123");
  EXPECT_EQ(mo_identity("ACME", 5).from_kind, "sms_alphanumeric");
}

TEST(SmsConfig, ParsesAndNamesEveryBadField) {
  auto ok = parse_config(R"({"host":"h","system_id":"acct","binds":2,"window":5,
      "bind_mode":"transmitter_receiver","concatenation":"udh16",
      "rate_card":{"currency":"GBP","per_segment":0.03,"prefixes":{"1":0.01}}})");
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok.value().session.binds, 2);
  EXPECT_FALSE(ok.value().session.transceiver);
  EXPECT_EQ(ok.value().concat, Concat::kUdh16);
  EXPECT_DOUBLE_EQ(ok.value().rate_card.price("15551234567"), 0.01);
  EXPECT_DOUBLE_EQ(ok.value().rate_card.price("447700900123"), 0.03);
  auto bad = parse_config(R"({"system_id":"this-is-too-long-for-smpp","window":0,"colour":1,
      "concatenation":"x"})");
  ASSERT_FALSE(bad);
  for (const char* field : {"system_id", "window", "colour", "concatenation"}) {
    EXPECT_NE(bad.error().message.find(field), std::string::npos) << bad.error().message;
  }
  EXPECT_FALSE(parse_config(R"({"host":"h"})"));  // system_id required
  EXPECT_FALSE(parse_config("[]"));
  EXPECT_NE(config_schema_json().find("\"system_id\""), std::string::npos);
}

TEST(SmsTracker, BoundedInMessagesAndWaitingReceipts) {
  ReceiptTracker t(60'000, 3'600'000, /*max_tracked=*/2, /*max_waiting=*/2);
  t.record(1, {"m1"}, 0);
  t.record(2, {"m2"}, 0);
  t.record(3, {"m3"}, 0);  // forgets message 1, the oldest
  EXPECT_EQ(t.tracked(), 2u);
  ReceiptUpdate u;
  EXPECT_EQ(t.apply(receipt("m1", "DELIVRD"), 1, &u), ReceiptTracker::Applied::kWaiting);
  EXPECT_EQ(t.apply(receipt("m3", "DELIVRD"), 1, &u), ReceiptTracker::Applied::kUpdate);
  t.apply(receipt("u1", "DELIVRD"), 1, &u);
  t.apply(receipt("u2", "DELIVRD"), 1, &u);
  EXPECT_EQ(t.waiting(), 2u);
}

}  // namespace
}  // namespace sms
