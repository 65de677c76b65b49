// Durable storage of messages, delivery statuses and per-instance key-value data.
// Store is the interface; SQLite is the embedded backend (a PostgreSQL backend can follow).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace sb::store {

class InboundResolver;
class CostStore;
class ModelStore;
class OutboxStore;
class RoutingStore;

struct Attachment {
  std::string kind, mime_type, filename, url, provider_media_id, caption;
  int64_t size_bytes = -1;
};

struct InboundMessage {
  std::string instance_id, provider_message_id, from, from_kind, from_name, to, content_type, text,
      payload_json, raw, reply_to_provider_id, thread_key;
  int64_t sent_at_ms = 0;
  uint32_t flags = 0;  // SB_INBOUND_*
  std::vector<Attachment> attachments;
};

enum class InsertOutcome { kStored, kDuplicate };

// idempotency_key (when non-empty) is unique per instance: inserting it again returns the first id.
struct OutboundMessage {
  std::string instance_id, to, from, content_type, text, payload_json, idempotency_key;
  // The provider id of the message this one quotes or reacts to (the channel sends it as reply
  // context); empty = none.
  std::string reply_to_provider_id;
  // Who wrote it: "agent" (a person through the API), "bot" (a bot queue's bot), "auto" (an
  // auto-reply); stored in messages.from_kind. Empty for senders that do not say.
  std::string sender_kind = {};
};

// Same numbers as SB_DELIVERY_*.
enum class DeliveryStatus { kQueued = 1, kSent = 2, kDelivered = 3, kRead = 4, kFailed = 5 };

// Whether `next` may replace `current` as a message's status: forward only (queued, sent,
// delivered, read), failed only from queued or sent, and nothing after failed.
inline bool status_advances(DeliveryStatus current, DeliveryStatus next) {
  if (current == DeliveryStatus::kFailed) return false;  // terminal
  if (next == DeliveryStatus::kFailed) {
    return current == DeliveryStatus::kQueued || current == DeliveryStatus::kSent;
  }
  return static_cast<int>(next) > static_cast<int>(current);
}

// Finds the message by message_id when non-zero, else by (instance_id, provider_message_id) among
// outbound messages. When both instance_id and message_id are given they must agree.
struct DeliveryUpdate {
  std::string instance_id;
  int64_t message_id = 0;
  std::string provider_message_id;
  DeliveryStatus status = DeliveryStatus::kQueued;
  int64_t timestamp_ms = 0;  // 0 = now
  std::string error_code, error_text, extra_json, raw;
};

// What apply_delivery did to the message it matched.
struct DeliveryApplied {
  int64_t message_id = 0;
  DeliveryStatus previous = DeliveryStatus::kQueued;  // the current status before the update
  bool advanced = false;  // the update became the message's current status
};

struct InstanceCounters {
  std::string instance_id;
  int64_t inbound = 0, outbound = 0, failed = 0;
};

enum class Direction { kInbound, kOutbound };

// A stored message as read back (for the API, the dispatcher and tests).
struct MessageRecord {
  int64_t id = 0;
  std::string instance_id;
  Direction direction = Direction::kInbound;
  std::string provider_message_id, from, to, content_type, text, payload_json, raw, idempotency_key;
  DeliveryStatus status = DeliveryStatus::kQueued;  // inbound messages are stored as kDelivered
  int64_t created_at_ms = 0, updated_at_ms = 0;
  int64_t contact_id = 0, conversation_id = 0;  // 0 until resolved/linked (schema v2)
  std::string reply_to_provider_id;             // inbound: what the customer quoted; outbound: ours
  // messages.from_kind: the sender's address kind inbound ("phone", ...), the sender kind
  // outbound (OutboundMessage::sender_kind).
  std::string from_kind = {};
};

// What the inbound resolver decided for one message (all zero/false without a resolver).
struct InboundResolution {
  int64_t contact_id = 0, conversation_id = 0;
  std::string reference;
  bool new_contact = false, opened_new = false, reopened = false;
};

// A duplicate reports the first copy's id and links, with every flag false.
struct InboundResult {
  InsertOutcome outcome = InsertOutcome::kStored;
  int64_t message_id = 0;
  InboundResolution resolution;
};

struct StatusEvent {
  DeliveryStatus status = DeliveryStatus::kQueued;
  int64_t timestamp_ms = 0;
  std::string error_code, error_text, extra_json;
};

class Store {
 public:
  virtual ~Store() = default;

