#include "media.hpp"

#include <openssl/evp.h>

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

std::string base64_encode(std::string_view data) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    uint32_t v = (static_cast<uint8_t>(data[i]) << 16) | (static_cast<uint8_t>(data[i + 1]) << 8) |
                 static_cast<uint8_t>(data[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i < data.size()) {
    uint32_t v = static_cast<uint32_t>(static_cast<uint8_t>(data[i])) << 16;
    if (i + 1 < data.size()) v |= static_cast<uint32_t>(static_cast<uint8_t>(data[i + 1])) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < data.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), md.data(), &n, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < n; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

std::optional<std::string> base_mime_type(std::string_view content_type) {
  std::string_view t = content_type.substr(0, content_type.find(';'));
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  // RFC 6838 restricted names: letters, digits and !#$&-^_.+ on both sides of one '/'.
  auto token_ok = [](std::string_view s) {
    if (s.empty() || s.size() > 127) return false;
    for (char c : s) {
      const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!alnum && std::string_view("!#$&-^_.+").find(c) == std::string_view::npos) return false;
    }
    return true;
  };
  const std::size_t slash = t.find('/');
  if (slash == std::string_view::npos || !token_ok(t.substr(0, slash)) ||
      !token_ok(t.substr(slash + 1))) {
    return std::nullopt;
  }
  return lower(t);
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
