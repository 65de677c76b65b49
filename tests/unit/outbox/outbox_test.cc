// The dispatcher's decisions, observed through the store and what the loopback plugin received.
#include <thread>

#include "outbox_fixture.h"

namespace sbtest {
namespace {

using sb::store::DeliveryStatus;
using sb::store::OutboxState;

// The outbox entries of a message's history (the attempts), oldest first.
std::vector<sb::store::StatusEvent> attempts_of(sb::store::Store& store, int64_t id) {
  std::vector<sb::store::StatusEvent> out;
  auto h = store.status_history(id);
  EXPECT_TRUE(h.is_ok());
  if (!h.is_ok()) return out;
  for (auto& e : *h) {
    if (e.extra_json.find("\"outbox\":\"attempt\"") != std::string::npos) out.push_back(e);
  }
  return out;
}

TEST_F(OutboxFixture, SendsAndRecordsTheProviderId) {
  boot();
  const auto e = enqueue("+4915112345678", "hello");
  EXPECT_FALSE(e.duplicate);
  ASSERT_TRUE(reaches(e.message_id, OutboxState::kSent, 1));
  const auto r = row(e.message_id);
  EXPECT_EQ(r.message.status, DeliveryStatus::kSent);
  ASSERT_EQ(sends().size(), 1u);
  EXPECT_EQ(sends()[0].message_id, e.message_id);
  EXPECT_EQ(r.message.provider_message_id, sends()[0].provider_id);
  const auto history = attempts_of(*store_, e.message_id);
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].status, DeliveryStatus::kSent);
  EXPECT_NE(history[0].extra_json.find("\"attempt\":1"), std::string::npos);
}

// The channel reports "sent" (and then "delivered") itself, as WhatsApp's status webhooks do, while
// the outbox records the successful attempt as "sent" too: the history lists each status once, in
// order, and the one "sent" entry carries the attempt.
TEST_F(OutboxFixture, ChannelReportsDoNotRepeatTheOutboxSent) {
  loopback_config_ = R"({"delivery":{"auto":true,"delay_ms":0,"read":true}})";
  boot();
  const auto e = enqueue("+4915112345678", "hello");
  ASSERT_TRUE(
      eventually([&] { return row(e.message_id).message.status == DeliveryStatus::kRead; }));
  ASSERT_TRUE(reaches(e.message_id, OutboxState::kSent, 1));
  // A redelivered report changes nothing either.
  auto again =
      hook("POST", "/status",
           R"({"message_id":)" + std::to_string(e.message_id) + R"(,"status":"delivered"})");
  EXPECT_EQ(again.status, 200) << again.body;
  auto history = store_->status_history(e.message_id);
  ASSERT_TRUE(history.is_ok());
  std::vector<DeliveryStatus> seen;
  for (const auto& h : *history) seen.push_back(h.status);
  EXPECT_EQ(seen, (std::vector{DeliveryStatus::kQueued, DeliveryStatus::kSent,
                               DeliveryStatus::kDelivered, DeliveryStatus::kRead}));
  const auto attempts = attempts_of(*store_, e.message_id);
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].status, DeliveryStatus::kSent);
}

TEST_F(OutboxFixture, UnknownInstanceIsNotFound) {
  boot();
  sb::store::OutboundMessage m;
  m.instance_id = "nope";
  m.to = "+1";
  auto r = outbox_->enqueue(m);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), sb::Code::kNotFound);
}

