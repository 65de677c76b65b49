// The events of bot queues (docs/operator-guide.md, "Bot queues"):
//   bot.message            a customer message for the bot, delivered only to the bot's URL;
//   conversation.handover  a conversation left its bot for humans, delivered to the webhook
//                          subscribers and to the bot's URL (so the bot stops talking).
// Both are appended to the event log like every other event, so the bot gets the signature,
// stable delivery id and durable retries of events/webhooks.h.
#pragma once

#include <optional>
#include <string>

#include "events/event_log.h"
#include "store/model.h"
#include "store/store.h"

namespace sb::events {

struct BotMessage {
  std::string bot_url;
  store::Conversation conversation;
  std::string contact_name;
  const store::InboundMessage* message = nullptr;  // must be set
  int64_t message_id = 0;
  // Where the bot answers: the host's own API, e.g. "http://127.0.0.1:8080".
  std::string api_base_url;
};

// The JSON object of a bot.message event (see the header comment of the .cc for its shape).
std::string bot_message_json(const BotMessage& m);
void publish_bot_message(EventLog& log, const BotMessage& m);

struct HandoverNotice {
  int64_t conversation_id = 0;
  std::string from_queue, to_queue;
  std::optional<std::string> agent;  // nullopt: waiting in to_queue
  std::string by;                    // "customer", "bot:<queue>" or a supervisor's token name
  std::string note, keyword;         // either may be empty
  std::string bot_url;               // the bot it left; empty: no notice to a bot
};

void publish_handover(EventLog& log, const HandoverNotice& h);

}  // namespace sb::events
