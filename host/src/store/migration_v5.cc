// Schema v5: routing. Agents, their presence and queue membership are the REST API's v4 tables;
// rules, business hours and auto-reply texts are configuration (routing/config.h). What routing
// adds is what changes at run time: the assignment log, each queue's round-robin position and
// when an auto-reply of a kind last went to a conversation.
// A released migration is never edited.
#include "store/migrations.h"

namespace sb::store {

extern const std::string_view kMigrationV5;
const std::string_view kMigrationV5 = R"sql(
-- Every routing decision; agent_id NULL = waiting in the queue. Sticky routing reads the newest
-- row of the contact's conversations.
CREATE TABLE routing_assignments (
  id              INTEGER PRIMARY KEY,
  conversation_id INTEGER NOT NULL REFERENCES conversations (id),
  agent_id        TEXT,
  queue           TEXT    NOT NULL DEFAULT '',
  reason          TEXT    NOT NULL,
  actor           TEXT    NOT NULL DEFAULT '',
  at_ms           INTEGER NOT NULL
);
CREATE INDEX routing_assignments_conversation ON routing_assignments (conversation_id, id);
CREATE INDEX routing_assignments_agent ON routing_assignments (agent_id, at_ms)
  WHERE agent_id IS NOT NULL;

CREATE TABLE routing_queue_state (
  queue         TEXT    PRIMARY KEY,
  last_agent    TEXT    NOT NULL,
  updated_at_ms INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE routing_auto_replies (
  conversation_id INTEGER NOT NULL REFERENCES conversations (id),
  kind            TEXT    NOT NULL,
  sent_at_ms      INTEGER NOT NULL,
  PRIMARY KEY (conversation_id, kind)
) WITHOUT ROWID;
)sql";

}  // namespace sb::store
