// Inbound media (docs/whatsapp-cloud-api.md §3.5): op "media_download" resolves a media id to
// Meta's short-lived URL (GET /{media-id}) and downloads it at once with the Bearer token, so the
// URL's 5-minute life never matters to callers. The announced type and size are checked before any
// byte is fetched, the bytes after (size, Content-Type, SHA-256).
#include "media.hpp"
#include "whatsapp_channel.hpp"

#include <charconv>

namespace wa {

namespace {

constexpr std::chrono::milliseconds kDownloadTimeout{60000};
// The host's outbound HTTP carries at most 16 MiB of response by default: a larger file could
// never arrive, so it is refused up front with a clear reason instead.
constexpr int64_t kDefaultMaxDownload = int64_t{16} << 20;
// Customers may send documents of types WhatsApp does not accept for upload; Meta's cap for
// documents applies to them.
constexpr int64_t kUnknownTypeLimit = int64_t{100} << 20;

// "scheme://host[:port]" of a URL, lower-cased; empty when it has none.
std::string origin_of(std::string_view url) {
  const std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return "";
  const std::size_t end = url.find_first_of("/?#", scheme + 3);
  return lower(url.substr(0, end));
}

// Meta gives file_size as a number or as a decimal string; -1 when absent or unreadable.
int64_t file_size_of(const json::Value& info) {
  if (std::optional<int64_t> n = int_of(info, "file_size")) return *n;
  const std::string s = str_of(info, "file_size");
  int64_t v = -1;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  return r.ec == std::errc() && r.ptr == s.data() + s.size() ? v : -1;
}

bool is_sha256_hex(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

sw::Result<std::string> WhatsAppChannel::media_download(const json::Value& in) {
  const std::string id = str_of(in, "media_id");
  if (!all_digits(id)) return sw::Error::invalid_arg("media_id: the numeric media id");
  const std::string format = str_of(in, "format").empty() ? "json" : str_of(in, "format");
  if (format != "json" && format != "binary") {
    return sw::Error::invalid_arg("format: \"json\" (base64 in JSON) or \"binary\"");
  }
  int64_t max_bytes = kDefaultMaxDownload;
  if (in.find("max_bytes") != nullptr) {
    std::optional<int64_t> m = int_of(in, "max_bytes");
    if (!m || *m <= 0) return sw::Error::invalid_arg("max_bytes: a positive number of bytes");
    max_bytes = std::min(*m, kDefaultMaxDownload);
  }
  Query q;
  if (std::string pnid = str_of(in, "phone_number_id"); !pnid.empty()) {
    if (!all_digits(pnid)) return sw::Error::invalid_arg("phone_number_id: a numeric id");
    q.emplace_back("phone_number_id", pnid);
  }

  sw::Result<MediaInfo> found = media_lookup(str_of(in, "phone_number_id"), id, q);
  if (!found) return found.error();
  const GraphClient& graph = found.value().graph;
  const json::Value& info = found.value().info;
  const std::string url = str_of(info, "url");
  if (url.empty()) return sw::Error::transient("Meta returned no download URL for media " + id);
  // The access token goes only to Meta's HTTPS hosts or to the configured Graph host (the
  // simulator in tests), never to whatever a tampered answer names.
  if (url.rfind("https://", 0) != 0 && origin_of(url) != origin_of(config_.graph_base_url)) {
    return sw::Error::rejected("media " + id +
                               ": download URL is neither HTTPS nor on the Graph host");
  }
  std::optional<std::string> mime = base_mime_type(str_of(info, "mime_type"));
  if (!mime) {
    return sw::Error::rejected("media " + id + ": Meta announced an invalid MIME type \"" +
                               str_of(info, "mime_type") + "\"");
  }
  const std::optional<std::size_t> type_limit = media_limit(*mime);
  const int64_t limit =
      std::min(max_bytes, type_limit ? static_cast<int64_t>(*type_limit) : kUnknownTypeLimit);
  const int64_t announced = file_size_of(info);
  if (announced > limit) {
    return sw::Error::rejected("media " + id + " is " + std::to_string(announced) +
                               " bytes, above the limit of " + std::to_string(limit) + " for " +
                               *mime);
  }

  std::optional<std::string> token = host().secret(graph.token_name());
  if (!token || token->empty()) {
    return sw::Error::auth("the " + graph.token_name() + " secret is not configured");
  }
  sw::HttpRequest req;
  req.method = "GET";
  req.url = url;
  req.headers.emplace_back("Authorization", "Bearer " + *token);
  req.timeout = kDownloadTimeout;
  sw::Result<sw::HttpResponse> resp = host().http_request(req);
  if (!resp) {
    sw::Error e = resp.error();
    e.message = "downloading media " + id + ": " + e.message;
    e.retryable = true;
    return e;
  }
  const int32_t st = resp->status;
  if (st == 401 || st == 403) {
    return sw::Error::auth("downloading media " + id + ": HTTP " + std::to_string(st));
  }
  if (st == 404 || st == 410) {
    return sw::Error::not_found("media " + id + ": the download URL expired or the file is gone");
  }
  if (st == 429 || st >= 500) {
    return sw::Error::transient("downloading media " + id + ": HTTP " + std::to_string(st));
  }
  if (st < 200 || st >= 300) {
    return sw::Error::rejected("downloading media " + id + ": HTTP " + std::to_string(st));
  }
  const std::string& bytes = resp->body;
  if (static_cast<int64_t>(bytes.size()) > limit) {
    return sw::Error::rejected("media " + id + " is larger than the limit of " +
                               std::to_string(limit) + " bytes for " + *mime);
  }
  // The file must be what Meta announced. A generic type from the CDN is tolerated.
  if (std::optional<std::string_view> ct = resp->header("Content-Type")) {
    std::optional<std::string> got = base_mime_type(*ct);
    if (got && *got != *mime && *got != "application/octet-stream") {
      return sw::Error::rejected("media " + id + ": announced as " + *mime + " but served as " +
                                 *got);
    }
  }
  const std::string digest = sha256_hex(bytes);
  const std::string expected = lower(str_of(info, "sha256"));
  if (is_sha256_hex(expected) && expected != digest) {
    sw::Error e = sw::Error::transient("media " + id + ": the download does not match its SHA-256");
    return e;
  }

  json::Value head = json::Value::object();
  head.set("media_id", id);
  head.set("mime_type", *mime);
  head.set("sha256", digest);
  head.set("file_size", static_cast<int64_t>(bytes.size()));
  if (format == "binary") return head.dump() + "\n" + bytes;
  head.set("data_base64", base64_encode(bytes));
  return head.dump();
}

}  // namespace wa
