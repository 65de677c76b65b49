#include "api/runtime_channels.h"

#include <switchboard/abi.h>

namespace sb::api {
namespace {

std::vector<std::string> capability_names(uint64_t caps) {
  static constexpr std::pair<uint64_t, const char*> kNames[] = {
      {SB_CAP_SEND_TEXT, "send_text"},
      {SB_CAP_RECEIVE, "receive"},
      {SB_CAP_DELIVERY_REPORTS, "delivery_reports"},
      {SB_CAP_ATTACHMENTS, "attachments"},
      {SB_CAP_TEMPLATES, "templates"},
      {SB_CAP_WEBHOOKS, "webhooks"},
      {SB_CAP_READ_RECEIPTS, "read_receipts"},
      {SB_CAP_INTERACTIVE, "interactive"},
      {SB_CAP_THREADING, "threading"}};
  std::vector<std::string> out;
  for (const auto& [bit, name] : kNames) {
    if (caps & bit) out.emplace_back(name);
  }
  return out;
}

std::string mode_name(int32_t mode) {
  switch (mode) {
    case SB_SEND_MODE_FREE_TEXT:
      return "free_text";
    case SB_SEND_MODE_TEMPLATE_ONLY:
      return "template_only";
    case SB_SEND_MODE_BLOCKED:
      return "blocked";
    default:
      return "unknown";
  }
}

std::string sv(sb_str s) {
  return s.data ? std::string(s.data, s.size) : std::string();
}

}  // namespace

std::vector<ChannelInfo> RuntimeChannels::list() {
  std::vector<ChannelInfo> out;
  for (const auto& inst : runtime_.instances()) {
    ChannelInfo info;
    info.id = inst->id();
    info.plugin_id = inst->plugin().id();
    info.plugin_version = sv(inst->plugin().entry().version);
    info.kind = sv(inst->plugin().entry().channel_kind);
    info.state = std::string(runtime::to_string(inst->state()));
    info.state_reason = inst->state_reason();
    info.capabilities = capability_names(inst->plugin().entry().capabilities);
    if (auto h = inst->health()) {
      info.health_state = h->state;
      info.health_json = h->details_json;
    }
    out.push_back(std::move(info));
  }
  return out;
}

bool RuntimeChannels::exists(std::string_view instance_id) {
  return runtime_.find(instance_id) != nullptr;
}

bool RuntimeChannels::read_receipts(std::string_view instance_id) {
  auto inst = runtime_.find(instance_id);
  return inst && (inst->plugin().entry().capabilities & SB_CAP_READ_RECEIPTS) != 0;
}

Result<CanSendInfo> RuntimeChannels::can_send(std::string_view instance_id, std::string_view to,
                                              std::string_view from, std::string_view content_type,
                                              int64_t last_inbound_at_ms) {
  auto inst = runtime_.find(instance_id);
  if (!inst) return not_found("no channel \"" + std::string(instance_id) + "\"");
  auto answer = inst->can_send(to, from, content_type, last_inbound_at_ms);
  if (!answer) return answer.status();
  return CanSendInfo{answer->allowed, mode_name(answer->mode), answer->expires_at_ms,
                     answer->reason};
}

Result<std::string> RuntimeChannels::invoke(std::string_view instance_id, std::string_view op,
                                            std::string_view json_in) {
  auto inst = runtime_.find(instance_id);
  if (!inst) return not_found("no channel \"" + std::string(instance_id) + "\"");
  return inst->invoke(op, json_in);
}

SendHook direct_send_hook(runtime::Runtime& runtime) {
  return [&runtime](const store::OutboundMessage& message) -> Result<SendAccepted> {
    auto inst = runtime.find(message.instance_id);
    if (!inst) return not_found("no channel \"" + message.instance_id + "\"");
    auto outcome = inst->send(message);
    if (!outcome) return outcome.status();
    // A failed send is recorded on the message (status failed); the API reports the message.
    return SendAccepted{outcome->message_id, outcome->duplicate};
  };
}

}  // namespace sb::api
