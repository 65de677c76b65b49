#include <sqlite3.h>

#include <fstream>
#include <vector>

#include "store/migrations.h"
#include "store/sqlite_db.h"
#include "store_test_util.h"

namespace sb::store {
namespace {

using testing::TempDirTest;

// Runs SQL on the database through a second connection, as another process would.
void exec_raw(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  EXPECT_EQ(rc, SQLITE_OK) << (err ? err : "");
  sqlite3_free(err);
  sqlite3_close(db);
}

int64_t count_rows(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK);
  EXPECT_EQ(sqlite3_step(st), SQLITE_ROW);
  int64_t n = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return n;
}

class SqliteStoreTest : public TempDirTest {};

TEST_F(SqliteStoreTest, MigrationsAreIdempotentAcrossReopen) {
  {
    auto s = open();
    ASSERT_TRUE(s);
    EXPECT_EQ(s->schema_version(), latest_schema_version());
    ASSERT_TRUE(s->kv_put("a", "k", "v").is_ok());
  }
  {
    auto s = open();
    ASSERT_TRUE(s);
    EXPECT_EQ(s->schema_version(), latest_schema_version());
    auto v = s->kv_get("a", "k");
    ASSERT_TRUE(v.is_ok());
    EXPECT_EQ(v->value_or(""), "v");  // data survives reopen
  }
  EXPECT_EQ(count_rows(dir_ / "sb.db", "SELECT COUNT(*) FROM schema_migrations"),
            latest_schema_version());
  EXPECT_EQ(count_rows(dir_ / "sb.db",
                       "SELECT COUNT(*) FROM pragma_journal_mode WHERE journal_mode='wal'"),
            1);
}

TEST_F(SqliteStoreTest, MigrationsApplyInOrderAndAFailingStepRollsBack) {
  sqlite::Db db;
  ASSERT_TRUE(db.open((dir_ / "m.db").string()).is_ok());
  const Migration first[] = {{1, "one", "CREATE TABLE a (x INTEGER);"},
                             {2, "two", "ALTER TABLE a ADD COLUMN y TEXT;"}};
  auto v = apply_migrations(db, first, "m.db", 1);
  ASSERT_TRUE(v.is_ok()) << v.status().message();
  EXPECT_EQ(*v, 2);
  // Again: nothing to do.
  v = apply_migrations(db, first, "m.db", 2);
  ASSERT_TRUE(v.is_ok());
  EXPECT_EQ(*v, 2);
  // A third step that fails half-way leaves no trace of itself.
  const Migration more[] = {
      first[0], first[1], {3, "three", "CREATE TABLE b (x INTEGER); CREATE TABLE a (x);"}};
  v = apply_migrations(db, more, "m.db", 3);
  ASSERT_FALSE(v.is_ok());
  EXPECT_NE(v.status().message().find("migration 3 (three) failed"), std::string::npos)
      << v.status().message();
  auto cur = current_schema_version(db);
  ASSERT_TRUE(cur.is_ok());
  EXPECT_EQ(*cur, 2);
  EXPECT_FALSE(db.exec("SELECT * FROM b").is_ok());  // rolled back
  EXPECT_TRUE(db.exec("SELECT y FROM a").is_ok());
}

TEST_F(SqliteStoreTest, NewerDatabaseIsRefused) {
  { ASSERT_TRUE(open()); }
  exec_raw(dir_ / "sb.db",
           "INSERT INTO schema_migrations (version, description, applied_at_ms) "
           "VALUES (99, 'future', 0)");
  auto s = open_sqlite_store(dir_ / "sb.db");
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(s.status().message(),
            "database " + (dir_ / "sb.db").string() +
                " has schema version 99, newer than this switchboard supports (" +
                std::to_string(latest_schema_version()) + "); upgrade switchboard");
}

TEST_F(SqliteStoreTest, UnusableDataDirIsOneClearLine) {
  std::ofstream(dir_ / "file") << "x";
  auto s = open_sqlite_store(dir_ / "file" / "sb.db");
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.status().message(),
            "data directory " + (dir_ / "file").string() + " is not a directory");
  s = open_sqlite_store(dir_ / "file" / "sub" / "sb.db");
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.status().message().rfind(
                "cannot create data directory " + (dir_ / "file" / "sub").string() + ": ", 0),
            0u)
      << s.status().message();
  EXPECT_EQ(s.status().message().find('\n'), std::string::npos);
  // A missing data directory is created.
  auto ok = open_sqlite_store(dir_ / "new" / "sb.db");
  ASSERT_TRUE(ok.is_ok()) << ok.status().message();
}

