// Injected inbound messages: POST /inbound takes one message object or {"messages": [...]}.
//   {"id", "from", "text", "from_name"?, "content_type"?, "automated"?, "attachments"?,
//    "to"?, "reply_to"?, "thread_key"?, "sent_at_ms"?, "payload"?, "from_kind"?}
#pragma once

#include "input.hpp"

#include <switchboard/sdk.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace loopback {

inline constexpr std::size_t kMaxBatch = 1000;

struct InboundDefaults {
  std::string from_kind;  // the configured address_kind
  std::string to;         // our address: the instance id
  int64_t now_ms = 0;     // sent_at when the message gives none
};

// The messages of a request body, all valid, or nullopt with the first bad field in `err`
// ("messages[3].from: ..."). Nothing is submitted unless every message is valid.
std::optional<std::vector<switchboard::InboundMessage>> parse_inbound(const json::Value& doc,
                                                                      const InboundDefaults& d,
                                                                      InputError& err);

}  // namespace loopback
