// Media (docs/whatsapp-cloud-api.md §3.5): uploading a file to get a media id (multipart POST
// /{phone_number_id}/media), with Meta's MIME types and size limits checked first, and the helpers
// of downloading inbound media.
#pragma once

#include "util.hpp"

#include <optional>
#include <string>

namespace wa {

std::optional<std::string> base64_decode(std::string_view in);
std::string base64_encode(std::string_view data);  // standard alphabet, padded

// Lowercase hex SHA-256, as Meta gives it for media.
std::string sha256_hex(std::string_view data);

// "type/subtype" lower-cased without parameters ("audio/ogg; codecs=opus" -> "audio/ogg"), or
// nullopt when it is not a well-formed media type (so it can never inject a header).
std::optional<std::string> base_mime_type(std::string_view content_type);

// The largest accepted size for `mime_type`, or nullopt when WhatsApp does not take it.
std::optional<std::size_t> media_limit(std::string_view mime_type);

struct Multipart {
  std::string content_type;  // multipart/form-data; boundary=...
  std::string body;
};

// The upload body: messaging_product, type and the file part. `boundary_seed` makes the boundary
// unique per upload; the boundary is also checked not to occur in the data.
Multipart media_upload_body(std::string_view mime_type, std::string_view filename,
                            std::string_view data, uint64_t boundary_seed);

}  // namespace wa
