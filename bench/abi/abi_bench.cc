// What the C boundary costs. Each pair runs the same work twice in one process: once through the
// ABI (function pointers, sinks, struct copies, noexcept trampolines), once as a direct C++ call.
// The ratio is printed as a counter; docs/benchmarks.md records a run.
//
//   BM_Send_DirectVirtual        a C++ virtual call that returns the provider id as std::string
//   BM_Send_Abi                  vtable->send of a plugin loaded by the real loader (Boost.DLL)
//   BM_Send_HostInstance         ChannelInstance::send: outbox row in SQLite + strand hop + ABI
//   send BM_SubmitInbound_DirectStore store->insert_inbound, one message per call (the baseline)
//   BM_SubmitInbound_Abi         host_api->submit_inbound, one message per call, as a plugin calls
//   it
#include <benchmark/benchmark.h>

#include <unistd.h>
#include <atomic>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <string>

#include "plugin/loaded_plugin.h"
#include "plugin/manifest.h"
#include "runtime/channel_instance.h"
#include "runtime/runtime.h"
#include "store/store.h"

namespace {

namespace fs = std::filesystem;

// --- the direct baseline ------------------------------------------------------------------------

class DirectChannelBase {
 public:
  virtual ~DirectChannelBase() = default;
  virtual std::string send(std::string_view to, std::string_view text) = 0;
};

class DirectChannel final : public DirectChannelBase {
 public:
  std::string send(std::string_view to, std::string_view) override {
    if (to.empty()) return {};
    return "bench-" + std::to_string(++next_);
  }

 private:
  uint64_t next_ = 0;
};

// --- the loaded plugin and a host around it
// -------------------------------------------------------

struct Fixture {
  fs::path dir;
  std::unique_ptr<sb::store::Store> store;
  std::unique_ptr<sb::runtime::Runtime> runtime;
  std::shared_ptr<sb::plugin::LoadedPlugin> plugin;
  std::shared_ptr<sb::runtime::ChannelInstance> instance;
  sb_host_ctx ctx{};
  sb_channel* raw_channel = nullptr;

