// The SQLite backend: one connection (WAL) behind a mutex, every statement prepared once.
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <system_error>

#include "store/migrations.h"
#include "store/model.h"
#include "store/outbox_store.h"
#include "store/sqlite_costs.h"
#include "store/sqlite_db.h"
#include "store/sqlite_model.h"
#include "store/sqlite_outbox.h"
#include "store/sqlite_routing.h"
#include "store/store.h"
#include "store/validate.h"

namespace sb::store {
namespace {

namespace fs = std::filesystem;
using sqlite::Stmt;

int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool valid_status(DeliveryStatus s) {
  int v = static_cast<int>(s);
  return v >= 1 && v <= 5;
}

// The data directory must exist (or be creatable) and be writable, else one clear line.
Status check_data_dir(const fs::path& dir) {
  if (dir.empty()) return {};
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    fs::create_directories(dir, ec);
    if (ec)
      return unavailable("cannot create data directory " + dir.string() + ": " + ec.message());
  } else if (!fs::is_directory(dir, ec)) {
    return unavailable("data directory " + dir.string() + " is not a directory");
  }
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    return unavailable("data directory " + dir.string() +
                       " is not writable: " + std::strerror(errno));
  }
  return {};
}

class SqliteStore final : public Store, public ModelStore, public OutboxStore {
 public:
  SqliteStore(fs::path file, StoreOptions options)
      : file_(std::move(file)), options_(std::move(options)) {
    if (!options_.now_ms) options_.now_ms = system_now_ms;
  }

  Status open() {
    if (auto st = check_data_dir(file_.parent_path()); !st) return st;
    if (auto st = db_.open(file_.string()); !st) return st;
    sqlite3_busy_timeout(db_.handle(), options_.busy_timeout_ms);
    auto mode = journal_mode_wal();
    if (!mode) return mode;
    std::string sync = options_.synchronous_full ? "FULL" : "NORMAL";
    if (auto st = db_.exec("PRAGMA synchronous=" + sync + "; PRAGMA foreign_keys=ON;"); !st) {
      return unavailable("cannot configure database " + file_.string() + ": " + st.message());
    }
    auto version = apply_migrations(db_, builtin_migrations(), file_.string(), options_.now_ms());
    if (!version) {
      // A read-only file or directory shows up here, at the first write.
      return Status(version.status().code(), version.status().message());
    }
    version_ = *version;
    return {};
  }

  Result<std::vector<InsertOutcome>> insert_inbound(
      std::span<const InboundMessage> batch) override {
    std::span<const InboundMessage> groups[] = {batch};
    auto r = insert_inbound_groups(groups);
    if (!r) return r.status();
    return std::move(r->front());
  }

  Result<std::vector<std::vector<InsertOutcome>>> insert_inbound_groups(
      std::span<const std::span<const InboundMessage>> groups) override {
    auto r = insert_inbound_resolved_groups(groups);
    if (!r) return r.status();
    std::vector<std::vector<InsertOutcome>> outcomes;
    outcomes.reserve(r->size());
    for (const auto& g : *r) {
      auto& out = outcomes.emplace_back();
      out.reserve(g.size());
      for (const auto& one : g) out.push_back(one.outcome);
    }
    return outcomes;
  }

  Result<std::vector<InboundResult>> insert_inbound_resolved(
      std::span<const InboundMessage> batch) override {
    std::span<const InboundMessage> groups[] = {batch};
    auto r = insert_inbound_resolved_groups(groups);
    if (!r) return r.status();
    return std::move(r->front());
  }

  Result<std::vector<std::vector<InboundResult>>> insert_inbound_resolved_groups(
      std::span<const std::span<const InboundMessage>> groups) override {
    for (auto g : groups) {
      if (auto st = validate_inbound(g); !st) return st;
    }
    std::lock_guard lock(mu_);
    sqlite::Transaction txn(db_);
    if (auto st = txn.begin(); !st) return st;
    std::vector<std::vector<InboundResult>> outcomes;
    outcomes.reserve(groups.size());
    const int64_t now = options_.now_ms();
    for (auto g : groups) {
      auto& out = outcomes.emplace_back();
      out.reserve(g.size());
      for (const auto& m : g) {
        auto one = insert_and_resolve(m, now);
        if (!one) return one.status();  // the transaction rolls back: all or nothing
        out.push_back(std::move(*one));
      }
    }
    if (auto st = txn.commit(); !st) return st;
    ++commits_;
    return outcomes;
  }

