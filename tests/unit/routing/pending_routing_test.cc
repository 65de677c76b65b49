// Crash-safe routing (schema v10): the routing_pending marker written with the inbound message,
// cleared by routing_done, and a replayed route() that queues the same auto-replies again.
#include "fixture.h"
#include "store/outbox_store.h"
#include "switchboard/abi.h"

namespace sb::routing::testing {
namespace {

class PendingRoutingTest : public RouterTest {
 protected:
  PendingRoutingTest() { track_routing_ = true; }

  static RoutingConfig welcome_config() {
    RoutingConfig c = one_queue(Strategy::kLeastBusy);
    c.queues.front().welcome = "Welcome, your reference is {{conversation.reference}}.";
    return c;
  }

  std::vector<store::PendingRouting> pending() {
    auto p = routing().pending_routing(-1);
    EXPECT_TRUE(p.is_ok()) << p.status().message();
    return p.is_ok() ? *p : std::vector<store::PendingRouting>{};
  }
};

TEST_F(PendingRoutingTest, MarkerIsWrittenWithTheMessageAndClearedByRoutingDone) {
  auto m1 = msg("+4915100000011");
  m1.flags = SB_INBOUND_AUTOMATED;
  const auto r1 = ingest(m1);
  const auto r2 = ingest(msg("+4915100000011", "again"));
  auto p = pending();
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].message_id, r1.message_id);  // oldest first
  EXPECT_EQ(p[0].message_flags, uint32_t{SB_INBOUND_AUTOMATED});
  EXPECT_EQ(p[0].resolution.conversation_id, r1.resolution.conversation_id);
  EXPECT_EQ(p[0].resolution.contact_id, r1.resolution.contact_id);
  EXPECT_TRUE(p[0].resolution.opened_new);
  EXPECT_TRUE(p[0].resolution.new_contact);
  EXPECT_EQ(p[0].created_at_ms, now());
  EXPECT_EQ(p[1].message_id, r2.message_id);
  EXPECT_FALSE(p[1].resolution.opened_new);
  EXPECT_FALSE(p[1].resolution.new_contact);
  EXPECT_EQ(routing().pending_routing(1)->size(), 1u);

  // A redelivery is a duplicate: no second marker.
  EXPECT_EQ(ingest(m1).outcome, store::InsertOutcome::kDuplicate);
  EXPECT_EQ(pending().size(), 2u);

  ASSERT_TRUE(routing().routing_done(r1.message_id).is_ok());
  ASSERT_TRUE(routing().routing_done(r1.message_id).is_ok());  // absent is fine
  p = pending();
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].message_id, r2.message_id);
}

TEST_F(RouterTest, NoMarkerWithoutTrackRouting) {
  ingest(msg("+4915100000011"));
  auto p = routing().pending_routing(-1);
  ASSERT_TRUE(p.is_ok());
  EXPECT_TRUE(p->empty());
}

// The host died after the welcome's claim committed but before its outbox row: routing the
// pending message again must still produce the welcome, with the same idempotency key.
TEST_F(PendingRoutingTest, ReplayAfterTheClaimStillQueuesTheWelcomeOnce) {
  add_agent("alice", 5);
  make_router(welcome_config());
  const auto m = msg("+4915100000011");
  const auto d1 = deliver(m);
  ASSERT_EQ(d1.replies.size(), 1u);
  EXPECT_EQ(d1.assignee, "alice");

  // Replay from the marker, as the host does at start-up.
  auto p = pending();
  ASSERT_EQ(p.size(), 1u);
  store::InboundResult replayed{store::InsertOutcome::kStored, p[0].message_id, p[0].resolution};
  auto d2 = router_->route(m, replayed);
  ASSERT_TRUE(d2.is_ok()) << d2.status().message();
  ASSERT_EQ(d2->replies.size(), 1u);
  EXPECT_EQ(d2->replies[0].idempotency_key, d1.replies[0].idempotency_key);
  EXPECT_EQ(d2->replies[0].idempotency_key, "auto:welcome:" + std::to_string(last_.message_id));
  EXPECT_EQ(d2->reason, "kept");  // the assignment committed before the crash
  EXPECT_EQ(routing().assignments_of(last_.resolution.conversation_id)->size(), 1u);

  // The outbox dedupes the two by that key: one row.
  auto* outbox = store_->outbox();
  ASSERT_NE(outbox, nullptr);
  auto e1 = outbox->outbox_enqueue(d1.replies[0], now());
  auto e2 = outbox->outbox_enqueue(d2->replies[0], now());
  ASSERT_TRUE(e1.is_ok() && e2.is_ok());
  EXPECT_FALSE(e1->duplicate);
  EXPECT_TRUE(e2->duplicate);
  EXPECT_EQ(e1->message_id, e2->message_id);

  // Once routing is done the memo goes with the marker: the welcome is claimed, never again.
  ASSERT_TRUE(routing().routing_done(last_.message_id).is_ok());
  EXPECT_TRUE(pending().empty());
  auto d3 = router_->route(m, replayed);
  ASSERT_TRUE(d3.is_ok());
  EXPECT_TRUE(d3->replies.empty());
}

// Without a marker (routed live, nothing pending) a second route of the same message claims
// nothing: the memo never outlives the marker.
TEST_F(RouterTest, RoutingTheSameMessageTwiceWithoutAMarkerSendsOneWelcome) {
  add_agent("alice", 5);
  RoutingConfig c = one_queue(Strategy::kLeastBusy);
  c.queues.front().welcome = "Welcome";
  make_router(c);
  const auto m = msg("+4915100000011");
  EXPECT_EQ(deliver(m).replies.size(), 1u);
  auto again = router_->route(m, last_);
  ASSERT_TRUE(again.is_ok());
  EXPECT_TRUE(again->replies.empty());
}

}  // namespace
}  // namespace sb::routing::testing
