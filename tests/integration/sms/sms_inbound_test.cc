// Inbound SMS end to end: MO stored before it is acknowledged, multipart reassembly in any order,
// duplicates stored once, receipts the host cannot match or parse acknowledged and dropped.
#include "sms_fixture.h"

namespace smstest {
namespace {

TEST_F(SmsTest, MoIsStoredUnderTheSendersE164NumberThenAcknowledged) {
  ASSERT_TRUE(bound());
  Reply r =
      smsc_->call("POST", "/mo", R"({"from":"447700900301","to":"12345","text":"Hello {there}"})");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_TRUE(eventually([&] { return inbound_count() == 1; }, 10s));
  EXPECT_EQ(db_->scalar("SELECT text FROM messages WHERE direction = 'in'"), "Hello {there}");
  EXPECT_EQ(db_->scalar("SELECT from_addr FROM messages WHERE direction = 'in'"), "+447700900301");
  ASSERT_TRUE(eventually(
      [&] {
        auto resps = smsc_->stats()->getArray("deliver_resps");
        return resps && resps->size() == 1 && resps->getObject(0)->getValue<int>("status") == 0;
      },
      5s));
}

TEST_F(SmsTest, ShuffledUcs2PartsWithAnEmojiAcrossTheBoundaryAreReassembled) {
  ASSERT_TRUE(bound());
  // 3 parts of 9 octets: the emoji's surrogate pair (octets 6-9) straddles parts 1 and 2.
  Reply r = smsc_->call("POST", "/mo",
                        R"({"from":"447700900302","text":"abc😀defghijk","encoding":"ucs2",)"
                        R"("parts":3,"part_octets":9,"shuffle":true,"duplicate_part":2})");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_TRUE(eventually([&] { return inbound_count() == 1; }, 10s));
  EXPECT_EQ(db_->scalar("SELECT text FROM messages WHERE direction = 'in'"), "abc😀defghijk");
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(inbound_count(), 1);
}

TEST_F(SmsTest, SarPartsAreReassembled) {
  ASSERT_TRUE(bound());
  Reply r = smsc_->call("POST", "/mo",
                        R"({"from":"447700900303","text":"one two three four","concat":"sar",)"
                        R"("parts":2,"part_octets":9})");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_TRUE(eventually([&] { return inbound_count() == 1; }, 10s));
  EXPECT_EQ(db_->scalar("SELECT text FROM messages WHERE direction = 'in'"), "one two three four");
}

TEST_F(SmsTest, RedeliveredMoIsStoredOnce) {
  ASSERT_TRUE(bound());
  const std::string mo = R"({"from":"447700900304","text":"YES"})";
  ASSERT_EQ(smsc_->call("POST", "/mo", mo).status, 200);
  ASSERT_TRUE(eventually([&] { return inbound_count() == 1; }, 10s));
  // The same message again after a reconnect.
  ASSERT_EQ(smsc_->call("POST", "/drop").status, 200);
  ASSERT_TRUE(eventually([&] { return smsc_->binds() >= 1; }, 10s));
  ASSERT_EQ(smsc_->call("POST", "/mo", mo).status, 200);
  ASSERT_TRUE(eventually(
      [&] {
        auto resps = smsc_->stats()->getArray("deliver_resps");
        return resps && resps->size() == 2;
      },
      10s));
  EXPECT_EQ(inbound_count(), 1);
}

TEST_F(SmsTest, ReceiptsForUnknownIdsAndUnparsableReceiptsAreAcknowledgedAndDropped) {
  ASSERT_TRUE(bound());
  // esm_class 0x04 with a receipt for an id never submitted, then one that is not a receipt at all.
  ASSERT_EQ(smsc_
                ->call("POST", "/mo",
                       R"({"from":"447700900305","esm_class":4,)"
                       R"("text":"id:99999 sub:001 dlvrd:001 stat:DELIVRD err:000"})")
                .status,
            200);
  ASSERT_EQ(smsc_->call("POST", "/mo", R"({"from":"447700900305","esm_class":4,"text":"garbage"})")
                .status,
            200);
  ASSERT_TRUE(eventually(
      [&] {
        auto resps = smsc_->stats()->getArray("deliver_resps");
        return resps && resps->size() == 2 && resps->getObject(0)->getValue<int>("status") == 0 &&
               resps->getObject(1)->getValue<int>("status") == 0;
      },
      5s));
  EXPECT_EQ(inbound_count(), 0);
  JsonPtr details = channel()->getObject("health");
  ASSERT_TRUE(details);
  // Still bound and serving.
  const std::string id = send("+447700900306", "still here", "after-bad");
  EXPECT_EQ(wait_status(id, "3"), "3");
}

}  // namespace
}  // namespace smstest
