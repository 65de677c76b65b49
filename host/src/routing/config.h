// What an operator configures for routing: queues with their strategy, skills, business hours
// and auto-reply texts; rules that pick a queue; keyword answers and canned responses. Agents and
// their presence change at run time and live in the store (store/routing_store.h).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "routing/business_hours.h"

namespace sb::routing {

enum class Strategy {
  kRoundRobin,  // the next eligible agent after the one who got the last conversation
  kLeastBusy,   // fewest open + pending conversations; ties go to the one idle longest
  kSticky,      // the agent who last served the contact, else least busy
};
std::optional<Strategy> parse_strategy(std::string_view text);  // "round_robin", ...
std::string_view to_string(Strategy strategy);

// A queue served by an external bot instead of agents: every customer message of a conversation
// in the queue is POSTed to `url` as a signed webhook (events/webhooks.h) until the bot, a
// supervisor or the customer (a handover keyword) hands the conversation over to humans.
struct BotConfig {
  std::string url;     // http://host:port/path
  std::string secret;  // resolved HMAC key; never logged
  std::string handover_queue;
  std::vector<std::string> handover_keywords;  // whole words/phrases, case-insensitive
  std::chrono::milliseconds timeout{10'000};   // per delivery attempt
  int max_attempts = 8;                        // then the delivery is failed
};

// What the keywords default to when a bot block names none.
std::vector<std::string> default_handover_keywords();

struct QueueConfig {
  std::string id, name;
  Strategy strategy = Strategy::kLeastBusy;
  // Who serves the queue: agents with every one of these skills that are members of the queue
  // (agent_queues) or of no queue at all.
  std::vector<std::string> skills;
  std::string hours;             // a schedule name; empty = always open
  std::string welcome;           // template sent when a conversation opens; empty = none
  std::string away;              // template sent outside hours; empty = none
  std::optional<BotConfig> bot;  // set: a bot serves the queue, agents never do
};

enum class HoursCondition { kAny, kOpen, kClosed };

// Every non-empty condition must hold; within a list, any one entry is enough.
struct Rule {
  std::string name;
  std::vector<std::string> instances;  // channel instance ids
  std::vector<std::string> keywords;   // whole words/phrases, case-insensitive
  std::vector<std::string> languages;  // "de", "en", ... (primary subtag)
  std::string hours;                   // a schedule name, with `when`
  HoursCondition when = HoursCondition::kAny;
  std::string queue;
};

struct KeywordAnswer {
  std::vector<std::string> keywords;
  std::string answer;  // template
};

struct RoutingConfig {
  std::vector<QueueConfig> queues;
  std::string default_queue;  // where a message goes when no rule matches
  std::vector<Rule> rules;    // first match wins
  std::map<std::string, BusinessHours, std::less<>> schedules;
  std::vector<KeywordAnswer> keyword_answers;              // first match answers
  std::map<std::string, std::string, std::less<>> canned;  // id -> template, for agents
  // At most one away message per conversation per this period.
  std::chrono::milliseconds away_period = std::chrono::hours(12);
  // The same keyword answer goes to a conversation at most once per this period, so two bots
  // that do not flag their messages as automated cannot ping-pong.
  std::chrono::milliseconds keyword_period = std::chrono::minutes(10);
};

// Every queue id unique and non-empty; the default queue, each rule's queue and every schedule
// named by a queue or rule exist. A bot queue hands over to an existing queue that is no bot
// queue, has an http:// URL and a secret; bot queues sharing a URL share its secret too (the
// dispatcher signs by URL). `more_queues` are human queues kept elsewhere (created through the
// REST API) that the default queue and rules may name too.
using QueueIds = std::set<std::string, std::less<>>;
sb::Status validate(const RoutingConfig& config, const QueueIds& more_queues = {});

const QueueConfig* find_queue(const RoutingConfig& config, std::string_view id);
// The queue's bot, or null for an unknown or human queue.
const BotConfig* bot_of(const RoutingConfig& config, std::string_view queue_id);

// What a rule looks at.
struct MessageFacts {
  std::string_view instance_id, text, language;
  Millis at;
};

// How the configuration uses a queue: "declared" (one of its queues), "named" (the default
// queue, a rule's queue or a bot's handover queue, kept elsewhere) or "" (not at all).
std::string_view queue_use(const RoutingConfig& config, std::string_view queue_id);

// The first matching rule's queue, else the default queue.
std::string match_queue(const RoutingConfig& config, const MessageFacts& facts);

}  // namespace sb::routing
