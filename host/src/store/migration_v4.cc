// Schema v4: API tokens, agents, queues (REST API).
// A released migration is never edited.
#include "store/migrations.h"

namespace sb::store {

extern const std::string_view kMigrationV4;
const std::string_view kMigrationV4 = R"sql(
-- Only the SHA-256 of a token is kept: a leaked database leaks no credentials.
CREATE TABLE api_tokens (
  id           INTEGER PRIMARY KEY,
  name         TEXT    NOT NULL,
  role         TEXT    NOT NULL CHECK (role IN ('agent', 'supervisor', 'admin')),
  token_hash   TEXT    NOT NULL UNIQUE,
  created_at   INTEGER NOT NULL,
  last_used_at INTEGER NOT NULL DEFAULT 0,
  revoked_at   INTEGER NOT NULL DEFAULT 0
);

-- An agent's id is what conversations.assignee holds and what an agent token's name names.
CREATE TABLE agents (
  id             TEXT    PRIMARY KEY,
  name           TEXT    NOT NULL DEFAULT '',
  skills         TEXT    NOT NULL DEFAULT '[]',
  max_concurrent INTEGER NOT NULL DEFAULT 5 CHECK (max_concurrent >= 0),
  presence       TEXT    NOT NULL DEFAULT 'offline'
                 CHECK (presence IN ('online', 'away', 'offline')),
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL
) WITHOUT ROWID;

-- A queue's id is what conversations.queue holds.
CREATE TABLE queues (
  id         TEXT    PRIMARY KEY,
  name       TEXT    NOT NULL DEFAULT '',
  strategy   TEXT    NOT NULL DEFAULT 'round_robin'
             CHECK (strategy IN ('round_robin', 'least_busy', 'sticky')),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE agent_queues (
  agent_id TEXT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
  queue_id TEXT NOT NULL REFERENCES queues (id) ON DELETE CASCADE,
  PRIMARY KEY (agent_id, queue_id)
) WITHOUT ROWID;
CREATE INDEX agent_queues_queue ON agent_queues (queue_id);
)sql";

}  // namespace sb::store