  Result<int64_t> insert_outbound(const OutboundMessage& m) override {
    if (m.instance_id.empty()) return invalid_argument("outbound message: instance_id is empty");
    if (m.to.empty()) return invalid_argument("outbound message: to is empty");
    std::lock_guard lock(mu_);
    if (!m.idempotency_key.empty()) {
      auto q = db_.prepare(
          "SELECT id FROM messages WHERE instance_id = ?1 AND direction = 'out' AND "
          "idempotency_key = ?2");
      if (!q) return q.status();
      (*q)->bind(1, m.instance_id).bind(2, m.idempotency_key);
      int rc = (*q)->step();
      if (rc == SQLITE_ROW) return (*q)->int64(0);  // a retry of a message already queued
      if (rc != SQLITE_DONE) return db_.error("find idempotency key", rc);
    }
    sqlite::Transaction txn(db_);
    if (auto st = txn.begin(); !st) return st;
    auto id = insert_outbound_row(m, options_.now_ms());
    if (!id) return id.status();
    if (auto st = txn.commit(); !st) return st;
    ++commits_;
    return *id;
  }

  // OutboxStore: every call under the lock, writes in their own transaction.
  Result<OutboxEnqueued> outbox_enqueue(const OutboundMessage& m, int64_t now_ms) override {
    if (m.instance_id.empty()) return invalid_argument("outbound message: instance_id is empty");
    if (m.to.empty()) return invalid_argument("outbound message: to is empty");
    return write([&]() -> Result<OutboxEnqueued> {
      if (!m.idempotency_key.empty()) {
        auto existing = outbox_.find_idempotent(m.instance_id, m.idempotency_key);
        if (!existing) return existing.status();
        if (*existing) return OutboxEnqueued{**existing, true};
      }
      auto id = insert_outbound_row(m, now_ms);
      if (!id) return id.status();
      if (auto st = outbox_.mark_queued(*id, now_ms); !st) return st;
      return OutboxEnqueued{*id, false};
    });
  }
  Result<std::vector<OutboxRow>> outbox_due(std::string_view instance_id, int64_t now_ms,
                                            int limit) override {
    return read([&] { return outbox_.due(instance_id, now_ms, limit); });
  }
  Result<std::vector<OutboxRow>> outbox_due_heads(std::string_view instance_id, int64_t now_ms,
                                                  int limit) override {
    return read([&] { return outbox_.due_heads(instance_id, now_ms, limit); });
  }
  Result<std::optional<int64_t>> outbox_next_due(std::string_view instance_id,
                                                 int64_t after_ms) override {
    return read([&] { return outbox_.next_due(instance_id, after_ms); });
  }
  Result<bool> outbox_claim(int64_t message_id, int64_t now_ms) override {
    return write([&] { return outbox_.claim(message_id, now_ms); });
  }
  Status outbox_unclaim(int64_t message_id, int64_t now_ms) override {
    return write([&] { return outbox_.unclaim(message_id, now_ms); });
  }
  Result<bool> outbox_record(const OutboxAttempt& attempt, int64_t now_ms) override {
    bool moved = false;
    if (Status s = write([&] { return outbox_.record(attempt, now_ms, &moved); }); !s) return s;
    return moved;
  }
  Result<int64_t> outbox_recover(std::string_view instance_id, int64_t now_ms) override {
    return write([&] { return outbox_.recover(instance_id, now_ms); });
  }
  Result<std::vector<OutboxRow>> outbox_reconciliation(std::string_view instance_id) override {
    return read([&] { return outbox_.reconciliation(instance_id); });
  }
  Result<std::optional<OutboxRow>> outbox_get(int64_t message_id) override {
    return read([&] { return outbox_.get(message_id); });
  }
  Status outbox_retry_now(int64_t message_id, int64_t now_ms) override {
    return write([&] { return outbox_.retry_now(message_id, now_ms); });
  }

