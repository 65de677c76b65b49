// A small metrics registry rendered in the Prometheus text exposition format 0.0.4.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/router.h"

namespace sb::http {

using Labels = std::vector<std::pair<std::string, std::string>>;

enum class MetricType { kCounter, kGauge };

// Thread-safe. Metric and label names must match [a-zA-Z_:][a-zA-Z0-9_:]*; label values are
// escaped.
class MetricsRegistry {
 public:
  // Declares a family (HELP/TYPE lines). inc/set on an undeclared name declares it without help.
  void describe(std::string name, MetricType type, std::string help);
  void inc(std::string_view name, const Labels& labels = {}, double by = 1);  // counter
  void set(std::string_view name, const Labels& labels, double value);        // gauge
  double value(std::string_view name, const Labels& labels = {}) const;       // 0 when absent
  // Called (without the registry lock) at the start of every render, e.g. to pull store counters.
  void add_collector(std::function<void(MetricsRegistry&)> collector);
  std::string render();

 private:
  struct Family {
    MetricType type = MetricType::kCounter;
    std::string help;
    std::map<Labels, double> samples;
  };
  Family& family(std::string_view name, MetricType type);

  mutable std::mutex mutex_;
  std::map<std::string, Family, std::less<>> families_;
  std::vector<std::function<void(MetricsRegistry&)>> collectors_;
};

// A GET handler serving registry->render() as text/plain; version=0.0.4.
Handler metrics_handler(std::shared_ptr<MetricsRegistry> registry);

}  // namespace sb::http
