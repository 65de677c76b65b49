// Part of switchboard/sdk.hpp: webhook request/response views and outbound HTTP types.
#pragma once

#include <switchboard/sdk/core.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace switchboard {

// ---------------------------------------------------------------------------------------------------
// Webhooks
// ---------------------------------------------------------------------------------------------------

namespace detail {
inline char ascii_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
}
inline bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}
inline std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}
inline int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  c = ascii_lower(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}
// application/x-www-form-urlencoded decoding: '+' is a space, %XX a byte; a bad escape stays as is.
inline std::string url_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
               hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}
}  // namespace detail

// A view of a provider's request on a registered route. Valid only during handle_webhook.
class WebhookRequest {
 public:
  explicit WebhookRequest(const sb_webhook_request* r) : r_(read_struct(r)) {}
  std::string_view method() const noexcept { return view(r_.method); }
  std::string_view path() const noexcept { return view(r_.path); }
  std::string_view query() const noexcept { return view(r_.query); }
  std::string_view headers() const noexcept { return view(r_.headers); }
  std::string_view body() const noexcept { return view(r_.body); }
  std::string_view remote_addr() const noexcept { return view(r_.remote_addr); }

  // The first header called `name` (case-insensitive), trimmed.
  std::optional<std::string_view> header(std::string_view name) const noexcept {
    std::string_view rest = headers();
    while (!rest.empty()) {
      std::size_t eol = rest.find('\n');
      std::string_view line = rest.substr(0, eol);
      rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol + 1);
      std::size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      if (detail::iequals(detail::trim(line.substr(0, colon)), name)) {
        return detail::trim(line.substr(colon + 1));
      }
    }
    return std::nullopt;
  }

  // The first query parameter called `name`, URL-decoded ("hub.challenge" and the like).
  std::optional<std::string> query_param(std::string_view name) const {
    std::string_view rest = query();
    while (!rest.empty()) {
      std::size_t amp = rest.find('&');
      std::string_view pair = rest.substr(0, amp);
      rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
      std::size_t eq = pair.find('=');
      std::string_view key = pair.substr(0, eq);
      if (detail::url_decode(key) == name) {
        return eq == std::string_view::npos ? std::string()
                                            : detail::url_decode(pair.substr(eq + 1));
      }
    }
    return std::nullopt;
  }

 private:
  sb_webhook_request r_;
};

// How the channel answers a webhook. Without set_status the host answers 200 for SB_OK.
class WebhookResponse {
 public:
  explicit WebhookResponse(const sb_webhook_response* r) : r_(r) {}
  void set_status(int32_t http_status) const noexcept {
    if (has_slot(r_, &sb_webhook_response::set_status)) r_->set_status(r_->ctx, http_status);
  }
  void add_header(std::string_view name, std::string_view value) const noexcept {
    if (has_slot(r_, &sb_webhook_response::add_header)) {
      r_->add_header(r_->ctx, name.data(), name.size(), value.data(), value.size());
    }
  }
  void write(std::string_view body) const noexcept {
    if (has_slot(r_, &sb_webhook_response::write_body) && !body.empty()) {
      r_->write_body(r_->ctx, body.data(), body.size());
    }
  }

 private:
  const sb_webhook_response* r_;
};

// ---------------------------------------------------------------------------------------------------
// Outbound HTTP
// ---------------------------------------------------------------------------------------------------

// Owns its strings, so headers can be built from temporaries ("Bearer " + token) safely.
struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{0};  // 0 = the host's default
};

struct HttpResponse {
  int32_t status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  std::optional<std::string_view> header(std::string_view name) const noexcept {
    for (const auto& [k, v] : headers) {
      if (detail::iequals(k, name)) return std::string_view(v);
    }
    return std::nullopt;
  }
};

}  // namespace switchboard