TEST_F(OutboxFixture, TransientThenSuccessBacksOffWithinBounds) {
  boot();
  faults(R"([{"kind":"transient","message":"gateway down","provider_code":"503"},
             {"kind":"transient","message":"still down"}])");
  const int64_t t0 = clock_ms_;
  const auto e = enqueue("+4915112345678", "hi");
  // Attempt 1 fails; with jitter 0.5 the delay is half of base (1000 ms).
  ASSERT_TRUE(reaches(e.message_id, OutboxState::kQueued, 1));
  EXPECT_EQ(row(e.message_id).next_attempt_at_ms, t0 + 500);
  EXPECT_EQ(row(e.message_id).last_error_code, "503");
  // Not due yet: nothing more is sent.
  advance(499);
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  EXPECT_EQ(sends().size(), 1u);
  // Attempt 2 fails; its ceiling doubles: jitter 0.5 of 2000 ms.
  advance(1);
  ASSERT_TRUE(reaches(e.message_id, OutboxState::kQueued, 2));
  EXPECT_EQ(row(e.message_id).next_attempt_at_ms, clock_ms_ + 1000);
  advance(1000);
  ASSERT_TRUE(reaches(e.message_id, OutboxState::kSent, 3));

  const auto s = sends();
  ASSERT_EQ(s.size(), 3u);
  for (const auto& one : s) EXPECT_EQ(one.message_id, e.message_id);
  EXPECT_EQ(s[0].outcome, "transient");
  EXPECT_EQ(s[2].outcome, "sent");
  const auto history = attempts_of(*store_, e.message_id);
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[0].error_code, "503");
  EXPECT_EQ(history[0].error_text, "gateway down");
  EXPECT_EQ(history[1].error_code, "SB_ERR_TRANSIENT");  // no provider code: the status
  EXPECT_EQ(history[1].error_text, "still down");
  EXPECT_EQ(history[2].status, DeliveryStatus::kSent);
  // The message's outcome is counted once, as sent: the retried attempts are attempts only.
  const auto stats = runtime_->find("lb")->stats();
  EXPECT_EQ(stats.sent, 1u);
  EXPECT_EQ(stats.send_failed, 2u);
  EXPECT_EQ(stats.messages_rejected, 0u);
  EXPECT_EQ(stats.messages_failed, 0u);
}

TEST_F(OutboxFixture, JitterIsDrawnForEveryRetry) {
  jitter_ = 0.0;
  boot();
  faults(R"([{"kind":"transient"}])");
  const auto e = enqueue("+4915112345678", "hi");
  ASSERT_TRUE(reaches(e.message_id, OutboxState::kSent, 2));  // delay 0: due at once
}

TEST_F(OutboxFixture, RateLimitedHonoursRetryAfter) {
  boot();
  faults(R"([{"kind":"rate_limited","retry_after_ms":30000,"provider_code":"130429"}])");
  const int64_t t0 = clock_ms_;
  const auto e = enqueue("+4915112345678", "hi");
  ASSERT_TRUE(reaches(e.message_id, OutboxState::kQueued, 1));
  EXPECT_EQ(row(e.message_id).next_attempt_at_ms, t0 + 30'000);
  advance(29'999);
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  EXPECT_EQ(row(e.message_id).attempts, 1);
  advance(1);
  ASSERT_TRUE(reaches(e.message_id, OutboxState::kSent, 2));
  const auto history = attempts_of(*store_, e.message_id);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].error_code, "130429");
  EXPECT_NE(history[0].extra_json.find("\"retry_after_ms\":30000"), std::string::npos);
}

TEST_F(OutboxFixture, RejectedIsFailedAtOnceAndNeverRetried) {
  boot();
  faults(R"([{"kind":"rejected","message":"bad number","provider_code":"131026"}])");
  const auto e = enqueue("+4915112345678", "hi");
  ASSERT_TRUE(reaches(e.message_id, OutboxState::kFailed, 1));
  const auto r = row(e.message_id);
  EXPECT_EQ(r.message.status, DeliveryStatus::kFailed);
  EXPECT_EQ(r.last_error_code, "131026");
  EXPECT_EQ(r.last_error_text, "bad number");
  advance(10 * 60'000);
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  EXPECT_EQ(sends().size(), 1u);
  EXPECT_EQ(outbox_->retry_now(e.message_id).code(), sb::Code::kFailedPrecondition);
  EXPECT_EQ(runtime_->find("lb")->stats().messages_rejected, 1u);
}

TEST_F(OutboxFixture, AuthIsNotRetriedEither) {
  boot();
  faults(R"([{"kind":"auth"}])");
  const auto e = enqueue("+4915112345678", "hi");
  ASSERT_TRUE(reaches(e.message_id, OutboxState::kFailed, 1));
  EXPECT_EQ(row(e.message_id).last_error_code, "SB_ERR_AUTH");
}

TEST_F(OutboxFixture, HorizonExhaustedFailsWithTheLastError) {
  options_.horizon = std::chrono::milliseconds(5000);
  jitter_ = 0.999;
  boot();
  faults(R"([{"kind":"transient","message":"down 1"},{"kind":"transient","message":"down 2"},
             {"kind":"transient","message":"down 3"},{"kind":"transient","message":"down 4"}])");
  const auto e = enqueue("+4915112345678", "hi");
  // Delays 999, 1998, 3996: the third retry would land past 5000 ms after enqueue.
  ASSERT_TRUE(reaches(e.message_id, OutboxState::kQueued, 1));
  advance(999);
  ASSERT_TRUE(reaches(e.message_id, OutboxState::kQueued, 2));
  advance(1998);
  ASSERT_TRUE(reaches(e.message_id, OutboxState::kFailed, 3));
  const auto r = row(e.message_id);
  EXPECT_EQ(r.message.status, DeliveryStatus::kFailed);
  EXPECT_NE(r.last_error_text.find("down 3"), std::string::npos);
  EXPECT_NE(r.last_error_text.find("horizon"), std::string::npos);
  EXPECT_EQ(sends().size(), 3u);
  // Three failed attempts, one message given up on.
  const auto stats = runtime_->find("lb")->stats();
  EXPECT_EQ(stats.send_failed, 3u);
  EXPECT_EQ(stats.messages_rejected, 1u);
}

