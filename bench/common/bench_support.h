// What the benchmarks share: latency percentiles, a reporter that prints ratios against the
// baselines of the same run, and a host with one plugin instance behind the real HTTP server.
#pragma once

#include <benchmark/benchmark.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include <switchboard/abi.h>
#include "plugin/loaded_plugin.h"
#include "runtime/channel_instance.h"
#include "runtime/runtime.h"
#include "store/store.h"

namespace sb::http {
class Server;
}

namespace sb::bench {

using Clock = std::chrono::steady_clock;

// Per-thread latency samples, reported as p50_us / p99_us counters (averaged over threads).
class Latencies {
 public:
  void add(Clock::duration d);
  void report(benchmark::State& state);

 private:
  std::vector<double> samples_;
};

// One ratio to print after the run: numerator / denominator of a metric of two benchmarks.
struct Ratio {
  std::string label, numerator, denominator;
};

enum class Metric { kRealTime, kItemsPerSecond };

// Runs the registered benchmarks with the console reporter, then prints the ratios.
int run_with_ratios(int argc, char** argv, Metric metric, const std::vector<Ratio>& ratios);

// A store in a scratch directory (group commit; the unified core's resolver unless told not to),
// a runtime with one started instance of the plugin in plugin_dir, and the host's HTTP routes on
// 127.0.0.1 (ephemeral port) when with_http.
struct HostOptions {
  std::filesystem::path plugin_dir;
  std::string instance_id = "bench";
  std::string config_json = "{}";
  std::map<std::string, std::string> secrets;
  bool with_resolver = true;
  bool with_http = true;
  int worker_threads = 2;
};

class BenchHost {
 public:
  explicit BenchHost(HostOptions options);  // throws on any set-up failure
  ~BenchHost();
  BenchHost(const BenchHost&) = delete;
  BenchHost& operator=(const BenchHost&) = delete;

  store::Store& store() { return *store_; }
  runtime::Runtime& runtime() { return *runtime_; }
  plugin::LoadedPlugin& plugin() { return *plugin_; }
  runtime::ChannelInstance& instance() { return *instance_; }
  // The instance's context, for calling the host API table the way its plugin does.
  sb_host_ctx* ctx() { return &ctx_; }
  uint16_t http_port() const;

 private:
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<runtime::Runtime> runtime_;
  std::shared_ptr<plugin::LoadedPlugin> plugin_;
  std::shared_ptr<runtime::ChannelInstance> instance_;
  sb_host_ctx ctx_{};
  std::unique_ptr<http::Server> server_;
};

// A fresh directory under the system temp dir, unique to this process and name.
std::filesystem::path scratch_dir(const std::string& name);

}  // namespace sb::bench
