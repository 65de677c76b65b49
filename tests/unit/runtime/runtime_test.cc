#include <future>
#include <thread>
#include <vector>

#include "runtime_fixture.h"

namespace sb::runtime {
namespace {

using sbtest::eventually;
using sbtest::plugin_counter;

class RuntimeTest : public sbtest::RuntimeFixture {};

TEST_F(RuntimeTest, LifecycleStates) {
  auto inst = add("life", "{}", /*start=*/false);
  ASSERT_NE(inst, nullptr);
  EXPECT_EQ(inst->state(), InstanceState::kCreated);
  ASSERT_TRUE(inst->start().is_ok());
  EXPECT_EQ(inst->state(), InstanceState::kRunning);
  inst->stop();
  EXPECT_EQ(inst->state(), InstanceState::kStopped);
  inst->stop();  // idempotent
  EXPECT_FALSE(inst->start().is_ok());
  inst->destroy();
  inst->destroy();
}

TEST_F(RuntimeTest, DuplicateInstanceIdIsRefused) {
  add("dup");
  InstanceSpec spec;
  spec.id = "dup";
  spec.plugin = registry_.find("rt_test");
  EXPECT_EQ(runtime_->add_instance(spec).code(), Code::kInvalidArgument);
}

TEST_F(RuntimeTest, FailingStartBecomesStatusWithThePluginsMessage) {
  auto inst = add("bad", R"({"fail_start":true})", /*start=*/false);
  const Status s = inst->start();
  EXPECT_EQ(s.code(), Code::kUnauthenticated);
  EXPECT_NE(s.message().find("SB_ERR_AUTH"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("cannot log in to provider"), std::string::npos) << s.message();
  EXPECT_EQ(inst->state(), InstanceState::kFailed);
  EXPECT_NE(inst->state_reason().find("cannot log in"), std::string::npos);
}

TEST_F(RuntimeTest, ReportedDegradedStateSticksThroughStart) {
  auto inst = add("deg", R"({"degrade":true})");
  EXPECT_EQ(inst->state(), InstanceState::kDegraded);
  EXPECT_EQ(inst->state_reason(), "token expires soon");
}

TEST_F(RuntimeTest, StrandSerializesEveryCallOfAnInstance) {
  const long overlaps_before = plugin_counter("overlaps");
  auto a = add("strand-a", R"({"storm":true})");
  auto b = add("strand-b", R"({"storm":true})");
  std::atomic<int> sent{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 6; ++t) {
    clients.emplace_back([&, t] {
      for (int k = 0; k < 15; ++k) {
        auto& inst = (t % 2 == 0) ? *a : *b;
        store::OutboundMessage m;
        m.to = "+1555000" + std::to_string(t);
        m.content_type = "text";
        m.text = "hi";
        auto r = inst.send(m);
        if (r.is_ok() && r->kind == SendOutcome::Kind::kSent) ++sent;
        hook(inst, "POST", "/inbound", "id=s" + std::to_string(t) + "-" + std::to_string(k), "x");
      }
    });
  }
  for (auto& c : clients) c.join();
  EXPECT_EQ(sent.load(), 90);
  EXPECT_GT(plugin_counter("callbacks"), 0);
  EXPECT_EQ(plugin_counter("overlaps"), overlaps_before);
}

TEST_F(RuntimeTest, NoCallbackRunsAfterStopReturns) {
  const long late_before = plugin_counter("late");
  auto inst = add("storm", R"({"storm":true})");
  const long at_start = plugin_counter("callbacks");
  ASSERT_TRUE(eventually([&] { return plugin_counter("callbacks") > at_start + 50; }));
  inst->stop();
  const long after_stop = plugin_counter("callbacks");
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  EXPECT_EQ(plugin_counter("callbacks"), after_stop);
  EXPECT_EQ(plugin_counter("late"), late_before);
  // Inside stop the host already refuses new timers and posts.
  EXPECT_EQ(plugin_counter("timer_in_stop"), 0);
  EXPECT_EQ(plugin_counter("post_in_stop"), SB_ERR_STATE);
}

TEST_F(RuntimeTest, ShutdownStopsEverythingAndDeinitRuns) {
  add("s1", R"({"storm":true})");
  add("s2");
  const long late_before = plugin_counter("late");
  const long deinit_before = plugin_counter("deinit");
  runtime_->shutdown();
  for (const auto& i : runtime_->instances()) EXPECT_EQ(i->state(), InstanceState::kStopped);
  registry_.deinit_all();
  EXPECT_EQ(plugin_counter("deinit"), deinit_before + 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(plugin_counter("late"), late_before);
}

TEST_F(RuntimeTest, SendRecordsTheProviderId) {
  auto inst = add("send");
  store::OutboundMessage m;
  m.to = "+15551234";
  m.content_type = "text";
  m.text = "hello";
  auto r = inst->send(m);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->kind, SendOutcome::Kind::kSent);
  EXPECT_EQ(r->provider_message_id, "prov-" + std::to_string(r->message_id));
  auto rec = store_->get_message(r->message_id);
  ASSERT_TRUE(rec.is_ok() && rec->has_value());
  EXPECT_EQ((*rec)->provider_message_id, r->provider_message_id);
  EXPECT_EQ((*rec)->instance_id, "send");
  EXPECT_EQ((*rec)->text, "hello");
  EXPECT_EQ(inst->stats().sent, 1u);
}

// The ABI promises plugins UTF-8: text that got past the request parsers is refused at the
// boundary, before a row is written or the plugin is called.
TEST_F(RuntimeTest, TextThatIsNotUtf8NeverReachesThePlugin) {
  auto inst = add("utf8");
  const long sends_before = plugin_counter("sends");
  store::OutboundMessage m;
  m.to = "+15551234";
  m.content_type = "text";
  m.text = "caf\xC3";  // truncated sequence
  auto r = inst->send(m);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("text is not valid UTF-8"), std::string::npos);
  m.text = "ok";
  m.idempotency_key = "k\xED\xA0\x80";  // a surrogate
  r = inst->send(m);
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("idempotency_key"), std::string::npos);

