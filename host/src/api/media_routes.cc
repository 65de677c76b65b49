// GET /v1/messages/{id}/attachments/{index}: the file of an attachment the provider holds (e.g. an
// image a customer sent on WhatsApp), fetched through the message's channel on each request and
// answered as bytes with its type, length and a download-safe file name.
#include <charconv>

#include "api/routes_common.h"
#include "log/log.h"

namespace sb::api {
namespace {

using auth::Role;

// RFC 6838 type/subtype, nothing else (no parameters, no CR/LF), so the value can never split
// or inject a header; anything else is served as opaque bytes.
std::string safe_content_type(std::string_view mime) {
  auto token_ok = [](std::string_view s) {
    if (s.empty() || s.size() > 127) return false;
    for (char c : s) {
      const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!alnum && std::string_view("!#$&-^_.+").find(c) == std::string_view::npos) return false;
    }
    return true;
  };
  const size_t slash = mime.find('/');
  if (slash == std::string_view::npos || !token_ok(mime.substr(0, slash)) ||
      !token_ok(mime.substr(slash + 1))) {
    return "application/octet-stream";
  }
  return std::string(mime);
}

std::string extension_for(std::string_view mime) {
  static constexpr std::pair<std::string_view, std::string_view> kExt[] = {
      {"image/jpeg", ".jpg"}, {"image/png", ".png"},       {"image/webp", ".webp"},
      {"video/mp4", ".mp4"},  {"video/3gpp", ".3gp"},      {"audio/ogg", ".ogg"},
      {"audio/mpeg", ".mp3"}, {"audio/aac", ".aac"},       {"audio/amr", ".amr"},
      {"audio/mp4", ".m4a"},  {"application/pdf", ".pdf"}, {"text/plain", ".txt"}};
  for (const auto& [m, e] : kExt) {
    if (m == mime) return std::string(e);
  }
  return "";
}

// The name a browser saves the file under: the sender's name when there is one, else
// "<kind>-<message>-<index>.<ext>". The quoted form keeps printable ASCII minus quote and
// backslash (and no leading dot); filename* carries the full UTF-8 name percent-encoded.
std::string content_disposition(const store::Attachment& a, int64_t message_id, size_t index,
                                std::string_view mime) {
  std::string name = a.filename;
  if (name.size() > 200) name.resize(200);
  if (name.empty()) {
    name = (a.kind.empty() ? std::string("attachment") : a.kind) + "-" +
           std::to_string(message_id) + "-" + std::to_string(index) + extension_for(mime);
  }
  // No directories: only the last path component of whatever the sender called it.
  if (const size_t slash = name.find_last_of("/\\"); slash != std::string::npos) {
    name = name.substr(slash + 1);
  }
  std::string ascii, encoded;
  for (unsigned char c : name) {
    const bool plain = c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
    ascii += plain ? static_cast<char>(c) : '_';
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      encoded += static_cast<char>(c);
    } else {
      static constexpr char kHex[] = "0123456789ABCDEF";
      encoded += '%';
      encoded += kHex[c >> 4];
      encoded += kHex[c & 15];
    }
  }
  while (!ascii.empty() && ascii.front() == '.') ascii.erase(0, 1);
  if (ascii.empty()) ascii = "attachment";
  return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
}

http::Response download(const ApiDeps& deps, const Call& call) {
  auto found = visible_message(deps, call, call.params[0]);
  if (auto* r = std::get_if<http::Response>(&found)) return std::move(*r);
  const auto& message = std::get<store::MessageRecord>(found);
  const std::string& index_text = call.params[1];
  size_t index = 0;
  auto [end, ec] = std::from_chars(index_text.data(), index_text.data() + index_text.size(), index);
  if (ec != std::errc() || end != index_text.data() + index_text.size()) {
    return error_response(404, "not_found", "no attachment with that index");
  }
  auto attachments = deps.store->attachments(message.id);
  if (!attachments) return status_response(attachments.status());
  if (index >= attachments->size()) {
    return error_response(404, "not_found",
                          "message " + std::to_string(message.id) + " has " +
                              std::to_string(attachments->size()) + " attachment(s)");
  }
  const store::Attachment& a = (*attachments)[index];
  if (a.provider_media_id.empty()) {
    return error_response(409, "failed_precondition",
                          "the attachment is not held by the provider (no media id)" +
                              std::string(a.url.empty() ? "" : "; it is at its url"));
  }
  std::optional<CachedMedia> cached;
  if (deps.media_cache != nullptr) {
    cached = deps.media_cache->get(message.instance_id, a.provider_media_id);
  }
  const bool hit = cached.has_value();
  if (!hit) {
    if (deps.channels == nullptr) return error_response(503, "unavailable", "no channels");
    MediaDownload d = deps.channels->download_media(message.instance_id, a.provider_media_id,
                                                    deps.options.max_media_bytes);
    if (d.http_status != 0) return error_response(d.http_status, d.error_code, d.error_message);
    cached = CachedMedia{safe_content_type(d.mime_type), std::move(d.sha256), std::move(d.bytes)};
    if (deps.media_cache != nullptr) {
      if (Status s = deps.media_cache->put(message.instance_id, a.provider_media_id, *cached); !s) {
        log::logger("api")->warn("attachment {}/{} not cached: {}", message.id, index, s.message());
      }
    }
  }

  http::Response r;
  r.content_type = safe_content_type(cached->mime_type);
  const std::string sha = cached->sha256;
  r.body = std::move(cached->bytes);
  r.headers.emplace_back("Content-Disposition",
                         content_disposition(a, message.id, index, r.content_type));
  // Never rendered as something else than it claims; customer files stay out of shared caches.
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Content-Security-Policy", "default-src 'none'; sandbox");
  r.headers.emplace_back("Cache-Control", "private, no-store");
  if (!sha.empty()) r.headers.emplace_back("ETag", "\"sha256-" + sha + "\"");
  r.headers.emplace_back("X-Switchboard-Media-Cache", hit ? "hit" : "miss");
  return r;
}

}  // namespace

void add_media_routes(ApiRouter& router, Deps deps) {
  router.add("GET", "/v1/messages/{}/attachments/{}", Role::kAgent,
             [deps](const Call& call) { return download(*deps, call); });
}

}  // namespace sb::api
