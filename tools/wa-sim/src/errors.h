// Graph API error objects (docs/whatsapp-cloud-api.md §6):
// `{"error":{message,type,code,error_data,fbtrace_id}}` with the HTTP status Meta publishes for
// each code.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "json.h"

namespace wasim {

struct GraphError {
  int code = 100;
  std::string details;  // error_data.details: what exactly was wrong
  std::optional<int> subcode;
  std::optional<std::string> user_msg;  // error_user_msg (template validation)
  std::optional<int> http_status;       // overrides the table (fault injection)
  std::optional<std::string> message;   // overrides "(#code) title" (auth errors)
};

// Title and HTTP status from the §6.2 table; unknown codes read as 400 "Unknown error".
std::string errorTitle(int code);
int errorHttpStatus(int code);

// The synchronous error body; `fbtrace_id` is random per response.
Obj errorBody(const GraphError& e, const std::string& fbtrace_id);
// The object used inside webhooks (statuses[].errors[], value.errors[], messages[].errors[]).
Obj webhookError(int code, const std::string& details);

GraphError err(int code, std::string details);

}  // namespace wasim
