#include "store/migrations.h"

#include <string>

namespace sb::store {
namespace {

// Schema v1. Later versions add tables/columns (contacts, conversations, outbox state) as new
// entries; a released migration is never edited.
constexpr std::string_view kV1 = R"sql(
CREATE TABLE messages (
  id                   INTEGER PRIMARY KEY,
  instance_id          TEXT    NOT NULL,
  direction            TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
  provider_message_id  TEXT,
  idempotency_key      TEXT,
  from_addr            TEXT    NOT NULL DEFAULT '',
  from_kind            TEXT    NOT NULL DEFAULT '',
  from_name            TEXT    NOT NULL DEFAULT '',
  to_addr              TEXT    NOT NULL DEFAULT '',
  content_type         TEXT    NOT NULL DEFAULT '',
  text                 TEXT    NOT NULL DEFAULT '',
  payload_json         TEXT    NOT NULL DEFAULT '',
  raw                  TEXT    NOT NULL DEFAULT '',
  reply_to_provider_id TEXT    NOT NULL DEFAULT '',
  thread_key           TEXT    NOT NULL DEFAULT '',
  flags                INTEGER NOT NULL DEFAULT 0,
  sent_at_ms           INTEGER NOT NULL DEFAULT 0,
  status               INTEGER NOT NULL CHECK (status BETWEEN 1 AND 5),
  error_code           TEXT    NOT NULL DEFAULT '',
  error_text           TEXT    NOT NULL DEFAULT '',
  created_at_ms        INTEGER NOT NULL,
  updated_at_ms        INTEGER NOT NULL
);
-- Redelivered webhooks are no-ops: one inbound row per (instance, provider id).
CREATE UNIQUE INDEX messages_inbound_dedupe
  ON messages (instance_id, provider_message_id) WHERE direction = 'in';
CREATE INDEX messages_outbound_provider_id
  ON messages (instance_id, provider_message_id) WHERE direction = 'out';
CREATE UNIQUE INDEX messages_outbound_idempotency
  ON messages (instance_id, idempotency_key) WHERE direction = 'out' AND idempotency_key IS NOT NULL;
CREATE INDEX messages_instance_created ON messages (instance_id, created_at_ms);

CREATE TABLE message_status_history (
  id             INTEGER PRIMARY KEY,
  message_id     INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  status         INTEGER NOT NULL CHECK (status BETWEEN 1 AND 5),
  timestamp_ms   INTEGER NOT NULL,
  error_code     TEXT    NOT NULL DEFAULT '',
  error_text     TEXT    NOT NULL DEFAULT '',
  extra_json     TEXT    NOT NULL DEFAULT '',
  raw            TEXT    NOT NULL DEFAULT '',
  recorded_at_ms INTEGER NOT NULL
);
CREATE INDEX message_status_history_message ON message_status_history (message_id, id);

CREATE TABLE attachments (
  id                INTEGER PRIMARY KEY,
  message_id        INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  position          INTEGER NOT NULL,
  kind              TEXT    NOT NULL DEFAULT '',
  mime_type         TEXT    NOT NULL DEFAULT '',
  filename          TEXT    NOT NULL DEFAULT '',
  url               TEXT    NOT NULL DEFAULT '',
  provider_media_id TEXT    NOT NULL DEFAULT '',
  caption           TEXT    NOT NULL DEFAULT '',
  size_bytes        INTEGER NOT NULL DEFAULT -1,
  UNIQUE (message_id, position)
);

CREATE TABLE kv (
  instance_id   TEXT    NOT NULL,
  key           TEXT    NOT NULL,
  value         BLOB    NOT NULL,
  updated_at_ms INTEGER NOT NULL,
  PRIMARY KEY (instance_id, key)
) WITHOUT ROWID;

-- Kept by triggers so /metrics never scans messages.
CREATE TABLE instance_counters (
  instance_id TEXT    PRIMARY KEY,
  inbound     INTEGER NOT NULL DEFAULT 0,
  outbound    INTEGER NOT NULL DEFAULT 0,
  failed      INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TRIGGER messages_count_insert AFTER INSERT ON messages
BEGIN
  INSERT INTO instance_counters (instance_id, inbound, outbound, failed)
    VALUES (NEW.instance_id, NEW.direction = 'in', NEW.direction = 'out',
            NEW.direction = 'out' AND NEW.status = 5)
    ON CONFLICT (instance_id) DO UPDATE SET
      inbound = inbound + excluded.inbound,
      outbound = outbound + excluded.outbound,
      failed = failed + excluded.failed;
END;

CREATE TRIGGER messages_count_failed AFTER UPDATE OF status ON messages
  WHEN NEW.direction = 'out' AND NEW.status = 5 AND OLD.status <> 5
BEGIN
  UPDATE instance_counters SET failed = failed + 1 WHERE instance_id = NEW.instance_id;
END;
)sql";

// Schema v2: the unified core's model. Messages gain their contact and conversation; the v1
// columns stay as they were.
constexpr std::string_view kV2 = R"sql(
CREATE TABLE contacts (
  id            INTEGER PRIMARY KEY,
  display_name  TEXT    NOT NULL DEFAULT '',
  merged_into   INTEGER REFERENCES contacts (id),
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL
);

CREATE TABLE identities (
  id            INTEGER PRIMARY KEY,
  contact_id    INTEGER NOT NULL REFERENCES contacts (id),
  kind          TEXT    NOT NULL,
  address       TEXT    NOT NULL,
  instance_id   TEXT    NOT NULL DEFAULT '',
  created_at_ms INTEGER NOT NULL,
  UNIQUE (kind, address)
);
CREATE INDEX identities_contact ON identities (contact_id);

CREATE TABLE conversations (
  id                   INTEGER PRIMARY KEY,
  contact_id           INTEGER NOT NULL REFERENCES contacts (id),
  instance_id          TEXT    NOT NULL,
  reference            TEXT    NOT NULL UNIQUE,
  status               INTEGER NOT NULL CHECK (status BETWEEN 1 AND 3),
  assignee             TEXT,
  queue                TEXT,
  opened_at_ms         INTEGER NOT NULL,
  pending_at_ms        INTEGER NOT NULL DEFAULT 0,
  resolved_at_ms       INTEGER NOT NULL DEFAULT 0,
  first_response_at_ms INTEGER NOT NULL DEFAULT 0,
  last_message_at_ms   INTEGER NOT NULL DEFAULT 0,
  created_at_ms        INTEGER NOT NULL,
  updated_at_ms        INTEGER NOT NULL
);
CREATE INDEX conversations_contact_instance ON conversations (contact_id, instance_id, id);
CREATE INDEX conversations_queue ON conversations (queue, status) WHERE queue IS NOT NULL;
CREATE INDEX conversations_assignee ON conversations (assignee, status) WHERE assignee IS NOT NULL;

CREATE TABLE contact_merges (
  id             INTEGER PRIMARY KEY,
  survivor_id    INTEGER NOT NULL REFERENCES contacts (id),
  merged_id      INTEGER NOT NULL REFERENCES contacts (id),
  actor          TEXT    NOT NULL,
  reason         TEXT    NOT NULL DEFAULT '',
  merged_at_ms   INTEGER NOT NULL,
  unmerged_at_ms INTEGER NOT NULL DEFAULT 0,
  unmerged_by    TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX contact_merges_survivor ON contact_merges (survivor_id);
CREATE INDEX contact_merges_merged ON contact_merges (merged_id);

-- Exactly which rows a merge moved, so un-merge moves those back and nothing else.
CREATE TABLE contact_merge_moves (
  merge_id INTEGER NOT NULL REFERENCES contact_merges (id),
  kind     TEXT    NOT NULL CHECK (kind IN ('identity', 'conversation', 'message')),
  row_id   INTEGER NOT NULL,
  PRIMARY KEY (merge_id, kind, row_id)
) WITHOUT ROWID;

ALTER TABLE messages ADD COLUMN contact_id INTEGER REFERENCES contacts (id);
ALTER TABLE messages ADD COLUMN conversation_id INTEGER REFERENCES conversations (id);
CREATE INDEX messages_contact_timeline ON messages (contact_id, created_at_ms, id)
  WHERE contact_id IS NOT NULL;
CREATE INDEX messages_conversation ON messages (conversation_id, id)
  WHERE conversation_id IS NOT NULL;

-- Full-text index over message text, kept in step with messages by triggers.
CREATE VIRTUAL TABLE messages_fts USING fts5 (
  text, content = 'messages', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages
BEGIN
  INSERT INTO messages_fts (rowid, text) VALUES (NEW.id, NEW.text);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', OLD.id, OLD.text);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages
BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', OLD.id, OLD.text);
  INSERT INTO messages_fts (rowid, text) VALUES (NEW.id, NEW.text);
END;
)sql";

}  // namespace

// Later schema versions live in files of their own (migration_vN.cc), one per feature area.
extern const std::string_view kMigrationV3;
extern const std::string_view kMigrationV4;
extern const std::string_view kMigrationV5;
extern const std::string_view kMigrationV6;
extern const std::string_view kMigrationV7;
extern const std::string_view kMigrationV8;
extern const std::string_view kMigrationV9;
extern const std::string_view kMigrationV10;
extern const std::string_view kMigrationV11;

namespace {

const Migration kMigrations[] = {
    {1, "messages, status history, attachments, kv, counters", kV1},
    {2, "contacts, identities, conversations, merges, message links, full-text index", kV2},
    {3, "outbox: attempts, next attempt, reconciliation", kMigrationV3},
    {4, "api tokens, agents, queues", kMigrationV4},
    {5, "routing rules, business hours, auto-replies", kMigrationV5},
    {6, "cost ledger", kMigrationV6},
    {7, "events and outbound webhook deliveries", kMigrationV7},
    {8, "conversation read positions, read receipts, business address", kMigrationV8},
    {9, "api tokens: the bot role", kMigrationV9},
    {10, "inbound messages pending routing", kMigrationV10},
    {11, "conversation notes: not counted as outbound messages", kMigrationV11},
};

constexpr std::string_view kCreateMigrationsTable = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  version       INTEGER PRIMARY KEY,
  description   TEXT    NOT NULL,
  applied_at_ms INTEGER NOT NULL
))sql";

}  // namespace

