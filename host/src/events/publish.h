// The JSON of each event type, built from what the publishers have at hand. Every publisher calls
// these after its own change committed; a failure to record the event is logged, never returned.
#pragma once

#include <optional>
#include <string>

#include <Poco/JSON/Object.h>

#include "events/event_log.h"
#include "store/store.h"

namespace sb::events {

// message.created (direction inbound) and, when the message opened a new conversation,
// conversation.created; a reopened conversation also gives conversation.status "open".
void publish_inbound(EventLog& log, const store::InboundMessage& message,
                     const store::InboundResult& result);
// message.created for an outbound message (an API send or an auto-reply).
void publish_outbound(EventLog& log, int64_t message_id, int64_t conversation_id,
                      const std::string& instance_id, const std::string& by);
// message.status after a delivery report or a final send failure.
void publish_delivery(EventLog& log, const store::DeliveryUpdate& update);
// conversation.assigned (agent nullopt = waiting in the queue).
void publish_assigned(EventLog& log, int64_t conversation_id,
                      const std::optional<std::string>& agent, const std::string& queue,
                      const std::string& by);

std::string_view delivery_status_name(store::DeliveryStatus status);

// An event's data as compact JSON text.
std::string event_json(const Poco::JSON::Object& data);

}  // namespace sb::events
