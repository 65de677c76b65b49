#include "runtime/sinks.h"

#include <algorithm>

#include "core/text_input.h"

namespace sb::runtime {

StringSink::StringSink(size_t limit)
    : limit_(limit),
      sink_{sizeof(sb_output_sink), this, [](void* ctx, const char* data, size_t size) {
              auto* self = static_cast<StringSink*>(ctx);
              if (data == nullptr || size == 0) return;
              const size_t room = self->limit_ - std::min(self->limit_, self->data_.size());
              if (size > room) self->overflowed_ = true;
              self->data_.append(data, std::min(size, room));
            }} {}

ErrorCapture::ErrorCapture()
    : sink_{sizeof(sb_error_sink), this, [](void* ctx, const sb_error_info* info) {
              auto* self = static_cast<ErrorCapture*>(ctx);
              if (info == nullptr || self->set_) return;
              // Copy only the fields the plugin's struct has.
              sb_error_info e{};
              const size_t n = std::min<size_t>(info->struct_size, sizeof e);
              std::copy_n(reinterpret_cast<const char*>(info), n, reinterpret_cast<char*>(&e));
              self->set_ = true;
              self->retryable_ = e.retryable != 0;
              self->retry_after_ms_ = e.retry_after_ms;
              self->message_ = std::string(view(e.message).substr(0, 4096));
              self->provider_code_ = std::string(view(e.provider_code).substr(0, 256));
            }} {}

std::string status_name(int32_t status) {
  switch (status) {
    case SB_OK:
      return "SB_OK";
    case SB_DUPLICATE:
      return "SB_DUPLICATE";
    case SB_PENDING:
      return "SB_PENDING";
    case SB_ERR_INVALID_ARG:
      return "SB_ERR_INVALID_ARG";
    case SB_ERR_UNSUPPORTED:
      return "SB_ERR_UNSUPPORTED";
    case SB_ERR_TRANSIENT:
      return "SB_ERR_TRANSIENT";
    case SB_ERR_RATE_LIMITED:
      return "SB_ERR_RATE_LIMITED";
    case SB_ERR_AUTH:
      return "SB_ERR_AUTH";
    case SB_ERR_REJECTED:
      return "SB_ERR_REJECTED";
    case SB_ERR_NOT_FOUND:
      return "SB_ERR_NOT_FOUND";
    case SB_ERR_STATE:
      return "SB_ERR_STATE";
    case SB_ERR_INTERNAL:
      return "SB_ERR_INTERNAL";
    case SB_ERR_TIMEOUT:
      return "SB_ERR_TIMEOUT";
    case SB_ERR_UNKNOWN_OUTCOME:
      return "SB_ERR_UNKNOWN_OUTCOME";
    default:
      return "status " + std::to_string(status);
  }
}

Status status_from_plugin(int32_t status, std::string_view what, std::string_view message) {
  Code code = Code::kInternal;
  switch (status) {
    case SB_ERR_INVALID_ARG:
      code = Code::kInvalidArgument;
      break;
    case SB_ERR_UNSUPPORTED:
    case SB_ERR_STATE:
      code = Code::kFailedPrecondition;
      break;
    case SB_ERR_TRANSIENT:
    case SB_ERR_TIMEOUT:
      code = Code::kUnavailable;
      break;
    case SB_ERR_RATE_LIMITED:
      code = Code::kResourceExhausted;
      break;
    case SB_ERR_AUTH:
      code = Code::kUnauthenticated;
      break;
    case SB_ERR_REJECTED:
      code = Code::kPermissionDenied;
      break;
    case SB_ERR_NOT_FOUND:
      code = Code::kNotFound;
      break;
    default:
      break;
  }
  std::string text = std::string(what) + ": " + status_name(status);
  if (!message.empty()) text += ": " + std::string(message);
  return {code, std::move(text)};
}

Status check_utf8(std::string_view what,
                  std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  for (const auto& [name, text] : fields) {
    if (!is_valid_utf8(text)) {
      return invalid_argument(std::string(what) + ": " + std::string(name) +
                              " is not valid UTF-8; refused before reaching the plugin");
    }
  }
  return {};
}

}  // namespace sb::runtime
