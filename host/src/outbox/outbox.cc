#include "outbox/outbox.h"

#include "log/log.h"
#include "outbox/dispatcher.h"
#include "runtime/runtime.h"

namespace sb::outbox {

DispatchTuning tuning_of(const OutboxOptions& o) {
  return {o.base_backoff,  o.max_backoff,   o.horizon,
          o.poll_interval, o.max_in_flight, o.drain_timeout};
}

OutboxOptions options_for(const OutboxOptions& options, std::string_view instance_id) {
  OutboxOptions out = options;
  out.per_instance.clear();
  auto it = options.per_instance.find(instance_id);
  if (it == options.per_instance.end()) return out;
  const DispatchTuning& t = it->second;
  out.base_backoff = t.base_backoff;
  out.max_backoff = t.max_backoff;
  out.horizon = t.horizon;
  out.poll_interval = t.poll_interval;
  out.max_in_flight = t.max_in_flight;
  out.drain_timeout = t.drain_timeout;
  return out;
}

Outbox::Outbox(store::Store& store, runtime::Runtime& runtime, OutboxOptions options)
    : store_(store), rows_(store.outbox()), runtime_(runtime), options_(std::move(options)) {
  if (!options_.clock) {
    options_.clock = [] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  }
}

Outbox::~Outbox() {
  stop();
}

int64_t Outbox::now_ms() const {
  return options_.clock();
}

Status Outbox::start() {
  if (rows_ == nullptr) return failed_precondition("outbox: the store has no outbox tables");
  std::lock_guard lock(mu_);
  if (started_) return failed_precondition("outbox: started twice");
  started_ = true;
  auto logger = log::logger("outbox");
  for (const auto& instance : runtime_.instances()) {
    // Before the dispatcher exists, so nothing can claim a row while it is being recovered.
    auto recovered = rows_->outbox_recover(instance->id(), now_ms());
    if (!recovered) return recovered.status();
    if (*recovered > 0) {
      logger->warn("[{}] {} message(s) were in flight when the host stopped; marked reconcile",
                   instance->id(), *recovered);
    }
    auto d = std::make_shared<Dispatcher>(*rows_, instance, options_for(options_, instance->id()));
    d->start();
    dispatchers_.emplace(instance->id(), std::move(d));
  }
  return {};
}

void Outbox::stop() {
  std::map<std::string, std::shared_ptr<Dispatcher>, std::less<>> to_stop;
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    stopped_ = true;
    to_stop = dispatchers_;
  }
  for (auto& [id, d] : to_stop) d->stop();
  // Every dispatcher stopped starting attempts first, so their in-flight sends drain in parallel.
  const auto start = std::chrono::steady_clock::now();
  for (auto& [id, d] : to_stop) {
    const auto timeout = options_for(options_, id).drain_timeout;
    if (!d->drain(start + timeout)) {
      log::logger("outbox")->warn(
          "[{}] {} send(s) still in flight after {} ms; they become reconcile at the next start",
          id, d->in_flight(), timeout.count());
    }
  }
}

std::shared_ptr<Dispatcher> Outbox::dispatcher(std::string_view instance_id) const {
  std::lock_guard lock(mu_);
  auto it = dispatchers_.find(instance_id);
  return it == dispatchers_.end() ? nullptr : it->second;
}

Result<EnqueueResult> Outbox::enqueue(const store::OutboundMessage& message) {
  if (rows_ == nullptr) return failed_precondition("outbox: the store has no outbox tables");
  if (runtime_.find(message.instance_id) == nullptr) {
    return not_found("no channel instance \"" + message.instance_id + "\"");
  }
  auto r = rows_->outbox_enqueue(message, now_ms());
  if (!r) return r.status();
  if (!r->duplicate) kick(message.instance_id);
  return EnqueueResult{r->message_id, r->duplicate};
}

Status Outbox::retry_now(int64_t message_id) {
  if (rows_ == nullptr) return failed_precondition("outbox: the store has no outbox tables");
  auto row = rows_->outbox_get(message_id);
  if (!row) return row.status();
  if (!*row) return not_found("no outbox message with id " + std::to_string(message_id));
  if (Status s = rows_->outbox_retry_now(message_id, now_ms()); !s) return s;
  if (auto d = dispatcher((*row)->message.instance_id)) d->refresh();
  return {};
}

Result<std::vector<store::OutboxRow>> Outbox::list_reconciliation(std::string_view instance_id) {
  if (rows_ == nullptr) return failed_precondition("outbox: the store has no outbox tables");
  return rows_->outbox_reconciliation(instance_id);
}

Result<std::optional<store::OutboxRow>> Outbox::get(int64_t message_id) {
  if (rows_ == nullptr) return failed_precondition("outbox: the store has no outbox tables");
  return rows_->outbox_get(message_id);
}

std::optional<DispatchStats> Outbox::stats(std::string_view instance_id) const {
  auto d = dispatcher(instance_id);
  if (!d) return std::nullopt;
  return DispatchStats{d->in_flight(), d->peak_in_flight()};
}

void Outbox::kick(std::string_view instance_id) {
  if (auto d = dispatcher(instance_id)) d->kick();
}

}  // namespace sb::outbox