  Status set_provider_id(int64_t message_id, std::string_view provider_message_id) override {
    if (provider_message_id.empty()) return invalid_argument("provider_message_id is empty");
    std::lock_guard lock(mu_);
    auto q = db_.prepare(
        "UPDATE messages SET provider_message_id = ?1, updated_at_ms = ?2 "
        "WHERE id = ?3 AND direction = 'out'");
    if (!q) return q.status();
    (*q)->bind(1, provider_message_id).bind(2, options_.now_ms()).bind(3, message_id);
    if (int rc = (*q)->step(); rc != SQLITE_DONE) return db_.error("set provider id", rc);
    if (sqlite3_changes(db_.handle()) == 0) {
      return not_found("no outbound message with id " + std::to_string(message_id));
    }
    ++commits_;
    return {};
  }

  using Store::apply_delivery;
  Status apply_delivery(const DeliveryUpdate& u, DeliveryApplied* applied) override {
    if (!valid_status(u.status)) {
      return invalid_argument("invalid delivery status " +
                              std::to_string(static_cast<int>(u.status)));
    }
    if (u.message_id == 0 && (u.instance_id.empty() || u.provider_message_id.empty())) {
      return invalid_argument(
          "delivery update needs message_id or instance_id and provider_message_id");
    }
    std::lock_guard lock(mu_);
    sqlite::Transaction txn(db_);
    if (auto st = txn.begin(); !st) return st;
    int64_t id = 0;
    DeliveryStatus current{};
    bool has_provider_id = false;
    {
      auto q = u.message_id != 0
                   ? db_.prepare(
                         "SELECT id, status, instance_id, provider_message_id IS NOT NULL "
                         "FROM messages WHERE id = ?1")
                   : db_.prepare(
                         "SELECT id, status, instance_id, provider_message_id IS NOT NULL "
                         "FROM messages WHERE instance_id = ?2 AND direction = 'out' AND "
                         "provider_message_id = ?3 ORDER BY id DESC LIMIT 1");
      if (!q) return q.status();
      if (u.message_id != 0) {
        (*q)->bind(1, u.message_id);
      } else {
        (*q)->bind(2, u.instance_id).bind(3, u.provider_message_id);
      }
      int rc = (*q)->step();
      if (rc == SQLITE_DONE ||
          (rc == SQLITE_ROW && !u.instance_id.empty() && (*q)->text(2) != u.instance_id)) {
        return not_found(u.message_id != 0
                             ? "no message with id " + std::to_string(u.message_id)
                             : "no outbound message with provider id " + u.provider_message_id);
      }
      if (rc != SQLITE_ROW) return db_.error("find message", rc);
      id = (*q)->int64(0);
      current = static_cast<DeliveryStatus>((*q)->int64(1));
      has_provider_id = (*q)->int64(3) != 0;
    }
    const int64_t now = options_.now_ms();
    // The history lists each transition once, in order: a repeated report (the channel's "sent"
    // after the outbox recorded it, a webhook redelivered) or a late one (delivered after read)
    // changes nothing and is not recorded; the report is still accepted.
    if (status_advances(current, u.status)) {
      if (auto st = append_history(id, u, now); !st) return st;
      auto q = db_.prepare(
          "UPDATE messages SET status = ?1, error_code = ?2, error_text = ?3, updated_at_ms = ?4 "
          "WHERE id = ?5");
      if (!q) return q.status();
      (*q)->bind(1, int64_t{static_cast<int>(u.status)})
          .bind(2, u.error_code)
          .bind(3, u.error_text);
      (*q)->bind(4, now).bind(5, id);
      if (int rc = (*q)->step(); rc != SQLITE_DONE) return db_.error("update status", rc);
    }
    if (!has_provider_id && !u.provider_message_id.empty()) {
      auto q = db_.prepare("UPDATE messages SET provider_message_id = ?1 WHERE id = ?2");
      if (!q) return q.status();
      (*q)->bind(1, u.provider_message_id).bind(2, id);
      if (int rc = (*q)->step(); rc != SQLITE_DONE) return db_.error("set provider id", rc);
    }
    if (auto st = txn.commit(); !st) return st;
    ++commits_;
    if (applied != nullptr) *applied = {id, current, status_advances(current, u.status)};
    return {};
  }

