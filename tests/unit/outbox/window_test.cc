// The dispatcher's window: sends the loopback channel answers SB_PENDING stay in flight while the
// next ones start, bounded by max_in_flight, never two to the same recipient, each recipient's
// messages in enqueue order; stop() drains what is in flight.
#include <memory>
#include <mutex>
#include <span>
#include <utility>
#include <vector>

#include "outbox_fixture.h"
#include "store/model.h"

namespace sbtest {
namespace {

using sb::store::OutboxState;

class WindowFixture : public OutboxFixture {
 protected:
  void SetUp() override {
    OutboxFixture::SetUp();
    options_.on_recorded = [this](const std::string&, const sb::store::OutboxAttempt& a, bool) {
      std::lock_guard lock(mu_);
      recorded_.emplace_back(a.message_id, a.next);
    };
  }

  // Where (message, state) is in the order outcomes were recorded; -1 when it never was.
  int position(int64_t id, OutboxState state) {
    std::lock_guard lock(mu_);
    for (size_t i = 0; i < recorded_.size(); ++i) {
      if (recorded_[i] == std::make_pair(id, state)) return static_cast<int>(i);
    }
    return -1;
  }

  void pending_faults(int n, int delay_ms) {
    std::string list = "[";
    for (int i = 0; i < n; ++i) {
      list += std::string(i ? "," : "") + R"({"kind":"pending","delay_ms":)" +
              std::to_string(delay_ms) + "}";
    }
    faults(list + "]");
  }

