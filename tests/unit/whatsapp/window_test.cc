// The 24-hour customer service window: opened and extended by the customer's messages, expiring on
// the host's clock, persisted in kv, and what can_send answers inside and outside it.
#include "wa_fixture.hpp"

#include "window.hpp"

namespace watest {
namespace {

using WaWindowTest = WhatsApp;
using std::chrono::hours;
using std::chrono::minutes;

TEST_F(WaWindowTest, NoWindowBeforeTheCustomerWrites) {
  auto a = fake.can_send("+16505551234", "text");
  EXPECT_EQ(a.status, SB_OK);
  EXPECT_FALSE(a.allowed);
  EXPECT_EQ(a.mode, SB_SEND_MODE_TEMPLATE_ONLY);
  EXPECT_EQ(a.expires_at_ms, 0);
  EXPECT_NE(a.reason.find("template"), std::string::npos);
  auto t = fake.can_send("+16505551234", "template");
  EXPECT_TRUE(t.allowed);
  EXPECT_EQ(t.mode, SB_SEND_MODE_TEMPLATE_ONLY);
}

TEST_F(WaWindowTest, InboundOpensTheWindowForTwentyFourHours) {
  int64_t t0 = fake.now_ms() / 1000 * 1000;  // webhook timestamps are whole seconds
  customer_writes();
  auto a = fake.can_send("+16505551234", "text");
  EXPECT_TRUE(a.allowed);
  EXPECT_EQ(a.mode, SB_SEND_MODE_FREE_TEXT);
  EXPECT_EQ(a.expires_at_ms, t0 + wa::kWindowMs);
  // The same customer written as a national number with the default country does not match a
  // different person, and another customer has no window.
  EXPECT_FALSE(fake.can_send("+16505550000", "text").allowed);
}

TEST_F(WaWindowTest, WindowExpiresOnTheFakeClock) {
  customer_writes();
  fake.advance(hours(23) + minutes(59));
  EXPECT_TRUE(fake.can_send("+16505551234", "text").allowed);
  fake.advance(minutes(1));
  auto a = fake.can_send("+16505551234", "text");
  EXPECT_FALSE(a.allowed);
  EXPECT_EQ(a.mode, SB_SEND_MODE_TEMPLATE_ONLY);
}

TEST_F(WaWindowTest, EachInboundExtendsTheWindow) {
  customer_writes("16505551234", "wamid.1");
  fake.advance(hours(20));
  int64_t t1 = fake.now_ms() / 1000 * 1000;
  customer_writes("16505551234", "wamid.2");
  fake.advance(hours(10));
  auto a = fake.can_send("+16505551234", "text");
  EXPECT_TRUE(a.allowed);
  EXPECT_EQ(a.expires_at_ms, t1 + wa::kWindowMs);
}

TEST_F(WaWindowTest, ALateDeliveryOfAnOldMessageDoesNotMoveTheWindowBack) {
  customer_writes("16505551234", "wamid.new");
  int64_t expires = fake.can_send("+16505551234", "text").expires_at_ms;
  std::string old_ts = std::to_string(fake.now_ms() / 1000 - 3600);
  ASSERT_EQ(post_signed(inbound_payload(R"({"from":"16505551234","id":"wamid.old","timestamp":")" +
                                        old_ts + R"(","type":"text","text":{"body":"x"}})"))
                .http_status,
            200);
  EXPECT_EQ(fake.can_send("+16505551234", "text").expires_at_ms, expires);
}

TEST_F(WaWindowTest, SystemMessagesDoNotOpenTheWindow) {
  std::string ts = std::to_string(fake.now_ms() / 1000);
  ASSERT_EQ(post_signed(inbound_payload(R"({"from":"16505551234","id":"wamid.sys","timestamp":")" +
                                        ts + R"(","type":"system","system":{"body":"changed"}})"))
                .http_status,
            200);
  EXPECT_FALSE(fake.can_send("+16505551234", "text").allowed);
}

TEST_F(WaWindowTest, TheHostsLastInboundTimeCountsToo) {
  int64_t last = fake.now_ms() - 3600 * 1000;
  auto a = fake.can_send("+16505551234", "text", last);
  EXPECT_TRUE(a.allowed);
  EXPECT_EQ(a.expires_at_ms, last + wa::kWindowMs);
}

TEST_F(WaWindowTest, WindowIsPersistedInKv) {
  customer_writes();
  bool found = false;
  for (const auto& [k, v] : fake.kv()) {
    if (k == std::string("win/") + kPnid + "/16505551234") found = !v.empty();
  }
  EXPECT_TRUE(found);
}

TEST_F(WaWindowTest, AFailed131047StatusClosesTheWindow) {
  customer_writes();
  ASSERT_TRUE(fake.can_send("+16505551234", "text").allowed);
  std::string st =
      R"({"id":"wamid.X","status":"failed","timestamp":"1","recipient_id":"16505551234",)"
      R"("errors":[{"code":131047,"title":"Re-engagement message"}]})";
  ASSERT_EQ(post_signed(statuses_payload(st)).http_status, 200);
  EXPECT_FALSE(fake.can_send("+16505551234", "text").allowed);
  customer_writes("16505551234", "wamid.again");
  EXPECT_TRUE(fake.can_send("+16505551234", "text").allowed);
}

TEST_F(WaWindowTest, UnknownSenderNumberIsBlocked) {
  auto a = fake.can_send("+16505551234", "text", 0, "+4930999");
  EXPECT_FALSE(a.allowed);
  EXPECT_EQ(a.mode, SB_SEND_MODE_BLOCKED);
}

}  // namespace
}  // namespace watest
