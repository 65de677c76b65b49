// Timeline and search latency on a large store (1,000,000 messages by default; SB_BENCH_MESSAGES
// changes it), through ConversationService next to the bare SQL the service ends in, same run.
//
//   BM_Timeline_RawSql         SELECT ... WHERE contact_id = ? ORDER BY created_at_ms DESC LIMIT 50
//   BM_Timeline_Service        ConversationService::timeline, first page and a page deep (cursor)
//   BM_Search_RawFts           SELECT ... FROM messages_fts MATCH ? LIMIT 50
//   BM_Search_Service          ConversationService::search: words, contact filter, channel + time
//
// The store is generated once (10,000 contacts with a phone identity, 3 channel instances, a
// conversation per contact and instance, messages of words from a fixed vocabulary) and kept in
// the temp directory for later runs.
#include <benchmark/benchmark.h>
#include <sqlite3.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <random>
#include <string>

#include "bench_support.h"
#include "conversations/service.h"
#include "store/store.h"

namespace {

namespace fs = std::filesystem;

constexpr int kContacts = 10'000;
constexpr const char* kInstances[] = {"wa-1", "sms-1", "mail-1"};
constexpr const char* kWords[] = {
    "order",  "delivery", "refund", "invoice", "password", "account", "shipping", "broken",
    "thanks", "hello",    "please", "status",  "tracking", "address", "payment",  "cancel",
    "return", "warranty", "urgent", "today",   "parcel",   "damaged", "late",     "voucher"};

int64_t message_count() {
  const char* env = std::getenv("SB_BENCH_MESSAGES");
  return env != nullptr ? std::max<int64_t>(1000, std::atoll(env)) : 1'000'000;
}

void exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string m = err ? err : "?";
    sqlite3_free(err);
    throw std::runtime_error(m);
  }
}