  Result<std::optional<std::string>> kv_get(std::string_view instance_id,
                                            std::string_view key) override {
    std::lock_guard lock(mu_);
    auto q = db_.prepare("SELECT value FROM kv WHERE instance_id = ?1 AND key = ?2");
    if (!q) return q.status();
    (*q)->bind(1, instance_id).bind(2, key);
    int rc = (*q)->step();
    if (rc == SQLITE_DONE) return std::optional<std::string>();
    if (rc != SQLITE_ROW) return db_.error("kv get", rc);
    return std::optional<std::string>((*q)->text(0));
  }

  Status kv_put(std::string_view instance_id, std::string_view key,
                std::string_view value) override {
    if (instance_id.empty() || key.empty()) return invalid_argument("kv: empty instance id or key");
    std::lock_guard lock(mu_);
    auto q = db_.prepare(
        "INSERT INTO kv (instance_id, key, value, updated_at_ms) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT (instance_id, key) DO UPDATE SET value = excluded.value, "
        "updated_at_ms = excluded.updated_at_ms");
    if (!q) return q.status();
    (*q)->bind(1, instance_id).bind(2, key).bind_blob(3, value).bind(4, options_.now_ms());
    if (int rc = (*q)->step(); rc != SQLITE_DONE) return db_.error("kv put", rc);
    ++commits_;
    return {};
  }

  Status kv_delete(std::string_view instance_id, std::string_view key) override {
    std::lock_guard lock(mu_);
    auto q = db_.prepare("DELETE FROM kv WHERE instance_id = ?1 AND key = ?2");
    if (!q) return q.status();
    (*q)->bind(1, instance_id).bind(2, key);
    if (int rc = (*q)->step(); rc != SQLITE_DONE) return db_.error("kv delete", rc);
    ++commits_;
    return {};
  }

  Result<std::vector<InstanceCounters>> counters() override {
    std::lock_guard lock(mu_);
    auto q = db_.prepare(
        "SELECT instance_id, inbound, outbound, failed FROM instance_counters ORDER BY "
        "instance_id");
    if (!q) return q.status();
    std::vector<InstanceCounters> out;
    int rc;
    while ((rc = (*q)->step()) == SQLITE_ROW) {
      out.push_back({(*q)->text(0), (*q)->int64(1), (*q)->int64(2), (*q)->int64(3)});
    }
    if (rc != SQLITE_DONE) return db_.error("read counters", rc);
    return out;
  }

  Result<std::optional<MessageRecord>> get_message(int64_t message_id) override {
    std::lock_guard lock(mu_);
    auto q = db_.prepare("SELECT" SB_STORE_MESSAGE_COLUMNS "FROM messages m WHERE m.id = ?1");
    if (!q) return q.status();
    (*q)->bind(1, message_id);
    return read_message(**q);
  }

  Result<std::optional<MessageRecord>> find_inbound(std::string_view instance_id,
                                                    std::string_view provider_message_id) override {
    std::lock_guard lock(mu_);
    auto q = db_.prepare("SELECT" SB_STORE_MESSAGE_COLUMNS
                         "FROM messages m WHERE m.instance_id = ?1 AND "
                         "m.provider_message_id = ?2 AND m.direction = 'in'");
    if (!q) return q.status();
    (*q)->bind(1, instance_id).bind(2, provider_message_id);
    return read_message(**q);
  }

  Result<std::vector<StatusEvent>> status_history(int64_t message_id) override {
    std::lock_guard lock(mu_);
    auto q = db_.prepare(
        "SELECT status, timestamp_ms, error_code, error_text, extra_json "
        "FROM message_status_history WHERE message_id = ?1 ORDER BY id");
    if (!q) return q.status();
    (*q)->bind(1, message_id);
    std::vector<StatusEvent> out;
    int rc;
    while ((rc = (*q)->step()) == SQLITE_ROW) {
      out.push_back({static_cast<DeliveryStatus>((*q)->int64(0)), (*q)->int64(1), (*q)->text(2),
                     (*q)->text(3), (*q)->text(4)});
    }
    if (rc != SQLITE_DONE) return db_.error("read status history", rc);
    return out;
  }

