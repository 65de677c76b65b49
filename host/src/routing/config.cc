#include "routing/config.h"

#include <algorithm>
#include <set>

#include "routing/text.h"

namespace sb::routing {
namespace {

bool matches(const RoutingConfig& config, const Rule& rule, const MessageFacts& f) {
  if (!rule.instances.empty() && std::find(rule.instances.begin(), rule.instances.end(),
                                           f.instance_id) == rule.instances.end()) {
    return false;
  }
  if (!rule.keywords.empty() && !contains_any_keyword(f.text, rule.keywords)) return false;
  if (!rule.languages.empty() &&
      std::none_of(rule.languages.begin(), rule.languages.end(),
                   [&](const std::string& l) { return same_language(f.language, l); })) {
    return false;
  }
  if (rule.when != HoursCondition::kAny) {
    auto it = config.schedules.find(rule.hours);
    const bool open = it == config.schedules.end() || it->second.is_open(f.at);
    if (open != (rule.when == HoursCondition::kOpen)) return false;
  }
  return true;
}

}  // namespace

std::optional<Strategy> parse_strategy(std::string_view text) {
  if (text == "round_robin") return Strategy::kRoundRobin;
  if (text == "least_busy") return Strategy::kLeastBusy;
  if (text == "sticky") return Strategy::kSticky;
  return std::nullopt;
}

std::string_view to_string(Strategy strategy) {
  switch (strategy) {
    case Strategy::kRoundRobin:
      return "round_robin";
    case Strategy::kSticky:
      return "sticky";
    case Strategy::kLeastBusy:
      break;
  }
  return "least_busy";
}

const QueueConfig* find_queue(const RoutingConfig& config, std::string_view id) {
  auto it = std::find_if(config.queues.begin(), config.queues.end(),
                         [&](const QueueConfig& q) { return q.id == id; });
  return it == config.queues.end() ? nullptr : &*it;
}

sb::Status validate(const RoutingConfig& config) {
  std::set<std::string, std::less<>> ids;
  auto schedule_ok = [&](const std::string& name) {
    return name.empty() || config.schedules.contains(name);
  };
  for (const auto& q : config.queues) {
    if (q.id.empty()) return sb::invalid_argument("routing: a queue has no id");
    if (!ids.insert(q.id).second) return sb::invalid_argument("routing: queue " + q.id + " twice");
    if (!schedule_ok(q.hours)) {
      return sb::invalid_argument("routing: queue " + q.id + " names unknown hours " + q.hours);
    }
  }
  if (!ids.contains(config.default_queue)) {
    return sb::invalid_argument("routing: default queue '" + config.default_queue +
                                "' is not a queue");
  }
  for (const auto& r : config.rules) {
    if (!ids.contains(r.queue)) {
      return sb::invalid_argument("routing: rule '" + r.name + "' names unknown queue " + r.queue);
    }
    if (r.when != HoursCondition::kAny && (r.hours.empty() || !schedule_ok(r.hours))) {
      return sb::invalid_argument("routing: rule '" + r.name + "' names unknown hours " + r.hours);
    }
  }
  if (config.away_period.count() < 0 || config.keyword_period.count() < 0) {
    return sb::invalid_argument("routing: periods must not be negative");
  }
  return {};
}

std::string match_queue(const RoutingConfig& config, const MessageFacts& facts) {
  for (const auto& rule : config.rules) {
    if (matches(config, rule, facts)) return rule.queue;
  }
  return config.default_queue;
}

}  // namespace sb::routing
