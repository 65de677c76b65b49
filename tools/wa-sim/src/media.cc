// Media (docs/whatsapp-cloud-api.md §3.5): upload, lookup with a short-lived download URL that
// needs the Bearer token, download, delete. MIME types and sizes per the §3.5 table.
#include <Poco/SHA2Engine.h>

#include <map>

#include "sim.h"

namespace wasim {

namespace {

constexpr int64_t kUrlTtlSec = 5 * 60;
constexpr size_t kMB = 1024 * 1024;

// Size limit by MIME type; absent: not accepted.
std::optional<size_t> mediaLimit(const std::string& mime) {
  static const std::map<std::string, size_t> limits = {
      {"audio/aac", 16 * kMB},
      {"audio/amr", 16 * kMB},
      {"audio/mpeg", 16 * kMB},
      {"audio/mp4", 16 * kMB},
      {"audio/ogg", 16 * kMB},
      {"text/plain", 100 * kMB},
      {"application/pdf", 100 * kMB},
      {"application/msword", 100 * kMB},
      {"application/vnd.ms-excel", 100 * kMB},
      {"application/vnd.ms-powerpoint", 100 * kMB},
      {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", 100 * kMB},
      {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", 100 * kMB},
      {"application/vnd.openxmlformats-officedocument.presentationml.presentation", 100 * kMB},
      {"image/jpeg", 5 * kMB},
      {"image/png", 5 * kMB},
      {"video/mp4", 16 * kMB},
      {"video/3gp", 16 * kMB},
      {"image/webp", 500 * 1024},
  };
  auto it = limits.find(mime);
  if (it == limits.end()) return std::nullopt;
  return it->second;
}

std::string sha256Hex(const std::string& data) {
  Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
  engine.update(data);
  return Poco::DigestEngine::digestToHex(engine.digest());
}

}  // namespace

Response Sim::uploadMedia(Request& req, PhoneNumber& pn) {
  if (getStr(req.params, "messaging_product") != "whatsapp")
    throw err(100, "The parameter messaging_product is required and must be whatsapp");
  if (!req.file) throw err(131008, "multipart field 'file' is required");
  std::string mime = req.file->content_type;
  if (auto t = getStr(req.params, "type")) mime = *t;
  if (auto pos = mime.find(';'); pos != std::string::npos) mime.resize(pos);
  auto limit = mediaLimit(mime);
  if (!limit) throw err(131053, "Unsupported media type " + mime);
  if (req.file->data.size() > *limit)
    throw err(131053,
              "Media of type " + mime + " is limited to " + std::to_string(*limit) + " bytes");
  Media m;
  m.id = ids_.node();
  m.phone_number_id = pn.id;
  m.mime_type = mime;
  m.sha256 = sha256Hex(req.file->data);
  m.data = std::move(req.file->data);
  m.at_ms = clock_.nowMs();
  const std::string id = m.id;
  media_[id] = std::move(m);
  auto o = newObj();
  o->set("id", id);
  return respond(o);
}

Response Sim::getMedia(Request& req, Media& m) {
  if (auto owner = getStr(req.params, "phone_number_id"); owner && *owner != m.phone_number_id)
    throw err(100, "Media " + m.id + " does not belong to phone number " + *owner);
  auto o = newObj();
  o->set("messaging_product", "whatsapp");
  o->set("url", base_url_ + "/_media/" + m.id +
                    "?ext=" + std::to_string(clock_.nowSec() + kUrlTtlSec) +
                    "&hash=" + m.sha256.substr(0, 16));
  o->set("mime_type", m.mime_type);
  o->set("sha256", m.sha256);
  o->set("file_size", std::to_string(m.data.size()));
  o->set("id", m.id);
  return respond(o);
}

Response Sim::downloadMedia(Request& req) {
  authorize(req, "whatsapp_business_messaging");
  const std::string id = req.segments.size() > 1 ? req.segments[1] : "";
  auto it = media_.find(id);
  const auto ext = getInt(req.params, "ext");
  if (it == media_.end() || !ext || clock_.nowSec() > *ext ||
      getStr(req.params, "hash") != it->second.sha256.substr(0, 16))
    return Response{404, "Not Found", "text/plain"};
  return Response{200, it->second.data, it->second.mime_type};
}

}  // namespace wasim