  Result<std::vector<Attachment>> attachments(int64_t message_id) override {
    std::lock_guard lock(mu_);
    auto q = db_.prepare(
        "SELECT kind, mime_type, filename, url, provider_media_id, caption, size_bytes "
        "FROM attachments WHERE message_id = ?1 ORDER BY position");
    if (!q) return q.status();
    (*q)->bind(1, message_id);
    std::vector<Attachment> out;
    int rc;
    while ((rc = (*q)->step()) == SQLITE_ROW) {
      out.push_back({(*q)->text(0), (*q)->text(1), (*q)->text(2), (*q)->text(3), (*q)->text(4),
                     (*q)->text(5), (*q)->int64(6)});
    }
    if (rc != SQLITE_DONE) return db_.error("read attachments", rc);
    return out;
  }

  ModelStore* model() override { return this; }
  OutboxStore* outbox() override { return this; }
  RoutingStore* routing() override { return &routing_; }
  CostStore* costs() override { return &costs_; }

  // ModelStore: reads under the lock, writes in their own transaction.
  Result<std::optional<Contact>> get_contact(int64_t id) override {
    return read([&] { return model_.get_contact(id); });
  }
  Result<std::optional<Contact>> find_contact(std::string_view kind,
                                              std::string_view address) override {
    return read([&]() -> Result<std::optional<Contact>> {
      auto identity = model_.find_identity(kind, address);
      if (!identity) return identity.status();
      if (!*identity) return std::optional<Contact>();
      return model_.get_contact((*identity)->contact_id);
    });
  }
  Result<std::vector<Identity>> identities(int64_t contact_id) override {
    return read([&] { return model_.identities(contact_id); });
  }
  Status rename_contact(int64_t id, std::string_view name, int64_t now_ms) override {
    return write([&] { return model_.rename_contact(id, name, now_ms); });
  }
  Result<std::optional<Conversation>> get_conversation(int64_t id) override {
    return read([&] { return model_.get_conversation(id); });
  }
  Result<std::optional<Conversation>> find_conversation(std::string_view reference) override {
    return read([&] { return model_.conversation_by_reference(reference); });
  }
  Result<std::vector<Conversation>> conversations_of(int64_t contact_id) override {
    return read([&] { return model_.conversations_of(contact_id); });
  }
  Status set_conversation_status(int64_t id, ConversationStatus status, int64_t now_ms) override {
    return write([&] { return model_.set_conversation_status(id, status, now_ms); });
  }
  Status assign_conversation(int64_t id, const std::optional<std::string>& assignee,
                             const std::optional<std::string>& queue, int64_t now_ms) override {
    return write([&] { return model_.assign_conversation(id, assignee, queue, now_ms); });
  }
  Result<int64_t> add_note(int64_t conversation_id, std::string_view text,
                           std::string_view payload_json, int64_t now_ms) override {
    return write([&] { return model_.add_note(conversation_id, text, payload_json, now_ms); });
  }
  Status link_outbound(int64_t message_id, int64_t conversation_id, OutboundSender sender,
                       int64_t now_ms) override {
    return write([&] { return model_.link_outbound(message_id, conversation_id, sender, now_ms); });
  }
  Result<int64_t> merge_contacts(int64_t survivor_id, int64_t merged_id, std::string_view actor,
                                 std::string_view reason, int64_t now_ms) override {
    return write(
        [&] { return model_.merge_contacts(survivor_id, merged_id, actor, reason, now_ms); });
  }
  Status unmerge(int64_t merge_id, std::string_view actor, int64_t now_ms) override {
    return write([&] { return model_.unmerge(merge_id, actor, now_ms); });
  }
  Result<std::optional<MergeRecord>> get_merge(int64_t merge_id) override {
    return read([&] { return model_.get_merge(merge_id); });
  }
  Result<std::vector<MergeRecord>> merges_of(int64_t contact_id) override {
    return read([&] { return model_.merges_of(contact_id); });
  }
  Status in_transaction(const std::function<Status(ModelTxn&)>& f) override {
    return write([&] { return f(model_); });
  }
  Result<TimelinePage> timeline(int64_t contact_id, std::string_view cursor, int limit,
                                const ConversationScope& scope) override {
    return read([&] { return model_.timeline(contact_id, cursor, limit, scope); });
  }
  Result<std::vector<SearchHit>> search(const SearchQuery& query) override {
    return read([&] { return model_.search(query); });
  }

