// ApiStore's read positions (schema v8): the agent's read position per conversation and the read
// receipt that trails it. Each write is one statement, so concurrent readers of one conversation
// never move the position back or claim the same receipt twice.
#include "api/api_store.h"
#include "store/sqlite_model.h"

namespace sb::api {

Result<std::optional<store::MessageRecord>> ApiStore::inbound_message(int64_t conversation_id,
                                                                      int64_t message_id) {
  std::lock_guard lock(mu_);
  auto q = db_.prepare("SELECT" SB_STORE_MESSAGE_COLUMNS
                       "FROM messages m WHERE m.conversation_id = ?1 AND m.direction = 'in' "
                       "AND (?2 = 0 OR m.id = ?2) ORDER BY m.id DESC LIMIT 1");
  if (!q) return q.status();
  (*q)->bind(1, conversation_id).bind(2, message_id);
  int rc = (*q)->step();
  if (rc == SQLITE_ROW) return std::optional<store::MessageRecord>(store::read_message_row(**q));
  if (rc != SQLITE_DONE) return db_.error("read inbound message", rc);
  return std::optional<store::MessageRecord>();
}

Result<ReadPosition> ApiStore::read_position(int64_t conversation_id) {
  std::lock_guard lock(mu_);
  auto q = db_.prepare(
      "SELECT COALESCE(r.last_read_message_id, 0), COALESCE(r.read_by, ''), "
      "COALESCE(r.read_at_ms, 0), COALESCE(r.receipt_message_id, 0), "
      "COALESCE(r.receipt_at_ms, 0), (SELECT COUNT(*) FROM messages m WHERE "
      "m.conversation_id = ?1 AND m.direction = 'in' AND m.id > COALESCE(r.last_read_message_id, "
      "0)) FROM (SELECT ?1 AS id) c LEFT JOIN conversation_reads r ON r.conversation_id = c.id");
  if (!q) return q.status();
  (*q)->bind(1, conversation_id);
  int rc = (*q)->step();
  if (rc != SQLITE_ROW) return db_.error("read position", rc);
  ReadPosition p;
  p.last_read_message_id = (*q)->int64(0);
  p.read_by = (*q)->text(1);
  p.read_at_ms = (*q)->int64(2);
  p.receipt_message_id = (*q)->int64(3);
  p.receipt_at_ms = (*q)->int64(4);
  p.unread_count = (*q)->int64(5);
  return p;
}

Result<bool> ApiStore::advance_read(int64_t conversation_id, int64_t message_id,
                                    std::string_view by) {
  std::lock_guard lock(mu_);
  auto q = db_.prepare(
      "INSERT INTO conversation_reads (conversation_id, last_read_message_id, read_by, read_at_ms) "
      "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (conversation_id) DO UPDATE SET "
      "last_read_message_id = excluded.last_read_message_id, read_by = excluded.read_by, "
      "read_at_ms = excluded.read_at_ms "
      "WHERE excluded.last_read_message_id > conversation_reads.last_read_message_id");
  if (!q) return q.status();
  (*q)->bind(1, conversation_id).bind(2, message_id).bind(3, by).bind(4, now_ms_());
  if (int rc = (*q)->step(); rc != SQLITE_DONE) return db_.error("advance read position", rc);
  return sqlite3_changes(db_.handle()) > 0;
}

Result<bool> ApiStore::claim_receipt(int64_t conversation_id, int64_t message_id,
                                     int64_t& previous) {
  std::lock_guard lock(mu_);
  auto get =
      db_.prepare("SELECT receipt_message_id FROM conversation_reads WHERE conversation_id = ?1");
  if (!get) return get.status();
  (*get)->bind(1, conversation_id);
  int rc = (*get)->step();
  if (rc == SQLITE_DONE) return false;
  if (rc != SQLITE_ROW) return db_.error("read receipt position", rc);
  const int64_t before = (*get)->int64(0);
  get->reset();
  if (before >= message_id) return false;
  // Compare-and-set: a claim by another connection in between makes this one change nothing.
  auto q = db_.prepare(
      "UPDATE conversation_reads SET receipt_message_id = ?2, receipt_at_ms = ?3 "
      "WHERE conversation_id = ?1 AND receipt_message_id = ?4");
  if (!q) return q.status();
  (*q)->bind(1, conversation_id).bind(2, message_id).bind(3, now_ms_()).bind(4, before);
  if (rc = (*q)->step(); rc != SQLITE_DONE) return db_.error("claim read receipt", rc);
  previous = before;
  return sqlite3_changes(db_.handle()) > 0;
}

Status ApiStore::release_receipt(int64_t conversation_id, int64_t message_id, int64_t previous) {
  std::lock_guard lock(mu_);
  auto q = db_.prepare(
      "UPDATE conversation_reads SET receipt_message_id = ?3 "
      "WHERE conversation_id = ?1 AND receipt_message_id = ?2");
  if (!q) return q.status();
  (*q)->bind(1, conversation_id).bind(2, message_id).bind(3, previous);
  if (int rc = (*q)->step(); rc != SQLITE_DONE) return db_.error("release read receipt", rc);
  return {};
}

}  // namespace sb::api