// Fills a freshly migrated database with the synthetic workload, in large transactions.
void generate(const fs::path& file, int64_t messages) {
  sqlite3* db = nullptr;
  sqlite3_open(file.c_str(), &db);
  exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; BEGIN");
  sqlite3_stmt* contact = nullptr;
  sqlite3_stmt* identity = nullptr;
  sqlite3_stmt* conversation = nullptr;
  sqlite3_stmt* message = nullptr;
  sqlite3_prepare_v2(
      db,
      "INSERT INTO contacts (id, display_name, created_at_ms, updated_at_ms) VALUES (?1, ?2, 0, 0)",
      -1, &contact, nullptr);
  sqlite3_prepare_v2(db,
                     "INSERT INTO identities (contact_id, kind, address, created_at_ms) VALUES "
                     "(?1, 'phone', ?2, 0)",
                     -1, &identity, nullptr);
  sqlite3_prepare_v2(
      db,
      "INSERT INTO conversations (id, contact_id, instance_id, reference, status, "
      "opened_at_ms, created_at_ms, updated_at_ms) VALUES (?1, ?2, ?3, ?4, 1, 0, 0, 0)",
      -1, &conversation, nullptr);
  sqlite3_prepare_v2(
      db,
      "INSERT INTO messages (instance_id, direction, provider_message_id, from_addr, "
      "from_kind, content_type, text, status, created_at_ms, updated_at_ms, "
      "contact_id, conversation_id) VALUES (?1, 'in', ?2, ?3, 'phone', 'text', ?4, 3, "
      "?5, ?5, ?6, ?7)",
      -1, &message, nullptr);
  for (int c = 1; c <= kContacts; ++c) {
    const std::string phone = "+4930" + std::to_string(1000000 + c);
    sqlite3_bind_int64(contact, 1, c);
    sqlite3_bind_text(contact, 2, ("Customer " + std::to_string(c)).c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_step(contact);
    sqlite3_reset(contact);
    sqlite3_bind_int64(identity, 1, c);
    sqlite3_bind_text(identity, 2, phone.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_step(identity);
    sqlite3_reset(identity);
    for (int i = 0; i < 3; ++i) {
      sqlite3_bind_int64(conversation, 1, (c - 1) * 3 + i + 1);
      sqlite3_bind_int64(conversation, 2, c);
      sqlite3_bind_text(conversation, 3, kInstances[i], -1, SQLITE_STATIC);
      sqlite3_bind_text(conversation, 4, ("BENCH-" + std::to_string((c - 1) * 3 + i)).c_str(), -1,
                        SQLITE_TRANSIENT);
      sqlite3_step(conversation);
      sqlite3_reset(conversation);
    }
  }
  std::mt19937_64 rng(42);
  for (int64_t m = 1; m <= messages; ++m) {
    const int c = static_cast<int>(rng() % kContacts) + 1;
    const int i = static_cast<int>(rng() % 3);
    std::string text;
    for (int w = 0; w < 8; ++w) {
      if (w) text += ' ';
      text += kWords[rng() % std::size(kWords)];
    }
    sqlite3_bind_text(message, 1, kInstances[i], -1, SQLITE_STATIC);
    sqlite3_bind_text(message, 2, ("gen-" + std::to_string(m)).c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(message, 3, ("+4930" + std::to_string(1000000 + c)).c_str(), -1,
                      SQLITE_TRANSIENT);
    sqlite3_bind_text(message, 4, text.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(message, 5, 1'700'000'000'000 + m * 1000);
    sqlite3_bind_int64(message, 6, c);
    sqlite3_bind_int64(message, 7, (c - 1) * 3 + i + 1);
    sqlite3_step(message);
    sqlite3_reset(message);
    if (m % 100'000 == 0) exec(db, "COMMIT; BEGIN");
  }
  exec(db, "COMMIT; PRAGMA wal_checkpoint(TRUNCATE); ANALYZE;");
  for (sqlite3_stmt* s : {contact, identity, conversation, message}) sqlite3_finalize(s);
  sqlite3_close(db);
}

struct Fixture {
  int64_t messages = message_count();
  fs::path file = fs::temp_directory_path() /
                  ("sb-timeline-bench-v" + std::to_string(sb::store::latest_schema_version()) +
                   "-" + std::to_string(messages) + ".db");
  std::unique_ptr<sb::store::Store> store;
  std::unique_ptr<sb::conversations::ConversationService> service;
  sqlite3* raw = nullptr;

  Fixture() {
    if (!fs::exists(file)) {
      const fs::path partial = file.string() + ".partial";
      fs::remove(partial);
      {
        auto created = sb::store::open_sqlite_store(partial);  // applies the migrations
        if (!created) throw std::runtime_error(created.status().to_string());
      }
      std::cerr << "generating " << messages << " messages in " << file << " ...\n";
      generate(partial, messages);
      fs::rename(partial, file);
    }
    auto opened = sb::store::open_sqlite_store(file);
    if (!opened) throw std::runtime_error(opened.status().to_string());
    store = std::move(opened).value();
    service = std::make_unique<sb::conversations::ConversationService>(*store->model());
    sqlite3_open_v2(file.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  }
  ~Fixture() { sqlite3_close(raw); }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void BM_Timeline_RawSql(benchmark::State& state) {
  Fixture& f = fixture();
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(
      f.raw,
      "SELECT id, instance_id, text, created_at_ms FROM messages WHERE contact_id = ?1 "
      "ORDER BY created_at_ms DESC, id DESC LIMIT 50",
      -1, &st, nullptr);
  std::mt19937 rng(1);
  for (auto _ : state) {
    sqlite3_bind_int64(st, 1, static_cast<int64_t>(rng() % kContacts) + 1);
    int rows = 0;
    while (sqlite3_step(st) == SQLITE_ROW) ++rows;
    sqlite3_reset(st);
    benchmark::DoNotOptimize(rows);
  }
  sqlite3_finalize(st);
}
BENCHMARK(BM_Timeline_RawSql);

void BM_Timeline_Service(benchmark::State& state) {
  Fixture& f = fixture();
  const bool deep = state.range(0) != 0;
  std::mt19937 rng(1);
  for (auto _ : state) {
    const int64_t contact = static_cast<int64_t>(rng() % kContacts) + 1;
    auto page = f.service->timeline(contact, {}, 50);
    if (!page) {
      state.SkipWithError(page.status().to_string().c_str());
      break;
    }
    if (deep && !page->next_cursor.empty())
      page = f.service->timeline(contact, page->next_cursor, 50);
    benchmark::DoNotOptimize(page);
  }
  state.SetLabel(deep ? "first page + next page" : "first page");
}
BENCHMARK(BM_Timeline_Service)->Arg(0)->Arg(1);

void BM_Search_RawFts(benchmark::State& state) {
  Fixture& f = fixture();
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(f.raw,
                     "SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?1 "
                     "ORDER BY rowid DESC LIMIT 50",
                     -1, &st, nullptr);
  for (auto _ : state) {
    sqlite3_bind_text(st, 1, "refund damaged", -1, SQLITE_STATIC);
    int rows = 0;
    while (sqlite3_step(st) == SQLITE_ROW) ++rows;
    sqlite3_reset(st);
    benchmark::DoNotOptimize(rows);
  }
  sqlite3_finalize(st);
}
BENCHMARK(BM_Search_RawFts);

void BM_Search_Service(benchmark::State& state) {
  Fixture& f = fixture();
  std::mt19937 rng(3);
  for (auto _ : state) {
    sb::store::SearchQuery q;
    q.text = "refund damaged";
    q.limit = 50;
    switch (state.range(0)) {
      case 1:
        q.contact_id = static_cast<int64_t>(rng() % kContacts) + 1;
        break;
      case 2:
        q.instance_id = "sms-1";
        q.from_ms = 1'700'000'000'000 + (f.messages / 2) * 1000;
        q.to_ms = q.from_ms + 86'400'000;
        break;
      default:
        break;
    }
    auto hits = f.service->search(q);
    if (!hits) {
      state.SkipWithError(hits.status().to_string().c_str());
      break;
    }
    benchmark::DoNotOptimize(hits);
  }
  static const char* kLabels[] = {"words only", "words + contact", "words + channel + 1 day"};
  state.SetLabel(kLabels[state.range(0)]);
}
BENCHMARK(BM_Search_Service)->Arg(0)->Arg(1)->Arg(2);

}  // namespace

int main(int argc, char** argv) {
  return sb::bench::run_with_ratios(
      argc, argv, sb::bench::Metric::kRealTime,
      {{"timeline first page, service / raw SQL", "BM_Timeline_Service/0", "BM_Timeline_RawSql"},
       {"search words, service / raw FTS", "BM_Search_Service/0", "BM_Search_RawFts"}});
}
