#include "http/router.h"

#include <algorithm>
#include <cctype>

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include "log/log.h"

namespace sb::http {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string allow_header(const std::map<std::string, Handler>& methods) {
  std::string allow;
  for (const auto& [method, handler] : methods) {
    if (method == "*") continue;
    if (!allow.empty()) allow += ", ";
    allow += method;
  }
  return allow;
}

const Handler* find_method(const std::map<std::string, Handler>& methods, const std::string& m) {
  if (auto it = methods.find(m); it != methods.end()) return &it->second;
  if (auto it = methods.find("*"); it != methods.end()) return &it->second;
  return nullptr;
}

}  // namespace

std::string_view Request::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (iequals(n, name)) return v;
  }
  return {};
}

std::optional<std::string> Request::query_param(std::string_view name) const {
  auto params = query_params();
  if (!params) return std::nullopt;
  for (auto& [key, value] : *params) {
    if (key == name) return std::move(value);
  }
  return std::nullopt;
}

std::optional<std::vector<std::pair<std::string, std::string>>> Request::query_params() const {
  std::vector<std::pair<std::string, std::string>> out;
  std::string_view rest = query;
  // '+' means space in form-encoded queries; URI::decode leaves it alone (and throws on a bad
  // %-escape).
  auto decode = [](std::string_view s, std::string& to) {
    std::string plus(s);
    std::replace(plus.begin(), plus.end(), '+', ' ');
    Poco::URI::decode(plus, to);
  };
  try {
    while (!rest.empty()) {
      size_t amp = rest.find('&');
      std::string_view pair = rest.substr(0, amp);
      rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
      size_t eq = pair.find('=');
      std::string key, value;
      decode(pair.substr(0, eq), key);
      if (eq != std::string_view::npos) decode(pair.substr(eq + 1), value);
      out.emplace_back(std::move(key), std::move(value));
    }
  } catch (const Poco::Exception&) {
    return std::nullopt;
  }
  return out;
}

Response json_error(int status, std::string_view code, std::string_view message) {
  Response r;
  r.status = status;
  r.body = "{\"error\":{\"code\":\"" + sb::log::json_escape(code) + "\",\"message\":\"" +
           sb::log::json_escape(message) + "\"}}";
  return r;
}

void Router::add(std::string method, std::string path, Handler handler) {
  exact_[std::move(path)][std::move(method)] = std::move(handler);
}

void Router::add_prefix(std::string method_or_star, std::string prefix, Handler handler) {
  prefixes_[std::move(prefix)][std::move(method_or_star)] = std::move(handler);
}

Response Router::dispatch(const Request& request) const {
  const std::map<std::string, Handler>* path_match = nullptr;
  if (auto it = exact_.find(request.path); it != exact_.end()) {
    if (const Handler* h = find_method(it->second, request.method)) return (*h)(request);
    path_match = &it->second;
  }
  // Keys sort so that a prefix comes before its extensions; walking backwards from the path
  // visits longer candidates first.
  for (auto it = prefixes_.upper_bound(request.path); it != prefixes_.begin();) {
    --it;
    if (!request.path.starts_with(it->first)) continue;
    if (const Handler* h = find_method(it->second, request.method)) return (*h)(request);
    if (!path_match) path_match = &it->second;
  }
  if (path_match) {
    auto r = json_error(405, "method_not_allowed",
                        "method " + request.method + " is not allowed on " + request.path);
    r.headers.emplace_back("Allow", allow_header(*path_match));
    return r;
  }
  return json_error(404, "not_found", "no route for " + request.path);
}

}  // namespace sb::http
