#include "app/bot_glue.h"

#include <algorithm>

#include "events/bot_events.h"
#include "events/publish.h"
#include "log/log.h"

namespace sb::app {

Result<std::vector<events::Webhook>> bot_webhooks(const routing::RoutingConfig& config,
                                                  const std::vector<events::Webhook>& webhooks) {
  std::vector<events::Webhook> out;
  for (const auto& q : config.queues) {
    if (!q.bot) continue;
    const auto same = [&](const events::Webhook& w) { return w.url == q.bot->url; };
    if (std::any_of(webhooks.begin(), webhooks.end(), same)) {
      return invalid_argument("routing.queues[" + q.id +
                              "].bot.url is also a webhook subscription's url");
    }
    if (std::any_of(out.begin(), out.end(), same)) continue;
    events::Webhook hook;
    hook.url = q.bot->url;
    hook.secret = q.bot->secret;
    hook.timeout = q.bot->timeout;
    hook.max_attempts = q.bot->max_attempts;
    out.push_back(std::move(hook));
  }
  return out;
}

std::string api_base_url(const std::string& host, uint16_t port) {
  const bool wildcard = host.empty() || host == "0.0.0.0" || host == "::" || host == "[::]";
  std::string h = wildcard ? "127.0.0.1" : host;
  if (h.find(':') != std::string::npos && h.front() != '[') h = "[" + h + "]";
  return "http://" + h + ":" + std::to_string(port);
}

void after_routing(events::EventLog& log, store::ModelStore& model,
                   const routing::RoutingConfig& config, const store::InboundMessage& message,
                   const store::InboundResult& result, const routing::Decision& decision,
                   const std::string& api_base_url) {
  if (const auto& h = decision.handover) {
    const routing::BotConfig* bot = routing::bot_of(config, h->from_queue);
    events::publish_handover(log, {h->conversation_id, h->from_queue, h->to_queue, h->assignee,
                                   "customer", "", h->keyword, bot ? bot->url : ""});
    return;
  }
  if (decision.bot_queue.empty()) return;
  const routing::BotConfig* bot = routing::bot_of(config, decision.bot_queue);
  if (bot == nullptr) return;
  auto logger = log::logger("bots");
  auto conversation = model.get_conversation(result.resolution.conversation_id);
  if (!conversation || !*conversation) {
    logger->error("message {} not delivered to bot {}: conversation unreadable", result.message_id,
                  decision.bot_queue);
    return;
  }
  auto contact = model.get_contact((*conversation)->contact_id);
  events::BotMessage m;
  m.bot_url = bot->url;
  m.conversation = std::move(**conversation);
  m.contact_name = contact && *contact ? (*contact)->display_name : std::string();
  m.message = &message;
  m.message_id = result.message_id;
  m.api_base_url = api_base_url;
  events::publish_bot_message(log, m);
}

Result<api::HandoverOutcome> handover(routing::Router& router, events::EventLog& log,
                                      int64_t conversation_id,
                                      const std::optional<std::string>& queue,
                                      const std::string& actor, const std::string& note) {
  auto h = router.handover(conversation_id, queue, actor, note);
  if (!h) return h.status();
  const routing::BotConfig* bot = routing::bot_of(router.config(), h->from_queue);
  events::publish_handover(log, {h->conversation_id, h->from_queue, h->to_queue, h->assignee, actor,
                                 note, "", bot ? bot->url : ""});
  events::publish_assigned(log, h->conversation_id, h->assignee, h->to_queue,
                           "handover:" + h->reason);
  return api::HandoverOutcome{h->from_queue, h->to_queue, h->assignee};
}

}  // namespace sb::app
