// Bot queues: conversations stay unassigned with the bot until a handover moves them to humans.
#include <Poco/JSON/Object.h>

#include <sstream>

#include "log/log.h"
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
    auto h = handover_locked(conversation, queue.id, *to, "customer", keyword, {}, now);
    if (!h) return h.status();
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
                                             std::string_view actor, std::string_view keyword,
                                             std::string_view note, int64_t now) {
  Handover h;
  h.conversation_id = conversation.id;
  h.from_queue = std::string(from_queue);
  h.to_queue = to.id;
  h.keyword = std::string(keyword);
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
  record_handover(h, actor, note, now);
  return h;
}

// The handover is done when this runs: a note that cannot be stored is logged, and the
// conversation.handover event still carries it.
void Router::record_handover(const Handover& h, std::string_view actor, std::string_view note,
                             int64_t now) {
  std::string text = "Handed over from " + h.from_queue + " to " + h.to_queue;
  text += h.assignee ? " (assigned to " + *h.assignee + ")" : std::string(" (waiting)");
  if (!h.keyword.empty()) text += ": the customer wrote \"" + h.keyword + "\"";
  if (!note.empty()) text += ": " + std::string(note);
  Poco::JSON::Object payload;
  payload.set("kind", "handover");
  payload.set("from_queue", h.from_queue);
  payload.set("to_queue", h.to_queue);
  if (h.assignee) payload.set("assignee", *h.assignee);
  payload.set("actor", std::string(actor));
  if (!h.keyword.empty()) payload.set("keyword", h.keyword);
  if (!note.empty()) payload.set("note", std::string(note));
  std::ostringstream json;
  payload.stringify(json);
  if (auto id = model_.add_note(h.conversation_id, text, json.str(), now); !id) {
    log::logger("routing")->error("conversation {}: handover note not recorded: {}",
                                  h.conversation_id, id.status().message());
  }
}

sb::Result<Handover> Router::handover(int64_t conversation_id,
                                      const std::optional<std::string>& queue,
                                      std::string_view actor, std::string_view note) {
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
  return handover_locked(conversation, *conversation.queue, *to, actor, {}, note, options_.clock());
}

}  // namespace sb::routing
