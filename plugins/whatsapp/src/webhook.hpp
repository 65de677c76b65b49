// Parsing of a webhook delivery (object "whatsapp_business_account"): inbound messages of every
// type of docs/whatsapp-cloud-api.md §4.4, statuses of §4.5 with pricing and errors, value-level
// errors (§4.6), and the account-level changes of §1.13/§2.7 that onboarding and the template store
// consume.
#pragma once

#include "errors.hpp"
#include "util.hpp"

#include <optional>
#include <string>
#include <vector>

namespace wa {

inline constexpr std::size_t kMaxWebhookBody = 3 * 1024 * 1024;  // Meta's documented maximum

struct ParsedInbound {
  sw::InboundMessage message;
  std::string phone_number_id;  // the business number it reached
  std::string sender;           // wa_id digits (or the BSUID for username users)
  std::string type;
  int64_t sent_at_ms = 0;
  bool opens_window = true;  // a person wrote; system notices do not open the window
};

struct ParsedStatus {
  sw::DeliveryReport report;
  std::string phone_number_id;
  std::string recipient;      // wa_id digits
  std::string callback_data;  // biz_opaque_callback_data, echoed from our send
  std::optional<GraphError> error;
};

struct ParsedError {
  std::string phone_number_id;
  GraphError error;
};

// A change other than "messages": onboarding and templates read the value.
struct AccountChange {
  std::string waba_id;
  int64_t time = 0;
  std::string field;
  json::Value value;
};

struct ParsedDelivery {
  std::vector<ParsedInbound> inbound;
  std::vector<ParsedStatus> statuses;
  std::vector<ParsedError> errors;
  std::vector<AccountChange> changes;
};

// nullopt with *why for a body that is not a WhatsApp delivery at all.
std::optional<ParsedDelivery> parse_delivery(std::string_view body, std::string* why);

// Readable text for a message of `type` (what an agent sees in a list).
std::string render_text(const std::string& type, const json::Value& msg);

int32_t delivery_status(std::string_view meta_status);  // 0 when unknown

}  // namespace wa
