#include "media.hpp"

#include <array>

namespace wa {

namespace {
constexpr std::size_t kMB = 1024 * 1024;

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}
}  // namespace

std::optional<std::string> base64_decode(std::string_view in) {
  std::string out;
  out.reserve(in.size() / 4 * 3);
  uint32_t acc = 0;
  int bits = 0;
  std::size_t pad = 0;
  for (char c : in) {
    if (c == '\n' || c == '\r' || c == ' ') continue;
    if (c == '=') {
      ++pad;
      continue;
    }
    int v = b64_value(c);
    if (v < 0 || pad > 0) return std::nullopt;  // a bad character, or data after padding
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  if (pad > 2) return std::nullopt;
  return out;
}

std::optional<std::size_t> media_limit(std::string_view mime) {
  struct Limit {
    std::string_view mime;
    std::size_t max;
  };
  static constexpr std::array<Limit, 20> kLimits = {{
      {"audio/aac", 16 * kMB},
      {"audio/amr", 16 * kMB},
      {"audio/mpeg", 16 * kMB},
      {"audio/mp4", 16 * kMB},
      {"audio/ogg", 16 * kMB},
      {"image/jpeg", 5 * kMB},
      {"image/png", 5 * kMB},
      {"image/webp", 500 * 1024},
      {"video/mp4", 16 * kMB},
      {"video/3gp", 16 * kMB},
      {"video/3gpp", 16 * kMB},
      {"text/plain", 100 * kMB},
      {"application/pdf", 100 * kMB},
      {"application/msword", 100 * kMB},
      {"application/vnd.ms-excel", 100 * kMB},
      {"application/vnd.ms-powerpoint", 100 * kMB},
      {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", 100 * kMB},
      {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", 100 * kMB},
      {"application/vnd.openxmlformats-officedocument.presentationml.presentation", 100 * kMB},
      {"audio/opus", 16 * kMB},
  }};
  for (const auto& l : kLimits) {
    if (l.mime == mime) return l.max;
  }
  return std::nullopt;
}

Multipart media_upload_body(std::string_view mime, std::string_view filename, std::string_view data,
                            uint64_t seed) {
  std::string boundary = "sb-wa-" + std::to_string(seed);
  while (data.find(boundary) != std::string_view::npos) boundary += "x";
  std::string name(filename.empty() ? "file" : filename);
  for (char& c : name) {
    if (c == '"' || c == '\r' || c == '\n' || c == '\\') c = '_';
  }
  auto field = [&](std::string_view key, std::string_view value) {
    return "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + std::string(key) +
           "\"\r\n\r\n" + std::string(value) + "\r\n";
  };
  Multipart m;
  m.content_type = "multipart/form-data; boundary=" + boundary;
  m.body = field("messaging_product", "whatsapp") + field("type", mime);
  m.body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" +
            name + "\"\r\nContent-Type: " + std::string(mime) + "\r\n\r\n";
  m.body.append(data);
  m.body += "\r\n--" + boundary + "--\r\n";
  return m;
}

}  // namespace wa
