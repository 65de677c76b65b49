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

#include "bench_support.h"
#include "store/store.h"

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>

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

// No resolver and no HTTP: the boundary, the strand and the store are what is measured.
sb::bench::HostOptions options() {
  sb::bench::HostOptions o;
  o.plugin_dir = SB_BENCH_PLUGIN_DIR;
  o.instance_id = "bench-1";
  o.with_resolver = false;
  o.with_http = false;
  o.worker_threads = 1;
  return o;
}

struct Fixture {
  sb::bench::BenchHost host{options()};
  sb_channel* raw_channel = nullptr;

  Fixture() {
    // A second channel object of the same plugin, driven directly through its vtable.
    sb_create_params params{};
    params.struct_size = sizeof params;
    params.host_api = host.runtime().host_api();
    params.host = host.ctx();
    params.instance_id = {"bench-raw", 9};
    params.config_json = {"{}", 2};
    if (host.plugin().entry().create(&params, &raw_channel, nullptr) != SB_OK) {
      throw std::runtime_error("create failed");
    }
  }
  ~Fixture() {
    if (raw_channel) host.plugin().vtable().destroy(raw_channel);
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
  const sb_channel_vtable& vt = f.host.plugin().vtable();
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
    auto outcome = f.host.instance().send(msg);
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
    auto r = f.host.store().insert_inbound(std::span<const sb::store::InboundMessage>(&m, 1));
    if (!r) state.SkipWithError(r.status().to_string().c_str());
  }
}
BENCHMARK(BM_SubmitInbound_DirectStore)->UseRealTime();

void BM_SubmitInbound_Abi(benchmark::State& state) {
  Fixture& f = fixture();
  const sb_host_api* api = f.host.runtime().host_api();
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
    int32_t rc = api->submit_inbound(f.host.ctx(), batch, 1, &status);
    if (rc != SB_OK) state.SkipWithError("submit_inbound failed");
  }
}
BENCHMARK(BM_SubmitInbound_Abi)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  return sb::bench::run_with_ratios(
      argc, argv, sb::bench::Metric::kRealTime,
      {{"send through the ABI / direct virtual call", "BM_Send_Abi", "BM_Send_DirectVirtual"},
       {"send through a host instance / direct virtual call", "BM_Send_HostInstance/real_time",
        "BM_Send_DirectVirtual"},
       {"submit_inbound through the ABI / direct store insert", "BM_SubmitInbound_Abi/real_time",
        "BM_SubmitInbound_DirectStore/real_time"}});
}