  std::mutex mu_;
  std::vector<std::pair<int64_t, OutboxState>> recorded_;
};

TEST_F(WindowFixture, PendingSendsOverlapUpToTheWindow) {
  options_.max_in_flight = 4;
  boot();
  // Long enough that the window fills long before the first completes, even on a loaded machine.
  pending_faults(10, 1000);
  std::vector<int64_t> ids;
  for (int i = 0; i < 10; ++i)
    ids.push_back(enqueue("+49151000000" + std::to_string(i), "hi").message_id);
  for (int64_t id : ids) ASSERT_TRUE(reaches(id, OutboxState::kSent, 1)) << id;
  const auto stats = outbox_->stats("lb");
  ASSERT_TRUE(stats.has_value());
  // Four at once, never more, and nothing left in flight.
  EXPECT_EQ(stats->peak_in_flight, 4u);
  EXPECT_EQ(stats->in_flight, 0u);
  // Attempted in enqueue order.
  const auto s = sends();
  ASSERT_EQ(s.size(), ids.size());
  for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(s[i].message_id, ids[i]);
}

TEST_F(WindowFixture, WindowOfOneIsOneAtATime) {
  options_.max_in_flight = 1;
  boot();
  pending_faults(3, 20);
  const auto a = enqueue("+4915100000001", "a");
  const auto b = enqueue("+4915100000002", "b");
  const auto c = enqueue("+4915100000003", "c");
  ASSERT_TRUE(reaches(c.message_id, OutboxState::kSent, 1));
  EXPECT_EQ(outbox_->stats("lb")->peak_in_flight, 1u);
  // Each was attempted only after the previous one completed.
  EXPECT_LT(position(a.message_id, OutboxState::kSent),
            position(b.message_id, OutboxState::kPending));
  EXPECT_LT(position(b.message_id, OutboxState::kSent),
            position(c.message_id, OutboxState::kPending));
}

TEST_F(WindowFixture, SameRecipientWaitsForItsEarlierMessage) {
  options_.max_in_flight = 8;
  boot(/*start_outbox=*/false);
  std::vector<std::pair<std::string, int64_t>> order;  // recipient, id, in enqueue order
  for (const char* to :
       {"+4915100000001", "+4915100000002", "+4915100000001", "+4915100000003", "+4915100000001"}) {
    sb::store::OutboundMessage m;
    m.instance_id = "lb";
    m.to = to;
    m.text = "x";
    auto r = store_->outbox()->outbox_enqueue(m, clock_ms_);
    ASSERT_TRUE(r.is_ok());
    order.emplace_back(to, r->message_id);
  }
  // Long enough that all three first messages are claimed before the first completes.
  pending_faults(5, 1000);
  ASSERT_TRUE(outbox_->start().is_ok());
  for (const auto& [to, id] : order) ASSERT_TRUE(reaches(id, OutboxState::kSent, 1)) << id;
  const int64_t a1 = order[0].second, b1 = order[1].second, a2 = order[2].second,
                c1 = order[3].second, a3 = order[4].second;
  // The first message of each of the three recipients went out together; the later ones to the
  // first recipient each waited for the previous one's outcome.
  EXPECT_EQ(outbox_->stats("lb")->peak_in_flight, 3u);
  EXPECT_LT(position(a1, OutboxState::kSent), position(a2, OutboxState::kPending));
  EXPECT_LT(position(a2, OutboxState::kSent), position(a3, OutboxState::kPending));
  EXPECT_LT(position(b1, OutboxState::kPending), position(a1, OutboxState::kSent));
  EXPECT_LT(position(c1, OutboxState::kPending), position(a1, OutboxState::kSent));
  const auto s = sends();
  ASSERT_EQ(s.size(), 5u);
  EXPECT_EQ(s[0].message_id, a1);
  EXPECT_EQ(s[1].message_id, b1);
  EXPECT_EQ(s[2].message_id, c1);
  EXPECT_EQ(s[3].message_id, a2);
  EXPECT_EQ(s[4].message_id, a3);
}

TEST_F(WindowFixture, MessageInBackoffHoldsBackLaterOnesToTheSameRecipient) {
  boot();
  faults(R"([{"kind":"transient","message":"down"}])");
  const auto a1 = enqueue("+4915100000001", "first");
  ASSERT_TRUE(reaches(a1.message_id, OutboxState::kQueued, 1));  // waiting for its retry
  const auto a2 = enqueue("+4915100000001", "second");
  const auto b1 = enqueue("+4915100000002", "other");
  // b1 overtakes a2 (enqueued before it) only because a2 must not overtake a1.
  ASSERT_TRUE(reaches(b1.message_id, OutboxState::kSent, 1));
  EXPECT_EQ(row(a2.message_id).state, OutboxState::kQueued);
  EXPECT_EQ(row(a2.message_id).attempts, 0);
  advance(10'000);  // past a1's retry
  ASSERT_TRUE(reaches(a2.message_id, OutboxState::kSent, 1));
  EXPECT_LT(position(a1.message_id, OutboxState::kSent),
            position(a2.message_id, OutboxState::kSent));
  const auto s = sends();
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(s[0].message_id, a1.message_id);
  EXPECT_EQ(s[1].message_id, b1.message_id);
  EXPECT_EQ(s[2].message_id, a1.message_id);
  EXPECT_EQ(s[3].message_id, a2.message_id);
}

TEST_F(WindowFixture, StopDrainsPendingSends) {
  options_.max_in_flight = 4;
  options_.drain_timeout = std::chrono::seconds(30);
  boot();
  pending_faults(3, 2000);  // all three in flight before the first completes
  std::vector<int64_t> ids;
  for (int i = 0; i < 3; ++i)
    ids.push_back(enqueue("+49151000001" + std::to_string(i), "hi").message_id);
  ASSERT_TRUE(eventually([&] { return outbox_->stats("lb")->in_flight == 3; }));
  outbox_->stop();  // returns once the three completions were recorded
  EXPECT_EQ(outbox_->stats("lb")->in_flight, 0u);
  for (int64_t id : ids) EXPECT_EQ(row(id).state, OutboxState::kSent) << id;
}

TEST_F(WindowFixture, PerInstanceTuningOverridesTheGlobalWindow) {
  options_.max_in_flight = 8;
  sb::outbox::DispatchTuning t = sb::outbox::tuning_of(options_);
  t.max_in_flight = 2;
  options_.per_instance.emplace("lb", t);
  boot();
  pending_faults(6, 1000);
  std::vector<int64_t> ids;
  for (int i = 0; i < 6; ++i)
    ids.push_back(enqueue("+49151000002" + std::to_string(i), "hi").message_id);
  for (int64_t id : ids) ASSERT_TRUE(reaches(id, OutboxState::kSent, 1)) << id;
  EXPECT_EQ(outbox_->stats("lb")->peak_in_flight, 2u);
}

TEST_F(WindowFixture, ShortRateLimitPausesItsSenderOnly) {
  boot(/*start_outbox=*/false);
  faults(R"([{"kind":"rate_limited","retry_after_ms":400,"provider_code":"130429"}])");
  std::vector<int64_t> ids;
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"A", "+4915100000001"}, {"A", "+4915100000002"}, {"B", "+4915100000003"}}) {
    sb::store::OutboundMessage m;
    m.instance_id = "lb";
    m.from = from;
    m.to = to;
    m.text = "x";
    auto r = store_->outbox()->outbox_enqueue(m, clock_ms_);
    ASSERT_TRUE(r.is_ok());
    ids.push_back(r->message_id);
  }
  ASSERT_TRUE(outbox_->start().is_ok());
  // The first of sender A is refused for 400 ms: A's second message waits with it (the clock is
  // frozen), B's goes ahead although it was queued last.
  ASSERT_TRUE(reaches(ids[2], OutboxState::kSent, 1));
  EXPECT_EQ(row(ids[1]).attempts, 0);
  EXPECT_EQ(row(ids[0]).next_attempt_at_ms, clock_ms_ + 400);  // exactly the wait, no backoff
  advance(400);
  ASSERT_TRUE(reaches(ids[0], OutboxState::kSent, 2));
  ASSERT_TRUE(reaches(ids[1], OutboxState::kSent, 1));
  const auto s = sends();
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(s[0].message_id, ids[0]);
  EXPECT_EQ(s[1].message_id, ids[2]);
  EXPECT_EQ(s[2].message_id, ids[0]);
  EXPECT_EQ(s[3].message_id, ids[1]);
}

