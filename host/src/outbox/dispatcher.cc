#include "outbox/dispatcher.h"

#include <switchboard/abi.h>

#include <algorithm>
#include <future>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include "log/log.h"
#include "outbox/backoff.h"
#include "runtime/sinks.h"

namespace sb::outbox {
namespace {

using runtime::SendAttempt;

// A RATE_LIMITED answer asking for at most this long is throughput pacing of the sender (e.g. a
// WhatsApp number's messages per second): the sender's next messages would be refused the same
// way, so they wait too instead of each burning an attempt. Longer waits (a pair or per-user limit)
// hold back only the message and, through the ordering, its recipient.
constexpr int64_t kMaxSenderHoldMs = 1000;
// How many due heads one query reads.
constexpr int kBatch = 64;

int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Dispatcher::Dispatcher(store::OutboxStore& rows, std::shared_ptr<runtime::ChannelInstance> instance,
                       const OutboxOptions& options)
    : rows_(rows),
      instance_(std::move(instance)),
      options_(options),
      timer_(instance_->strand()),
      prng_(std::random_device{}()) {}

int64_t Dispatcher::now_ms() const {
  return options_.clock ? options_.clock() : system_now_ms();
}

double Dispatcher::random01() {
  if (options_.random) return options_.random();
  std::lock_guard lock(prng_mu_);
  return std::uniform_real_distribution<double>(0.0, 1.0)(prng_);
}

void Dispatcher::start() {
  std::weak_ptr<Dispatcher> weak = weak_from_this();
  instance_->set_attempt_completion([weak](int64_t message_id, SendAttempt attempt) {
    if (auto self = weak.lock()) self->on_completion(message_id, std::move(attempt));
  });
  kick();
}

void Dispatcher::kick() {
  if (stopped_) return;
  boost::asio::post(instance_->strand(), [self = shared_from_this()] { self->pump(); });
}

void Dispatcher::refresh() {
  refresh_ = true;
  kick();
}

void Dispatcher::stop() {
  if (stopped_.exchange(true)) return;
  // A stopped instance's strand may have no threads left to run on (the runtime shut down first);
  // a timer that still fires finds stopped_ and does nothing.
  if (instance_->state() == runtime::InstanceState::kStopped) return;
  auto done = std::make_shared<std::promise<void>>();
  auto finished = done->get_future();
  boost::asio::dispatch(instance_->strand(), [self = shared_from_this(), done] {
    self->timer_.cancel();
    done->set_value();
  });
  // The worker threads may already be gone (shutdown order); a cancelled timer is then moot.
  finished.wait_for(std::chrono::seconds(5));
}

void Dispatcher::arm(std::chrono::milliseconds delay) {
  timer_.expires_after(std::max(delay, std::chrono::milliseconds(1)));
  timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (!ec) self->pump();
  });
}

bool Dispatcher::drain(std::chrono::steady_clock::time_point deadline) {
  // Pending sends of an instance that already stopped never complete: nothing to wait for.
  if (instance_->state() == runtime::InstanceState::kStopped) return in_flight() == 0;
  std::unique_lock lock(mu_);
  return drained_.wait_until(lock, deadline, [this] { return active_.empty(); });
}

size_t Dispatcher::in_flight() const {
  std::lock_guard lock(mu_);
  return active_.size();
}

size_t Dispatcher::peak_in_flight() const {
  std::lock_guard lock(mu_);
  return peak_;
}

void Dispatcher::pump() {
  if (stopped_ || busy_) return;
  const auto window = static_cast<size_t>(std::max(options_.max_in_flight, 1));
  if (in_flight() >= window) return;  // a completion kicks us
  const int64_t now = now_ms();
  std::erase_if(held_, [now](const auto& kv) { return kv.second <= now; });
  if (refresh_.exchange(false)) ready_.clear();
  if (ready_.empty()) {
    auto due = rows_.outbox_due_heads(instance_->id(), now, kBatch);
    if (!due) {
      log::logger("outbox")->error("[{}] cannot read due messages: {}", instance_->id(),
                                   due.status().message());
      arm(options_.poll_interval);
      return;
    }
    ready_.assign(std::make_move_iterator(due->begin()), std::make_move_iterator(due->end()));
  }
  if (ready_.empty()) {
    // Rows due now but none returned wait behind an earlier message to their recipient that is in
    // flight: its outcome kicks us. So only a later due time arms the timer (the poll interval
    // stays a safety net); with nothing queued, enqueue and retry_now kick us.
    auto next = rows_.outbox_next_due(instance_->id(), now);
    if (next && *next) {
      arm(std::min(options_.poll_interval, std::chrono::milliseconds(**next - now)));
    } else if (!next) {
      arm(options_.poll_interval);
    }
    return;
  }
  auto pick = std::find_if(ready_.begin(), ready_.end(), [this](const store::OutboxRow& r) {
    return !held_.contains(r.message.from);
  });
  if (pick == ready_.end()) {
    // Every due head's sender is pausing for its rate limit: look again when the first pause ends.
    ready_.clear();
    int64_t until = held_.begin()->second;
    for (const auto& [from, t] : held_) until = std::min(until, t);
    arm(std::min(options_.poll_interval, std::chrono::milliseconds(until - now)));
    return;
  }
  store::OutboxRow row = std::move(*pick);
  // Rows of a pausing sender ahead of it are read again after the pause.
  ready_.erase(ready_.begin(), pick + 1);
  // The claim (sending) commits before the plugin is called: a crash from here on leaves the row
  // `sending`, and the next start marks it reconcile instead of sending it again.
  auto claimed = rows_.outbox_claim(row.message.id, now);
  if (!claimed || !*claimed) {
    kick();  // it moved under us (e.g. retry_now raced): look again
    return;
  }
  {
    std::lock_guard lock(mu_);
    active_[row.message.id] = false;
    peak_ = std::max(peak_, active_.size());
  }
  busy_ = true;
  instance_->post_attempt(row.message,
                          [self = shared_from_this(), row](int64_t, SendAttempt attempt) {
                            self->on_attempt(row, std::move(attempt));
                          });
}

