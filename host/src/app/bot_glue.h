// What `switchboard serve` does for bot queues (routing/config.h BotConfig): sign and deliver
// customer messages to the bot through the webhook dispatcher, publish handovers, and answer
// POST /v1/conversations/{id}/handover with the router.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "api/api.h"
#include "core/status.h"
#include "events/event_log.h"
#include "events/webhooks.h"
#include "routing/router.h"
#include "store/model.h"

namespace sb::app {

// The dispatcher's entries for the bots' URLs (one per URL; validate() made the secrets agree).
// kInvalidArgument when a bot URL is also a webhook subscription's URL: the dispatcher signs by
// URL and the subscription would get bot.message deliveries signed with the bot's secret.
Result<std::vector<events::Webhook>> bot_webhooks(const routing::RoutingConfig& config,
                                                  const std::vector<events::Webhook>& webhooks);

// Where a bot reaches the host's API: the listen address, with a wildcard host as 127.0.0.1.
std::string api_base_url(const std::string& host, uint16_t port);

// After route(): a handover keyword's conversation.handover, or the message for the bot.
// Failures are logged: the message and its routing already committed.
void after_routing(events::EventLog& log, store::ModelStore& model,
                   const routing::RoutingConfig& config, const store::InboundMessage& message,
                   const store::InboundResult& result, const routing::Decision& decision,
                   const std::string& api_base_url);

// The API's handover hook: route, then publish conversation.handover (also to the bot) and
// conversation.assigned.
Result<api::HandoverOutcome> handover(routing::Router& router, events::EventLog& log,
                                      int64_t conversation_id,
                                      const std::optional<std::string>& queue,
                                      const std::string& actor, const std::string& note);

}  // namespace sb::app
