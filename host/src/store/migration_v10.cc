// Schema v10: inbound messages whose routing has not committed yet, so routing survives a crash
// between the message's commit and its routing (replayed at the next start). A released migration
// is never edited.
#include "store/migrations.h"

namespace sb::store {

extern const std::string_view kMigrationV10;
const std::string_view kMigrationV10 = R"sql(
-- Written in the transaction that stores and resolves the inbound message (when the host routes),
-- deleted once its routing, auto-replies included, committed. The resolution is kept because a
-- replay must route as the live path would have (a new conversation gets its welcome).
CREATE TABLE routing_pending (
  message_id      INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
  conversation_id INTEGER NOT NULL,
  contact_id      INTEGER NOT NULL,
  message_flags   INTEGER NOT NULL DEFAULT 0,
  new_contact     INTEGER NOT NULL DEFAULT 0,
  opened_new      INTEGER NOT NULL DEFAULT 0,
  reopened        INTEGER NOT NULL DEFAULT 0,
  created_at_ms   INTEGER NOT NULL
);

-- The auto-reply kinds a pending message already claimed (routing_auto_replies): a replay of the
-- same message claims them again and the outbox dedupes the reply by its idempotency key, so a
-- crash between the claim and the enqueue neither loses nor doubles the reply.
CREATE TABLE routing_pending_claims (
  message_id INTEGER NOT NULL REFERENCES routing_pending (message_id) ON DELETE CASCADE,
  kind       TEXT    NOT NULL,
  PRIMARY KEY (message_id, kind)
) WITHOUT ROWID;
)sql";

}  // namespace sb::store
