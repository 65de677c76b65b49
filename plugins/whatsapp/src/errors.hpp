// Meta's error codes (docs/whatsapp-cloud-api.md §6) mapped to ABI statuses, so the host knows
// whether to retry, back off, give up, or call an operator.
#pragma once

#include "util.hpp"

#include <chrono>
#include <cstdint>
#include <string>

namespace wa {

// The error object of a Graph response or of a webhook's errors[] entry.
struct GraphError {
  int64_t code = 0;
  int32_t http_status = 0;  // 0 when it came from a webhook
  std::string message;      // "(#131047) Re-engagement message"
  std::string details;      // error_data.details
};

inline constexpr int64_t kCodeWindowClosed = 131047;
inline constexpr int64_t kCodeTokenExpired = 190;

struct ErrorClass {
  int32_t status = SB_ERR_INTERNAL;
  std::chrono::milliseconds retry_after{0};
  std::string_view hint;  // what the operator or caller should do
};

// The class of a code; unknown codes fall back on the HTTP status.
ErrorClass classify(int64_t code, int32_t http_status);

// True for codes that mean the access token must be replaced (the instance turns DEGRADED).
bool is_token_error(int64_t code);

// A ready SDK error: status, retryability, retry-after, provider code and a message for people.
// `token_name` is the secret whose token the call used: a token error (190/0, HTTP 401) names it
// in the hint, so the operator replaces the right one (numbers of other WABAs have their own).
sw::Error to_error(const GraphError& e, std::string_view token_name = "access_token");

// Parses {"error":{...}} from a response body; nullopt when the body carries no error object.
std::optional<GraphError> parse_graph_error(const json::Value& body, int32_t http_status);
// One entry of a webhook errors[] array.
GraphError parse_webhook_error(const json::Value& e);

}  // namespace wa
