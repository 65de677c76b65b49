// Host-side ends of the ABI's sinks, and the mapping of plugin statuses to sb::Status.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include <switchboard/abi.h>

#include "core/status.h"

namespace sb::runtime {

// Collects what a plugin writes through an sb_output_sink, up to limit bytes (the rest is dropped
// and overflowed() turns true). Not copyable: the sink points at this object.
class StringSink {
 public:
  explicit StringSink(size_t limit = size_t{16} << 20);
  StringSink(const StringSink&) = delete;
  StringSink& operator=(const StringSink&) = delete;

  const sb_output_sink* sink() const { return &sink_; }
  const std::string& str() const { return data_; }
  bool overflowed() const { return overflowed_; }

 private:
  std::string data_;
  size_t limit_;
  bool overflowed_ = false;
  sb_output_sink sink_;
};

// Copies the first sb_error_info a plugin sets (later sets are ignored, as the ABI allows one).
class ErrorCapture {
 public:
  ErrorCapture();
  ErrorCapture(const ErrorCapture&) = delete;
  ErrorCapture& operator=(const ErrorCapture&) = delete;

  const sb_error_sink* sink() const { return &sink_; }
  bool was_set() const { return set_; }
  const std::string& message() const { return message_; }
  const std::string& provider_code() const { return provider_code_; }
  bool retryable() const { return retryable_; }
  int64_t retry_after_ms() const { return retry_after_ms_; }

 private:
  bool set_ = false, retryable_ = false;
  int64_t retry_after_ms_ = 0;
  std::string message_, provider_code_;
  sb_error_sink sink_;
};

// "SB_OK", "SB_ERR_AUTH", ... ("status -42" for unknown values).
std::string status_name(int32_t status);

// A plugin's failing status and message as a Status: "<what>: SB_ERR_AUTH: <message>".
Status status_from_plugin(int32_t status, std::string_view what, std::string_view message);

// The ABI's string as a view; {NULL, n} is treated as empty.
inline std::string_view view(sb_str s) {
  return s.data == nullptr ? std::string_view{} : std::string_view{s.data, s.size};
}
inline std::string_view view(const char* data, size_t size) {
  return data == nullptr ? std::string_view{} : std::string_view{data, size};
}
inline sb_str to_sb(std::string_view s) {
  return {s.data(), s.size()};
}

// The last check before text is handed to a plugin, which the ABI promises UTF-8: the request
// parsers refuse anything else, so this only catches text that got past them (e.g. an old row).
// invalid_argument naming the first {name, text} that is not valid UTF-8; OK when all are.
Status check_utf8(std::string_view what,
                  std::initializer_list<std::pair<std::string_view, std::string_view>> fields);

}  // namespace sb::runtime
