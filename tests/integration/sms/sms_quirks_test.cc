// Carrier quirks and bad input: receipts with decimal ids in their text only, receipts that come
// before the submit_sm_resp, throttling as generic_nack, an oversized command_length, an MO whose
// UDH runs past its message, and concatenation by sar_* TLVs.
#include "sms_fixture.h"

namespace smstest {
namespace {

TEST_F(SmsTest, TextOnlyReceiptsWithDecimalIdsMatchHexSubmitIds) {
  ASSERT_EQ(smsc_
                ->call("POST", "/config",
                       R"({"receipts":{"tlv":false,"id_base":"decimal","jasmin":true}})")
                .status,
            200);
  ASSERT_TRUE(bound());
  const std::string id = send("+447700901001", "decimal receipt", "dec-1");
  EXPECT_EQ(wait_status(id, "3"), "3");
  auto sent = smsc_->stats()->getArray("receipts_sent");
  ASSERT_TRUE(sent && sent->size() == 1);
  JsonPtr r = sent->getObject(0);
  EXPECT_NE(str(r, "message_id"), str(r, "id_in_text"));  // hex in the resp, decimal in the text
}

TEST_F(SmsTest, ReceiptBeforeTheSubmitRespStillDelivers) {
  ASSERT_EQ(smsc_->call("POST", "/config", R"({"receipts":{"before_resp":true}})").status, 200);
  ASSERT_TRUE(bound());
  const std::string id = send("+447700901002", "early receipt", "early-1");
  EXPECT_EQ(wait_status(id, "3"), "3");
}

TEST_F(SmsTest, ThrottlingAsGenericNackIsRateLimitedToo) {
  ASSERT_EQ(
      smsc_->call("POST", "/config", R"({"throttle":{"per_second":1,"as_generic_nack":true}})")
          .status,
      200);
  ASSERT_TRUE(bound());
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back(send("+4477009010" + std::to_string(10 + i), "n" + std::to_string(i),
                       "gn-" + std::to_string(i)));
  }
  for (const auto& id : ids) EXPECT_EQ(wait_status(id, "3", 30s), "3") << id;
  EXPECT_NE(db_->scalar("SELECT COUNT(*) FROM message_status_history WHERE error_code = "
                        "'ESME_RTHROTTLED'"),
            "0");
}

TEST_F(SmsTest, CommandLengthAboveTheMaximumIsNackedAndTheSessionReopened) {
  ASSERT_TRUE(bound());
  // command_length 16 MiB, far above max_pdu_size (70000): generic_nack ESME_RINVCMDLEN, close.
  ASSERT_EQ(smsc_->call("POST", "/raw", R"({"hex":"0100000000000005000000000000002a"})").status,
            200);
  ASSERT_TRUE(eventually(
      [&] {
        auto nacks = smsc_->stats()->getArray("generic_nacks_received");
        return nacks && nacks->size() == 1 && nacks->getObject(0)->getValue<int>("status") == 2 &&
               nacks->getObject(0)->getValue<int>("sequence_number") == 42;
      },
      5s));
  ASSERT_TRUE(eventually([&] { return smsc_->binds() == 1; }, 10s));
  const std::string id = send("+447700901003", "after oversize", "big-1");
  EXPECT_EQ(wait_status(id, "3"), "3");
}

TEST_F(SmsTest, MoWhoseUdhRunsPastTheMessageIsStoredWholeWithANote) {
  ASSERT_TRUE(bound());
  ASSERT_EQ(
      smsc_->call("POST", "/mo", R"({"from":"447700901004","esm_class":64,"raw_hex":"0900034142"})")
          .status,
      200);
  ASSERT_TRUE(eventually([&] { return inbound_count() == 1; }, 10s));
  EXPECT_EQ(db_->scalar("SELECT text FROM messages WHERE direction = 'in'"), "Ç@¥AB");
  EXPECT_NE(
      db_->scalar("SELECT payload_json FROM messages WHERE direction = 'in'").find("invalid UDH"),
      std::string::npos);
  auto resps = smsc_->stats()->getArray("deliver_resps");
  ASSERT_TRUE(resps && resps->size() == 1);
  EXPECT_EQ(resps->getObject(0)->getValue<int>("status"), 0);
}

class SmsSar : public SmsTest {
 protected:
  SmsSar() { extra_config_ = R"(, "concatenation": "sar")"; }
};

TEST_F(SmsSar, LongTextTravelsWithSarTlvsAndNoUdh) {
  ASSERT_TRUE(bound());
  const std::string id = send("+447700901005", std::string(200, 'z'), "sar-1");
  EXPECT_EQ(wait_status(id, "3"), "3");
  auto subs = smsc_->submitted();
  ASSERT_EQ(subs->size(), 2u);
  for (unsigned i = 0; i < 2; ++i) {
    JsonPtr m = subs->getObject(i);
    EXPECT_EQ(str(m, "udh"), "");
    EXPECT_EQ(m->getValue<int>("esm_class") & 0x40, 0);
    JsonPtr tlvs = m->getObject("tlvs");
    ASSERT_TRUE(tlvs);
    EXPECT_EQ(str(tlvs, "020e"), "02");
    EXPECT_EQ(str(tlvs, "020f"), i == 0 ? "01" : "02");
  }
  EXPECT_EQ(str(subs->getObject(0)->getObject("tlvs"), "020c"),
            str(subs->getObject(1)->getObject("tlvs"), "020c"));
}

}  // namespace
}  // namespace smstest
