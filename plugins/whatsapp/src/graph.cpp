#include "graph.hpp"

namespace wa {

std::string url_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_' || c == '.' || c == '~';
    if (plain) {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    }
  }
  return out;
}

std::string build_url(const Config& c, std::string_view path, const Query& query) {
  std::string url = c.graph_base_url + "/" + c.api_version;
  if (!path.starts_with('/')) url += '/';
  url += path;
  char sep = '?';
  for (const auto& [k, v] : query) {
    url += sep;
    url += url_encode(k) + "=" + url_encode(v);
    sep = '&';
  }
  return url;
}

sw::Result<json::Value> GraphClient::get(std::string_view path, const Query& query) const {
  return call("GET", path, query, {});
}

sw::Result<json::Value> GraphClient::post(std::string_view path, const json::Value& body,
                                          const Query& query) const {
  return call("POST", path, query, body.dump());
}

sw::Result<json::Value> GraphClient::del(std::string_view path, const Query& query) const {
  return call("DELETE", path, query, {});
}

sw::Result<json::Value> GraphClient::post_raw(std::string_view path, std::string body,
                                              std::string_view content_type) const {
  return call("POST", path, {}, std::move(body), content_type);
}

sw::Result<json::Value> GraphClient::call(std::string method, std::string_view path,
                                          const Query& query, std::string body,
                                          std::string_view content_type) const {
  std::optional<std::string> token = host_.secret(token_name_);
  if (!token || token->empty()) {
    return sw::Error::auth("the " + token_name_ + " secret is not configured");
  }
  sw::HttpRequest req;
  req.method = std::move(method);
  req.url = build_url(config_, path, query);
  req.headers.emplace_back("Authorization", "Bearer " + *token);
  req.headers.emplace_back("Accept", "application/json");
  if (!body.empty()) req.headers.emplace_back("Content-Type", std::string(content_type));
  req.body = std::move(body);
  req.timeout = kGraphTimeout;

  sw::Result<sw::HttpResponse> resp = host_.http_request(req);
  if (!resp) {
    sw::Error e = resp.error();
    e.message = "Graph " + req.method + " " + std::string(path) + ": " + e.message;
    if (e.status == SB_ERR_TIMEOUT || e.status == SB_ERR_TRANSIENT) e.retryable = true;
    return e;
  }
  if (resp->body.size() > kMaxGraphResponse) {
    return sw::Error::transient("Graph response larger than " + std::to_string(kMaxGraphResponse));
  }
  std::optional<json::Value> doc = resp->body.empty()
                                       ? std::optional<json::Value>(json::Value::object())
                                       : parse_json(resp->body);
  if (doc) {
    if (std::optional<GraphError> ge = parse_graph_error(*doc, resp->status)) {
      if (is_token_error(ge->code) && on_token_error_) on_token_error_(*ge, token_name_);
      return to_error(*ge, token_name_);
    }
  }
  if (resp->status < 200 || resp->status >= 300) {
    GraphError ge;
    ge.http_status = resp->status;
    ge.code = -1;
    ge.message = "Graph " + req.method + " " + std::string(path) + " answered HTTP " +
                 std::to_string(resp->status);
    sw::Error e = to_error(ge, token_name_);
    e.provider_code.clear();
    if (resp->status == 401 && on_token_error_) on_token_error_(ge, token_name_);
    return e;
  }
  if (!doc) return sw::Error::transient("Graph answered a body that is not JSON");
  if (on_success_) on_success_(token_name_);
  return std::move(*doc);
}

}  // namespace wa
