// Choosing an agent: the strategies and handing out capacity that freed up.
#include <algorithm>

#include "routing/router.h"

namespace sb::routing {
namespace {

bool has_skills(const store::Agent& agent, const std::vector<std::string>& needed) {
  return std::all_of(needed.begin(), needed.end(), [&](const std::string& s) {
    return std::binary_search(agent.skills.begin(), agent.skills.end(), s);
  });
}

struct Candidate {
  const store::Agent* agent;
  store::AgentLoad load;
};

// Least busy first; equal loads go to the agent idle longest, then by id.
void sort_least_busy(std::vector<Candidate>& c) {
  std::sort(c.begin(), c.end(), [](const Candidate& a, const Candidate& b) {
    return std::tie(a.load.active, a.load.last_assigned_at_ms, a.agent->id) <
           std::tie(b.load.active, b.load.last_assigned_at_ms, b.agent->id);
  });
}

// Members of a queue serve it; an agent in no queue at all serves every queue. Either way it needs
// every skill the queue asks for.
bool serves(const store::Agent& agent, const QueueConfig& queue) {
  const bool member = agent.queues.empty() ||
                      std::binary_search(agent.queues.begin(), agent.queues.end(), queue.id);
  return member && has_skills(agent, queue.skills);
}

}  // namespace

sb::Result<Router::Pick> Router::assign_from_queue(const store::Conversation& conversation,
                                                   const QueueConfig& queue, int64_t now) {
  auto agents = routing_.agents();
  if (!agents) return agents.status();
  auto loads = routing_.agent_loads();
  if (!loads) return loads.status();

  std::vector<Candidate> eligible;  // sorted by agent id, like agents()
  for (const auto& a : *agents) {
    if (a.presence != store::Presence::kOnline || !serves(a, queue)) continue;
    auto load = std::find_if(loads->begin(), loads->end(),
                             [&](const store::AgentLoad& l) { return l.agent_id == a.id; });
    store::AgentLoad l = load == loads->end() ? store::AgentLoad{a.id, 0, 0} : *load;
    if (l.active < a.max_concurrent) eligible.push_back({&a, l});
  }

  std::string reason(to_string(queue.strategy));
  std::optional<std::string> sticky_agent;
  if (queue.strategy == Strategy::kRoundRobin) {
    auto last = routing_.round_robin_position(queue.id);
    if (!last) return last.status();
    if (*last) {
      auto after = std::find_if(eligible.begin(), eligible.end(),
                                [&](const Candidate& c) { return c.agent->id > **last; });
      std::rotate(eligible.begin(), after, eligible.end());
    }
  } else {
    sort_least_busy(eligible);
    if (queue.strategy == Strategy::kSticky) {
      auto last = routing_.last_agent_of_contact(conversation.contact_id);
      if (!last) return last.status();
      auto it = std::find_if(eligible.begin(), eligible.end(),
                             [&](const Candidate& c) { return *last && c.agent->id == **last; });
      if (it != eligible.end()) {
        sticky_agent = it->agent->id;
        std::rotate(eligible.begin(), it, it + 1);  // to the front, the rest in order
      }
    }
  }

  for (const auto& c : eligible) {
    const bool sticky = sticky_agent && *sticky_agent == c.agent->id;
    const std::string why =
        queue.strategy == Strategy::kSticky ? (sticky ? "sticky" : "least_busy") : reason;
    store::AssignRequest req{conversation.id,         c.agent->id, queue.id, why, options_.actor,
                             c.agent->max_concurrent, now};
    auto done = routing_.assign(req);
    if (!done) return done.status();
    if (!*done) continue;  // filled up meanwhile (another host): try the next one
    if (queue.strategy == Strategy::kRoundRobin) {
      if (auto st = routing_.set_round_robin_position(queue.id, c.agent->id, now); !st) return st;
    }
    return Pick{c.agent->id, why};
  }
  return Pick{std::nullopt, "waiting"};
}

sb::Result<std::vector<int64_t>> Router::rebalance_locked() {
  std::vector<int64_t> assigned;
  const int64_t now = options_.clock();
  std::vector<const QueueConfig*> queues;
  for (const auto& q : config_.queues) queues.push_back(&q);
  for (const auto& q : api_queues_) queues.push_back(&q);
  for (const QueueConfig* q : queues) {
    const QueueConfig& queue = *q;
    if (queue.bot) continue;  // its conversations are with the bot, not waiting for agents
    auto waiting = routing_.waiting(queue.id, 1000);
    if (!waiting) return waiting.status();
    for (const auto& w : *waiting) {
      auto conversation = model_.get_conversation(w.conversation_id);
      if (!conversation) return conversation.status();
      if (!*conversation) continue;
      auto pick = assign_from_queue(**conversation, queue, now);
      if (!pick) return pick.status();
      if (!pick->agent) break;  // nobody has room in this queue: the rest wait too
      assigned.push_back(w.conversation_id);
      if (options_.on_assigned) {
        options_.on_assigned(Assignment{w.conversation_id, pick->agent, queue.id,
                                        "routing:rebalance", pick->reason});
      }
    }
  }
  return assigned;
}

sb::Result<std::vector<int64_t>> Router::rebalance() {
  std::lock_guard lock(mu_);
  return rebalance_locked();
}

}  // namespace sb::routing
