// Outbound HTTP for plugins (host_api.http_request), on POCO's client sessions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include <switchboard/abi.h>

namespace sb::runtime {

struct HttpClientLimits {
  uint32_t default_timeout_ms = 30'000;
  size_t max_response_bytes = size_t{16} << 20;
  size_t max_request_body_bytes = size_t{16} << 20;
};

struct HttpClientError {
  std::string message;
  bool retryable = false;
};

// Performs the request exactly as asked (method, URL, headers, body) and streams the response to
// the sink. SB_OK when any HTTP response arrived; SB_ERR_INVALID_ARG for a malformed request;
// SB_ERR_TIMEOUT / SB_ERR_TRANSIENT on network failure, with `error` filled. Never throws.
int32_t perform_http_request(const sb_http_request& request, const sb_http_response_sink& sink,
                             const HttpClientLimits& limits, HttpClientError& error);

}  // namespace sb::runtime
