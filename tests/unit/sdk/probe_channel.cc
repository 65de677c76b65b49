#include "probe_channel.hpp"

#include <stdexcept>

namespace probe {

namespace sw = switchboard;

ProbeChannel::ProbeChannel(sw::Host host, std::string_view, std::string_view config)
    : sw::Channel(std::move(host)), config_(config) {
  if (config == "throw") throw std::runtime_error("constructor exploded");
}

sw::Status ProbeChannel::validate_config(std::string_view json) {
  if (json == "throw") throw std::invalid_argument("validator exploded");
  if (json == "bad") return sw::Error::invalid_arg("field: bad");
  return {};
}

sw::Status ProbeChannel::start() {
  if (config_ == "start-throws") throw std::logic_error("start exploded");
  if (int32_t rc = host().register_webhook("/hook"); rc != SB_OK) {
    return sw::Error(rc, "cannot register /hook");
  }
  return {};
}

sw::SendResult ProbeChannel::send(const sw::OutboundMessage& message) {
  std::string text(message.text());
  if (text == "throw") throw std::runtime_error("provider exploded");
  if (text == "throw-int") throw 42;
  if (text == "fail-ok-status") return sw::Error(SB_OK, "an error with a success status");
  if (text == "pending") {
    int64_t id = message.message_id();
    host().post([this, id] { host().complete_send(id, "late-" + std::to_string(id)); });
    return sw::SendResult::pending();
  }
  if (text == "timer-throws") {
    host().set_timer(std::chrono::milliseconds(1),
                     [] { throw std::runtime_error("tick exploded"); });
  }
  return sw::SendResult::sent("p-" + text);
}

sw::CanSendAnswer ProbeChannel::can_send(const sw::CanSendQuery& query) {
  if (query.to() == "throw") throw std::runtime_error("can_send exploded");
  sw::CanSendAnswer a;
  a.allowed = query.last_inbound_at().has_value();
  a.mode = a.allowed ? SB_SEND_MODE_FREE_TEXT : SB_SEND_MODE_TEMPLATE_ONLY;
  if (a.allowed) {  // a 24-hour window from the last inbound message
    auto end = *query.last_inbound_at() + std::chrono::hours(24);
    a.expires_at_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(end.time_since_epoch()).count();
  }
  a.reason = a.allowed ? "window open" : "window closed";
  return a;
}

sw::Result<std::string> ProbeChannel::invoke(std::string_view op, std::string_view json) {
  if (op == "throw-int") throw 7;
  if (op == "echo") return std::string(json);
  return sw::Channel::invoke(op, json);
}

sw::Health ProbeChannel::health() {
  if (config_ == "health-throws") throw std::runtime_error("health exploded");
  return {SB_STATE_DEGRADED, R"({"why":"probe"})"};
}

sw::Status ProbeChannel::handle_webhook(const sw::WebhookRequest& request, sw::WebhookResponse&) {
  if (request.body() == "throw") throw std::runtime_error("webhook exploded");
  return {};
}

}  // namespace probe

SB_PLUGIN(probe::ProbeChannel, "probe", "0.0.1", "test", "Misbehaves on request", SB_CAP_SEND_TEXT)
