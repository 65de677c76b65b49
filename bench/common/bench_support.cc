#include "bench_support.h"

#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <stdexcept>

#include "conversations/ingest_resolver.h"
#include "http/metrics.h"
#include "http/router.h"
#include "http/server.h"
#include "plugin/manifest.h"
#include "runtime/routes.h"

namespace sb::bench {

namespace fs = std::filesystem;

void Latencies::add(Clock::duration d) {
  samples_.push_back(std::chrono::duration<double, std::micro>(d).count());
}

void Latencies::report(benchmark::State& state) {
  if (samples_.empty()) return;
  std::sort(samples_.begin(), samples_.end());
  auto at = [&](double q) { return samples_[static_cast<size_t>(q * (samples_.size() - 1))]; };
  state.counters["p50_us"] = benchmark::Counter(at(0.50), benchmark::Counter::kAvgThreads);
  state.counters["p99_us"] = benchmark::Counter(at(0.99), benchmark::Counter::kAvgThreads);
}

namespace {

class RatioReporter : public benchmark::ConsoleReporter {
 public:
  explicit RatioReporter(Metric metric) : metric_(metric) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.run_type != Run::RT_Iteration || run.error_occurred) continue;
      if (metric_ == Metric::kRealTime) {
        values_[run.benchmark_name()] = run.GetAdjustedRealTime();
      } else if (auto it = run.counters.find("items_per_second"); it != run.counters.end()) {
        values_[run.benchmark_name()] = it->second.value;
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }

  void print(std::ostream& out, const std::vector<Ratio>& ratios) const {
    out << (metric_ == Metric::kRealTime ? "\nratios of real time per call (same run):\n"
                                         : "\nratios of msg/s (same run):\n");
    for (const Ratio& r : ratios) {
      auto a = values_.find(r.numerator), b = values_.find(r.denominator);
      if (a == values_.end() || b == values_.end() || b->second <= 0) continue;
      out << "  " << r.label << ": " << a->second / b->second << "x\n";
    }
  }

 private:
  Metric metric_;
  std::map<std::string, double> values_;
};

template <class T>
T take(std::variant<T, plugin::LoadError> v) {
  if (auto* e = std::get_if<plugin::LoadError>(&v)) throw std::runtime_error(e->message);
  return std::get<T>(std::move(v));
}

conversations::ResolverOptions resolver_options() {
  conversations::ResolverOptions o;
  o.default_region = "DE";
  return o;
}

void check(const Status& s) {
  if (!s) throw std::runtime_error(s.to_string());
}

}  // namespace

int run_with_ratios(int argc, char** argv, Metric metric, const std::vector<Ratio>& ratios) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RatioReporter reporter(metric);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print(std::cout, ratios);
  benchmark::Shutdown();
  return 0;
}

fs::path scratch_dir(const std::string& name) {
  fs::path dir =
      fs::temp_directory_path() / ("sb-bench-" + name + "-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir;
}

BenchHost::BenchHost(HostOptions options) : dir_(scratch_dir(options.instance_id)) {
  store::StoreOptions store_options;
  if (options.with_resolver) {
    store_options.inbound_resolver =
        std::make_shared<conversations::IngestResolver>(resolver_options());
  }
  auto opened = store::open_sqlite_store(dir_ / "switchboard.db", store_options);
  if (!opened) throw std::runtime_error(opened.status().to_string());
  store_ = store::make_group_commit_store(std::move(opened).value());

  plugin_ =
      take(plugin::load_plugin(take(plugin::read_manifest(options.plugin_dir / "manifest.json"))));
  runtime::HostServices services;
  services.store = store_.get();
  runtime_ =
      std::make_unique<runtime::Runtime>(runtime::RuntimeOptions{options.worker_threads}, services);
  if (auto e = plugin_->init(runtime_->host_api())) throw std::runtime_error(e->message);
  runtime::InstanceSpec spec;
  spec.id = options.instance_id;
  spec.plugin = plugin_;
  spec.config_json = options.config_json;
  spec.secrets = options.secrets;
  check(runtime_->add_instance(spec));
  check(runtime_->start_instance(options.instance_id));
  instance_ = runtime_->find(options.instance_id);
  ctx_.instance = instance_.get();

  if (options.with_http) {
    auto router = std::make_shared<http::Router>();
    runtime::RouteOptions routes;
    routes.store_ok = [] { return true; };
    routes.plugins_loaded = [] { return size_t{1}; };
    runtime::install_routes(*router, *runtime_, std::make_shared<http::MetricsRegistry>(), routes);
    http::ServerOptions server_options;
    server_options.port = 0;
    server_options.threads = 16;
    server_options.max_body_bytes = 3 << 20;  // Meta's largest webhook
    server_ = std::make_unique<http::Server>(server_options, router);
    check(server_->start());
  }
}

BenchHost::~BenchHost() {
  if (server_) server_->stop();
  instance_.reset();
  runtime_->shutdown();
  store_.reset();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

uint16_t BenchHost::http_port() const {
  return server_ ? server_->port() : 0;
}

}  // namespace sb::bench
