// Request bodies of POST /{PHONE_NUMBER_ID}/messages (docs/whatsapp-cloud-api.md §3) for each
// content type the channel sends, with the local checks of §3.3-3.7 (lengths, media id xor link,
// interactive limits) so a message Meta would refuse fails here with a field-level reason.
#pragma once

#include "util.hpp"

#include <string>
#include <vector>

namespace wa {

inline constexpr std::size_t kMaxTextBody = 4096;

struct SendInput {
  std::string to;  // already normalised (see normalize_recipient)
  std::string content_type;
  std::string text;
  json::Value payload;  // parsed payload_json (null when none)
  std::string reply_to;
  std::vector<sw::AttachmentData> attachments;
  // Echoed by Meta in status webhooks (biz_opaque_callback_data); empty = none.
  std::string callback_data;
};

// What the channel puts in biz_opaque_callback_data so statuses name the host's message id; the
// instance id keeps two instances sharing a WABA from claiming each other's messages.
std::string callback_data_for(std::string_view instance_id, int64_t message_id);
// The host message id in a callback_data this instance wrote, else 0.
int64_t message_id_from_callback(std::string_view instance_id, std::string_view callback_data);

// "+49 151 2345678" -> "+491512345678"; "0151..." with default_country "49" -> "+49151...";
// "00..." -> "+..."; digits without a prefix are left for Meta (it prepends the business number's
// country code); a BSUID ("US.1349...") stays as is.
std::string normalize_recipient(std::string_view to, std::string_view default_country);

// Content types that need an open customer service window.
bool needs_window(std::string_view content_type);

// The whole request body, biz_opaque_callback_data included.
sw::Result<json::Value> build_send_body(const SendInput& in);
// The body without the callback data.
sw::Result<json::Value> build_message_body(const SendInput& in);

// Checks an interactive object against §3.6; empty when fine.
std::vector<std::string> check_interactive(const json::Value& interactive);

}  // namespace wa
