// The client side of the REST API for CLI commands that talk to a running daemon (like kubectl or
// gh): one request per call, bearer token attached, never printed. The transport is a function so
// commands can be tested against canned answers.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "core/status.h"

namespace sb::app {

struct ApiRequest {
  std::string method;           // GET, POST, DELETE
  std::string path;             // "/v1/..." with its query string
  std::string body;             // JSON or empty
  std::string idempotency_key;  // sent as Idempotency-Key when not empty
};

struct ApiReply {
  int status = 0;
  std::string body;
};

// Answers any HTTP status as a reply; a Status only when no answer arrived (refused, timeout).
using ApiTransport = std::function<Result<ApiReply>(const ApiRequest&)>;

// http://HOST[:PORT][/prefix] only: the daemon serves plain HTTP (terminate TLS in front of it).
Result<ApiTransport> http_transport(const std::string& base_url, const std::string& token,
                                    std::chrono::seconds timeout = std::chrono::seconds(30));

// The API's error `{"error":{"code","message","field"}}` as one line for a person: its message,
// and "(field: f)" unless the message already starts with the field's name. `verbose` adds the
// internals: "code: message (field: f) [HTTP 400]". An answer that is not such an error is
// described briefly with its HTTP status.
std::string api_error_text(const ApiReply& reply, bool verbose = false);

}  // namespace sb::app
