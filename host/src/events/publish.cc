#include "events/publish.h"

#include <sstream>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>

namespace sb::events {
std::string event_json(const Poco::JSON::Object& data) {
  std::ostringstream out;
  Poco::JSON::Stringifier::condense(data, out);
  return out.str();
}

std::string_view delivery_status_name(store::DeliveryStatus status) {
  switch (status) {
    case store::DeliveryStatus::kQueued:
      return "queued";
    case store::DeliveryStatus::kSent:
      return "sent";
    case store::DeliveryStatus::kDelivered:
      return "delivered";
    case store::DeliveryStatus::kRead:
      return "read";
    case store::DeliveryStatus::kFailed:
      return "failed";
  }
  return "unknown";
}

void publish_inbound(EventLog& log, const store::InboundMessage& message,
                     const store::InboundResult& result) {
  const auto& r = result.resolution;
  if (r.opened_new) {
    Poco::JSON::Object c;
    c.set("conversation_id", r.conversation_id);
    c.set("contact_id", r.contact_id);
    c.set("instance_id", message.instance_id);
    log.publish("conversation.created", event_json(c));
  } else if (r.reopened) {
    Poco::JSON::Object c;
    c.set("conversation_id", r.conversation_id);
    c.set("status", "open");
    c.set("by", "inbound");
    log.publish("conversation.status", event_json(c));
  }
  Poco::JSON::Object m;
  m.set("message_id", result.message_id);
  m.set("conversation_id", r.conversation_id);
  m.set("contact_id", r.contact_id);
  m.set("instance_id", message.instance_id);
  m.set("direction", "inbound");
  m.set("content_type", message.content_type);
  log.publish("message.created", event_json(m));
}

void publish_outbound(EventLog& log, int64_t message_id, int64_t conversation_id,
                      const std::string& instance_id, const std::string& by) {
  Poco::JSON::Object m;
  m.set("message_id", message_id);
  m.set("conversation_id", conversation_id);
  m.set("instance_id", instance_id);
  m.set("direction", "outbound");
  m.set("by", by);
  log.publish("message.created", event_json(m));
}

void publish_delivery(EventLog& log, const store::DeliveryUpdate& update) {
  Poco::JSON::Object m;
  m.set("message_id", update.message_id);
  m.set("instance_id", update.instance_id);
  m.set("provider_message_id", update.provider_message_id);
  m.set("status", std::string(delivery_status_name(update.status)));
  m.set("timestamp_ms", update.timestamp_ms);
  if (!update.error_code.empty()) m.set("error_code", update.error_code);
  log.publish("message.status", event_json(m));
}

void publish_assigned(EventLog& log, int64_t conversation_id,
                      const std::optional<std::string>& agent, const std::string& queue,
                      const std::string& by) {
  Poco::JSON::Object c;
  c.set("conversation_id", conversation_id);
  c.set("agent_id", agent ? Poco::Dynamic::Var(*agent) : Poco::Dynamic::Var());
  c.set("queue", queue);
  c.set("by", by);
  log.publish("conversation.assigned", event_json(c));
}

}  // namespace sb::events
