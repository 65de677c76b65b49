#include "outbox/outbox.h"

#include "log/log.h"
#include "outbox/dispatcher.h"
#include "runtime/runtime.h"

namespace sb::outbox {

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
    auto d = std::make_shared<Dispatcher>(*rows_, instance, options_);
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
  kick((*row)->message.instance_id);
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

void Outbox::kick(std::string_view instance_id) {
  if (auto d = dispatcher(instance_id)) d->kick();
}

}  // namespace sb::outbox
