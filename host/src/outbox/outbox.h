// The durable outbox: outbound messages are committed (queued) before any plugin sees them, and a
// dispatcher per channel instance sends them in order, retries what may succeed later and records
// every attempt in the message's status history. The REST API enqueues through this facade.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/outbox_store.h"
#include "store/store.h"

namespace sb::runtime {
class Runtime;
}

namespace sb::outbox {

class Dispatcher;

// What an instance may tune for itself (the config's per-instance "outbox" object).
struct DispatchTuning {
  std::chrono::milliseconds base_backoff{1'000};
  std::chrono::milliseconds max_backoff{300'000};
  std::chrono::milliseconds horizon{std::chrono::hours(24)};
  std::chrono::milliseconds poll_interval{1'000};
  int max_in_flight = 32;
  std::chrono::milliseconds drain_timeout{10'000};
};

struct OutboxOptions {
  // Retry delay after attempt n: uniform in [0, min(max_backoff, base_backoff * 2^(n-1))) ("full
  // jitter"), but never shorter than the provider's retry_after_ms.
  std::chrono::milliseconds base_backoff{1'000};
  std::chrono::milliseconds max_backoff{300'000};
  // A message still failing this long after it was enqueued is failed with its last error.
  std::chrono::milliseconds horizon{std::chrono::hours(24)};
  std::function<int64_t()> clock;  // Unix ms; empty = the system clock
  std::function<double()> random;  // uniform in [0, 1) for the jitter; empty = a seeded PRNG
  // The longest a dispatcher sleeps before looking for due rows again while some are queued.
  std::chrono::milliseconds poll_interval{1'000};
  // Attempts of one instance in flight at once: a plugin that answers SB_PENDING gets up to this
  // many sends before the first completes. Never two to the same recipient or conversation: a
  // message waits until every older unfinished message to its recipient or conversation is done.
  int max_in_flight = 32;
  // How long stop() waits for in-flight (pending) sends to complete before it returns; what is
  // still pending then becomes reconcile at the next start.
  std::chrono::milliseconds drain_timeout{10'000};
  // Per instance id: replaces the settings above for that instance's dispatcher.
  std::map<std::string, DispatchTuning, std::less<>> per_instance;
  // Called after an attempt's outcome was committed (sent, failed, pending, queued for a retry),
  // on the dispatcher's thread with the instance id. Must not throw and must not call back into
  // the Outbox (it may run under the dispatcher's lock); may be empty.
  // status_moved: the attempt moved the message's status (see OutboxStore::outbox_record).
  std::function<void(const std::string& instance_id, const store::OutboxAttempt&,
                     bool status_moved)>
      on_recorded;
};

struct DispatchStats {
  size_t in_flight = 0;       // attempts claimed and not finished (pending sends included)
  size_t peak_in_flight = 0;  // the most at once since start
};

struct EnqueueResult {
  int64_t message_id = 0;
  bool duplicate = false;  // the idempotency key named an earlier message; it is returned as is
};

// The options with the instance's tuning applied (per_instance cleared).
OutboxOptions options_for(const OutboxOptions& options, std::string_view instance_id);
DispatchTuning tuning_of(const OutboxOptions& options);

class Outbox {
 public:
  // The store must have an outbox (store->outbox() != nullptr); both outlive the Outbox.
  Outbox(store::Store& store, runtime::Runtime& runtime, OutboxOptions options = {});
  ~Outbox();  // stop()
  Outbox(const Outbox&) = delete;
  Outbox& operator=(const Outbox&) = delete;

  // For every instance of the runtime: rows a previous run left `sending` or `pending` become
  // `reconcile` (never resent, never dropped), then a dispatcher starts on the instance's strand
  // and sends what is queued. Call once, after the instances were started.
  Status start();
  // No new attempt starts once this returns; an attempt already inside the plugin finishes on the
  // instance strand and is recorded, and sends in flight (SB_PENDING) get up to drain_timeout to
  // complete and be recorded. Call before Runtime::shutdown. Idempotent.
  void stop();

  // Commits the message (queued) and nudges the instance's dispatcher. kNotFound for an unknown
  // instance; a known idempotency key returns the first message with duplicate = true.
  Result<EnqueueResult> enqueue(const store::OutboundMessage& message);
  // A queued message becomes due now; a reconcile message is queued again (the supervisor accepts
  // that the provider may get it twice). Other states: kFailedPrecondition.
  Status retry_now(int64_t message_id);
  // Messages whose fate is unknown after a crash, oldest first (for supervisors).
  Result<std::vector<store::OutboxRow>> list_reconciliation(std::string_view instance_id);
  Result<std::optional<store::OutboxRow>> get(int64_t message_id);
  // The instance dispatcher's window; nullopt for an unknown instance or before start.
  std::optional<DispatchStats> stats(std::string_view instance_id) const;
  // Makes the instance's dispatcher look for due rows now (e.g. after a clock change in tests).
  void kick(std::string_view instance_id);

 private:
  int64_t now_ms() const;
  std::shared_ptr<Dispatcher> dispatcher(std::string_view instance_id) const;

  store::Store& store_;
  store::OutboxStore* rows_;
  runtime::Runtime& runtime_;
  OutboxOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Dispatcher>, std::less<>> dispatchers_;
  bool started_ = false, stopped_ = false;
};

}  // namespace sb::outbox