  // An outbox attempt for a stored row with such text fails for good without a plugin call.
  store::MessageRecord row;
  row.id = 4711;
  row.to = "+15551234";
  row.content_type = "text";
  row.text = "\xFF";
  std::promise<SendAttempt> done;
  inst->post_attempt(row, [&](int64_t, SendAttempt a) { done.set_value(std::move(a)); });
  auto future = done.get_future();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  const SendAttempt attempt = future.get();
  EXPECT_EQ(attempt.kind, SendAttempt::Kind::kFailed);
  EXPECT_EQ(attempt.status, SB_ERR_INVALID_ARG);
  EXPECT_FALSE(attempt.retryable);
  EXPECT_EQ(plugin_counter("sends"), sends_before);
}

TEST_F(RuntimeTest, RejectedSendIsFailedForGood) {
  auto inst = add("rej");
  store::OutboundMessage m;
  m.to = "reject";
  m.text = "x";
  auto r = inst->send(m);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->kind, SendOutcome::Kind::kFailed);
  EXPECT_FALSE(r->retryable);
  EXPECT_EQ(r->error.code(), Code::kPermissionDenied);
  EXPECT_NE(r->error.message().find("recipient blocked"), std::string::npos);
  auto rec = store_->get_message(r->message_id);
  ASSERT_TRUE(rec.is_ok() && rec->has_value());
  EXPECT_EQ((*rec)->status, store::DeliveryStatus::kFailed);
  auto history = store_->status_history(r->message_id);
  ASSERT_TRUE(history.is_ok());
  ASSERT_FALSE(history->empty());
  EXPECT_EQ(history->back().error_code, "131047");
}

TEST_F(RuntimeTest, TransientSendStaysQueuedAndIsRetryable) {
  auto inst = add("tr");
  store::OutboundMessage m;
  m.to = "transient";
  auto r = inst->send(m);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->kind, SendOutcome::Kind::kFailed);
  EXPECT_TRUE(r->retryable);
  EXPECT_EQ(r->error.code(), Code::kUnavailable);
  auto rec = store_->get_message(r->message_id);
  ASSERT_TRUE(rec.is_ok() && rec->has_value());
  EXPECT_EQ((*rec)->status, store::DeliveryStatus::kQueued);
}

TEST_F(RuntimeTest, PendingSendCompletesThroughCompleteSend) {
  auto inst = add("pend");
  store::OutboundMessage m;
  m.to = "pending";
  auto r = inst->send(m);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->kind, SendOutcome::Kind::kPending);
  const std::string expected = "prov-pending-" + std::to_string(r->message_id);
  EXPECT_TRUE(eventually([&] {
    auto rec = store_->get_message(r->message_id);
    return rec.is_ok() && rec->has_value() && (*rec)->provider_message_id == expected;
  }));
  EXPECT_EQ(inst->stats().sent, 1u);
}

TEST_F(RuntimeTest, SameIdempotencyKeyNeverSendsTwice) {
  auto inst = add("idem");
  store::OutboundMessage m;
  m.to = "+15550000";
  m.idempotency_key = "order-42";
  const long sends_before = plugin_counter("sends");
  auto first = inst->send(m);
  auto second = inst->send(m);
  ASSERT_TRUE(first.is_ok() && second.is_ok());
  EXPECT_EQ(first->message_id, second->message_id);
  EXPECT_FALSE(first->duplicate);
  EXPECT_TRUE(second->duplicate);
  EXPECT_EQ(second->kind, SendOutcome::Kind::kSent);
  EXPECT_EQ(second->provider_message_id, first->provider_message_id);
  EXPECT_EQ(plugin_counter("sends"), sends_before + 1);
}

TEST_F(RuntimeTest, SendOnAStoppedInstanceIsRefused) {
  auto inst = add("stopped");
  inst->stop();
  store::OutboundMessage m;
  m.to = "+1";
  auto r = inst->send(m);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), Code::kFailedPrecondition);
}

}  // namespace
}  // namespace sb::runtime
