// The echo channel: every message sent through it "arrives" at the recipient and comes back, after
// the configured delay, as an inbound reply from that recipient. Provider ids are "echo-<n>" with n
// from a counter kept in the host's key-value store, so ids stay unique across restarts.
#pragma once

#include "echo_config.hpp"

#include <switchboard/sdk.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace echo {

namespace sw = switchboard;

inline constexpr std::string_view kCounterKey = "next_id";
inline constexpr std::string_view kInboundRoute = "/inbound";
inline constexpr std::size_t kMaxWebhookBody = 64 * 1024;

class EchoChannel : public sw::Channel {
 public:
  EchoChannel(sw::Host host, std::string_view instance_id, std::string_view config_json);

  static std::string config_schema() { return config_schema_json(); }
  static sw::Status validate_config(std::string_view json);

  sw::Status start() override;
  void stop() override;
  sw::SendResult send(const sw::OutboundMessage& message) override;
  sw::Status handle_webhook(const sw::WebhookRequest& request,
                            sw::WebhookResponse& response) override;
  sw::CanSendAnswer can_send(const sw::CanSendQuery& query) override;
  sw::Result<std::string> invoke(std::string_view op, std::string_view json_in) override;
  sw::Health health() override;

 private:
  // What a sent message turns into once its delay is over.
  struct Echo {
    int64_t message_id = 0;
    std::string provider_id, to, from, text, thread_key;
  };

  void report(int32_t delivery_status, int64_t message_id, const std::string& provider_id);
  void on_echo_due(uint64_t number, const Echo& echo);
  std::string stats_json() const;

  std::string instance_id_;
  sw::Result<Config> config_;
  bool running_ = false;
  uint64_t next_id_ = 1;
  uint64_t sent_ = 0;
  uint64_t echoed_ = 0;
  std::map<uint64_t, sw::Host::TimerId> pending_;  // id number -> its echo timer
};

}  // namespace echo