void Dispatcher::finish(int64_t message_id) {
  {
    std::lock_guard lock(mu_);
    active_.erase(message_id);
  }
  drained_.notify_all();
}

void Dispatcher::on_attempt(const store::OutboxRow& row, SendAttempt attempt) {
  busy_ = false;
  const int64_t id = row.message.id;
  if (attempt.kind == SendAttempt::Kind::kNotAttempted) {
    // The instance is stopping or not running: the plugin never saw it, so it is simply queued
    // again and looked at later.
    if (Status s = rows_.outbox_unclaim(id, now_ms()); !s) {
      log::logger("outbox")->error("[{}] message {}: cannot put back: {}", instance_->id(), id,
                                   s.message());
    }
    finish(id);
    if (!stopped_) arm(options_.poll_interval);
    return;
  }
  if (attempt.kind == SendAttempt::Kind::kPending) {
    // Under the lock, so a completion racing in from another thread records after this.
    std::lock_guard lock(mu_);
    auto it = active_.find(id);
    if (it != active_.end()) {
      it->second = true;
      record(id, attempt);
    }
  } else {
    if (attempt.kind == SendAttempt::Kind::kFailed && attempt.status == SB_ERR_RATE_LIMITED &&
        attempt.retry_after_ms > 0 && attempt.retry_after_ms <= kMaxSenderHoldMs) {
      held_[row.message.from] = now_ms() + attempt.retry_after_ms;
    }
    record(id, attempt);
    finish(id);
  }
  pump();
}

void Dispatcher::on_completion(int64_t message_id, SendAttempt attempt) {
  {
    std::lock_guard lock(mu_);
    active_.erase(message_id);
  }
  // Recorded even after stop: the plugin did send (or refuse) it, and that must not be lost.
  record(message_id, attempt);
  drained_.notify_all();
  kick();  // a slot in the window is free, and the recipient's next message may go
}

void Dispatcher::record(int64_t message_id, const SendAttempt& attempt) {
  const int64_t now = now_ms();
  store::OutboxAttempt a;
  a.message_id = message_id;
  switch (attempt.kind) {
    case SendAttempt::Kind::kSent:
      a.next = store::OutboxState::kSent;
      a.outcome = "sent";
      a.provider_message_id = attempt.provider_message_id;
      break;
    case SendAttempt::Kind::kPending:
      a.next = store::OutboxState::kPending;
      a.outcome = "pending";
      break;
    case SendAttempt::Kind::kFailed:
    case SendAttempt::Kind::kNotAttempted: {
      a.outcome = runtime::status_name(attempt.status);
      a.error_code = attempt.provider_code.empty() ? a.outcome : attempt.provider_code;
      a.error_text = attempt.error_message;
      a.retry_after_ms = attempt.retry_after_ms;
      a.next = store::OutboxState::kFailed;
      if (attempt.status == SB_ERR_UNKNOWN_OUTCOME) {
        // The provider may have it (ABI 1.1): neither resent nor failed, a supervisor decides.
        a.next = store::OutboxState::kReconcile;
      } else if (should_retry(attempt.status, attempt.retryable)) {
        auto row = rows_.outbox_get(message_id);
        const int attempts = row && *row ? (*row)->attempts : 1;
        const int64_t horizon_start = row && *row ? (*row)->horizon_start_ms : now;
        const int64_t next =
            now + retry_delay_ms(attempt.status, attempts, options_.base_backoff,
                                 options_.max_backoff, random01(), attempt.retry_after_ms);
        if (next <= horizon_start + options_.horizon.count()) {
          a.next = store::OutboxState::kQueued;
          a.next_attempt_at_ms = next;
        } else {
          a.error_text += " (retry horizon of " + std::to_string(options_.horizon.count()) +
                          " ms exhausted after " + std::to_string(attempts) + " attempts)";
        }
      }
      break;
    }
  }
  auto recorded = rows_.outbox_record(a, now);
  if (!recorded) {
    // The row stays sending/pending: the next start turns it into reconcile, never a resend.
    log::logger("outbox")->error("[{}] message {}: cannot record attempt: {}", instance_->id(),
                                 message_id, recorded.status().message());
  } else {
    if (a.next == store::OutboxState::kFailed) instance_->count_rejected_message();
    if (options_.on_recorded) options_.on_recorded(instance_->id(), a, *recorded);
  }
}

}  // namespace sb::outbox
