#include "store/sqlite_db.h"

namespace sb::store::sqlite {

Db::~Db() {
  cache_.clear();  // statements must be finalized before the connection closes
  if (db_ != nullptr) sqlite3_close(db_);
}

sb::Status Db::open(const std::string& file) {
  // NOMUTEX: the store serialises access itself; SQLite's own mutex would be redundant.
  int rc =
      sqlite3_open_v2(file.c_str(), &db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    return sb::unavailable("cannot open database " + file + ": " + msg);
  }
  sqlite3_extended_result_codes(db_, 1);
  return {};
}

sb::Result<std::unique_ptr<Stmt>> Db::prepare(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    if (rc != SQLITE_OK) return error("prepare", rc);
    it = cache_.emplace(std::string(sql), raw).first;
  }
  return std::make_unique<Stmt>(it->second.get());
}

sb::Status Db::exec(const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return {};
  std::string msg = err ? err : sqlite3_errstr(rc);
  sqlite3_free(err);
  return error(msg, rc);
}

sb::Status Db::error(std::string_view what, int rc) const {
  std::string msg = std::string(what) + ": " + (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
  switch (rc & 0xFF) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return sb::unavailable(msg);
    case SQLITE_FULL:
      return {sb::Code::kResourceExhausted, msg};
    case SQLITE_CONSTRAINT:
      return {sb::Code::kInvalidArgument, msg};
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_PERM:
      return sb::unavailable(msg);
    default:
      return sb::internal_error(msg);
  }
}

Transaction::~Transaction() {
  if (open_) (void)db_.exec("ROLLBACK");
}

sb::Status Transaction::begin() {
  auto st = db_.exec("BEGIN IMMEDIATE");
  open_ = st.is_ok();
  return st;
}

sb::Status Transaction::commit() {
  auto st = db_.exec("COMMIT");
  if (st) open_ = false;
  return st;
}

}  // namespace sb::store::sqlite
