// The outbox's rows in the store (schema v3): outbound messages the dispatcher owns, with their
// delivery state machine. Every call is one transaction, committed when it returns, so the state
// on disk is always the truth a restarted host recovers from.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/store.h"

namespace sb::store {

// queued: waiting for its next attempt. sending: claimed, the plugin is (or was, before a crash)
// being called. pending: the plugin accepted and will complete_send. sent / failed: done.
// reconcile: the host crashed during an attempt; whether the provider has it is unknown, so it is
// neither resent nor dropped until a supervisor decides (retry_now).
enum class OutboxState { kQueued, kSending, kPending, kSent, kFailed, kReconcile };
std::string_view to_string(OutboxState state);

struct OutboxRow {
  MessageRecord message;
  OutboxState state = OutboxState::kQueued;
  int attempts = 0;
  int64_t next_attempt_at_ms = 0, horizon_start_ms = 0;
  std::string last_error_code, last_error_text;
};

struct OutboxEnqueued {
  int64_t message_id = 0;
  bool duplicate = false;  // the idempotency key named an existing message; nothing was written
};

// What one attempt came to; the dispatcher decides, the store records it with a history entry.
struct OutboxAttempt {
  int64_t message_id = 0;
  OutboxState next = OutboxState::kQueued;  // queued (retry), pending, sent or failed
  int64_t next_attempt_at_ms = 0;           // for queued
  std::string provider_message_id;          // for sent
  std::string outcome;                      // "sent", "pending", "SB_ERR_TRANSIENT", ...
  std::string error_code, error_text;       // error_code: the provider's code, else the status
  int64_t retry_after_ms = 0;
};

class OutboxStore {
 public:
  virtual ~OutboxStore() = default;

  // Inserts the message (status queued) with its outbox row (queued, due at now) and its first
  // history entry in one transaction. A known (instance, idempotency key) returns the first
  // message's id.
  virtual Result<OutboxEnqueued> outbox_enqueue(const OutboundMessage& message, int64_t now_ms) = 0;

  // Queued rows of the instance due at now, oldest id first.
  virtual Result<std::vector<OutboxRow>> outbox_due(std::string_view instance_id, int64_t now_ms,
                                                    int limit) = 0;
  // Like outbox_due, but only rows that are the oldest unfinished (queued, sending or pending)
  // outbound message of their recipient and of their conversation in the instance: what may be
  // attempted now without overtaking an earlier message to the same person. Oldest id first.
  virtual Result<std::vector<OutboxRow>> outbox_due_heads(std::string_view instance_id,
                                                          int64_t now_ms, int limit) = 0;
  // The earliest next_attempt_at_ms among the instance's queued rows due after `after_ms` (rows
  // already due but waiting behind an earlier message to their recipient do not count).
  virtual Result<std::optional<int64_t>> outbox_next_due(std::string_view instance_id,
                                                         int64_t after_ms = -1) = 0;

  // queued -> sending and attempts + 1, committed before the plugin is called. false when the row
  // is no longer queued (someone else moved it).
  virtual Result<bool> outbox_claim(int64_t message_id, int64_t now_ms) = 0;
  // sending -> queued without counting the attempt: the plugin was never called (instance stopped).
  virtual Status outbox_unclaim(int64_t message_id, int64_t now_ms) = 0;
  // Records an attempt's outcome (from sending or pending) and appends it to the status history.
  // true when it moved the message's status (to sent or failed); false for a retry, a pending
  // answer, or a status the channel's own report had already set.
  virtual Result<bool> outbox_record(const OutboxAttempt& attempt, int64_t now_ms) = 0;

  // At start: the instance's sending and pending rows become reconcile (one history entry each).
  // Returns how many.
  virtual Result<int64_t> outbox_recover(std::string_view instance_id, int64_t now_ms) = 0;
  virtual Result<std::vector<OutboxRow>> outbox_reconciliation(std::string_view instance_id) = 0;
  virtual Result<std::optional<OutboxRow>> outbox_get(int64_t message_id) = 0;

  // queued: due now. reconcile: queued again, due now, with a fresh horizon (the supervisor
  // accepted that the provider may get it twice). Anything else: kFailedPrecondition.
  virtual Status outbox_retry_now(int64_t message_id, int64_t now_ms) = 0;
};

}  // namespace sb::store
