// Bot queues: conversations stay unassigned with the bot until a handover moves them to humans.
#include "routing/router.h"
#include "switchboard/abi.h"

namespace sb::routing {

sb::Result<const QueueConfig*> Router::route_to_bot(const store::InboundMessage& message,
                                                    store::Conversation& conversation,
                                                    const QueueConfig& queue, bool stored_assignee,
                                                    int64_t now, Decision& d) {
  const BotConfig& bot = *queue.bot;
  // Loop protection: machines and provider notices neither reach the bot nor hand over.
  const bool machine = (message.flags & (SB_INBOUND_AUTOMATED | SB_INBOUND_SYSTEM)) != 0;
  std::string keyword;
  if (!machine) {
    for (const auto& k : bot.handover_keywords) {
      if (contains_keyword(message.text, k)) {
        keyword = k;
        break;
      }
    }
  }
  if (!keyword.empty()) {
    const QueueConfig* to = find_queue(config_, bot.handover_queue);  // validate() checked it
    auto h = handover_locked(conversation, queue.id, *to, "customer", now);
    if (!h) return h.status();
    h->keyword = keyword;
    d.queue = to->id;
    d.assignee = h->assignee;
    d.reason = h->reason;
    d.handover = std::move(*h);
    conversation.queue = to->id;
    conversation.assignee = d.assignee;
    return to;
  }
  d.reason = "kept";
  if (conversation.queue != queue.id || stored_assignee) {
    store::AssignRequest place{conversation.id, {}, queue.id, "bot", options_.actor, -1, now};
    auto done = routing_.assign(place);
    if (!done) return done.status();
    d.reason = "bot";
  }
  d.queue = queue.id;
  d.assignee.reset();
  if (!machine) d.bot_queue = queue.id;
  conversation.queue = queue.id;
  conversation.assignee.reset();
  return &queue;
}

sb::Result<Handover> Router::handover_locked(const store::Conversation& conversation,
                                             std::string_view from_queue, const QueueConfig& to,
                                             std::string_view actor, int64_t now) {
  Handover h;
  h.conversation_id = conversation.id;
  h.from_queue = std::string(from_queue);
  h.to_queue = to.id;
  auto pick = assign_from_queue(conversation, to, now);
  if (!pick) return pick.status();
  h.assignee = pick->agent;
  h.reason = pick->reason;
  if (!pick->agent) {
    store::AssignRequest wait{conversation.id, {}, to.id, "handover", std::string(actor), -1, now};
    auto done = routing_.assign(wait);
    if (!done) return done.status();
    if (!*done) return sb::failed_precondition("conversation is resolved");
  }
  return h;
}

sb::Result<Handover> Router::handover(int64_t conversation_id,
                                      const std::optional<std::string>& queue,
                                      std::string_view actor) {
  std::lock_guard lock(mu_);
  auto found = model_.get_conversation(conversation_id);
  if (!found) return found.status();
  if (!*found) return sb::not_found("no conversation " + std::to_string(conversation_id));
  const store::Conversation& conversation = **found;
  const BotConfig* bot = conversation.queue ? bot_of(config_, *conversation.queue) : nullptr;
  if (conversation.status == store::ConversationStatus::kResolved || bot == nullptr ||
      conversation.assignee) {
    return sb::failed_precondition("the conversation is not with a bot");
  }
  const std::string target = queue.value_or(bot->handover_queue);
  const QueueConfig* to = queue_locked(target);
  if (to == nullptr) return sb::invalid_argument("no queue \"" + target + "\"");
  if (to->bot) return sb::invalid_argument("queue \"" + target + "\" is a bot queue");
  return handover_locked(conversation, *conversation.queue, *to, actor, options_.clock());
}

}  // namespace sb::routing