// One contact and one conversation for every inbound message: enough to link outbound messages to
// a shared conversation.
class OneConversation : public sb::store::InboundResolver {
 public:
  sb::Result<sb::store::InboundResolution> resolve(sb::store::ModelTxn& txn,
                                                   const sb::store::InboundMessage& m,
                                                   int64_t) override {
    sb::store::InboundResolution r;
    auto contact = txn.create_contact("Ann", 1);
    if (!contact) return contact.status();
    auto conversation = txn.create_conversation(*contact, m.instance_id, "", "REF-1", 1);
    if (!conversation) return conversation.status();
    r.contact_id = *contact;
    r.conversation_id = *conversation;
    r.reference = "REF-1";
    return r;
  }
};

TEST(OutboxDueHeads, OneConversationIsOneQueueWhateverTheAddress) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("sb-outbox-heads-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  {
    sb::store::StoreOptions so;
    so.inbound_resolver = std::make_shared<OneConversation>();
    auto opened = sb::store::open_sqlite_store(dir / "heads.db", so);
    ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
    auto& store = **opened;
    sb::store::InboundMessage in;
    in.instance_id = "lb";
    in.provider_message_id = "in-1";
    in.from = "+4915100000001";
    in.text = "hello";
    auto inbound = store.insert_inbound_resolved(std::span(&in, 1));
    ASSERT_TRUE(inbound.is_ok()) << inbound.status().to_string();
    const int64_t conversation = inbound->front().resolution.conversation_id;
    ASSERT_GT(conversation, 0);

    auto* rows = store.outbox();
    auto enqueue = [&](const std::string& to, bool linked) {
      sb::store::OutboundMessage m;
      m.instance_id = "lb";
      m.to = to;
      m.text = "x";
      auto r = rows->outbox_enqueue(m, 100);
      EXPECT_TRUE(r.is_ok());
      if (linked) {
        EXPECT_TRUE(
            store.model()
                ->link_outbound(r->message_id, conversation, sb::store::OutboundSender::kAgent, 100)
                .is_ok());
      }
      return r->message_id;
    };
    // The same customer reached at two addresses (e.g. phone and a username) in one conversation.
    const int64_t first = enqueue("+4915100000001", true);
    const int64_t second = enqueue("ann.example", true);
    const int64_t other = enqueue("+4915100000009", false);
    auto ids = [&] {
      std::vector<int64_t> out;
      auto heads = rows->outbox_due_heads("lb", 100, 10);
      EXPECT_TRUE(heads.is_ok());
      for (const auto& r : *heads) out.push_back(r.message.id);
      return out;
    };
    EXPECT_EQ(ids(), (std::vector<int64_t>{first, other}));
    ASSERT_TRUE(*rows->outbox_claim(first, 100));
    EXPECT_EQ(ids(), (std::vector<int64_t>{other}));  // in flight: still holds its conversation
    sb::store::OutboxAttempt sent;
    sent.message_id = first;
    sent.next = OutboxState::kSent;
    sent.outcome = "sent";
    ASSERT_TRUE(rows->outbox_record(sent, 100).is_ok());
    EXPECT_EQ(ids(), (std::vector<int64_t>{second, other}));
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace sbtest
