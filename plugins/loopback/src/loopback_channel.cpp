#include "loopback_channel.hpp"

#include <charconv>
#include <thread>
#include <utility>

namespace loopback {

using sw::Error;

LoopbackChannel::LoopbackChannel(sw::Host host, std::string_view instance_id,
                                 std::string_view config_json)
    : sw::Channel(std::move(host)),
      instance_id_(instance_id),
      config_(parse_config(config_json)),
      sent_(config_ ? config_->max_recorded : 1) {}

sw::Status LoopbackChannel::validate_config(std::string_view json) {
  sw::Result<Config> config = parse_config(json);
  if (!config) return config.error();
  return {};
}

sw::Status LoopbackChannel::start() {
  if (!config_) return config_.error();  // the host validates first; this is the safety net
  int32_t rc = SB_OK;
  std::optional<std::string> stored = host().kv_get(kCounterKey, &rc);
  if (stored) {
    auto [end, ec] = std::from_chars(stored->data(), stored->data() + stored->size(), next_seq_);
    if (ec != std::errc() || end != stored->data() + stored->size() || next_seq_ == 0) {
      return Error::internal("stored send counter is corrupt");
    }
  } else if (rc == SB_ERR_NOT_FOUND) {
    next_seq_ = 1;
  } else {
    return Error{rc, "cannot read the send counter", true};
  }
  if (std::string error = journal_.open(config_->send_journal); !error.empty()) {
    return Error{SB_ERR_INVALID_ARG, error};
  }
  for (std::string_view route : {"/inbound", "/sent", "/faults", "/status", "/window"}) {
    if (int32_t reg = host().register_webhook(route); reg != SB_OK) {
      return Error{reg, "cannot register " + std::string(route)};
    }
  }
  running_ = true;
  host().report_state(SB_STATE_RUNNING, "loopback");
  host().info("loopback instance " + instance_id_ + " started at seq " + std::to_string(next_seq_));
  return {};
}

void LoopbackChannel::stop() {
  for (const auto& [key, timer] : timers_) host().cancel_timer(timer);
  timers_.clear();
  if (counters_.pending > 0) {
    host().warn(std::to_string(counters_.pending) + " pending sends will not complete: stopping");
  }
  running_ = false;
  journal_.close();
  host().report_state(SB_STATE_STOPPED, "stopped");
}

uint64_t LoopbackChannel::arm(std::chrono::milliseconds delay, std::function<void()> task) {
  uint64_t key = next_task_key_++;
  sw::Host::TimerId id = host().set_timer(delay, [this, key, task = std::move(task)] {
    timers_.erase(key);
    task();
  });
  if (id != 0) timers_[key] = id;
  return id;
}

sw::Result<uint64_t> LoopbackChannel::next_seq() {
  // Persist the counter before handing the number out, so a restart can never reuse it.
  uint64_t seq = next_seq_;
  if (int32_t rc = host().kv_put(kCounterKey, std::to_string(seq + 1)); rc != SB_OK) {
    return Error::transient("cannot persist the send counter (" + std::string(sw::status_name(rc)) +
                            ")");
  }
  next_seq_ = seq + 1;
  return seq;
}

sw::SendResult LoopbackChannel::send(const sw::OutboundMessage& message) {
  if (!running_) return Error::state("loopback instance is not running");
  ++counters_.sends;
  sw::Result<uint64_t> seq = next_seq();
  if (!seq) return seq.error();
  const int64_t now = host().now_ms();
  SentRecord record = SentRecord::of(message, seq.value(), now);
  if (message.to().empty()) {
    return fail_send(std::move(record), "invalid", Error::invalid_arg("no recipient"));
  }
  if (auto why = windows_.refusal(message.to(), message.content_type(), now)) {
    record.fault = "window";
    return fail_send(std::move(record), "rejected", Error::rejected(*why, "window"));
  }
  std::optional<Fault> fault = faults_.take(message.to());
  if (!fault) return accept(std::move(record));
  record.fault = std::string(kind_name(fault->kind));
  switch (fault->kind) {
    case FaultKind::kSlow:
      // Deliberately blocks the strand, as a provider call that hangs would.
      std::this_thread::sleep_for(fault->delay);
      return accept(std::move(record));
    case FaultKind::kPending:
      return start_pending(std::move(record), *fault);
    default:
      return fail_send(std::move(record), std::string(kind_name(fault->kind)),
                       fault_error(fault->kind, *fault));
  }
}

sw::SendResult LoopbackChannel::fail_send(SentRecord record, const std::string& outcome,
                                          Error error) {
  record.outcome = outcome;
  record.error = error.message;
  record_send(std::move(record));  // a failed attempt the journal misses changes nothing
  ++counters_.failed;
  return error;
}

bool LoopbackChannel::record_send(SentRecord record) {
  bool journaled = journal_.append(record.to_json().dump());
  if (!journaled)
    host().warn("loopback: the send journal did not take message " +
                std::to_string(record.message_id));
  sent_.add(std::move(record));
  return journaled;
}

sw::SendResult LoopbackChannel::accept(SentRecord record) {
  std::string provider_id = "lb-" + std::to_string(record.seq);
  record.provider_id = provider_id;
  record.outcome = "sent";
  const int64_t message_id = record.message_id;
  if (journal_.enabled() && !journal_.append(record.to_json().dump())) {
    // The provider's record is the point of the journal: no record, no send.
    return fail_send(std::move(record), "transient",
                     Error::transient("cannot write the send journal"));
  }
  sent_.add(std::move(record));
  ++counters_.accepted;
  if (config_->delivery.automatic) {
    // Statuses follow once send has returned and the host has recorded the provider id.
    host().post([this, message_id, provider_id] { schedule_delivery(message_id, provider_id); });
  }
  return sw::SendResult::sent(std::move(provider_id));
}

sw::SendResult LoopbackChannel::start_pending(SentRecord record, const Fault& fault) {
  const uint64_t seq = record.seq;
  const int64_t message_id = record.message_id;
  if (fault.complete_first) {
    record.outcome = "pending";
    record_send(std::move(record));
    ++counters_.pending;
    complete_pending(seq, message_id, fault);
    return sw::SendResult::pending();
  }
  if (arm(fault.delay,
          [this, seq, message_id, fault] { complete_pending(seq, message_id, fault); }) == 0) {
    return fail_send(std::move(record), "stopping", Error::state("the instance is stopping"));
  }
  record.outcome = "pending";
  record_send(std::move(record));
  ++counters_.pending;
  return sw::SendResult::pending();
}

void LoopbackChannel::complete_pending(uint64_t seq, int64_t message_id, const Fault& fault) {
  --counters_.pending;
  SentRecord* record = sent_.find(seq);  // may have been dropped from the bounded log
  if (record != nullptr) record->completed_at_ms = host().now_ms();
  if (fault.complete_with) {
    Error error = fault_error(*fault.complete_with, fault);
    ++counters_.failed;
    if (record != nullptr) {
      record->outcome = std::string(kind_name(*fault.complete_with));
      record->error = error.message;
    }
    if (int32_t rc = host().complete_send(message_id, error); rc != SB_OK) {
      host().warn("complete_send(" + std::to_string(message_id) +
                  ") refused: " + std::string(sw::status_name(rc)));
    }
    return;
  }
  std::string provider_id = "lb-" + std::to_string(seq);
  ++counters_.accepted;
  if (record != nullptr) {
    record->outcome = "sent";
    record->provider_id = provider_id;
  }
  if (int32_t rc = host().complete_send(message_id, provider_id); rc != SB_OK) {
    host().warn("complete_send(" + std::to_string(message_id) +
                ") refused: " + std::string(sw::status_name(rc)));
    return;
  }
  if (config_->delivery.automatic) schedule_delivery(message_id, provider_id);
}

void LoopbackChannel::schedule_delivery(int64_t message_id, const std::string& provider_id) {
  report(SB_DELIVERY_SENT, message_id, provider_id);
  // Each status arms the next, so they reach the host in order even with a zero delay.
  const DeliveryConfig& d = config_->delivery;
  arm(d.delay, [this, message_id, provider_id, d] {
    report(SB_DELIVERY_DELIVERED, message_id, provider_id);
    if (d.read) {
      arm(d.delay,
          [this, message_id, provider_id] { report(SB_DELIVERY_READ, message_id, provider_id); });
    }
  });
}

void LoopbackChannel::report(int32_t status, int64_t message_id, const std::string& provider_id) {
  sw::DeliveryReport r;
  r.status = status;
  r.message_id = message_id;
  r.provider_message_id = provider_id;
  r.timestamp_ms = host().now_ms();
  if (int32_t rc = host().report_delivery(r); rc != SB_OK) {
    ++counters_.reports_refused;
    host().warn("delivery report for " + provider_id +
                " refused: " + std::string(sw::status_name(rc)));
    return;
  }
  ++counters_.reports;
}

sw::CanSendAnswer LoopbackChannel::can_send(const sw::CanSendQuery& query) {
  return windows_.evaluate(query.to(), query.content_type(), host().now_ms());
}

json::Value LoopbackChannel::stats() const {
  const Counters& c = counters_;
  return json::Value::object()
      .set("running", json::Value(running_))
      .set("next_seq", json::Value(next_seq_))
      .set("sends", json::Value(c.sends))
      .set("accepted", json::Value(c.accepted))
      .set("failed", json::Value(c.failed))
      .set("pending", json::Value(c.pending))
      .set("inbound_stored", json::Value(c.inbound_stored))
      .set("inbound_duplicate", json::Value(c.inbound_duplicate))
      .set("inbound_refused", json::Value(c.inbound_refused))
      .set("reports", json::Value(c.reports))
      .set("reports_refused", json::Value(c.reports_refused))
      .set("faults_queued", json::Value(faults_.size()))
      .set("recorded", json::Value(sent_.size()))
      .set("dropped", json::Value(sent_.dropped()));
}

sw::Health LoopbackChannel::health() {
  if (!config_) {
    return {SB_STATE_FAILED,
            json::Value::object().set("error", json::Value(config_.error().message)).dump()};
  }
  return {running_ ? SB_STATE_RUNNING : SB_STATE_STOPPED, stats().dump()};
}

}  // namespace loopback
