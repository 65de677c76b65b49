#include "routing/config_json.h"

#include <array>
#include <set>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "config/config.h"
#include "config/jsonc.h"

namespace sb::routing {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

constexpr size_t kMaxName = 256;
constexpr std::array<std::string_view, 7> kDays{"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

// Reads one object's fields; the first problem sticks and names its path.
class Fields {
 public:
  Fields(const Object& o, std::string path) : o_(o), path_(std::move(path)) {}

  Status only(std::set<std::string_view> known) const {
    for (const auto& [key, value] : o_) {
      if (!known.contains(key)) return bad(key, "is not a known field");
    }
    return {};
  }
  Result<std::string> string(const std::string& key, size_t max, bool required = false) const {
    if (!o_.has(key)) {
      if (required) return bad(key, "is required");
      return std::string();
    }
    auto v = o_.get(key);
    if (!v.isString()) return bad(key, "must be a string");
    auto s = v.extract<std::string>();
    if (s.size() > max) return bad(key, "is longer than " + std::to_string(max) + " bytes");
    return s;
  }
  Result<std::vector<std::string>> strings(const std::string& key) const {
    std::vector<std::string> out;
    if (!o_.has(key)) return out;
    auto a = o_.getArray(key);
    if (!a || a->size() > kMaxListItems) return bad(key, "must be a list of at most 256 strings");
    for (size_t i = 0; i < a->size(); ++i) {
      auto v = a->get(static_cast<unsigned>(i));
      if (!v.isString()) return bad(key, "must contain strings only");
      auto s = v.extract<std::string>();
      if (s.empty() || s.size() > kMaxName) return bad(key, "has an empty or too long entry");
      out.push_back(std::move(s));
    }
    return out;
  }
  Result<int64_t> minutes(const std::string& key, int64_t fallback) const {
    if (!o_.has(key)) return fallback;
    auto v = o_.get(key);
    // parse_json keeps whole numbers as Int64 (refusing what does not fit); Poco counts a
    // boolean as an integer too, so only the type tells.
    if (v.type() != typeid(Poco::Int64)) return bad(key, "must be a whole number of minutes");
    const int64_t n = v.extract<Poco::Int64>();
    if (n < 0 || n > 525600) return bad(key, "must be between 0 and 525600");
    return n;
  }
  Object::Ptr object(const std::string& key) const { return o_.getObject(key); }
  Array::Ptr array(const std::string& key) const { return o_.getArray(key); }
  bool has(const std::string& key) const { return o_.has(key); }
  Status bad(std::string_view key, std::string_view what) const {
    return sb::invalid_argument(path_ + "." + std::string(key) + " " + std::string(what));
  }
  const std::string& path() const { return path_; }

 private:
  const Object& o_;
  std::string path_;
};

#define SB_TRY(var, expr)                \
  auto var##_r = (expr);                 \
  if (!var##_r) return var##_r.status(); \
  auto var = std::move(*var##_r)

Result<BusinessHours> parse_hours(const Fields& f, const std::filesystem::path& zoneinfo) {
  if (auto st = f.only({"time_zone", "week", "holidays"}); !st) return st;
  HoursSpec spec;
  SB_TRY(zone, f.string("time_zone", kMaxName, true));
  spec.time_zone = zone;
  if (f.has("week")) {
    auto week = f.object("week");
    if (!week) return f.bad("week", "must be an object of day names");
    Fields days(*week, f.path() + ".week");
    if (auto st = days.only({kDays.begin(), kDays.end()}); !st) return st;
    for (size_t d = 0; d < kDays.size(); ++d) {
      SB_TRY(ranges, days.string(std::string(kDays[d]), kMaxName));
      spec.week[d] = ranges;
    }
  }
  SB_TRY(holidays, f.strings("holidays"));
  spec.holidays = holidays;
  auto hours = BusinessHours::make(spec, zoneinfo);
  if (!hours) return sb::invalid_argument(f.path() + ": " + hours.status().message());
  return hours;
}

Result<int64_t> bounded(const Fields& f, const Object& o, const std::string& key, int64_t fallback,
                        int64_t lo, int64_t hi) {
  if (!o.has(key)) return fallback;
  auto v = o.get(key);
  if (v.type() != typeid(Poco::Int64)) return f.bad(key, "must be a whole number");
  const int64_t n = v.extract<Poco::Int64>();
  if (n < lo || n > hi) {
    return f.bad(key, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  }
  return n;
}

// "bot": {"url", "secret": "env:NAME", "handover_queue", "handover_keywords", "timeout_ms",
// "max_attempts"}. The secret is resolved here, so a missing variable fails at start-up.
Result<BotConfig> parse_bot(const Fields& f, const Object& o) {
  if (auto st = f.only(
          {"url", "secret", "handover_queue", "handover_keywords", "timeout_ms", "max_attempts"});
      !st) {
    return st;
  }
  BotConfig bot;
  SB_TRY(url, f.string("url", 2048, true));
  SB_TRY(secret_ref, f.string("secret", kMaxName, true));
  SB_TRY(handover_queue, f.string("handover_queue", kMaxName, true));
  SB_TRY(keywords, f.strings("handover_keywords"));
  SB_TRY(timeout, bounded(f, o, "timeout_ms", 10'000, 100, 120'000));
  SB_TRY(attempts, bounded(f, o, "max_attempts", 8, 1, 50));
  auto secret = config::resolve_secret({secret_ref});
  if (!secret) return f.bad("secret", secret.status().message());  // names the ref, not the value
  if (secret->empty()) return f.bad("secret", "is empty");
  bot.url = url;
  bot.secret = std::move(*secret);
  bot.handover_queue = handover_queue;
  bot.handover_keywords = f.has("handover_keywords") ? keywords : default_handover_keywords();
  bot.timeout = std::chrono::milliseconds(timeout);
  bot.max_attempts = static_cast<int>(attempts);
  return bot;
}

Result<QueueConfig> parse_queue(const Fields& f) {
  if (auto st = f.only({"id", "name", "strategy", "skills", "hours", "welcome", "away", "bot"});
      !st) {
    return st;
  }
  QueueConfig q;
  SB_TRY(id, f.string("id", kMaxName, true));
  SB_TRY(name, f.string("name", kMaxName));
  SB_TRY(strategy, f.string("strategy", 32));
  SB_TRY(skills, f.strings("skills"));
  SB_TRY(hours, f.string("hours", kMaxName));
  SB_TRY(welcome, f.string("welcome", kMaxTemplate));
  SB_TRY(away, f.string("away", kMaxTemplate));
  q.id = id;
  q.name = name;
  if (!strategy.empty()) {
    auto s = parse_strategy(strategy);
    if (!s) return f.bad("strategy", "must be round_robin, least_busy or sticky");
    q.strategy = *s;
  }
  q.skills = skills;
  q.hours = hours;
  q.welcome = welcome;
  q.away = away;
  if (f.has("bot")) {
    auto o = f.object("bot");
    if (!o) return f.bad("bot", "must be an object");
    auto bot = parse_bot(Fields(*o, f.path() + ".bot"), *o);
    if (!bot) return bot.status();
    q.bot = std::move(*bot);
  }
  return q;
}

Result<Rule> parse_rule(const Fields& f) {
  if (auto st = f.only({"name", "instances", "keywords", "languages", "hours", "when", "queue"});
      !st) {
    return st;
  }
  Rule r;
  SB_TRY(name, f.string("name", kMaxName));
  SB_TRY(instances, f.strings("instances"));
  SB_TRY(keywords, f.strings("keywords"));
  SB_TRY(languages, f.strings("languages"));
  SB_TRY(hours, f.string("hours", kMaxName));
  SB_TRY(when, f.string("when", 16));
  SB_TRY(queue, f.string("queue", kMaxName, true));
  r.name = name.empty() ? f.path() : name;
  r.instances = instances;
  r.keywords = keywords;
  r.languages = languages;
  r.hours = hours;
  r.queue = queue;
  if (when == "open") {
    r.when = HoursCondition::kOpen;
  } else if (when == "closed") {
    r.when = HoursCondition::kClosed;
  } else if (!when.empty() && when != "any") {
    return f.bad("when", "must be open, closed or any");
  }
  if (!hours.empty() && r.when == HoursCondition::kAny) r.when = HoursCondition::kOpen;
  return r;
}

template <class T, class F>
Status each(const Fields& f, const std::string& key, std::vector<T>& out, F&& parse_one) {
  if (!f.has(key)) return {};
  auto a = f.array(key);
  if (!a || a->size() > kMaxListItems) return f.bad(key, "must be a list of at most 256 objects");
  for (size_t i = 0; i < a->size(); ++i) {
    auto o = a->getObject(static_cast<unsigned>(i));
    const std::string path = f.path() + "." + key + "[" + std::to_string(i) + "]";
    if (!o) return sb::invalid_argument(path + " must be an object");
    auto one = parse_one(Fields(*o, path));
    if (!one) return one.status();
    out.push_back(std::move(*one));
  }
  return {};
}

}  // namespace

sb::Result<RoutingConfig> parse_routing_config(std::string_view json,
                                               const std::filesystem::path& zoneinfo,
                                               const QueueIds& more_queues) {
  auto doc = config::parse_json(json);
  if (!doc) return sb::invalid_argument("routing: not valid JSON: " + doc.status().message());
  if (doc->type() != typeid(Object::Ptr)) return sb::invalid_argument("routing: not a JSON object");
  const Object::Ptr root = doc->extract<Object::Ptr>();
  Fields f(*root, "routing");
  if (auto st = f.only({"default_queue", "away_period_minutes", "keyword_period_minutes", "hours",
                        "queues", "rules", "keyword_answers", "canned"});
      !st) {
    return st;
  }
  RoutingConfig c;
  SB_TRY(default_queue, f.string("default_queue", kMaxName, true));
  SB_TRY(away, f.minutes("away_period_minutes", 720));
  SB_TRY(keyword, f.minutes("keyword_period_minutes", 10));
  c.default_queue = default_queue;
  c.away_period = std::chrono::minutes(away);
  c.keyword_period = std::chrono::minutes(keyword);
  if (f.has("hours")) {
    auto hours = f.object("hours");
    if (!hours) return f.bad("hours", "must be an object of named schedules");
    for (const auto& [name, value] : *hours) {
      auto o = hours->getObject(name);
      if (!o) return f.bad("hours." + name, "must be an object");
      auto h = parse_hours(Fields(*o, "routing.hours." + name), zoneinfo);
      if (!h) return h.status();
      c.schedules.emplace(name, std::move(*h));
    }
  }
  if (auto st = each(f, "queues", c.queues, parse_queue); !st) return st;
  if (auto st = each(f, "rules", c.rules, parse_rule); !st) return st;
  auto answer = [](const Fields& a) -> Result<KeywordAnswer> {
    if (auto st = a.only({"keywords", "answer"}); !st) return st;
    SB_TRY(keywords, a.strings("keywords"));
    SB_TRY(text, a.string("answer", kMaxTemplate, true));
    if (keywords.empty()) return a.bad("keywords", "must name at least one keyword");
    return KeywordAnswer{keywords, text};
  };
  if (auto st = each(f, "keyword_answers", c.keyword_answers, answer); !st) return st;
  if (f.has("canned")) {
    auto canned = f.object("canned");
    if (!canned || canned->size() > kMaxListItems) {
      return f.bad("canned", "must be an object of at most 256 templates");
    }
    Fields cf(*canned, "routing.canned");
    for (const auto& [id, value] : *canned) {
      SB_TRY(text, cf.string(id, kMaxTemplate, true));
      c.canned.emplace(id, text);
    }
  }
  if (auto st = validate(c, more_queues); !st) return st;
  return c;
}

}  // namespace sb::routing
