// bot.message data:
//   {"conversation": {"id", "reference", "channel", "queue", "status",
//                     "contact": {"id", "name"}},
//    "message": {"id", "text", "content_type", "payload_json", "from", "sent_at_ms"},
//    "reply": {"api_base_url", "conversation", "messages", "handover"}}  (paths under the base)
#include "events/bot_events.h"

#include <Poco/JSON/Object.h>

#include "events/publish.h"

namespace sb::events {

std::string bot_message_json(const BotMessage& m) {
  const store::Conversation& c = m.conversation;
  Poco::JSON::Object contact;
  contact.set("id", c.contact_id);
  contact.set("name", m.contact_name);
  Poco::JSON::Object conversation;
  conversation.set("id", c.id);
  conversation.set("reference", c.reference);
  conversation.set("channel", c.instance_id);
  conversation.set("queue", c.queue.value_or(""));
  conversation.set("status", std::string(store::to_string(c.status)));
  conversation.set("contact", contact);

  const store::InboundMessage& in = *m.message;
  Poco::JSON::Object message;
  message.set("id", m.message_id);
  message.set("text", in.text);
  message.set("content_type", in.content_type);
  message.set("payload_json", in.payload_json);
  message.set("from", in.from);
  message.set("sent_at_ms", in.sent_at_ms);

  const std::string path = "/v1/conversations/" + std::to_string(c.id);
  Poco::JSON::Object reply;
  reply.set("api_base_url", m.api_base_url);
  reply.set("conversation", path);
  reply.set("messages", path + "/messages");
  reply.set("handover", path + "/handover");

  Poco::JSON::Object data;
  data.set("conversation", conversation);
  data.set("message", message);
  data.set("reply", reply);
  return event_json(data);
}

void publish_bot_message(EventLog& log, const BotMessage& m) {
  const std::string urls[] = {m.bot_url};
  log.publish("bot.message", bot_message_json(m), urls);
}

void publish_handover(EventLog& log, const HandoverNotice& h) {
  Poco::JSON::Object data;
  data.set("conversation_id", h.conversation_id);
  data.set("from_queue", h.from_queue);
  data.set("to_queue", h.to_queue);
  data.set("agent_id", h.agent ? Poco::Dynamic::Var(*h.agent) : Poco::Dynamic::Var());
  data.set("by", h.by);
  if (!h.note.empty()) data.set("note", h.note);
  if (!h.keyword.empty()) data.set("keyword", h.keyword);
  std::vector<std::string> urls;
  if (!h.bot_url.empty()) urls.push_back(h.bot_url);
  log.publish("conversation.handover", event_json(data), urls);
}

}  // namespace sb::events
