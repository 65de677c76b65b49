// Routing that survives a crash (schema v10): the markers of inbound messages whose routing has
// not committed, and the memo of the auto-reply kinds each one claimed.
#include <limits>

#include "store/sqlite_routing.h"

namespace sb::store {

Result<bool> SqliteRouting::claim_auto_reply_for(int64_t message_id, int64_t conversation_id,
                                                 std::string_view kind, int64_t period_ms,
                                                 int64_t now_ms) {
  return write([&]() -> Result<bool> {
    {
      auto q =
          db_.prepare("SELECT 1 FROM routing_pending_claims WHERE message_id = ?1 AND kind = ?2");
      if (!q) return q.status();
      (*q)->bind(1, message_id).bind(2, kind);
      int rc = (*q)->step();
      if (rc == SQLITE_ROW) return true;  // this message claimed it before a crash
      if (rc != SQLITE_DONE) return db_.error("read auto-reply claim", rc);
    }
    auto q = db_.prepare(
        "INSERT INTO routing_auto_replies (conversation_id, kind, sent_at_ms) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (conversation_id, kind) DO UPDATE SET sent_at_ms = excluded.sent_at_ms "
        "WHERE sent_at_ms <= excluded.sent_at_ms - ?4");
    if (!q) return q.status();
    (*q)->bind(1, conversation_id).bind(2, kind).bind(3, now_ms).bind(4, period_ms);
    if (int rc = (*q)->step(); rc != SQLITE_DONE) return db_.error("claim auto-reply", rc);
    if (sqlite3_changes(db_.handle()) == 0) return false;
    // Remembered only while the message is pending: a message routed live leaves no memo.
    auto memo = db_.prepare(
        "INSERT OR IGNORE INTO routing_pending_claims (message_id, kind) "
        "SELECT ?1, ?2 WHERE EXISTS (SELECT 1 FROM routing_pending WHERE message_id = ?1)");
    if (!memo) return memo.status();
    (*memo)->bind(1, message_id).bind(2, kind);
    if (int rc = (*memo)->step(); rc != SQLITE_DONE) return db_.error("remember claim", rc);
    return true;
  });
}

Result<std::vector<PendingRouting>> SqliteRouting::pending_routing(int limit) {
  std::lock_guard lock(mu_);
  auto q = db_.prepare(
      "SELECT message_id, message_flags, contact_id, conversation_id, new_contact, opened_new, "
      "reopened, created_at_ms FROM routing_pending ORDER BY message_id LIMIT ?1");
  if (!q) return q.status();
  (*q)->bind(1, int64_t{limit < 0 ? std::numeric_limits<int>::max() : limit});
  std::vector<PendingRouting> out;
  int rc;
  while ((rc = (*q)->step()) == SQLITE_ROW) {
    sqlite::Stmt& s = **q;
    PendingRouting p;
    p.message_id = s.int64(0);
    p.message_flags = static_cast<uint32_t>(s.int64(1));
    p.resolution.contact_id = s.int64(2);
    p.resolution.conversation_id = s.int64(3);
    p.resolution.new_contact = s.int64(4) != 0;
    p.resolution.opened_new = s.int64(5) != 0;
    p.resolution.reopened = s.int64(6) != 0;
    p.created_at_ms = s.int64(7);
    out.push_back(std::move(p));
  }
  if (rc != SQLITE_DONE) return db_.error("read pending routing", rc);
  return out;
}

Status SqliteRouting::routing_done(int64_t message_id) {
  auto done = write([&]() -> Result<bool> {
    // The claims memo goes with its marker (ON DELETE CASCADE).
    auto q = db_.prepare("DELETE FROM routing_pending WHERE message_id = ?1");
    if (!q) return q.status();
    (*q)->bind(1, message_id);
    if (int rc = (*q)->step(); rc != SQLITE_DONE) return db_.error("clear pending routing", rc);
    return true;
  });
  return done ? Status() : done.status();
}

}  // namespace sb::store
