// Schema v9 rebuilds api_tokens for the bot role: existing tokens keep their ids and fields.
#include <unistd.h>

#include <filesystem>
#include <memory>

#include <gtest/gtest.h>

#include "store/migrations.h"
#include "store/sqlite_db.h"

namespace sb::store {
namespace {

TEST(MigrationV9, TokensSurviveTheRebuildAndTheBotRoleIsAccepted) {
  const auto file = std::filesystem::temp_directory_path() /
                    ("sb_migration_v9_" + std::to_string(::getpid()) + ".db");
  std::filesystem::remove(file);
  auto owned = std::make_unique<sqlite::Db>();
  sqlite::Db& db = *owned;
  ASSERT_TRUE(db.open(file.string()));
  const auto all = builtin_migrations();
  ASSERT_GE(all.size(), 9u);
  auto v7 = apply_migrations(db, all.first(8), "test", 1);
  ASSERT_TRUE(v7) << v7.status().message();
  ASSERT_EQ(*v7, 8);
  ASSERT_TRUE(
      db.exec("INSERT INTO api_tokens (id, name, role, token_hash, created_at, "
              "last_used_at, revoked_at) VALUES (7, 'sue', 'supervisor', 'h7', 10, 20, 0), "
              "(9, 'old', 'agent', 'h9', 11, 0, 30)"));
  EXPECT_FALSE(
      db.exec("INSERT INTO api_tokens (name, role, token_hash, created_at) VALUES "
              "('faq', 'bot', 'hb', 12)"));  // v8 refuses the role

  auto latest = apply_migrations(db, all, "test", 2);
  ASSERT_TRUE(latest) << latest.status().message();
  EXPECT_GE(*latest, 9);
  auto q = db.prepare(
      "SELECT group_concat(id || ':' || name || ':' || role || ':' || token_hash || ':' || "
      "created_at || ':' || last_used_at || ':' || revoked_at, ' ') FROM "
      "(SELECT * FROM api_tokens ORDER BY id)");
  ASSERT_TRUE(q);
  ASSERT_EQ((*q)->step(), SQLITE_ROW);
  EXPECT_EQ((*q)->text(0), "7:sue:supervisor:h7:10:20:0 9:old:agent:h9:11:0:30");
  EXPECT_TRUE(
      db.exec("INSERT INTO api_tokens (name, role, token_hash, created_at) VALUES "
              "('faq', 'bot', 'hb', 12)"));
  EXPECT_FALSE(
      db.exec("INSERT INTO api_tokens (name, role, token_hash, created_at) VALUES "
              "('x', 'root', 'hr', 12)"));
  EXPECT_FALSE(
      db.exec("INSERT INTO api_tokens (name, role, token_hash, created_at) VALUES "
              "('dup', 'agent', 'h7', 12)"));  // the hash stays unique
  q->reset();
  owned.reset();
  std::filesystem::remove(file);
}

}  // namespace
}  // namespace sb::store
