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
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include "conversations/ingest_resolver.h"
#include "http/metrics.h"
#include "http/router.h"
#include "http/server.h"
#include "plugin/loaded_plugin.h"
#include "plugin/manifest.h"
#include "runtime/channel_instance.h"
#include "runtime/routes.h"
#include "runtime/runtime.h"
#include "store/store.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::atomic<uint64_t> g_seq{0};

// Per-thread latency samples turned into percentile counters.
class Latencies {
 public:
  void add(Clock::duration d) {
    samples_.push_back(std::chrono::duration<double, std::micro>(d).count());
  }
  void report(benchmark::State& state) {
    if (samples_.empty()) return;
    std::sort(samples_.begin(), samples_.end());
    auto at = [&](double q) { return samples_[static_cast<size_t>(q * (samples_.size() - 1))]; };
    state.counters["p50_us"] = benchmark::Counter(at(0.50), benchmark::Counter::kAvgThreads);
    state.counters["p99_us"] = benchmark::Counter(at(0.99), benchmark::Counter::kAvgThreads);
  }

 private:
  std::vector<double> samples_;
};

fs::path scratch_dir(const std::string& name) {
  fs::path dir =
      fs::temp_directory_path() / ("sb-ingest-bench-" + std::to_string(::getpid()) + "-" + name);
  fs::create_directories(dir);
  return dir;
}

// --- the raw baseline
// ------------------------------------------------------------------------------

struct PlainSqlite {
  sqlite3* db = nullptr;
  sqlite3_stmt* insert = nullptr;
  std::mutex mu;  // one connection, like the store: SQLite has one writer anyway

  explicit PlainSqlite(const fs::path& file) {
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
  static PlainSqlite p(scratch_dir("plain") / "plain.db");
  return p;
}

void BM_PlainSqlite_TxnPerRow(benchmark::State& state) {
  PlainSqlite& p = plain();
  Latencies lat;
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

struct Host {
  fs::path dir = scratch_dir("host");
  std::unique_ptr<sb::store::Store> store;
  std::unique_ptr<sb::runtime::Runtime> runtime;
  std::shared_ptr<sb::plugin::LoadedPlugin> plugin;
  std::shared_ptr<sb::runtime::ChannelInstance> instance;
  sb_host_ctx ctx{};
  std::unique_ptr<sb::http::Server> server;

  Host() {
    sb::store::StoreOptions options;
    options.inbound_resolver = std::make_shared<sb::conversations::IngestResolver>(
        sb::conversations::ResolverOptions{.default_region = "DE"});
    auto opened = sb::store::open_sqlite_store(dir / "switchboard.db", options);
    if (!opened) throw std::runtime_error(opened.status().to_string());
    store = sb::store::make_group_commit_store(std::move(opened).value());

    auto manifest = sb::plugin::read_manifest(fs::path(SB_LOOPBACK_DIR) / "manifest.json");
    if (auto* e = std::get_if<sb::plugin::LoadError>(&manifest))
      throw std::runtime_error(e->message);
    auto loaded = sb::plugin::load_plugin(std::get<sb::plugin::Manifest>(manifest));
    if (auto* e = std::get_if<sb::plugin::LoadError>(&loaded)) throw std::runtime_error(e->message);
    plugin = std::get<std::shared_ptr<sb::plugin::LoadedPlugin>>(loaded);

    sb::runtime::HostServices services;
    services.store = store.get();
    runtime = std::make_unique<sb::runtime::Runtime>(sb::runtime::RuntimeOptions{2}, services);
    if (auto e = plugin->init(runtime->host_api())) throw std::runtime_error(e->message);
    sb::runtime::InstanceSpec spec;
    spec.id = "lb";
    spec.plugin = plugin;
    spec.config_json = R"({"address_kind":"phone","delivery":{"auto":false}})";
    if (auto s = runtime->add_instance(spec); !s) throw std::runtime_error(s.to_string());
    if (auto s = runtime->start_instance("lb"); !s) throw std::runtime_error(s.to_string());
    instance = runtime->find("lb");
    ctx.instance = instance.get();

    auto router = std::make_shared<sb::http::Router>();
    sb::runtime::RouteOptions routes;
    routes.store_ok = [] { return true; };
    routes.plugins_loaded = [] { return size_t{1}; };
    sb::runtime::install_routes(*router, *runtime, std::make_shared<sb::http::MetricsRegistry>(),
                                routes);
    sb::http::ServerOptions server_options;
    server_options.port = 0;
    server_options.threads = 16;
    server = std::make_unique<sb::http::Server>(server_options, router);
    if (auto s = server->start(); !s) throw std::runtime_error(s.to_string());
  }

  ~Host() {
    server->stop();
    instance.reset();
    runtime->shutdown();
    store.reset();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

Host& host() {
  static Host h;
  return h;
}

// 200 distinct customers, so resolution finds existing contacts as it would in production.
std::string customer(uint64_t seq) {
  return "+49301234" + std::to_string(1000 + seq % 200);
}

void BM_Ingest_SubmitInbound(benchmark::State& state) {
  Host& h = host();
  const sb_host_api* api = h.runtime->host_api();
  Latencies lat;
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
    if (api->submit_inbound(&h.ctx, batch, 1, &status) != SB_OK) {
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
  Host& h = host();
  Poco::Net::HTTPClientSession session("127.0.0.1", h.server->port());
  session.setKeepAlive(true);
  Latencies lat;
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

class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.run_type != Run::RT_Iteration || run.error_occurred) continue;
      auto it = run.counters.find("items_per_second");
      if (it != run.counters.end()) rate_[run.benchmark_name()] = it->second.value;
    }
    ConsoleReporter::ReportRuns(runs);
  }
  void PrintRatios(std::ostream& out) const {
    out << "\nthroughput ratios (msg/s, same run):\n";
    ratio(out, "submit_inbound, 8 threads / plain SQLite txn-per-row, 1 thread",
          "BM_Ingest_SubmitInbound/real_time/threads:8",
          "BM_PlainSqlite_TxnPerRow/real_time/threads:1");
    ratio(out, "submit_inbound, 1 thread / plain SQLite txn-per-row, 1 thread",
          "BM_Ingest_SubmitInbound/real_time/threads:1",
          "BM_PlainSqlite_TxnPerRow/real_time/threads:1");
    ratio(out, "webhook, 8 threads / plain SQLite txn-per-row, 1 thread",
          "BM_Ingest_Webhook/real_time/threads:8", "BM_PlainSqlite_TxnPerRow/real_time/threads:1");
    ratio(out, "submit_inbound, 8 threads / plain SQLite 100-row batches",
          "BM_Ingest_SubmitInbound/real_time/threads:8", "BM_PlainSqlite_Batch100/real_time");
  }

 private:
  void ratio(std::ostream& out, const char* what, const std::string& a,
             const std::string& b) const {
    auto ia = rate_.find(a), ib = rate_.find(b);
    if (ia == rate_.end() || ib == rate_.end() || ib->second <= 0) return;
    out << "  " << what << ": " << ia->second / ib->second << "x\n";
  }
  std::map<std::string, double> rate_;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.PrintRatios(std::cout);
  benchmark::Shutdown();
  return 0;
}