TEST_F(OutboxFixture, IdempotencyKeyReturnsTheSameMessageAndSendsOnce) {
  boot();
  const auto a = enqueue("+4915112345678", "hi", "order-42");
  const auto b = enqueue("+4915112345678", "hi again", "order-42");
  EXPECT_FALSE(a.duplicate);
  EXPECT_TRUE(b.duplicate);
  EXPECT_EQ(a.message_id, b.message_id);
  ASSERT_TRUE(reaches(a.message_id, OutboxState::kSent, 1));
  const auto c = enqueue("+4915112345678", "hi", "order-42");  // after it was sent, too
  EXPECT_TRUE(c.duplicate);
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  EXPECT_EQ(sends().size(), 1u);
}

TEST_F(OutboxFixture, SendsInOrder) {
  boot(/*start_outbox=*/false);
  std::vector<int64_t> ids;
  for (int i = 0; i < 20; ++i) {
    sb::store::OutboundMessage m;
    m.instance_id = "lb";
    m.to = "+4915112345678";
    m.text = "n" + std::to_string(i);
    auto r = store_->outbox()->outbox_enqueue(m, clock_ms_);
    ASSERT_TRUE(r.is_ok());
    ids.push_back(r->message_id);
  }
  ASSERT_TRUE(outbox_->start().is_ok());
  ASSERT_TRUE(eventually([&] { return sends().size() == ids.size(); }));
  const auto s = sends();
  for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(s[i].message_id, ids[i]);
}

TEST_F(OutboxFixture, PendingCompletesLater) {
  boot();
  faults(R"([{"kind":"pending","delay_ms":100}])");
  const auto e = enqueue("+4915112345678", "hi");
  ASSERT_TRUE(reaches(e.message_id, OutboxState::kPending, 1));
  ASSERT_TRUE(reaches(e.message_id, OutboxState::kSent, 1));
  EXPECT_FALSE(row(e.message_id).message.provider_message_id.empty());
}

TEST_F(OutboxFixture, PendingThatCompletesTransientIsRetried) {
  boot();
  faults(R"([{"kind":"pending","delay_ms":5,"complete_with":"transient"}])");
  const auto e = enqueue("+4915112345678", "hi");
  ASSERT_TRUE(reaches(e.message_id, OutboxState::kQueued, 1));
  advance(500);
  ASSERT_TRUE(reaches(e.message_id, OutboxState::kSent, 2));
}

// complete_send is [any thread]: a provider thread may answer before the plugin's send() has
// returned SB_PENDING. That answer is the send's result, never refused as unknown and lost.
TEST_F(OutboxFixture, ACompletionBeforeSendReturnsIsTheSendsResult) {
  boot();
  faults(R"([{"kind":"pending","complete_first":true},)"
         R"({"kind":"pending","complete_first":true,"complete_with":"transient"}])");
  const auto sent = enqueue("+4915112345678", "hi");
  ASSERT_TRUE(reaches(sent.message_id, OutboxState::kSent, 1));
  EXPECT_FALSE(row(sent.message_id).message.provider_message_id.empty());
  const auto retried = enqueue("+4915112345679", "hi");
  ASSERT_TRUE(reaches(retried.message_id, OutboxState::kQueued, 1));
  advance(500);
  ASSERT_TRUE(reaches(retried.message_id, OutboxState::kSent, 2));
}

TEST_F(OutboxFixture, NoPluginCallAfterStop) {
  boot();
  outbox_->stop();
  const auto e = enqueue("+4915112345678", "hi");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_TRUE(sends().empty());
  EXPECT_EQ(row(e.message_id).state, OutboxState::kQueued);
  EXPECT_EQ(row(e.message_id).attempts, 0);
}

}  // namespace
}  // namespace sbtest
