// Inbound ingest: what storing a customer's message costs on the real path, next to plain SQLite
// inserts on the same disk in the same run.
//
//   BM_PlainSqlite_TxnPerRow     raw sqlite3: prepared INSERT of the same columns, one transaction
//   each BM_PlainSqlite_Batch100      raw sqlite3: 100 rows per transaction (the best a single
//   writer gets) BM_Ingest_SubmitInbound      host_api->submit_inbound from the loopback instance,
//   one message per
//                                call: dedupe, contact/conversation resolution, group commit
//   BM_Ingest_Webhook            HTTP POST to the loopback plugin's /inbound webhook over 127.0.0.1
//                                (keep-alive), answered after commit: the whole provider-facing
//                                path
//
// Each runs single-threaded and with 8 threads (concurrent providers); items_per_second is msg/s,
// p50_us/p99_us are per-call latencies (averaged over threads). Ratios are printed at the end.
#include <benchmark/benchmark.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include "bench_support.h"

namespace {

using sb::bench::Clock;

std::atomic<uint64_t> g_seq{0};

// --- the raw baseline
// ------------------------------------------------------------------------------

struct PlainSqlite {
  sqlite3* db = nullptr;
  sqlite3_stmt* insert = nullptr;
  std::mutex mu;  // one connection, like the store: SQLite has one writer anyway

