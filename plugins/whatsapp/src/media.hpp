// Media for outbound messages (§3.5): uploading a file to get a media id (multipart
// POST /{phone_number_id}/media), with Meta's MIME types and size limits checked first.
#pragma once

#include "util.hpp"

#include <optional>
#include <string>

namespace wa {

std::optional<std::string> base64_decode(std::string_view in);

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