TEST_F(SqliteStoreTest, InboundDedupesPerInstance) {
  auto s = open();
  ASSERT_TRUE(s);
  auto m = inbound("wa", "wamid.1");
  m.attachments.push_back({"image", "image/jpeg", "a.jpg", "", "media-1", "cap", 1234});
  m.attachments.push_back({"document", "application/pdf", "b.pdf", "https://x/b", "", "", -1});
  auto r = s->insert_inbound(std::span(&m, 1));
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_EQ(r->at(0), InsertOutcome::kStored);

  auto changed = m;
  changed.text = "different text, same provider id";
  r = s->insert_inbound(std::span(&changed, 1));
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->at(0), InsertOutcome::kDuplicate);

  // Same provider id on another instance is a different message.
  auto other = inbound("sms", "wamid.1");
  r = s->insert_inbound(std::span(&other, 1));
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->at(0), InsertOutcome::kStored);

  auto stored = s->find_inbound("wa", "wamid.1");
  ASSERT_TRUE(stored.is_ok());
  ASSERT_TRUE(stored->has_value());
  EXPECT_EQ((*stored)->text, "hi");  // the duplicate changed nothing
  EXPECT_EQ((*stored)->direction, Direction::kInbound);
  auto atts = s->attachments((*stored)->id);
  ASSERT_TRUE(atts.is_ok());
  ASSERT_EQ(atts->size(), 2u);
  EXPECT_EQ((*atts)[0].provider_media_id, "media-1");
  EXPECT_EQ((*atts)[0].size_bytes, 1234);
  EXPECT_EQ((*atts)[1].url, "https://x/b");
  EXPECT_EQ((*atts)[1].size_bytes, -1);

  auto counters = s->counters();
  ASSERT_TRUE(counters.is_ok());
  ASSERT_EQ(counters->size(), 2u);
  EXPECT_EQ((*counters)[0].instance_id, "sms");
  EXPECT_EQ((*counters)[1].instance_id, "wa");
  EXPECT_EQ((*counters)[1].inbound, 1);  // the duplicate was not counted
}

TEST_F(SqliteStoreTest, DuplicatesWithinOneBatch) {
  auto s = open();
  ASSERT_TRUE(s);
  std::vector<InboundMessage> batch = {inbound("wa", "1"), inbound("wa", "2"), inbound("wa", "1")};
  auto r = s->insert_inbound(batch);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(
      *r, (std::vector{InsertOutcome::kStored, InsertOutcome::kStored, InsertOutcome::kDuplicate}));
}

TEST_F(SqliteStoreTest, BatchIsAllOrNothing) {
  auto s = open();
  ASSERT_TRUE(s);
  // An invalid message rejects the whole batch up front.
  std::vector<InboundMessage> bad = {inbound("wa", "a1"), inbound("wa", "")};
  auto r = s->insert_inbound(bad);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "inbound message 1: provider_message_id is empty");

  // A failure inside the transaction (a trigger aborting the 3rd insert) rolls back the first two.
  exec_raw(dir_ / "sb.db",
           "CREATE TRIGGER poison BEFORE INSERT ON messages WHEN NEW.provider_message_id = "
           "'poison' BEGIN SELECT RAISE(ABORT, 'poisoned'); END;");
  std::vector<InboundMessage> batch = {inbound("wa", "b1"), inbound("wa", "b2"),
                                       inbound("wa", "poison")};
  r = s->insert_inbound(batch);
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("poisoned"), std::string::npos) << r.status().message();
  for (const char* id : {"a1", "b1", "b2"}) {
    auto found = s->find_inbound("wa", id);
    ASSERT_TRUE(found.is_ok());
    EXPECT_FALSE(found->has_value()) << id;
  }
  // The store still works afterwards.
  r = s->insert_inbound(std::span(batch.data(), 2));
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_EQ(count_rows(dir_ / "sb.db", "SELECT COUNT(*) FROM messages"), 2);
}

