// Thin RAII over the SQLite C API: a connection, cached prepared statements, transactions.
// Internal to sb_store.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <sqlite3.h>

#include "core/status.h"

namespace sb::store::sqlite {

// A statement borrowed from the cache; reset and unbound when it goes out of scope.
class Stmt {
 public:
  explicit Stmt(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~Stmt() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  // Text is bound without copying: it must outlive step().
  Stmt& bind(int index, std::string_view text) {
    sqlite3_bind_text64(stmt_, index, text.data() ? text.data() : "", text.size(), SQLITE_STATIC,
                        SQLITE_UTF8);
    return *this;
  }
  Stmt& bind_blob(int index, std::string_view bytes) {
    sqlite3_bind_blob64(stmt_, index, bytes.data() ? bytes.data() : "", bytes.size(),
                        SQLITE_STATIC);
    return *this;
  }
  Stmt& bind(int index, int64_t value) {
    sqlite3_bind_int64(stmt_, index, value);
    return *this;
  }
  Stmt& bind_null(int index) {
    sqlite3_bind_null(stmt_, index);
    return *this;
  }
  // Binds NULL for an empty string (for optional UNIQUE columns).
  Stmt& bind_or_null(int index, std::string_view text) {
    return text.empty() ? bind_null(index) : bind(index, text);
  }

  int step() { return sqlite3_step(stmt_); }

  int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string text(int col) const {
    const void* data = sqlite3_column_blob(stmt_, col);
    int size = sqlite3_column_bytes(stmt_, col);
    return data ? std::string(static_cast<const char*>(data), static_cast<size_t>(size))
                : std::string();
  }

 private:
  sqlite3_stmt* stmt_;
};

class Db {
 public:
  Db() = default;
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Opens or creates the file. One line on failure.
  sb::Status open(const std::string& file);
  sqlite3* handle() const { return db_; }

  // A cached prepared statement. `sql` must be a string literal (the cache keys on its text).
  sb::Result<std::unique_ptr<Stmt>> prepare(std::string_view sql);
  // Runs one or more statements without results (schema, pragmas, BEGIN/COMMIT).
  sb::Status exec(const std::string& sql);
  // An error Status for the last failure, "what: sqlite message".
  sb::Status error(std::string_view what, int rc) const;

 private:
  struct StmtDeleter {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
  };
  sqlite3* db_ = nullptr;
  std::map<std::string, std::unique_ptr<sqlite3_stmt, StmtDeleter>, std::less<>> cache_;
};

// BEGIN IMMEDIATE now, ROLLBACK on destruction unless commit() succeeded.
class Transaction {
 public:
  explicit Transaction(Db& db) : db_(db) {}
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  sb::Status begin();
  sb::Status commit();

 private:
  Db& db_;
  bool open_ = false;
};

}  // namespace sb::store::sqlite
