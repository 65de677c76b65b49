// api::Channels over the runtime's channel instances, and a SendHook that sends at once through
// an instance (until the outbox is wired in, the lead replaces it with Outbox::enqueue).
#pragma once

#include "api/api.h"
#include "runtime/runtime.h"

namespace sb::api {

class RuntimeChannels : public Channels {
 public:
  explicit RuntimeChannels(runtime::Runtime& runtime) : runtime_(runtime) {}
  std::vector<ChannelInfo> list() override;
  bool exists(std::string_view instance_id) override;
  bool read_receipts(std::string_view instance_id) override;
  Result<CanSendInfo> can_send(std::string_view instance_id, std::string_view to,
                               std::string_view from, std::string_view content_type,
                               int64_t last_inbound_at_ms, std::string_view payload_json) override;
  Result<std::string> invoke(std::string_view instance_id, std::string_view op,
                             std::string_view json_in) override;
  MediaDownload download_media(std::string_view instance_id, std::string_view media_id,
                               size_t max_bytes) override;

 private:
  runtime::Runtime& runtime_;
};

// Calls ChannelInstance::send (store row first, then the plugin); a repeated idempotency key
// returns the first message without calling the plugin again.
SendHook direct_send_hook(runtime::Runtime& runtime);

}  // namespace sb::api
