// Schema v3: the outbox. An outbound message sent through the dispatcher has one outbox row with
// its delivery state machine (queued -> sending -> sent | pending | failed | reconcile), the
// attempt count and the time of the next attempt. Messages sent directly (ChannelInstance::send)
// have none and are never picked up by a dispatcher. A table of its own rather than columns on
// messages: the message row stays what the API reads, the outbox row what the dispatcher claims.
#include "store/migrations.h"

namespace sb::store {

extern const std::string_view kMigrationV3;
const std::string_view kMigrationV3 = R"sql(
CREATE TABLE outbox (
  message_id         INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
  instance_id        TEXT    NOT NULL,
  state              TEXT    NOT NULL
    CHECK (state IN ('queued', 'sending', 'pending', 'sent', 'failed', 'reconcile')),
  attempts           INTEGER NOT NULL DEFAULT 0,
  next_attempt_at_ms INTEGER NOT NULL,
  -- When the retry horizon started counting (enqueue, or a supervisor's retry of a reconcile row).
  horizon_start_ms   INTEGER NOT NULL,
  updated_at_ms      INTEGER NOT NULL
);
-- The dispatcher's claim query: due rows of one instance, oldest first.
CREATE INDEX outbox_due ON outbox (instance_id, state, next_attempt_at_ms, message_id);
)sql";

}  // namespace sb::store
