#include "routing/router.h"

namespace sb::routing {

Router::Router(RoutingConfig config, store::ModelStore& model, store::RoutingStore& routing,
               RouterOptions options)
    : config_(std::move(config)), model_(model), routing_(routing), options_(std::move(options)) {}

namespace {

// The queues created through the REST API: every row the configuration does not declare.
sb::Result<std::vector<QueueConfig>> api_queues(const RoutingConfig& config,
                                                store::RoutingStore& routing) {
  auto rows = routing.queues();
  if (!rows) return rows.status();
  std::vector<QueueConfig> out;
  for (auto& row : *rows) {
    if (find_queue(config, row.id) != nullptr) continue;
    QueueConfig q;
    q.id = std::move(row.id);
    q.name = std::move(row.name);
    q.strategy = parse_strategy(row.strategy).value_or(Strategy::kRoundRobin);
    out.push_back(std::move(q));
  }
  return out;
}

}  // namespace

sb::Result<std::unique_ptr<Router>> Router::create(RoutingConfig config, store::Store& store,
                                                   RouterOptions options) {
  if (!store.model() || !store.routing()) {
    return sb::failed_precondition(
        "routing needs a store with the conversation and routing tables");
  }
  if (!options.clock) options.clock = conversations::system_clock_ms;
  if (!options.language_of) options.language_of = guess_language;
  auto more = api_queues(config, *store.routing());
  if (!more) return more.status();
  QueueIds more_ids;
  for (const auto& q : *more) more_ids.insert(q.id);
  if (auto st = validate(config, more_ids); !st) return st;
  std::vector<store::QueueRow> rows;
  for (const auto& q : config.queues) {
    rows.push_back({q.id, q.name, std::string(to_string(q.strategy))});
  }
  if (auto st = store.routing()->put_config_queues(rows, options.clock()); !st) return st;
  std::unique_ptr<Router> router(
      new Router(std::move(config), *store.model(), *store.routing(), std::move(options)));
  router->api_queues_ = std::move(*more);
  return router;
}

sb::Status Router::reload_queues() {
  std::lock_guard lock(mu_);
  auto more = api_queues(config_, routing_);
  if (!more) return more.status();
  api_queues_ = std::move(*more);
  return {};
}

const QueueConfig* Router::queue_locked(std::string_view id) const {
  if (const QueueConfig* q = find_queue(config_, id)) return q;
  for (const auto& q : api_queues_) {
    if (q.id == id) return &q;
  }
  return nullptr;
}

sb::Result<Decision> Router::route(const store::InboundMessage& message,
                                   const store::InboundResult& result) {
  Decision d;
  const int64_t conversation_id = result.resolution.conversation_id;
  if (result.outcome == store::InsertOutcome::kDuplicate || conversation_id == 0) return d;
  std::lock_guard lock(mu_);
  auto found = model_.get_conversation(conversation_id);
  if (!found) return found.status();
  if (!*found) return sb::not_found("no conversation " + std::to_string(conversation_id));
  store::Conversation conversation = std::move(**found);
  if (conversation.status == store::ConversationStatus::kResolved) return d;
  const int64_t now = options_.clock();

  const QueueConfig* queue = conversation.queue ? queue_locked(*conversation.queue) : nullptr;
  const bool stored_assignee = conversation.assignee.has_value();
  if (conversation.assignee && result.resolution.reopened) {
    // A re-opened conversation goes back to its agent only while that agent is online; else the
    // queue's strategy picks again (sticky still prefers that agent once back).
    auto agent = routing_.get_agent(*conversation.assignee);
    if (!agent) return agent.status();
    if (!*agent || (*agent)->presence != store::Presence::kOnline) conversation.assignee.reset();
  }
  if (conversation.assignee) {
    d.queue = conversation.queue.value_or("");
    d.assignee = conversation.assignee;
    d.reason = "kept";
  } else {
    if (!queue) {  // new, or its queue left the configuration: the rules decide
      const std::string language = options_.language_of(message.text);
      MessageFacts facts{message.instance_id, message.text, language,
                         Millis(std::chrono::milliseconds(now))};
      queue = queue_locked(match_queue(config_, facts));
      // A rule's API queue deleted since: the default queue (validate() checked it at start).
      if (!queue) queue = queue_locked(config_.default_queue);
      if (!queue) return sb::failed_precondition("routing: the default queue was deleted");
    }
    if (queue->bot) {
      auto with_bot = route_to_bot(message, conversation, *queue, stored_assignee, now, d);
      if (!with_bot) return with_bot.status();
      queue = *with_bot;
      auto replies = auto_replies(message, result, conversation, *queue, now);
      if (!replies) return replies.status();
      d.replies = std::move(*replies);
      return d;
    }
    auto pick = assign_from_queue(conversation, *queue, now);
    if (!pick) return pick.status();
    d.queue = queue->id;
    d.assignee = pick->agent;
    d.reason = pick->reason;
    if (!pick->agent && (conversation.queue != queue->id || stored_assignee)) {
      store::AssignRequest wait{conversation.id, {}, queue->id, "waiting", options_.actor, -1, now};
      auto done = routing_.assign(wait);
      if (!done) return done.status();
    }
    conversation.assignee = pick->agent;
    conversation.queue = queue->id;
  }
  if (!queue) queue = queue_locked(config_.default_queue);
  if (!queue) return d;  // the default queue (an API queue) was deleted: no auto-replies
  auto replies = auto_replies(message, result, conversation, *queue, now);
  if (!replies) return replies.status();
  d.replies = std::move(*replies);
  return d;
}

sb::Status Router::set_presence(std::string_view agent_id, store::Presence presence) {
  std::lock_guard lock(mu_);
  if (auto st = routing_.set_presence(agent_id, presence, options_.clock()); !st) return st;
  if (presence != store::Presence::kOnline) return {};
  auto assigned = rebalance_locked();
  return assigned ? sb::Status() : assigned.status();
}

sb::Status Router::reassign(int64_t conversation_id, const std::optional<std::string>& agent_id,
                            std::string_view actor) {
  std::lock_guard lock(mu_);
  auto found = model_.get_conversation(conversation_id);
  if (!found) return found.status();
  if (!*found) return sb::not_found("no conversation " + std::to_string(conversation_id));
  if (agent_id) {
    auto agent = routing_.get_agent(*agent_id);
    if (!agent) return agent.status();
    if (!*agent) return sb::not_found("no agent " + *agent_id);
  }
  const std::string queue = (*found)->queue.value_or(config_.default_queue);
  store::AssignRequest req{conversation_id,
                           agent_id.value_or(""),
                           queue,
                           agent_id ? "supervisor" : "supervisor_unassign",
                           std::string(actor),
                           -1,
                           options_.clock()};
  auto done = routing_.assign(req);
  if (!done) return done.status();
  if (!*done) return sb::failed_precondition("conversation is resolved");
  if (options_.on_assigned) {
    options_.on_assigned(
        Assignment{conversation_id, agent_id, queue, std::string(actor), req.reason});
  }
  auto assigned = rebalance_locked();
  return assigned ? sb::Status() : assigned.status();
}

sb::Result<std::string> Router::canned(std::string_view id, int64_t conversation_id) {
  std::lock_guard lock(mu_);
  auto text = config_.canned.find(id);
  if (text == config_.canned.end()) return sb::not_found("no canned response " + std::string(id));
  auto conversation = model_.get_conversation(conversation_id);
  if (!conversation) return conversation.status();
  if (!*conversation) return sb::not_found("no conversation " + std::to_string(conversation_id));
  const QueueConfig* queue =
      (*conversation)->queue ? queue_locked(*(*conversation)->queue) : nullptr;
  auto values = placeholders(**conversation, queue, options_.clock());
  if (!values) return values.status();
  return render(text->second, *values);
}

}  // namespace sb::routing
