// Instance configurations other than the default single transceiver: transmitter + receiver pairs,
// several binds, a fast enquire_link, a short MO reassembly timeout.
#include "sms_fixture.h"

namespace smstest {
namespace {

class SmsPairs : public SmsTest {
 protected:
  SmsPairs() {
    extra_config_ = R"(, "bind_mode": "transmitter_receiver", "binds": 2, "window": 3)";
  }
};

TEST_F(SmsPairs, SubmitsSpreadOverTheTransmittersAndMoComesOnAReceiver) {
  ASSERT_TRUE(eventually([&] { return smsc_->binds() == 4; }, 15s)) << smsc_->diagnostics();
  std::vector<std::string> ids;
  for (int i = 0; i < 8; ++i) {
    ids.push_back(send("+4477009008" + std::to_string(10 + i), "p" + std::to_string(i),
                       "pair-" + std::to_string(i)));
  }
  for (const auto& id : ids) EXPECT_EQ(wait_status(id, "3"), "3") << id;
  std::set<int> connections;
  auto subs = smsc_->submitted();
  for (size_t i = 0; i < subs->size(); ++i) {
    connections.insert(subs->getObject(static_cast<unsigned>(i))->getValue<int>("connection"));
  }
  EXPECT_EQ(connections.size(), 2u);  // both transmitters carried submits
  EXPECT_LE(smsc_->stats()->getValue<int>("max_outstanding"), 3);
  ASSERT_EQ(smsc_->call("POST", "/mo", R"({"from":"447700900820","text":"to a receiver"})").status,
            200);
  EXPECT_TRUE(eventually([&] { return inbound_count() == 1; }, 10s));
}

class SmsFastKeepalive : public SmsTest {
 protected:
  SmsFastKeepalive() {
    extra_config_ = R"(, "enquire_link_interval_ms": 200, "enquire_link_timeout_ms": 300,
                       "mo_reassembly_timeout_ms": 500)";
  }
};

TEST_F(SmsFastKeepalive, AnSmscThatStopsAnsweringIsLeftAndBoundAgain) {
  ASSERT_TRUE(bound());
  ASSERT_TRUE(eventually(
      [&] {
        auto ev = smsc_->stats()->getArray("events");
        int n = 0;
        for (size_t i = 0; ev && i < ev->size(); ++i) {
          n += str(ev->getObject(static_cast<unsigned>(i)), "event") == "enquire_link";
        }
        return n >= 2;
      },
      5s));
  ASSERT_EQ(smsc_->call("POST", "/config", R"({"mute":true})").status, 200);
  std::string reason;
  ASSERT_TRUE(eventually(
      [&] {
        reason = str(channel(), "state_reason");
        return reason.find("enquire_link not answered") != std::string::npos;
      },
      10s))
      << reason;
  ASSERT_EQ(smsc_->call("POST", "/config", R"({"mute":false})").status, 200);
  EXPECT_TRUE(eventually([&] { return str(channel(), "state") == "running"; }, 10s));
  const std::string id = send("+447700900901", "alive", "keepalive-1");
  EXPECT_EQ(wait_status(id, "3"), "3");
}

TEST_F(SmsFastKeepalive, IncompleteMultipartMoIsStoredWithANoteAfterTheTimeout) {
  ASSERT_TRUE(bound());
  ASSERT_EQ(smsc_
                ->call("POST", "/mo",
                       R"({"from":"447700900902","text":"aaaaabbbbbccccc","parts":3,)"
                       R"("part_octets":5,"drop_part":2})")
                .status,
            200);
  ASSERT_TRUE(eventually([&] { return inbound_count() == 1; }, 10s));
  EXPECT_EQ(db_->scalar("SELECT text FROM messages WHERE direction = 'in'"), "aaaaa…ccccc");
  const std::string pj = db_->scalar("SELECT payload_json FROM messages WHERE direction = 'in'");
  EXPECT_NE(pj.find("\"incomplete\":true"), std::string::npos) << pj;
  EXPECT_NE(pj.find("\"missing_parts\":[2]"), std::string::npos) << pj;
}

}  // namespace
}  // namespace smstest