  int schema_version() const override { return version_; }
  uint64_t commit_count() const override { return commits_.load(); }

 private:
  template <class F>
  auto read(F&& f) -> decltype(f()) {
    std::lock_guard lock(mu_);
    return f();
  }

  // f's Status/Result decides: commit on success, roll back otherwise.
  template <class F>
  auto write(F&& f) -> decltype(f()) {
    std::lock_guard lock(mu_);
    sqlite::Transaction txn(db_);
    if (auto st = txn.begin(); !st) return st;
    auto r = f();
    if (!r) return r;
    if (auto st = txn.commit(); !st) return st;
    ++commits_;
    return r;
  }

  Status journal_mode_wal() {
    auto q = db_.prepare("PRAGMA journal_mode=WAL");
    if (!q)
      return unavailable("cannot configure database " + file_.string() + ": " +
                         q.status().message());
    int rc = (*q)->step();
    if (rc != SQLITE_ROW) return db_.error("cannot set WAL mode on " + file_.string(), rc);
    if ((*q)->text(0) != "wal") {
      return unavailable("cannot set WAL mode on " + file_.string() + ": got " + (*q)->text(0));
    }
    return {};
  }

  // Inside the caller's transaction.
  Result<InsertOutcome> insert_one_inbound(const InboundMessage& m, int64_t now, int64_t& id) {
    {
      auto q = db_.prepare(
          "INSERT INTO messages (instance_id, direction, provider_message_id, from_addr, "
          "from_kind, from_name, to_addr, content_type, text, payload_json, raw, "
          "reply_to_provider_id, thread_key, flags, sent_at_ms, status, created_at_ms, "
          "updated_at_ms) VALUES (?1, 'in', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
          "?14, 3, ?15, ?15) "
          "ON CONFLICT (instance_id, provider_message_id) WHERE direction = 'in' DO NOTHING");
      if (!q) return q.status();
      Stmt& s = **q;
      s.bind(1, m.instance_id).bind(2, m.provider_message_id).bind(3, m.from).bind(4, m.from_kind);
      s.bind(5, m.from_name).bind(6, m.to).bind(7, m.content_type).bind(8, m.text);
      s.bind(9, m.payload_json).bind(10, m.raw).bind(11, m.reply_to_provider_id);
      s.bind(12, m.thread_key).bind(13, int64_t{m.flags}).bind(14, m.sent_at_ms).bind(15, now);
      if (int rc = s.step(); rc != SQLITE_DONE) return db_.error("insert inbound", rc);
      if (sqlite3_changes(db_.handle()) == 0) return InsertOutcome::kDuplicate;
      id = sqlite3_last_insert_rowid(db_.handle());
    }
    for (size_t i = 0; i < m.attachments.size(); ++i) {
      const auto& a = m.attachments[i];
      auto q = db_.prepare(
          "INSERT INTO attachments (message_id, position, kind, mime_type, filename, url, "
          "provider_media_id, caption, size_bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
      if (!q) return q.status();
      Stmt& s = **q;
      s.bind(1, id).bind(2, static_cast<int64_t>(i)).bind(3, a.kind).bind(4, a.mime_type);
      s.bind(5, a.filename).bind(6, a.url).bind(7, a.provider_media_id).bind(8, a.caption);
      s.bind(9, a.size_bytes);
      if (int rc = s.step(); rc != SQLITE_DONE) return db_.error("insert attachment", rc);
    }
    return InsertOutcome::kStored;
  }

  // The outbound row and its first (queued) history entry, inside the caller's transaction.
  Result<int64_t> insert_outbound_row(const OutboundMessage& m, int64_t now) {
    int64_t id = 0;
    {
      auto q = db_.prepare(
          "INSERT INTO messages (instance_id, direction, idempotency_key, from_addr, to_addr, "
          "content_type, text, payload_json, reply_to_provider_id, status, created_at_ms, "
          "updated_at_ms, from_kind) VALUES (?1, 'out', ?2, ?3, ?4, ?5, ?6, ?7, ?9, 1, ?8, ?8, "
          "?10)");
      if (!q) return q.status();
      (*q)->bind(1, m.instance_id).bind_or_null(2, m.idempotency_key).bind(3, m.from).bind(4, m.to);
      (*q)->bind(5, m.content_type).bind(6, m.text).bind(7, m.payload_json).bind(8, now);
      (*q)->bind(9, m.reply_to_provider_id).bind(10, m.sender_kind);
      if (int rc = (*q)->step(); rc != SQLITE_DONE) return db_.error("insert outbound", rc);
      id = sqlite3_last_insert_rowid(db_.handle());
    }
    DeliveryUpdate queued;
    queued.status = DeliveryStatus::kQueued;
    queued.timestamp_ms = now;
    if (auto st = append_history(id, queued, now); !st) return st;
    return id;
  }

  Status append_history(int64_t message_id, const DeliveryUpdate& u, int64_t now) {
    auto q = db_.prepare(
        "INSERT INTO message_status_history (message_id, status, timestamp_ms, error_code, "
        "error_text, extra_json, raw, recorded_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    if (!q) return q.status();
    Stmt& s = **q;
    s.bind(1, message_id).bind(2, int64_t{static_cast<int>(u.status)});
    s.bind(3, u.timestamp_ms != 0 ? u.timestamp_ms : now).bind(4, u.error_code);
    s.bind(5, u.error_text).bind(6, u.extra_json).bind(7, u.raw).bind(8, now);
    if (int rc = s.step(); rc != SQLITE_DONE) return db_.error("append status history", rc);
    return {};
  }

  Result<std::optional<MessageRecord>> read_message(Stmt& q) {
    int rc = q.step();
    if (rc == SQLITE_DONE) return std::optional<MessageRecord>();
    if (rc != SQLITE_ROW) return db_.error("read message", rc);
    return std::optional<MessageRecord>(read_message_row(q));
  }

  // Inside the caller's transaction. A duplicate is not resolved again: it reports the first
  // copy's links and changes nothing.
  Result<InboundResult> insert_and_resolve(const InboundMessage& m, int64_t now) {
    int64_t id = 0;
    auto outcome = insert_one_inbound(m, now, id);
    if (!outcome) return outcome.status();
    if (*outcome == InsertOutcome::kDuplicate) {
      return model_.existing_inbound(m.instance_id, m.provider_message_id);
    }
    InboundResult r{InsertOutcome::kStored, id, {}};
    if (options_.inbound_resolver) {
      auto resolved = options_.inbound_resolver->resolve(model_, m, id);
      if (!resolved) return resolved.status();
      r.resolution = std::move(*resolved);
      if (options_.track_routing && r.resolution.conversation_id != 0) {
        if (auto st = mark_routing_pending(m, r, now); !st) return st;
      }
    }
    return r;
  }

  // The routing_pending marker, in the transaction that stores the message (schema v10).
  Status mark_routing_pending(const InboundMessage& m, const InboundResult& r, int64_t now) {
    auto q = db_.prepare(
        "INSERT INTO routing_pending (message_id, conversation_id, contact_id, message_flags, "
        "new_contact, opened_new, reopened, created_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
        "?8)");
    if (!q) return q.status();
    const auto& res = r.resolution;
    (*q)->bind(1, r.message_id).bind(2, res.conversation_id).bind(3, res.contact_id);
    (*q)->bind(4, int64_t{m.flags}).bind(5, int64_t{res.new_contact});
    (*q)->bind(6, int64_t{res.opened_new}).bind(7, int64_t{res.reopened}).bind(8, now);
    if (int rc = (*q)->step(); rc != SQLITE_DONE) return db_.error("mark routing pending", rc);
    return {};
  }

  fs::path file_;
  StoreOptions options_;
  std::mutex mu_;
  sqlite::Db db_;
  SqliteModel model_{db_};
  SqliteOutbox outbox_{db_};
  int version_ = 0;
  std::atomic<uint64_t> commits_{0};
  SqliteRouting routing_{mu_, db_, commits_};
  SqliteCosts costs_{mu_, db_, commits_};
};

}  // namespace

int latest_schema_version() {
  return builtin_migrations().back().version;
}

Result<std::unique_ptr<Store>> open_sqlite_store(const std::filesystem::path& db_file,
                                                 const StoreOptions& options) {
  auto store = std::make_unique<SqliteStore>(db_file, options);
  if (auto st = store->open(); !st) return st;
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace sb::store