TEST_F(SqliteStoreTest, OutboundLifecycleAndMonotonicStatus) {
  int64_t clock = 1000;
  StoreOptions opts;
  opts.now_ms = [&] { return clock; };
  auto s = open(opts);
  ASSERT_TRUE(s);
  OutboundMessage out{"wa", "+4915112345678", "", "text", "hello", "", "key-1", ""};
  auto id = s->insert_outbound(out);
  ASSERT_TRUE(id.is_ok()) << id.status().message();
  // The same idempotency key returns the same message.
  auto again = s->insert_outbound(out);
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(*again, *id);

  ASSERT_TRUE(s->set_provider_id(*id, "wamid.out.1").is_ok());
  auto apply = [&](DeliveryStatus st, int64_t mid, std::string pid) {
    DeliveryUpdate u;
    u.instance_id = "wa";
    u.message_id = mid;
    u.provider_message_id = std::move(pid);
    u.status = st;
    ++clock;
    return s->apply_delivery(u);
  };
  EXPECT_TRUE(apply(DeliveryStatus::kSent, 0, "wamid.out.1").is_ok());
  EXPECT_TRUE(apply(DeliveryStatus::kSent, 0, "wamid.out.1").is_ok());  // redelivered
  EXPECT_TRUE(apply(DeliveryStatus::kRead, *id, "").is_ok());
  EXPECT_TRUE(apply(DeliveryStatus::kDelivered, 0, "wamid.out.1").is_ok());  // late
  EXPECT_TRUE(apply(DeliveryStatus::kFailed, 0, "wamid.out.1").is_ok());     // never over read

  auto msg = s->get_message(*id);
  ASSERT_TRUE(msg.is_ok());
  ASSERT_TRUE(msg->has_value());
  EXPECT_EQ((*msg)->status, DeliveryStatus::kRead);
  EXPECT_EQ((*msg)->provider_message_id, "wamid.out.1");
  EXPECT_EQ((*msg)->idempotency_key, "key-1");
  EXPECT_EQ((*msg)->created_at_ms, 1000);
  EXPECT_EQ((*msg)->updated_at_ms, 1003);  // the read update; later ones did not move it

  auto history = s->status_history(*id);
  ASSERT_TRUE(history.is_ok());
  std::vector<DeliveryStatus> seen;
  for (const auto& e : *history) seen.push_back(e.status);
  // Each transition once, in order: the repeated sent and the late delivered and failed (which
  // did not change the status) are accepted but not listed.
  EXPECT_EQ(seen,
            (std::vector{DeliveryStatus::kQueued, DeliveryStatus::kSent, DeliveryStatus::kRead}));
}

TEST_F(SqliteStoreTest, FailedIsTerminalAndCounted) {
  auto s = open();
  ASSERT_TRUE(s);
  auto id = s->insert_outbound({"sms", "+4915112345678", "", "text", "x", "", "", ""});
  ASSERT_TRUE(id.is_ok());
  DeliveryUpdate u;
  u.message_id = *id;
  u.status = DeliveryStatus::kFailed;
  u.error_code = "131047";
  u.error_text = "re-engagement window";
  ASSERT_TRUE(s->apply_delivery(u).is_ok());
  u.status = DeliveryStatus::kDelivered;
  ASSERT_TRUE(s->apply_delivery(u).is_ok());
  auto msg = s->get_message(*id);
  ASSERT_TRUE(msg.is_ok() && msg->has_value());
  EXPECT_EQ((*msg)->status, DeliveryStatus::kFailed);
  auto c = s->counters();
  ASSERT_TRUE(c.is_ok());
  ASSERT_EQ(c->size(), 1u);
  EXPECT_EQ((*c)[0].outbound, 1);
  EXPECT_EQ((*c)[0].failed, 1);
  EXPECT_EQ((*c)[0].inbound, 0);
}

TEST_F(SqliteStoreTest, DeliveryForUnknownMessageIsNotFound) {
  auto s = open();
  ASSERT_TRUE(s);
  DeliveryUpdate u;
  u.instance_id = "wa";
  u.provider_message_id = "nope";
  u.status = DeliveryStatus::kSent;
  EXPECT_EQ(s->apply_delivery(u).code(), Code::kNotFound);
  u.message_id = 12345;
  EXPECT_EQ(s->apply_delivery(u).code(), Code::kNotFound);
  // A message of another instance is not found either.
  auto id = s->insert_outbound({"sms", "+1", "", "text", "x", "", "", ""});
  ASSERT_TRUE(id.is_ok());
  u.message_id = *id;
  EXPECT_EQ(s->apply_delivery(u).code(), Code::kNotFound);
  EXPECT_EQ(s->set_provider_id(999, "x").code(), Code::kNotFound);
}

TEST_F(SqliteStoreTest, KeyValuePerInstance) {
  auto s = open();
  ASSERT_TRUE(s);
  const std::string binary("a\0b\xff", 4);
  ASSERT_TRUE(s->kv_put("wa", "token", binary).is_ok());
  ASSERT_TRUE(s->kv_put("sms", "token", "other").is_ok());
  auto v = s->kv_get("wa", "token");
  ASSERT_TRUE(v.is_ok());
  EXPECT_EQ(v->value_or(""), binary);
  ASSERT_TRUE(s->kv_put("wa", "token", "replaced").is_ok());
  EXPECT_EQ(s->kv_get("wa", "token")->value_or(""), "replaced");
  ASSERT_TRUE(s->kv_delete("wa", "token").is_ok());
  EXPECT_FALSE(s->kv_get("wa", "token")->has_value());
  EXPECT_EQ(s->kv_get("sms", "token")->value_or(""), "other");
  EXPECT_TRUE(s->kv_delete("wa", "absent").is_ok());
  EXPECT_FALSE(s->kv_put("", "k", "v").is_ok());
}

}  // namespace
}  // namespace sb::store