std::span<const Migration> builtin_migrations() {
  return kMigrations;
}

sb::Result<int> current_schema_version(sqlite::Db& db) {
  auto q = db.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!q) return q.status();
  int rc = (*q)->step();
  if (rc != SQLITE_ROW) return db.error("read schema version", rc);
  return static_cast<int>((*q)->int64(0));
}

sb::Result<int> apply_migrations(sqlite::Db& db, std::span<const Migration> migrations,
                                 std::string_view db_name, int64_t now_ms) {
  if (auto st = db.exec(std::string(kCreateMigrationsTable)); !st) return st;
  const int latest = migrations.empty() ? 0 : migrations.back().version;
  for (const auto& m : migrations) {
    // Re-read the version inside the write lock: another process may have migrated meanwhile.
    sqlite::Transaction txn(db);
    if (auto st = txn.begin(); !st) return st;
    auto version = current_schema_version(db);
    if (!version) return version.status();
    if (*version > latest) {
      return sb::failed_precondition("database " + std::string(db_name) + " has schema version " +
                                     std::to_string(*version) +
                                     ", newer than this switchboard supports (" +
                                     std::to_string(latest) + "); upgrade switchboard");
    }
    if (m.version <= *version) continue;
    if (m.version != *version + 1) {
      return sb::internal_error("migration " + std::to_string(m.version) + " does not follow " +
                                std::to_string(*version));
    }
    if (auto st = db.exec(std::string(m.sql)); !st) {
      return sb::Status(st.code(), "migration " + std::to_string(m.version) + " (" +
                                       std::string(m.description) + ") failed: " + st.message());
    }
    auto ins = db.prepare(
        "INSERT INTO schema_migrations (version, description, applied_at_ms) VALUES (?1, ?2, ?3)");
    if (!ins) return ins.status();
    (*ins)->bind(1, int64_t{m.version}).bind(2, m.description).bind(3, now_ms);
    if (int rc = (*ins)->step(); rc != SQLITE_DONE) return db.error("record migration", rc);
    ins->reset();  // release the statement before COMMIT
    if (auto st = txn.commit(); !st) return st;
  }
  auto version = current_schema_version(db);
  if (version && *version > latest) {
    return sb::failed_precondition("database " + std::string(db_name) + " has schema version " +
                                   std::to_string(*version) +
                                   ", newer than this switchboard supports (" +
                                   std::to_string(latest) + "); upgrade switchboard");
  }
  return version;
}

}  // namespace sb::store
