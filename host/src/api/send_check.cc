// Shared by the sending routes: the event helpers and "may this be sent now?" through the
// channel's can_send, asked before anything is written.
#include <Poco/JSON/Stringifier.h>

#include <sstream>

#include "api/routes_common.h"
#include "log/log.h"

namespace sb::api {

void emit(const ApiDeps& deps, std::string_view type, const Poco::JSON::Object& data) {
  if (!deps.on_event) return;
  std::ostringstream out;
  Poco::JSON::Stringifier::condense(data, out);
  deps.on_event(type, out.str());
}

void emit_assigned(const ApiDeps& deps, int64_t conversation_id,
                   const std::optional<std::string>& agent, const std::optional<std::string>& queue,
                   const std::optional<std::string>& previous, std::string_view by) {
  Poco::JSON::Object event;
  event.set("conversation_id", conversation_id);
  event.set("agent_id", agent ? Poco::Dynamic::Var(*agent) : Poco::Dynamic::Var());
  event.set("queue", queue ? Poco::Dynamic::Var(*queue) : Poco::Dynamic::Var());
  if (previous && previous != agent) event.set("previous_agent_id", *previous);
  event.set("by", std::string(by));
  emit(deps, "conversation.assigned", event);
}

CanSendInfo ask_can_send(const ApiDeps& deps, const SendQuery& q) {
  // A channel that cannot say (no can_send in its vtable, not running, its can_send failed) must
  // not stop agents: the plugin's own send still decides, and the outbox records its refusal.
  CanSendInfo fallback{true, "unknown", 0, ""};
  if (deps.channels == nullptr) {
    fallback.reason = "no channel layer to ask; the channel decides when sending";
    return fallback;
  }
  auto answer =
      deps.channels->can_send(q.instance_id, q.to, q.from, q.content_type, q.last_inbound_at_ms);
  if (answer) return std::move(answer).value();
  log::logger("api")->debug("can_send of channel \"{}\" did not answer ({}); allowing",
                            q.instance_id, answer.status().message());
  fallback.reason = "the channel could not say (" + answer.status().message() +
                    "); the channel decides when sending";
  return fallback;
}

std::optional<http::Response> refuse_unless_sendable(const ApiDeps& deps, const SendQuery& q,
                                                     const std::string& field) {
  const CanSendInfo answer = ask_can_send(deps, q);
  if (answer.allowed) return std::nullopt;
  std::string message = "channel \"" + q.instance_id + "\" refuses " + q.content_type + " to " +
                        q.to + ": " + answer.reason;
  if (answer.mode == "template_only") {
    message += " (send an approved template instead: " + field + " \"template\")";
  }
  return error_response(422, "cannot_send", message, field);
}

}  // namespace sb::api
