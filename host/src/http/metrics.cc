#include "http/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace sb::http {
namespace {

bool name_char(char c, bool first) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
         (!first && c >= '0' && c <= '9');
}

// Invalid characters become '_' so a bad name never breaks the whole exposition.
std::string sanitize_name(std::string_view name) {
  std::string out(name.empty() ? "_" : name);
  for (size_t i = 0; i < out.size(); ++i) {
    if (!name_char(out[i], i == 0)) out[i] = '_';
  }
  return out;
}

std::string escape_label_value(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string escape_help(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[32];
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
  } else {
    std::snprintf(buf, sizeof buf, "%.17g", v);
  }
  return buf;
}

Labels normalize(const Labels& labels) {
  Labels out;
  out.reserve(labels.size());
  for (const auto& [k, v] : labels) out.emplace_back(sanitize_name(k), v);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

MetricsRegistry::Family& MetricsRegistry::family(std::string_view name, MetricType type) {
  auto key = sanitize_name(name);
  auto it = families_.find(key);
  if (it == families_.end()) {
    it = families_.emplace(key, Family{}).first;
    it->second.type = type;
  }
  return it->second;
}

void MetricsRegistry::describe(std::string name, MetricType type, std::string help) {
  std::lock_guard lock(mutex_);
  auto& f = family(name, type);
  f.type = type;
  f.help = std::move(help);
}

void MetricsRegistry::inc(std::string_view name, const Labels& labels, double by) {
  std::lock_guard lock(mutex_);
  family(name, MetricType::kCounter).samples[normalize(labels)] += by;
}

void MetricsRegistry::set(std::string_view name, const Labels& labels, double value) {
  std::lock_guard lock(mutex_);
  family(name, MetricType::kGauge).samples[normalize(labels)] = value;
}

double MetricsRegistry::value(std::string_view name, const Labels& labels) const {
  std::lock_guard lock(mutex_);
  auto it = families_.find(sanitize_name(name));
  if (it == families_.end()) return 0;
  auto s = it->second.samples.find(normalize(labels));
  return s == it->second.samples.end() ? 0 : s->second;
}

void MetricsRegistry::add_collector(std::function<void(MetricsRegistry&)> collector) {
  std::lock_guard lock(mutex_);
  collectors_.push_back(std::move(collector));
}

std::string MetricsRegistry::render() {
  std::vector<std::function<void(MetricsRegistry&)>> collectors;
  {
    std::lock_guard lock(mutex_);
    collectors = collectors_;
  }
  for (auto& c : collectors) c(*this);

  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, f] : families_) {
    if (!f.help.empty()) out += "# HELP " + name + " " + escape_help(f.help) + "\n";
    out += "# TYPE " + name + (f.type == MetricType::kCounter ? " counter\n" : " gauge\n");
    for (const auto& [labels, v] : f.samples) {
      out += name;
      if (!labels.empty()) {
        out += '{';
        for (size_t i = 0; i < labels.size(); ++i) {
          if (i) out += ',';
          out += labels[i].first + "=\"" + escape_label_value(labels[i].second) + "\"";
        }
        out += '}';
      }
      out += ' ' + format_value(v) + '\n';
    }
  }
  return out;
}

Handler metrics_handler(std::shared_ptr<MetricsRegistry> registry) {
  return [registry = std::move(registry)](const Request&) {
    Response r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = registry->render();
    return r;
  };
}

}  // namespace sb::http
