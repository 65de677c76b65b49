// Delivery receipts: Appendix B text with carrier quirks, TLVs first, states mapped to statuses.
#include "receipt.hpp"

#include <switchboard/abi.h>

#include <gtest/gtest.h>

namespace sms {
namespace {

TEST(SmsReceipt, AppendixBText) {
  auto r = parse_receipt(
      "id:0123456789 sub:001 dlvrd:001 submit date:2412011200 done date:2412011201 stat:DELIVRD "
      "err:000 text:Hello world",
      {});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->id, "0123456789");
  EXPECT_EQ(r->stat, "DELIVRD");
  EXPECT_EQ(r->err, "000");
  EXPECT_EQ(r->done_date, "2412011201");
  EXPECT_EQ(r->text, "Hello world");
}

TEST(SmsReceipt, QuirksCaseMissingFieldsTwelveDigitDates) {
  // Jasmin style: no sub/dlvrd/text; lower-case stat; 12-digit dates; capital Text.
  auto r = parse_receipt(
      "id:ab12CD submit date:241201120000 done date:241201120130 stat:undeliv "
      "err:034 Text:x",
      {});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->id, "ab12CD");
  EXPECT_EQ(r->stat, "UNDELIV");
  EXPECT_EQ(r->text, "x");
  EXPECT_EQ(parse_receipt_date(r->done_date), parse_receipt_date("2412011201") + 30'000);
  EXPECT_EQ(parse_receipt_date("2413011200"), 0);  // month 13
  EXPECT_EQ(parse_receipt_date("abc"), 0);
  // "id:" must be a key, not a suffix of another word.
  auto r2 = parse_receipt("msgid:1 id:2 stat:DELIVRD", {});
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->id, "2");
}

TEST(SmsReceipt, TlvsWinOverText) {
  std::vector<Tlv> tlvs = {{tag::kReceiptedMessageId, std::string("0A1B2C3D\0", 9)},
                           {tag::kMessageState, "\x05"}};
  auto r = parse_receipt("id:169552957 stat:DELIVRD err:000", tlvs);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->id, "0A1B2C3D");
  EXPECT_EQ(r->stat, "UNDELIV");
  EXPECT_EQ(r->message_state, 5);
  // TLV-only with empty text.
  auto t = parse_receipt("", tlvs);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->stat, "UNDELIV");
  // id TLV without state: stat from the text.
  auto m = parse_receipt("stat:EXPIRED", {{tag::kReceiptedMessageId, "xyz"}});
  ASSERT_TRUE(m);
  EXPECT_EQ(m->stat, "EXPIRED");
}

TEST(SmsReceipt, UnparsableReceiptsAreNotReceipts) {
  EXPECT_FALSE(parse_receipt("", {}));
  EXPECT_FALSE(parse_receipt("hello there", {}));
  EXPECT_FALSE(parse_receipt("id:123", {}));            // no state
  EXPECT_FALSE(parse_receipt("stat:DELIVRD", {}));      // no id
  EXPECT_FALSE(parse_receipt("id: stat:DELIVRD", {}));  // empty id
  EXPECT_FALSE(parse_receipt("id:" + std::string(80, '1') + " stat:DELIVRD", {}));
  EXPECT_FALSE(parse_receipt("stat:DELIVRD", {{tag::kMessageState, "\x02\x00"}}));
}

TEST(SmsReceipt, EveryStatMapped) {
  EXPECT_EQ(map_stat("DELIVRD").status, SB_DELIVERY_DELIVERED);
  EXPECT_TRUE(map_stat("DELIVRD").final);
  for (const char* f : {"EXPIRED", "DELETED", "UNDELIV", "UNKNOWN", "REJECTD", "FAILED"}) {
    EXPECT_EQ(map_stat(f).status, SB_DELIVERY_FAILED) << f;
    EXPECT_TRUE(map_stat(f).final) << f;
  }
  for (const char* s : {"ENROUTE", "ACCEPTD", "BUFFRED", "ACKED", "WHATEVER"}) {
    EXPECT_EQ(map_stat(s).status, SB_DELIVERY_SENT) << s;
    EXPECT_FALSE(map_stat(s).final) << s;
  }
  for (int s = 1; s <= 8; ++s) EXPECT_FALSE(stat_of_state(s).empty());
  EXPECT_TRUE(stat_of_state(9).empty());
}

TEST(SmsReceipt, IdForms) {
  EXPECT_EQ(normalize_id("00B8BE19"), normalize_id("B8BE19"));
  EXPECT_EQ(normalize_id("1101C1-C9D03D-F000"), normalize_id("1101c1-c9d03d-f000"));
  EXPECT_EQ(normalize_id("000"), "0");
  auto alt = alternate_ids("0A1B2C3D");
  ASSERT_FALSE(alt.empty());
  EXPECT_EQ(alt[0], "169552957");
  auto back = alternate_ids("169552957");
  EXPECT_NE(std::find(back.begin(), back.end(), "a1b2c3d"), back.end());
  EXPECT_TRUE(alternate_ids("1101c1-c9d03d-f000").empty());
  EXPECT_TRUE(alternate_ids(std::string(30, '9')).empty());
}

}  // namespace
}  // namespace sms
