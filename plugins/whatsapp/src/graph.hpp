// Calls to Meta's Graph API through the host's outbound HTTP: URL building
// (<base>/<version>/<node>[/<edge>][?query]), the Bearer header (token read per call so a rotated
// secret applies at once, never logged), and turning error bodies into SDK errors.
// The token is a secret of the instance named by token_name() ("access_token" unless a number or
// WABA has its own: with_token gives a client that uses another secret).
#pragma once

#include "config.hpp"
#include "errors.hpp"

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wa {

inline constexpr std::chrono::milliseconds kGraphTimeout{15000};
inline constexpr std::size_t kMaxGraphResponse = 8 * 1024 * 1024;
inline constexpr std::string_view kDefaultToken = "access_token";

using Query = std::vector<std::pair<std::string, std::string>>;

std::string url_encode(std::string_view s);
std::string build_url(const Config& c, std::string_view path, const Query& query = {});

class GraphClient {
 public:
  GraphClient(const sw::Host& host, const Config& config) : host_(host), config_(config) {}

  // The same client with the Bearer token read from another secret of the instance.
  GraphClient with_token(std::string token_name) const {
    GraphClient c = *this;
    c.token_name_ = token_name.empty() ? std::string(kDefaultToken) : std::move(token_name);
    return c;
  }
  const std::string& token_name() const noexcept { return token_name_; }

  // Called with every token error (190/0), and the name of the secret that was used, so the
  // channel can report DEGRADED.
  void on_token_error(std::function<void(const GraphError&, const std::string&)> fn) {
    on_token_error_ = std::move(fn);
  }
  // Called after any successful call, so a DEGRADED instance recovers with a new token.
  // Told the name of the secret that worked.
  void on_success(std::function<void(const std::string&)> fn) { on_success_ = std::move(fn); }

  sw::Result<json::Value> get(std::string_view path, const Query& query = {}) const;
  sw::Result<json::Value> post(std::string_view path, const json::Value& body,
                               const Query& query = {}) const;
  // A body that is not JSON (multipart media upload).
  sw::Result<json::Value> post_raw(std::string_view path, std::string body,
                                   std::string_view content_type) const;
  sw::Result<json::Value> del(std::string_view path, const Query& query = {}) const;

  const Config& config() const noexcept { return config_; }

 private:
  sw::Result<json::Value> call(std::string method, std::string_view path, const Query& query,
                               std::string body,
                               std::string_view content_type = "application/json") const;

  const sw::Host& host_;
  const Config& config_;
  std::string token_name_{kDefaultToken};
  std::function<void(const GraphError&, const std::string&)> on_token_error_;
  std::function<void(const std::string&)> on_success_;
};

}  // namespace wa
