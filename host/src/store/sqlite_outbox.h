// The outbox's SQL (schema v3). Runs inside the caller's lock and transaction. Internal to
// sb_store.
#pragma once

#include "store/outbox_store.h"
#include "store/sqlite_db.h"

namespace sb::store {

class SqliteOutbox {
 public:
  explicit SqliteOutbox(sqlite::Db& db) : db_(db) {}

  // The existing message's id for (instance, key), if any.
  Result<std::optional<int64_t>> find_idempotent(std::string_view instance_id,
                                                 std::string_view key);
  // Turns a just-inserted outbound message into a queued outbox row.
  Status mark_queued(int64_t message_id, int64_t now_ms);

  Result<std::vector<OutboxRow>> due(std::string_view instance_id, int64_t now_ms, int limit);
  Result<std::vector<OutboxRow>> due_heads(std::string_view instance_id, int64_t now_ms, int limit);
  Result<std::optional<int64_t>> next_due(std::string_view instance_id, int64_t after_ms);
  Result<bool> claim(int64_t message_id, int64_t now_ms);
  Status unclaim(int64_t message_id, int64_t now_ms);
  Status record(const OutboxAttempt& attempt, int64_t now_ms, bool* status_moved = nullptr);
  Result<int64_t> recover(std::string_view instance_id, int64_t now_ms);
  Result<std::vector<OutboxRow>> reconciliation(std::string_view instance_id);
  Result<std::optional<OutboxRow>> get(int64_t message_id);
  Status retry_now(int64_t message_id, int64_t now_ms);

 private:
  Status history(int64_t message_id, DeliveryStatus status, int64_t now_ms,
                 std::string_view error_code, std::string_view error_text,
                 std::string_view extra_json);
  // Puts an attempt's details on the message's existing history entry of that status.
  Status annotate_history(int64_t message_id, DeliveryStatus status, std::string_view extra_json);
  Result<std::vector<OutboxRow>> read_rows(sqlite::Stmt& q);

  sqlite::Db& db_;
};

}  // namespace sb::store
