#include "store/sqlite_outbox.h"

#include <string>

#include "store/sqlite_model.h"

namespace sb::store {
namespace {

using sqlite::Stmt;

// After SB_STORE_MESSAGE_COLUMNS, in this order (read_rows relies on it).
#define SB_OUTBOX_COLUMNS                                                                        \
  ", o.state, o.attempts, o.next_attempt_at_ms, o.horizon_start_ms, m.error_code, m.error_text " \
  "FROM messages m JOIN outbox o ON o.message_id = m.id "

std::optional<OutboxState> state_from(std::string_view s) {
  if (s == "queued") return OutboxState::kQueued;
  if (s == "sending") return OutboxState::kSending;
  if (s == "pending") return OutboxState::kPending;
  if (s == "sent") return OutboxState::kSent;
  if (s == "failed") return OutboxState::kFailed;
  if (s == "reconcile") return OutboxState::kReconcile;
  return std::nullopt;
}

}  // namespace

std::string_view to_string(OutboxState state) {
  switch (state) {
    case OutboxState::kQueued:
      return "queued";
    case OutboxState::kSending:
      return "sending";
    case OutboxState::kPending:
      return "pending";
    case OutboxState::kSent:
      return "sent";
    case OutboxState::kFailed:
      return "failed";
    case OutboxState::kReconcile:
      return "reconcile";
  }
  return "unknown";
}

Result<std::optional<int64_t>> SqliteOutbox::find_idempotent(std::string_view instance_id,
                                                             std::string_view key) {
  auto q = db_.prepare(
      "SELECT id FROM messages WHERE instance_id = ?1 AND direction = 'out' AND "
      "idempotency_key = ?2");
  if (!q) return q.status();
  (*q)->bind(1, instance_id).bind(2, key);
  int rc = (*q)->step();
  if (rc == SQLITE_ROW) return std::optional<int64_t>((*q)->int64(0));
  if (rc != SQLITE_DONE) return db_.error("find idempotency key", rc);
  return std::optional<int64_t>();
}

Status SqliteOutbox::mark_queued(int64_t message_id, int64_t now_ms) {
  auto q = db_.prepare(
      "INSERT INTO outbox (message_id, instance_id, state, attempts, next_attempt_at_ms, "
      "horizon_start_ms, updated_at_ms) SELECT id, instance_id, 'queued', 0, ?2, ?2, ?2 "
      "FROM messages WHERE id = ?1");
  if (!q) return q.status();
  (*q)->bind(1, message_id).bind(2, now_ms);
  if (int rc = (*q)->step(); rc != SQLITE_DONE) return db_.error("outbox enqueue", rc);
  return {};
}

Result<std::vector<OutboxRow>> SqliteOutbox::read_rows(Stmt& q) {
  std::vector<OutboxRow> out;
  int rc;
  while ((rc = q.step()) == SQLITE_ROW) {
    OutboxRow r;
    r.message = read_message_row(q);
    r.state = state_from(q.text(kMessageColumnCount)).value_or(OutboxState::kFailed);
    r.attempts = static_cast<int>(q.int64(kMessageColumnCount + 1));
    r.next_attempt_at_ms = q.int64(kMessageColumnCount + 2);
    r.horizon_start_ms = q.int64(kMessageColumnCount + 3);
    r.last_error_code = q.text(kMessageColumnCount + 4);
    r.last_error_text = q.text(kMessageColumnCount + 5);
    out.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) return db_.error("read outbox rows", rc);
  return out;
}

Result<std::vector<OutboxRow>> SqliteOutbox::due(std::string_view instance_id, int64_t now_ms,
                                                 int limit) {
  auto q = db_.prepare("SELECT" SB_STORE_MESSAGE_COLUMNS SB_OUTBOX_COLUMNS
                       "WHERE o.instance_id = ?1 AND o.state = 'queued' "
                       "AND o.next_attempt_at_ms <= ?2 ORDER BY o.message_id LIMIT ?3");
  if (!q) return q.status();
  (*q)->bind(1, instance_id).bind(2, now_ms).bind(3, int64_t{limit});
  return read_rows(**q);
}

Result<std::vector<OutboxRow>> SqliteOutbox::due_heads(std::string_view instance_id, int64_t now_ms,
                                                       int limit) {
  // The oldest unfinished message per recipient and per conversation, each computed once over the
  // instance's unfinished rows (uncorrelated, so SQLite materialises them): linear in the backlog,
  // where a correlated NOT EXISTS per candidate was quadratic (seconds per call at 2,000 queued).
#define SB_OUTBOX_HEADS(KEY, EXTRA)                                                  \
  "SELECT MIN(p.message_id) FROM outbox p JOIN messages pm ON pm.id = p.message_id " \
  "WHERE p.instance_id = ?1 AND p.state IN ('queued', 'sending', 'pending') " EXTRA  \
  " GROUP BY " KEY
  auto q = db_.prepare("SELECT" SB_STORE_MESSAGE_COLUMNS SB_OUTBOX_COLUMNS
                       "WHERE o.instance_id = ?1 AND o.state = 'queued' "
                       "AND o.next_attempt_at_ms <= ?2 "
                       "AND o.message_id IN (" SB_OUTBOX_HEADS("pm.to_addr", "") ") "
                       "AND (m.conversation_id IS NULL OR o.message_id IN (" SB_OUTBOX_HEADS(
                           "pm.conversation_id", "AND pm.conversation_id IS NOT NULL") ")) "
                       "ORDER BY o.message_id LIMIT ?3");
#undef SB_OUTBOX_HEADS
  if (!q) return q.status();
  (*q)->bind(1, instance_id).bind(2, now_ms).bind(3, int64_t{limit});
  return read_rows(**q);
}

Result<std::optional<int64_t>> SqliteOutbox::next_due(std::string_view instance_id,
                                                      int64_t after_ms) {
  auto q = db_.prepare(
      "SELECT MIN(next_attempt_at_ms) FROM outbox WHERE instance_id = ?1 AND state = 'queued' "
      "AND next_attempt_at_ms > ?2");
  if (!q) return q.status();
  (*q)->bind(1, instance_id).bind(2, after_ms);
  int rc = (*q)->step();
  if (rc != SQLITE_ROW) return db_.error("outbox next due", rc);
  if ((*q)->is_null(0)) return std::optional<int64_t>();
  return std::optional<int64_t>((*q)->int64(0));
}

Result<bool> SqliteOutbox::claim(int64_t message_id, int64_t now_ms) {
  auto q = db_.prepare(
      "UPDATE outbox SET state = 'sending', attempts = attempts + 1, updated_at_ms = ?2 "
      "WHERE message_id = ?1 AND state = 'queued'");
  if (!q) return q.status();
  (*q)->bind(1, message_id).bind(2, now_ms);
  if (int rc = (*q)->step(); rc != SQLITE_DONE) return db_.error("outbox claim", rc);
  return sqlite3_changes(db_.handle()) == 1;
}

Status SqliteOutbox::unclaim(int64_t message_id, int64_t now_ms) {
  auto q = db_.prepare(
      "UPDATE outbox SET state = 'queued', attempts = attempts - 1, updated_at_ms = ?2 "
      "WHERE message_id = ?1 AND state = 'sending'");
  if (!q) return q.status();
  (*q)->bind(1, message_id).bind(2, now_ms);
  if (int rc = (*q)->step(); rc != SQLITE_DONE) return db_.error("outbox unclaim", rc);
  return {};
}

Status SqliteOutbox::history(int64_t message_id, DeliveryStatus status, int64_t now_ms,
                             std::string_view error_code, std::string_view error_text,
                             std::string_view extra_json) {
  auto q = db_.prepare(
      "INSERT INTO message_status_history (message_id, status, timestamp_ms, error_code, "
      "error_text, extra_json, raw, recorded_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, '', ?3)");
  if (!q) return q.status();
  (*q)->bind(1, message_id).bind(2, int64_t{static_cast<int>(status)}).bind(3, now_ms);
  (*q)->bind(4, error_code).bind(5, error_text).bind(6, extra_json);
  if (int rc = (*q)->step(); rc != SQLITE_DONE) return db_.error("outbox history", rc);
  return {};
}

Status SqliteOutbox::annotate_history(int64_t message_id, DeliveryStatus status,
                                      std::string_view extra_json) {
  auto q = db_.prepare(
      "UPDATE message_status_history SET extra_json = ?3 WHERE id = (SELECT MAX(id) FROM "
      "message_status_history WHERE message_id = ?1 AND status = ?2)");
  if (!q) return q.status();
  (*q)->bind(1, message_id).bind(2, int64_t{static_cast<int>(status)}).bind(3, extra_json);
  if (int rc = (*q)->step(); rc != SQLITE_DONE) return db_.error("outbox history", rc);
  return {};
}

Status SqliteOutbox::record(const OutboxAttempt& a, int64_t now_ms, bool* status_moved) {
  int attempts = 0;
  DeliveryStatus current = DeliveryStatus::kQueued;
  {
    auto q = db_.prepare(
        "SELECT o.attempts, m.status FROM outbox o JOIN messages m ON m.id = o.message_id "
        "WHERE o.message_id = ?1 AND o.state IN ('sending', 'pending')");
    if (!q) return q.status();
    (*q)->bind(1, a.message_id);
    int rc = (*q)->step();
    if (rc == SQLITE_DONE) {
      return failed_precondition("message " + std::to_string(a.message_id) +
                                 " has no attempt in flight");
    }
    if (rc != SQLITE_ROW) return db_.error("outbox record", rc);
    attempts = static_cast<int>((*q)->int64(0));
    current = static_cast<DeliveryStatus>((*q)->int64(1));
  }
  // A sent or failed attempt moves the message's status like a delivery report would (forward
  // only); a retry or a pending answer leaves it queued.
  DeliveryStatus status = DeliveryStatus::kQueued;
  if (a.next == OutboxState::kSent) status = DeliveryStatus::kSent;
  if (a.next == OutboxState::kFailed) status = DeliveryStatus::kFailed;
  // Only numbers and the host's own outcome names go into extra_json: nothing to escape.
  std::string extra = "{\"outbox\":\"attempt\",\"attempt\":" + std::to_string(attempts) +
                      ",\"outcome\":\"" + a.outcome + "\",\"next\":\"" +
                      std::string(to_string(a.next)) + "\"";
  if (a.next == OutboxState::kQueued) {
    extra += ",\"next_attempt_at_ms\":" + std::to_string(a.next_attempt_at_ms);
  }
  if (a.retry_after_ms > 0) extra += ",\"retry_after_ms\":" + std::to_string(a.retry_after_ms);
  extra += "}";
  // A retry is an attempt record (queued again, with when); sent and failed are transitions,
  // recorded once. When the channel's own report of this status came first (a plugin may report
  // "sent" before its send call returns), that entry gets the attempt's details instead.
  const bool moved = status != DeliveryStatus::kQueued && status_advances(current, status);
  if (status != DeliveryStatus::kQueued && !moved) {
    if (auto st = annotate_history(a.message_id, status, extra); !st) return st;
  } else if (auto st = history(a.message_id, status, now_ms, a.error_code, a.error_text, extra);
             !st) {
    return st;
  }
  {
    auto q = db_.prepare(
        "UPDATE outbox SET state = ?2, next_attempt_at_ms = ?3, updated_at_ms = ?4 "
        "WHERE message_id = ?1");
    if (!q) return q.status();
    (*q)->bind(1, a.message_id).bind(2, to_string(a.next)).bind(3, a.next_attempt_at_ms);
    (*q)->bind(4, now_ms);
    if (int rc = (*q)->step(); rc != SQLITE_DONE) return db_.error("outbox record", rc);
  }
  auto q = db_.prepare(
      "UPDATE messages SET "
      "provider_message_id = COALESCE(NULLIF(?2, ''), provider_message_id), "
      "status = CASE WHEN ?3 = 2 AND status = 1 THEN 2 "
      "              WHEN ?3 = 5 AND status IN (1, 2) THEN 5 ELSE status END, "
      "error_code = CASE WHEN ?4 <> '' THEN ?4 ELSE error_code END, "
      "error_text = CASE WHEN ?4 <> '' THEN ?5 ELSE error_text END, updated_at_ms = ?6 "
      "WHERE id = ?1");
  if (!q) return q.status();
  (*q)->bind(1, a.message_id).bind(2, a.provider_message_id);
  (*q)->bind(3, int64_t{static_cast<int>(status)}).bind(4, a.error_code).bind(5, a.error_text);
  (*q)->bind(6, now_ms);
  if (int rc = (*q)->step(); rc != SQLITE_DONE) return db_.error("outbox record", rc);
  if (status_moved != nullptr) *status_moved = moved;
  return {};
}

Result<int64_t> SqliteOutbox::recover(std::string_view instance_id, int64_t now_ms) {
  std::vector<std::pair<int64_t, std::string>> rows;
  {
    auto q = db_.prepare(
        "SELECT message_id, state FROM outbox WHERE instance_id = ?1 AND state IN "
        "('sending', 'pending') ORDER BY message_id");
    if (!q) return q.status();
    (*q)->bind(1, instance_id);
    int rc;
    while ((rc = (*q)->step()) == SQLITE_ROW) rows.emplace_back((*q)->int64(0), (*q)->text(1));
    if (rc != SQLITE_DONE) return db_.error("outbox recover", rc);
  }
  for (const auto& [id, was] : rows) {
    const std::string extra = "{\"outbox\":\"reconcile\",\"was\":\"" + was + "\"}";
    if (auto st = history(id, DeliveryStatus::kQueued, now_ms, "reconcile",
                          "the host stopped during this message's attempt (" + was +
                              "); the provider may or may not have it",
                          extra);
        !st) {
      return st;
    }
    auto q = db_.prepare(
        "UPDATE outbox SET state = 'reconcile', updated_at_ms = ?2 WHERE message_id = ?1");
    if (!q) return q.status();
    (*q)->bind(1, id).bind(2, now_ms);
    if (int rc = (*q)->step(); rc != SQLITE_DONE) return db_.error("outbox recover", rc);
  }
  return static_cast<int64_t>(rows.size());
}

Result<std::vector<OutboxRow>> SqliteOutbox::reconciliation(std::string_view instance_id) {
  auto q = db_.prepare("SELECT" SB_STORE_MESSAGE_COLUMNS SB_OUTBOX_COLUMNS
                       "WHERE o.instance_id = ?1 AND o.state = 'reconcile' ORDER BY o.message_id");
  if (!q) return q.status();
  (*q)->bind(1, instance_id);
  return read_rows(**q);
}

Result<std::optional<OutboxRow>> SqliteOutbox::get(int64_t message_id) {
  auto q =
      db_.prepare("SELECT" SB_STORE_MESSAGE_COLUMNS SB_OUTBOX_COLUMNS "WHERE o.message_id = ?1");
  if (!q) return q.status();
  (*q)->bind(1, message_id);
  auto rows = read_rows(**q);
  if (!rows) return rows.status();
  if (rows->empty()) return std::optional<OutboxRow>();
  return std::optional<OutboxRow>(std::move(rows->front()));
}

Status SqliteOutbox::retry_now(int64_t message_id, int64_t now_ms) {
  auto row = get(message_id);
  if (!row) return row.status();
  if (!*row) return not_found("no outbox message with id " + std::to_string(message_id));
  const OutboxState state = (*row)->state;
  if (state != OutboxState::kQueued && state != OutboxState::kReconcile) {
    return failed_precondition("message " + std::to_string(message_id) + " is " +
                               std::string(to_string(state)) + ", not queued or reconcile");
  }
  if (state == OutboxState::kReconcile) {
    if (auto st = history(message_id, DeliveryStatus::kQueued, now_ms, "", "",
                          "{\"outbox\":\"retry_now\",\"was\":\"reconcile\"}");
        !st) {
      return st;
    }
  }
  auto q = db_.prepare(
      "UPDATE outbox SET state = 'queued', next_attempt_at_ms = ?2, "
      "horizon_start_ms = CASE WHEN state = 'reconcile' THEN ?2 ELSE horizon_start_ms END, "
      "updated_at_ms = ?2 WHERE message_id = ?1");
  if (!q) return q.status();
  (*q)->bind(1, message_id).bind(2, now_ms);
  if (int rc = (*q)->step(); rc != SQLITE_DONE) return db_.error("outbox retry", rc);
  return {};
}

}  // namespace sb::store
