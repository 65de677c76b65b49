// Schema v9: API tokens may have the role 'bot' (a bot queue's credentials; the token's name is
// the queue id). SQLite cannot change a CHECK constraint in place, so the table is rebuilt with
// its rows and ids. A released migration is never edited.
#include "store/migrations.h"

namespace sb::store {

extern const std::string_view kMigrationV9;
const std::string_view kMigrationV9 = R"sql(
CREATE TABLE api_tokens_v9 (
  id           INTEGER PRIMARY KEY,
  name         TEXT    NOT NULL,
  role         TEXT    NOT NULL CHECK (role IN ('agent', 'supervisor', 'admin', 'bot')),
  token_hash   TEXT    NOT NULL UNIQUE,
  created_at   INTEGER NOT NULL,
  last_used_at INTEGER NOT NULL DEFAULT 0,
  revoked_at   INTEGER NOT NULL DEFAULT 0
);
INSERT INTO api_tokens_v9 (id, name, role, token_hash, created_at, last_used_at, revoked_at)
  SELECT id, name, role, token_hash, created_at, last_used_at, revoked_at FROM api_tokens;
DROP TABLE api_tokens;
ALTER TABLE api_tokens_v9 RENAME TO api_tokens;
)sql";

}  // namespace sb::store
