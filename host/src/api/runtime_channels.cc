#include "api/runtime_channels.h"

#include <switchboard/abi.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "log/log.h"

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
                                              int64_t last_inbound_at_ms,
                                              std::string_view payload_json) {
  auto inst = runtime_.find(instance_id);
  if (!inst) return not_found("no channel \"" + std::string(instance_id) + "\"");
  if (inst->plugin().vtable().can_send == nullptr) {  // no rules to ask: its send decides
    return CanSendInfo{true, "unknown", 0,
                       "channel \"" + std::string(instance_id) +
                           "\" has no can_send; the channel decides when sending"};
  }
  auto answer = inst->can_send(to, from, content_type, last_inbound_at_ms, payload_json);
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

namespace {

MediaDownload media_error(int status, std::string code, std::string message) {
  MediaDownload d;
  d.http_status = status;
  d.error_code = std::move(code);
  d.error_message = std::move(message);
  return d;
}

bool is_hex64(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// The binary answer: one line of JSON ({"mime_type","sha256","file_size",...}), '\n', the bytes.
MediaDownload parse_media_answer(const std::string& instance_id, std::string out) {
  const size_t nl = out.find('\n');
  if (nl == std::string::npos) {
    return media_error(502, "bad_gateway",
                       "channel \"" + instance_id + "\": media answer without its header line");
  }
  MediaDownload d;
  try {
    auto head = Poco::JSON::Parser().parse(out.substr(0, nl)).extract<Poco::JSON::Object::Ptr>();
    d.mime_type = head->optValue<std::string>("mime_type", "");
    d.sha256 = head->optValue<std::string>("sha256", "");
    const auto size = head->optValue<Poco::Int64>("file_size", -1);
    if (size != static_cast<Poco::Int64>(out.size() - nl - 1)) {
      return media_error(502, "bad_gateway",
                         "channel \"" + instance_id + "\": media answer is truncated");
    }
  } catch (const std::exception&) {
    return media_error(502, "bad_gateway",
                       "channel \"" + instance_id + "\": media answer header is not JSON");
  }
  if (!is_hex64(d.sha256)) d.sha256.clear();
  out.erase(0, nl + 1);
  d.bytes = std::move(out);
  return d;
}

}  // namespace

MediaDownload RuntimeChannels::download_media(std::string_view instance_id,
                                              std::string_view media_id, size_t max_bytes) {
  const std::string id(instance_id);
  auto inst = runtime_.find(instance_id);
  if (!inst) return media_error(404, "not_found", "no channel \"" + id + "\"");
  if (inst->plugin().vtable().invoke == nullptr) {
    return media_error(501, "not_implemented", "channel \"" + id + "\" cannot download media");
  }
  const std::string input = "{\"media_id\":\"" + log::json_escape(media_id) +
                            "\",\"format\":\"binary\",\"max_bytes\":" + std::to_string(max_bytes) +
                            "}";
  // Room for the header line next to the largest file.
  auto answer = inst->invoke_raw("media_download", input, max_bytes + 64 * 1024);
  if (!answer) {
    if (answer.status().code() == Code::kFailedPrecondition) {
      return media_error(409, "failed_precondition", answer.status().message());
    }
    return media_error(502, "bad_gateway", answer.status().message());
  }
  switch (answer->status) {
    case SB_OK:
      return parse_media_answer(id, std::move(answer->out));
    case SB_ERR_UNSUPPORTED:
      return media_error(501, "not_implemented",
                         "channel \"" + id + "\" cannot download media: " + answer->error);
    case SB_ERR_TIMEOUT:
      return media_error(504, "gateway_timeout", "the provider did not answer: " + answer->error);
    case SB_ERR_STATE:
      return media_error(409, "failed_precondition", answer->error);
    default:
      return media_error(502, "bad_gateway", "the provider refused the download: " + answer->error);
  }
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
