// Crash recovery: what a previous run left behind, found by a fresh store and outbox.
#include "outbox_fixture.h"

namespace sbtest {
namespace {

using sb::store::OutboxState;

class OutboxRecovery : public OutboxFixture {
 protected:
  int64_t add_row(const std::string& text) {
    sb::store::OutboundMessage m;
    m.instance_id = "lb";
    m.to = "+4915112345678";
    m.text = text;
    auto r = store_->outbox()->outbox_enqueue(m, clock_ms_);
    EXPECT_TRUE(r.is_ok());
    return r.is_ok() ? r->message_id : 0;
  }
};

// A "crash" between the claim and the outcome leaves `sending`; a pending send whose completion
// never came leaves `pending`. Neither is resent after a restart; queued rows are sent.
TEST_F(OutboxRecovery, InFlightRowsBecomeReconcileAndQueuedRowsAreSent) {
  open_store();
  const int64_t sending = add_row("was sending");
  const int64_t pending = add_row("was pending");
  const int64_t queued = add_row("still queued");
  auto* rows = store_->outbox();
  ASSERT_TRUE(rows->outbox_claim(sending, clock_ms_).value());
  ASSERT_TRUE(rows->outbox_claim(pending, clock_ms_).value());
  sb::store::OutboxAttempt a;
  a.message_id = pending;
  a.next = OutboxState::kPending;
  a.outcome = "pending";
  ASSERT_TRUE(rows->outbox_record(a, clock_ms_).is_ok());
  store_.reset();  // the process is gone; only the file remains

  boot();
  ASSERT_TRUE(reaches(queued, OutboxState::kSent, 1));
  EXPECT_EQ(row(sending).state, OutboxState::kReconcile);
  EXPECT_EQ(row(pending).state, OutboxState::kReconcile);
  auto listed = outbox_->list_reconciliation("lb");
  ASSERT_TRUE(listed.is_ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].message.id, sending);
  EXPECT_EQ((*listed)[1].message.id, pending);
  EXPECT_EQ((*listed)[0].message.text, "was sending");
  const auto s = sends();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].message_id, queued);
  // The reason is in the history, for the supervisor.
  auto h = store_->status_history(sending);
  ASSERT_TRUE(h.is_ok());
  EXPECT_EQ(h->back().error_code, "reconcile");
}

TEST_F(OutboxRecovery, ASupervisorRetryOfAReconcileRowSendsIt) {
  open_store();
  const int64_t id = add_row("unknown fate");
  ASSERT_TRUE(store_->outbox()->outbox_claim(id, clock_ms_).value());
  store_.reset();
  boot();
  ASSERT_EQ(row(id).state, OutboxState::kReconcile);
  advance(1000);
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  EXPECT_TRUE(sends().empty());
  ASSERT_TRUE(outbox_->retry_now(id).is_ok());
  ASSERT_TRUE(reaches(id, OutboxState::kSent, 2));
  EXPECT_TRUE(outbox_->list_reconciliation("lb")->empty());
}

// A clean shutdown while messages are queued leaves them queued (not reconcile), and the next
// start sends each exactly once.
TEST_F(OutboxRecovery, CleanRestartResumesQueuedRows) {
  boot();
  faults(R"([{"kind":"transient"}])");
  const auto e = enqueue("+4915112345678", "retry me");
  ASSERT_TRUE(reaches(e.message_id, OutboxState::kQueued, 1));
  shutdown();

  boot();
  EXPECT_EQ(row(e.message_id).state, OutboxState::kQueued);
  advance(500);
  ASSERT_TRUE(reaches(e.message_id, OutboxState::kSent, 2));
  EXPECT_TRUE(outbox_->list_reconciliation("lb")->empty());
}

TEST_F(OutboxRecovery, RetryNowMakesABackingOffRowDue) {
  boot();
  faults(R"([{"kind":"rate_limited","retry_after_ms":30000}])");
  const auto e = enqueue("+4915112345678", "hi");
  ASSERT_TRUE(reaches(e.message_id, OutboxState::kQueued, 1));
  ASSERT_TRUE(outbox_->retry_now(e.message_id).is_ok());
  ASSERT_TRUE(reaches(e.message_id, OutboxState::kSent, 2));
  EXPECT_EQ(outbox_->retry_now(999'999).code(), sb::Code::kNotFound);
}

}  // namespace
}  // namespace sbtest
