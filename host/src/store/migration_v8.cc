// Schema v8: where agents have read each conversation up to (POST /v1/conversations/{id}/read),
// which inbound message the channel last marked read for the customer (read receipts), and the
// business address (number) each conversation lives on.
// A released migration is never edited.
#include "store/migrations.h"

namespace sb::store {

extern const std::string_view kMigrationV8;
const std::string_view kMigrationV8 = R"sql(
-- One row per conversation that someone has read. The read position only moves forward;
-- receipt_message_id trails it until the channel confirmed the receipt (0 = none yet, or the
-- channel has no read receipts), so a receipt is sent once per position, never twice.
CREATE TABLE conversation_reads (
  conversation_id      INTEGER PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
  last_read_message_id INTEGER NOT NULL,
  read_by              TEXT    NOT NULL,
  read_at_ms           INTEGER NOT NULL,
  receipt_message_id   INTEGER NOT NULL DEFAULT 0,
  receipt_at_ms        INTEGER NOT NULL DEFAULT 0
);

-- Our address the customer wrote to (a WhatsApp phone number id, a mailbox): one instance may
-- serve several business numbers, and a conversation lives on one of them so replies leave from
-- the number the customer chose. No row (conversations from before v8, channels without an
-- address) matches any address. A table of its own rather than ALTER TABLE conversations: a
-- connection that ran ALTER TABLE fails its next statement once when another connection changes
-- the schema later (SQLite 3.40).
CREATE TABLE conversation_addresses (
  conversation_id  INTEGER PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
  business_address TEXT    NOT NULL
);
)sql";

}  // namespace sb::store
