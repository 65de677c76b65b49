#include "routing/config.h"

#include <algorithm>
#include <map>
#include <set>

#include <Poco/Exception.h>
#include <Poco/URI.h>

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

sb::Status validate_bot(const RoutingConfig& config, const QueueConfig& q) {
  const BotConfig& bot = *q.bot;
  const std::string where = "routing.queues[" + q.id + "].bot.";
  try {
    Poco::URI uri(bot.url);
    if (uri.getScheme() != "http" || uri.getHost().empty()) {
      return sb::invalid_argument(where + "url must be an http:// URL");
    }
  } catch (const Poco::Exception&) {
    return sb::invalid_argument(where + "url is not a URL");
  }
  if (bot.secret.empty()) return sb::invalid_argument(where + "secret is empty");
  const QueueConfig* target = find_queue(config, bot.handover_queue);
  if (target == nullptr) {
    return sb::invalid_argument(where + "handover_queue '" + bot.handover_queue +
                                "' is not a queue");
  }
  if (target->bot) {
    return sb::invalid_argument(where + "handover_queue '" + bot.handover_queue +
                                "' is a bot queue; handover goes to humans");
  }
  if (bot.timeout.count() <= 0) return sb::invalid_argument(where + "timeout_ms must be positive");
  if (bot.max_attempts < 1) return sb::invalid_argument(where + "max_attempts must be at least 1");
  return {};
}

}  // namespace

std::vector<std::string> default_handover_keywords() {
  return {"agent", "human", "operator", "representative", "real person"};
}

const BotConfig* bot_of(const RoutingConfig& config, std::string_view queue_id) {
  const QueueConfig* q = find_queue(config, queue_id);
  return q != nullptr && q->bot ? &*q->bot : nullptr;
}

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

sb::Status validate(const RoutingConfig& config, const QueueIds& more_queues) {
  QueueIds ids;
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
  std::map<std::string, const BotConfig*, std::less<>> bot_urls;
  for (const auto& q : config.queues) {
    if (!q.bot) continue;
    if (auto st = validate_bot(config, q); !st) return st;
    auto [it, fresh] = bot_urls.emplace(q.bot->url, &*q.bot);
    if (!fresh && it->second->secret != q.bot->secret) {
      return sb::invalid_argument(
          "routing.queues[" + q.id +
          "].bot.secret differs from another bot queue's with the same url");
    }
  }
  ids.insert(more_queues.begin(), more_queues.end());
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

std::string_view queue_use(const RoutingConfig& config, std::string_view queue_id) {
  if (find_queue(config, queue_id) != nullptr) return "declared";
  if (config.default_queue == queue_id) return "named";
  for (const auto& r : config.rules) {
    if (r.queue == queue_id) return "named";
  }
  for (const auto& q : config.queues) {
    if (q.bot && q.bot->handover_queue == queue_id) return "named";
  }
  return "";
}

std::string match_queue(const RoutingConfig& config, const MessageFacts& facts) {
  for (const auto& rule : config.rules) {
    if (matches(config, rule, facts)) return rule.queue;
  }
  return config.default_queue;
}

}  // namespace sb::routing
