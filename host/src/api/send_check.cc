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

std::string plugin_text(std::string_view message) {
  const size_t code = message.find("SB_ERR_");
  if (code == std::string_view::npos) return std::string(message);
  const size_t after = message.find(": ", code);
  if (after == std::string_view::npos) return std::string(message.substr(code));
  return std::string(message.substr(after + 2));
}

Result<CanSendInfo> ask_can_send(const ApiDeps& deps, const SendQuery& q) {
  if (deps.channels == nullptr) {
    return CanSendInfo{true, "unknown", 0,
                       "no channel layer to ask; the channel decides when sending"};
  }
  // A channel without can_send answers "unknown" (its send decides). An error is no answer: the
  // send is refused rather than queued on a guess.
  auto answer = deps.channels->can_send(q.instance_id, q.to, q.from, q.content_type,
                                        q.last_inbound_at_ms, q.payload_json);
  if (!answer) {
    log::logger("api")->warn("can_send of channel \"{}\" failed: {}", q.instance_id,
                             answer.status().message());
  }
  return answer;
}

http::Response can_send_failed(const SendQuery& q, const Status& status) {
  return error_response(503, "unavailable",
                        "channel \"" + q.instance_id + "\" could not say whether it may send " +
                            q.content_type + " now: " + plugin_text(status.message()) +
                            "; nothing was written, try again later");
}

std::optional<http::Response> refuse_unless_sendable(const ApiDeps& deps, const SendQuery& q,
                                                     const std::string& field) {
  auto asked = ask_can_send(deps, q);
  if (!asked) return can_send_failed(q, asked.status());
  const CanSendInfo& answer = *asked;
  if (answer.allowed) return std::nullopt;
  std::string message = "channel \"" + q.instance_id + "\" refuses " + q.content_type + " to " +
                        q.to + ": " + answer.reason;
  // The hint only helps a non-template: a refused template is refused for its own reason (not
  // approved, not known to the channel), named by the channel.
  if (answer.mode == "template_only" && q.content_type != "template") {
    message += " (send an approved template instead: " + field + " \"template\")";
  }
  return error_response(422, "cannot_send", message, field);
}

}  // namespace sb::api