  explicit PlainSqlite(const std::filesystem::path& file) {
    sqlite3_open(file.c_str(), &db);
    sqlite3_exec(db,
                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                 "CREATE TABLE IF NOT EXISTS messages (id INTEGER PRIMARY KEY, instance_id TEXT,"
                 " provider_message_id TEXT, sender TEXT, text TEXT, created_at_ms INTEGER,"
                 " UNIQUE (instance_id, provider_message_id));",
                 nullptr, nullptr, nullptr);
    sqlite3_prepare_v2(db,
                       "INSERT INTO messages (instance_id, provider_message_id, sender, text,"
                       " created_at_ms) VALUES ('lb', ?1, '+4930123456', 'hello', ?2)",
                       -1, &insert, nullptr);
  }
  ~PlainSqlite() {
    sqlite3_finalize(insert);
    sqlite3_close(db);
  }
  void insert_one(uint64_t seq) {
    const std::string id = "plain-" + std::to_string(seq);
    sqlite3_bind_text(insert, 1, id.c_str(), static_cast<int>(id.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(insert, 2, static_cast<sqlite3_int64>(seq));
    sqlite3_step(insert);
    sqlite3_reset(insert);
  }
};

PlainSqlite& plain() {
  static PlainSqlite p(sb::bench::scratch_dir("plain") / "plain.db");
  return p;
}

void BM_PlainSqlite_TxnPerRow(benchmark::State& state) {
  PlainSqlite& p = plain();
  sb::bench::Latencies lat;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    {
      std::lock_guard lock(p.mu);
      sqlite3_exec(p.db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
      p.insert_one(++g_seq);
      sqlite3_exec(p.db, "COMMIT", nullptr, nullptr, nullptr);
    }
    lat.add(Clock::now() - t0);
  }
  state.SetItemsProcessed(state.iterations());
  lat.report(state);
}
BENCHMARK(BM_PlainSqlite_TxnPerRow)->UseRealTime()->Threads(1)->Threads(8);

void BM_PlainSqlite_Batch100(benchmark::State& state) {
  PlainSqlite& p = plain();
  for (auto _ : state) {
    std::lock_guard lock(p.mu);
    sqlite3_exec(p.db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    for (int i = 0; i < 100; ++i) p.insert_one(++g_seq);
    sqlite3_exec(p.db, "COMMIT", nullptr, nullptr, nullptr);
  }
  state.SetItemsProcessed(state.iterations() * 100);
}
BENCHMARK(BM_PlainSqlite_Batch100)->UseRealTime();

// --- the real path
// ---------------------------------------------------------------------------------

sb::bench::BenchHost& host() {
  static sb::bench::BenchHost h([] {
    sb::bench::HostOptions o;
    o.plugin_dir = SB_LOOPBACK_DIR;
    o.instance_id = "lb";
    o.config_json = R"({"address_kind":"phone","delivery":{"auto":false}})";
    return o;
  }());
  return h;
}

// 200 distinct customers, so resolution finds existing contacts as it would in production.
std::string customer(uint64_t seq) {
  return "+49301234" + std::to_string(1000 + seq % 200);
}

void BM_Ingest_SubmitInbound(benchmark::State& state) {
  sb::bench::BenchHost& h = host();
  const sb_host_api* api = h.runtime().host_api();
  sb::bench::Latencies lat;
  for (auto _ : state) {
    const uint64_t seq = ++g_seq;
    const std::string id = "abi-" + std::to_string(seq);
    const std::string from = customer(seq);
    sb_inbound_message m{};
    m.struct_size = sizeof m;
    m.provider_message_id = {id.data(), id.size()};
    m.from = {from.data(), from.size()};
    m.from_kind = {"phone", 5};
    m.content_type = {"text", 4};
    m.text = {"hello, where is my order?", 25};
    const sb_inbound_message* batch[] = {&m};
    int32_t status = 0;
    const auto t0 = Clock::now();
    if (api->submit_inbound(h.ctx(), batch, 1, &status) != SB_OK) {
      state.SkipWithError("submit_inbound failed");
      break;
    }
    lat.add(Clock::now() - t0);
  }
  state.SetItemsProcessed(state.iterations());
  lat.report(state);
}
BENCHMARK(BM_Ingest_SubmitInbound)->UseRealTime()->Threads(1)->Threads(8);

void BM_Ingest_Webhook(benchmark::State& state) {
  sb::bench::BenchHost& h = host();
  Poco::Net::HTTPClientSession session("127.0.0.1", h.http_port());
  session.setKeepAlive(true);
  sb::bench::Latencies lat;
  for (auto _ : state) {
    const uint64_t seq = ++g_seq;
    const std::string body = R"({"id":"http-)" + std::to_string(seq) + R"(","from":")" +
                             customer(seq) + R"(","text":"hello, where is my order?"})";
    const auto t0 = Clock::now();
    Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_POST, "/webhooks/lb/inbound",
                               Poco::Net::HTTPMessage::HTTP_1_1);
    req.setContentType("application/json");
    req.setContentLength(static_cast<std::streamsize>(body.size()));
    req.setKeepAlive(true);
    session.sendRequest(req) << body;
    Poco::Net::HTTPResponse resp;
    std::string reply;
    Poco::StreamCopier::copyToString(session.receiveResponse(resp), reply);
    if (resp.getStatus() != Poco::Net::HTTPResponse::HTTP_OK) {
      state.SkipWithError(("webhook answered " + std::to_string(resp.getStatus())).c_str());
      break;
    }
    lat.add(Clock::now() - t0);
  }
  state.SetItemsProcessed(state.iterations());
  lat.report(state);
}
BENCHMARK(BM_Ingest_Webhook)->UseRealTime()->Threads(1)->Threads(8);

}  // namespace

int main(int argc, char** argv) {
  return sb::bench::run_with_ratios(
      argc, argv, sb::bench::Metric::kItemsPerSecond,
      {{"submit_inbound, 8 threads / plain SQLite txn-per-row, 1 thread",
        "BM_Ingest_SubmitInbound/real_time/threads:8",
        "BM_PlainSqlite_TxnPerRow/real_time/threads:1"},
       {"submit_inbound, 1 thread / plain SQLite txn-per-row, 1 thread",
        "BM_Ingest_SubmitInbound/real_time/threads:1",
        "BM_PlainSqlite_TxnPerRow/real_time/threads:1"},
       {"webhook, 8 threads / plain SQLite txn-per-row, 1 thread",
        "BM_Ingest_Webhook/real_time/threads:8", "BM_PlainSqlite_TxnPerRow/real_time/threads:1"},
       {"submit_inbound, 8 threads / plain SQLite 100-row batches",
        "BM_Ingest_SubmitInbound/real_time/threads:8", "BM_PlainSqlite_Batch100/real_time"}});
}