  Fixture() {
    dir = fs::temp_directory_path() / ("sb-abi-bench-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    auto opened = sb::store::open_sqlite_store(dir / "bench.db");
    if (!opened) throw std::runtime_error(opened.status().to_string());
    store = sb::store::make_group_commit_store(std::move(opened).value());

    auto manifest = sb::plugin::read_manifest(fs::path(SB_BENCH_PLUGIN_DIR) / "manifest.json");
    if (auto* e = std::get_if<sb::plugin::LoadError>(&manifest))
      throw std::runtime_error(e->message);
    auto loaded = sb::plugin::load_plugin(std::get<sb::plugin::Manifest>(manifest));
    if (auto* e = std::get_if<sb::plugin::LoadError>(&loaded)) throw std::runtime_error(e->message);
    plugin = std::get<std::shared_ptr<sb::plugin::LoadedPlugin>>(loaded);

    sb::runtime::HostServices services;
    services.store = store.get();
    runtime = std::make_unique<sb::runtime::Runtime>(sb::runtime::RuntimeOptions{1}, services);
    if (auto e = plugin->init(runtime->host_api())) throw std::runtime_error(e->message);
    sb::runtime::InstanceSpec spec;
    spec.id = "bench-1";
    spec.plugin = plugin;
    if (auto s = runtime->add_instance(spec); !s) throw std::runtime_error(s.to_string());
    if (auto s = runtime->start_instance("bench-1"); !s) throw std::runtime_error(s.to_string());
    instance = runtime->find("bench-1");
    ctx.instance = instance.get();

    // A second channel object of the same plugin, driven directly through its vtable.
    sb_create_params params{};
    params.struct_size = sizeof params;
    params.host_api = runtime->host_api();
    params.host = &ctx;
    params.instance_id = {"bench-raw", 9};
    params.config_json = {"{}", 2};
    if (plugin->entry().create(&params, &raw_channel, nullptr) != SB_OK) {
      throw std::runtime_error("create failed");
    }
  }

  ~Fixture() {
    if (raw_channel) plugin->vtable().destroy(raw_channel);
    instance.reset();
    runtime->shutdown();
    runtime.reset();
    store.reset();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

Fixture& fixture() {
  static Fixture f;  // built on first use, after benchmark flags are parsed
  return f;
}

void BM_Send_DirectVirtual(benchmark::State& state) {
  auto channel = std::make_unique<DirectChannel>();
  DirectChannelBase* base = channel.get();
  for (auto _ : state) {
    std::string id = base->send("+4930123456", "hello");
    benchmark::DoNotOptimize(id);
  }
}
BENCHMARK(BM_Send_DirectVirtual);

void BM_Send_Abi(benchmark::State& state) {
  Fixture& f = fixture();
  const sb_channel_vtable& vt = f.plugin->vtable();
  sb_outbound_message msg{};
  msg.struct_size = sizeof msg;
  msg.message_id = 1;
  msg.to = {"+4930123456", 11};
  msg.content_type = {"text", 4};
  msg.text = {"hello", 5};
  for (auto _ : state) {
    std::string id;
    sb_output_sink out{sizeof(sb_output_sink), &id, [](void* ctx, const char* d, size_t n) {
                         static_cast<std::string*>(ctx)->append(d, n);
                       }};
    int32_t rc = vt.send(f.raw_channel, &msg, &out, nullptr);
    benchmark::DoNotOptimize(rc);
    benchmark::DoNotOptimize(id);
  }
}
BENCHMARK(BM_Send_Abi);

void BM_Send_HostInstance(benchmark::State& state) {
  Fixture& f = fixture();
  sb::store::OutboundMessage msg;
  msg.instance_id = "bench-1";
  msg.to = "+4930123456";
  msg.content_type = "text";
  msg.text = "hello";
  for (auto _ : state) {
    auto outcome = f.instance->send(msg);
    if (!outcome) state.SkipWithError(outcome.status().to_string().c_str());
    benchmark::DoNotOptimize(outcome);
  }
}
BENCHMARK(BM_Send_HostInstance)->UseRealTime();

std::atomic<uint64_t> g_next_provider_id{0};

void BM_SubmitInbound_DirectStore(benchmark::State& state) {
  Fixture& f = fixture();
  sb::store::InboundMessage m;
  m.instance_id = "bench-1";
  m.from = "+4930123456";
  m.from_kind = "phone";
  m.content_type = "text";
  m.text = "hello";
  for (auto _ : state) {
    m.provider_message_id = "direct-" + std::to_string(++g_next_provider_id);
    auto r = f.store->insert_inbound(std::span<const sb::store::InboundMessage>(&m, 1));
    if (!r) state.SkipWithError(r.status().to_string().c_str());
  }
}
BENCHMARK(BM_SubmitInbound_DirectStore)->UseRealTime();

void BM_SubmitInbound_Abi(benchmark::State& state) {
  Fixture& f = fixture();
  const sb_host_api* api = f.runtime->host_api();
  sb_inbound_message m{};
  m.struct_size = sizeof m;
  m.from = {"+4930123456", 11};
  m.from_kind = {"phone", 5};
  m.content_type = {"text", 4};
  m.text = {"hello", 5};
  const sb_inbound_message* batch[] = {&m};
  for (auto _ : state) {
    std::string id = "abi-" + std::to_string(++g_next_provider_id);
    m.provider_message_id = {id.data(), id.size()};
    int32_t status = 0;
    int32_t rc = api->submit_inbound(&f.ctx, batch, 1, &status);
    if (rc != SB_OK) state.SkipWithError("submit_inbound failed");
  }
}
BENCHMARK(BM_SubmitInbound_Abi)->UseRealTime();

// Prints the usual table, then the ratios of each ABI path to its direct baseline.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.run_type == Run::RT_Iteration && !run.error_occurred) {
        ns_[run.run_name.function_name] = run.GetAdjustedRealTime();
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }

  void PrintRatios(std::ostream& out) const {
    out << "\nratios (real time, same process):\n";
    ratio(out, "send through the ABI / direct virtual call", "BM_Send_Abi",
          "BM_Send_DirectVirtual");
    ratio(out, "send through a host instance / direct virtual call", "BM_Send_HostInstance",
          "BM_Send_DirectVirtual");
    ratio(out, "submit_inbound through the ABI / direct store insert", "BM_SubmitInbound_Abi",
          "BM_SubmitInbound_DirectStore");
  }

 private:
  void ratio(std::ostream& out, const char* what, const std::string& a,
             const std::string& b) const {
    auto ia = ns_.find(a), ib = ns_.find(b);
    if (ia == ns_.end() || ib == ns_.end() || ib->second <= 0) return;
    out << "  " << what << ": " << ia->second / ib->second << "x\n";
  }
  std::map<std::string, double> ns_;
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
