// Versioned schema migrations, applied in order at open, each in its own transaction and recorded
// in schema_migrations. Internal to sb_store (exposed for tests).
#pragma once

#include <span>
#include <string_view>

#include "core/status.h"
#include "store/sqlite_db.h"

namespace sb::store {

struct Migration {
  int version;  // 1, 2, 3, ... without gaps
  std::string_view description;
  std::string_view sql;  // one or more statements
};

// The migrations this code ships, oldest first.
std::span<const Migration> builtin_migrations();

// Applies every migration newer than the database's version. Returns the resulting version.
// A database whose version is newer than the newest migration is refused (kFailedPrecondition).
sb::Result<int> apply_migrations(sqlite::Db& db, std::span<const Migration> migrations,
                                 std::string_view db_name, int64_t now_ms);

// The highest applied version, 0 for a fresh database.
sb::Result<int> current_schema_version(sqlite::Db& db);

}  // namespace sb::store
