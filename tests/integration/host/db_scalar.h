// Reads one value from a running host's database, read-only and beside its own connection (WAL):
// what an operator's `sqlite3 switchboard.db 'SELECT ...'` would print. "" for no row or NULL.
#pragma once

#include <sqlite3.h>

#include <filesystem>
#include <string>

namespace sbtest {

inline std::string db_scalar(const std::filesystem::path& db_file, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(db_file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* st = nullptr;
  std::string out;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != nullptr) {
    out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

}  // namespace sbtest