  // One transaction, committed when it returns; dedupe on UNIQUE(instance_id, provider_message_id);
  // a duplicate changes nothing. A message without instance_id or provider_message_id makes the
  // whole batch kInvalidArgument and nothing is stored.
  virtual Result<std::vector<InsertOutcome>> insert_inbound(
      std::span<const InboundMessage> batch) = 0;
  // Several callers' batches in ONE transaction (group commit). All-or-nothing across the groups;
  // the default copies them into one batch.
  virtual Result<std::vector<std::vector<InsertOutcome>>> insert_inbound_groups(
      std::span<const std::span<const InboundMessage>> groups);

  // Like insert_inbound(_groups), with each message's id and resolution (contact, conversation).
  // The defaults report outcomes only; the SQLite store and group commit give everything.
  virtual Result<std::vector<InboundResult>> insert_inbound_resolved(
      std::span<const InboundMessage> batch);
  virtual Result<std::vector<std::vector<InboundResult>>> insert_inbound_resolved_groups(
      std::span<const std::span<const InboundMessage>> groups);

  virtual Result<int64_t> insert_outbound(const OutboundMessage&) = 0;  // id; status queued
  virtual Status set_provider_id(int64_t message_id, std::string_view provider_message_id) = 0;
  // Appends to the status history; the current status only moves forward
  // (queued<sent<delivered<read; failed is terminal but never overrides delivered/read).
  // kNotFound if no message matches. *applied (when given) tells what changed, so a caller can
  // count a transition (e.g. into failed) once however often the provider reports it.
  virtual Status apply_delivery(const DeliveryUpdate&, DeliveryApplied* applied) = 0;
  Status apply_delivery(const DeliveryUpdate& u) { return apply_delivery(u, nullptr); }

  virtual Result<std::optional<std::string>> kv_get(std::string_view instance_id,
                                                    std::string_view key) = 0;
  virtual Status kv_put(std::string_view instance_id, std::string_view key,
                        std::string_view value) = 0;
  virtual Status kv_delete(std::string_view instance_id, std::string_view key) = 0;  // ok if absent

  virtual Result<std::vector<InstanceCounters>>
  counters() = 0;  // for /metrics, sorted by instance id

  virtual Result<std::optional<MessageRecord>> get_message(int64_t message_id) = 0;
  virtual Result<std::optional<MessageRecord>> find_inbound(
      std::string_view instance_id, std::string_view provider_message_id) = 0;
  virtual Result<std::vector<StatusEvent>> status_history(int64_t message_id) = 0;  // oldest first
  virtual Result<std::vector<Attachment>> attachments(int64_t message_id) = 0;

  // Contacts, conversations, merges, timeline and search (store/model.h); nullptr when the
  // backend has none. Owned by the store.
  virtual ModelStore* model() { return nullptr; }
  // The outbox's rows (store/outbox_store.h); nullptr when the backend has none. Owned by the
  // store.
  virtual OutboxStore* outbox() { return nullptr; }
  // Agents, assignments and auto-reply stamps (store/routing_store.h); nullptr when the backend
  // has none. Owned by the store.
  virtual RoutingStore* routing() { return nullptr; }
  // The cost ledger (store/cost_store.h); nullptr when the backend has none. Owned by the store.
  virtual CostStore* costs() { return nullptr; }

  virtual int schema_version() const = 0;
  // Write transactions committed since open (group commit makes this smaller than message count).
  virtual uint64_t commit_count() const = 0;
};

struct StoreOptions {
  bool synchronous_full = false;  // WAL + synchronous=NORMAL by default
  int busy_timeout_ms = 5000;
  std::function<int64_t()> now_ms;  // Unix ms for created/updated stamps; empty = system clock
  // When set, every newly stored inbound message is resolved to a contact and conversation in the
  // same transaction as its insert (see store/model.h); duplicates are not resolved again.
  std::shared_ptr<InboundResolver> inbound_resolver;
  // With a resolver: every new resolved inbound message also gets a routing_pending row in that
  // transaction (schema v10), cleared by RoutingStore::routing_done, so routing that a crash
  // interrupted is replayed at the next start. Set by a host that routes.
  bool track_routing = false;
};

// The newest schema version this code knows; a database with a newer one is refused.
int latest_schema_version();

// Opens (creating if needed) the database file and applies pending migrations.
Result<std::unique_ptr<Store>> open_sqlite_store(const std::filesystem::path& db_file,
                                                 const StoreOptions& options = {});

struct GroupCommitOptions {
  size_t max_batch_messages = 512;        // one transaction takes at most this many messages
  std::chrono::microseconds max_wait{0};  // extra time to wait for more callers before committing
};

// Batches concurrent insert_inbound callers into one transaction on a writer thread; each caller
// blocks until its batch is committed. Everything else is forwarded to `inner`.
std::unique_ptr<Store> make_group_commit_store(std::unique_ptr<Store> inner,
                                               GroupCommitOptions options = {});

}  // namespace sb::store
