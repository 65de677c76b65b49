#include "errors.hpp"

namespace wa {

namespace {
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

ErrorClass by_http(int32_t http) {
  if (http == 429) return {SB_ERR_RATE_LIMITED, seconds(1), "back off"};
  if (http == 401 || http == 403) return {SB_ERR_AUTH, {}, "check the access token"};
  if (http == 404) return {SB_ERR_NOT_FOUND, {}, "the Graph object does not exist"};
  if (http >= 500 || http == 0) return {SB_ERR_TRANSIENT, {}, "retry with backoff"};
  return {SB_ERR_INVALID_ARG, {}, "fix the request"};
}
}  // namespace

ErrorClass classify(int64_t code, int32_t http) {
  if (code >= 200 && code <= 299) return {SB_ERR_AUTH, {}, "grant the API permission"};
  switch (code) {
    case 0:
    case 190:
      return {SB_ERR_AUTH, {}, "replace the access token secret"};
    case 3:
    case 10:
    case 131005:
      return {SB_ERR_AUTH, {}, "grant the missing permission"};
    case 1:
    case 2:
    case 131000:
    case 131016:
    case 133004:
      return {SB_ERR_TRANSIENT, {}, "retry with backoff"};
    case 131057:
      return {SB_ERR_TRANSIENT, seconds(60), "number in maintenance (throughput upgrade)"};
    case 133015:
      return {SB_ERR_TRANSIENT, std::chrono::minutes(5), "number recently deleted; wait"};
    case 4:
    case 80007:
      return {SB_ERR_RATE_LIMITED, seconds(60), "Graph rate limit; back off"};
    case 130429:
      return {SB_ERR_RATE_LIMITED, seconds(1), "throughput limit of the number; back off"};
    case 131056:
      return {SB_ERR_RATE_LIMITED, seconds(6), "pair rate limit (same recipient); wait"};
    case 131049:
      return {SB_ERR_RATE_LIMITED, hours(24), "per-user marketing cap; retry after 24 h"};
    case 133008:
    case 133009:
      return {SB_ERR_RATE_LIMITED, seconds(60), "too many PIN attempts; wait"};
    case 133016:
      return {SB_ERR_RATE_LIMITED, hours(72), "register/deregister limit (10 per 72 h)"};
    case 100:
    case 131008:
    case 131009:
    case 131021:
    case 131051:
    case 132000:
    case 132005:
    case 132007:
    case 132012:
    case 133005:
    case 135000:
      return {SB_ERR_INVALID_ARG, {}, "fix the request"};
    case 131047:
      return {SB_ERR_REJECTED, {}, "outside the 24-hour window: send an approved template"};
    case 132001:
      return {SB_ERR_REJECTED, {}, "template name/language unknown or not approved"};
    case 132015:
      return {SB_ERR_REJECTED, {}, "template paused; use another template"};
    case 132016:
      return {SB_ERR_REJECTED, {}, "template disabled; use another template"};
    case 33:
    case 368:
    case 130472:
    case 130497:
    case 131026:
    case 131031:
    case 131042:
    case 131048:
    case 131050:
    case 131052:
    case 131053:
    case 132068:
    case 132069:
    case 137000:
      return {SB_ERR_REJECTED, {}, "refused by WhatsApp; do not retry"};
    case 131045:
    case 133000:
    case 133006:
    case 133010:
      return {SB_ERR_STATE, {}, "the number needs onboarding (verify/register) first"};
    default:
      return by_http(http);
  }
}

bool is_token_error(int64_t code) {
  return code == kCodeTokenExpired || code == 0;
}

sw::Error to_error(const GraphError& e, std::string_view token_name) {
  ErrorClass c = classify(e.code, e.http_status);
  std::string msg = e.message.empty() ? "WhatsApp error " + std::to_string(e.code) : e.message;
  if (!e.details.empty()) msg += ": " + e.details;
  std::string hint(c.hint);
  if (is_token_error(e.code)) {
    hint = "replace the " + std::string(token_name) + " secret";
  } else if (e.http_status == 401 && c.status == SB_ERR_AUTH && e.code <= 0) {
    hint = "check the token in the " + std::string(token_name) + " secret";
  }
  msg += " (" + hint + ")";
  bool retryable = c.status == SB_ERR_TRANSIENT || c.status == SB_ERR_RATE_LIMITED;
  return sw::Error(c.status, std::move(msg), retryable, c.retry_after, std::to_string(e.code));
}

std::optional<GraphError> parse_graph_error(const json::Value& body, int32_t http_status) {
  const json::Value* err = body.find("error");
  if (err == nullptr || !err->is_object()) return std::nullopt;
  GraphError g;
  g.http_status = http_status;
  g.code = int_of(*err, "code").value_or(0);
  g.message = str_of(*err, "message");
  g.details = str_of(obj_of(*err, "error_data"), "details");
  if (g.details.empty()) g.details = str_of(*err, "error_user_msg");
  return g;
}

GraphError parse_webhook_error(const json::Value& e) {
  GraphError g;
  g.code = int_of(e, "code").value_or(0);
  g.message = str_of(e, "message");
  if (g.message.empty()) g.message = str_of(e, "title");
  g.details = str_of(obj_of(e, "error_data"), "details");
  return g;
}

}  // namespace wa
