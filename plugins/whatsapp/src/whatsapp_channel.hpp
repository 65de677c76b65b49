// The WhatsApp Cloud API channel: one instance serves its WABA's business numbers and numbers of
// other WABAs of the same Meta app, each with its own token (a secret name; see onboarding.hpp).
// Sends go to POST /{phone_number_id}/messages through the host's HTTP; Meta's webhooks arrive on
// "/" (GET handshake, signed POSTs; channel_webhook.cpp); onboarding and templates are invoke
// operations (onboarding.cpp, channel_templates.cpp); the configured numbers' state is read from
// Graph after start (channel_numbers.cpp).
#pragma once

#include "config.hpp"
#include "graph.hpp"
#include "onboarding.hpp"
#include "template_store.hpp"
#include "throughput.hpp"
#include "webhook.hpp"
#include "window.hpp"

#include <switchboard/sdk.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace wa {

class WhatsAppChannel : public sw::Channel {
 public:
  WhatsAppChannel(sw::Host host, std::string_view instance_id, std::string_view config_json);

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
  sw::Status handshake(const sw::WebhookRequest& request, sw::WebhookResponse& response);
  sw::Status receive(const sw::WebhookRequest& request, sw::WebhookResponse& response);
  // Both set *retry when the host could not store something (the webhook then answers 503).
  std::size_t store_inbound(const ParsedDelivery& d, const std::vector<std::string>& ours,
                            bool* retry);
  std::size_t report_statuses(const ParsedDelivery& d, const std::vector<std::string>& ours,
                              bool* retry);
  // SB_OK, or the host's error when the change could not be saved (the webhook then answers 503).
  int32_t apply_change(const AccountChange& change);
  sw::Result<std::string> number_for(std::string_view from) const;
  sw::Result<std::string> media_url(const json::Value& in);
  sw::Result<std::string> media_upload(const json::Value& in);
  sw::Result<std::string> media_download(const json::Value& in);  // media_download.cpp
  sw::Result<std::string> mark_read(const json::Value& in);
  struct MediaInfo {
    json::Value info;   // Graph's answer for the media id
    GraphClient graph;  // the client (token) that could see it
  };
  sw::Result<MediaInfo> media_lookup(std::string_view phone_number_id, const std::string& media_id,
                                     const Query& q) const;
  // The template in `payload` against the store of the sending number's WABA
  // (channel_templates.cpp). kSend refuses what Meta certainly refuses: a PAUSED/DISABLED/REJECTED
  // template and, for an APPROVED one, parameters that do not fit it. kBeforeQueueing (can_send)
  // also refuses a template whose status is anything but APPROVED (PENDING, IN_APPEAL, ...) and one
  // the store does not know although the WABA was synced: the sync listed every template, so Meta
  // does not have it either. Before the WABA's first sync an unknown template is left to Meta (a
  // fresh instance is not blocked). SB_OK when nothing stands against it.
  enum class TemplateCheck { kSend, kBeforeQueueing };
  sw::Error check_template(const std::string& pnid, const json::Value& payload, TemplateCheck how);

  // Templates (channel_templates.cpp).
  std::optional<sw::Result<std::string>> invoke_template(std::string_view op,
                                                         const json::Value& in);
  sw::Result<std::string> template_create(const json::Value& in);
  sw::Result<std::string> template_sync(const json::Value& in);
  // "waba_id", else the WABA of the number in "from"/"phone_number_id", else the instance's.
  sw::Result<std::string> waba_arg(const json::Value& in) const;
  sw::Result<std::string> template_delete(const json::Value& in);
  sw::Result<std::string> template_preview(const json::Value& in);
  sw::Result<std::string> template_list(const json::Value& in);
  void arm_template_sync(std::chrono::milliseconds delay);

  // State of the configured numbers from Graph at start, retried with backoff
  // (channel_numbers.cpp).
  void start_number_load();
  void arm_number_load(std::chrono::milliseconds delay);
  void load_numbers();

  void degrade(std::string reason);
  void recover();
  std::vector<std::string> missing_secrets() const;

  std::string instance_id_;
  sw::Status config_status_;
  Config config_;
  GraphClient graph_;
  TemplateStore templates_;
  WindowStore windows_;
  Throughput throughput_;
  PairLimiter pairs_;
  Onboarding onboarding_;
  bool running_ = false;
  std::vector<std::string> rejected_tokens_;  // secret names Meta refused (190)
  std::string degraded_reason_;
  sw::Host::TimerId sync_timer_ = 0;
  sw::Host::TimerId load_timer_ = 0;
  std::vector<std::string> numbers_to_load_;  // configured numbers whose state is still unread
  std::chrono::milliseconds load_retry_{0};
  uint64_t uploads_ = 0;
};

}  // namespace wa
