// A test channel compiled into the test binary (its SB_PLUGIN entry is this binary's): it
// misbehaves on request so the trampolines' containment can be checked through the real C entry and
// vtable.
#pragma once

#include <switchboard/sdk.hpp>

#include <string>
#include <string_view>

namespace probe {

class ProbeChannel : public switchboard::Channel {
 public:
  // config "throw" makes the constructor throw.
  ProbeChannel(switchboard::Host host, std::string_view instance_id, std::string_view config);

  static std::string config_schema() { return R"({"type":"object"})"; }
  // "throw" throws; "bad" is an INVALID_ARG; anything else is fine.
  static switchboard::Status validate_config(std::string_view json);

  // The message text picks the behaviour: "throw" (std::runtime_error), "throw-int" (not a
  // std::exception), "pending" (complete_send later), "fail-ok-status" (an Error with status 0),
  // "timer-throws" (a timer task that throws), else sent as "p-<text>".
  switchboard::SendResult send(const switchboard::OutboundMessage& message) override;
  switchboard::CanSendAnswer can_send(const switchboard::CanSendQuery& query) override;
  switchboard::Result<std::string> invoke(std::string_view op, std::string_view json) override;
  switchboard::Health health() override;
  switchboard::Status handle_webhook(const switchboard::WebhookRequest& request,
                                     switchboard::WebhookResponse& response) override;
  switchboard::Status start() override;

 private:
  std::string config_;
};

}  // namespace probe
