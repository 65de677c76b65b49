#include "api/api_router.h"

#include "api/json_io.h"
#include "core/text_input.h"

namespace sb::api {
namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start) out.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// RFC 6750 §3: the challenge names the error only when credentials were presented.
http::Response unauthorized(std::string_view message, std::string_view error = {}) {
  auto r = error_response(401, "unauthorized", message);
  std::string challenge = "Bearer realm=\"switchboard\"";
  if (!error.empty()) challenge += ", error=\"" + std::string(error) + "\"";
  r.headers.emplace_back("WWW-Authenticate", std::move(challenge));
  return r;
}

std::variant<Principal, http::Response> authenticate(ApiStore& tokens,
                                                     const http::Request& request) {
  const std::string_view header = request.header("Authorization");
  if (header.empty()) return unauthorized("an Authorization: Bearer token is required");
  auto token = auth::bearer_token(header);
  if (!token) return unauthorized("malformed Authorization header", "invalid_request");
  const std::string hash = auth::hash_token(*token);
  auto found = tokens.find_token(hash);
  if (!found) return error_response(503, "unavailable", "token store unavailable");
  // The lookup is by digest; comparing digests in constant time keeps timing independent of
  // how much of a guess was right.
  if (!found->has_value() || !auth::constant_time_equals((*found)->token_hash, hash)) {
    return unauthorized("unknown or revoked token", "invalid_token");
  }
  (void)tokens.touch_token((*found)->id);  // bookkeeping only: a failure must not deny access
  return Principal{(*found)->id, (*found)->name, (*found)->role};
}

// Every text a route can read from the request line and the headers it uses must be valid UTF-8
// without control characters before any handler sees it: routes store it, answer with it in JSON
// and hand it to plugins, whose ABI promises UTF-8. 400 invalid_field names the input.
std::optional<http::Response> check_text(const http::Request& request,
                                         const std::vector<std::string>& params) {
  auto refuse = [](std::string_view field, std::string_view problem) {
    return error_response(400, "invalid_field", std::string(field) + ": " + std::string(problem),
                          field);
  };
  for (const auto& param : params) {
    if (auto problem = text_problem(param); !problem.empty()) {
      return refuse("path", std::string("a path segment ") + std::string(problem));
    }
  }
  auto query = request.query_params();
  if (!query) return refuse("query", "has a malformed %-escape");
  for (const auto& [name, value] : *query) {
    if (auto problem = text_problem(name); !problem.empty()) {
      return refuse("query", std::string("a parameter name ") + std::string(problem));
    }
    if (auto problem = text_problem(value); !problem.empty()) return refuse(name, problem);
  }
  for (std::string_view header : {"Idempotency-Key", "Content-Type"}) {
    if (auto problem = text_problem(request.header(header)); !problem.empty()) {
      return refuse(header, problem);
    }
  }
  return std::nullopt;
}

}  // namespace

void ApiRouter::add(std::string method, std::string_view pattern, auth::Role role,
                    ApiHandler handler, bool bots) {
  routes_.push_back({std::move(method), split_path(pattern), role, std::move(handler), bots});
}

http::Response ApiRouter::dispatch(const http::Request& request) const {
  auto auth_result = authenticate(tokens_, request);
  if (auto* r = std::get_if<http::Response>(&auth_result)) return std::move(*r);
  const Principal& who = std::get<Principal>(auth_result);

  const std::vector<std::string> segments = split_path(request.path);
  std::string allowed;
  for (const auto& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    std::vector<std::string> params;
    bool match = true;
    for (size_t i = 0; i < segments.size() && match; ++i) {
      if (route.segments[i] == "{}") {
        params.push_back(segments[i]);
      } else {
        match = route.segments[i] == segments[i];
      }
    }
    if (!match) continue;
    if (route.method != request.method) {
      if (allowed.find(route.method) == std::string::npos) {
        allowed += (allowed.empty() ? "" : ", ") + route.method;
      }
      continue;
    }
    if (who.is_bot() && !route.bots) {
      return error_response(403, "forbidden", "a bot token cannot call " + request.path);
    }
    if (!who.is_bot() && !auth::allows(who.role, route.role)) {
      return error_response(403, "forbidden",
                            "this needs the " + std::string(auth::to_string(route.role)) +
                                " role; the token has " + std::string(auth::to_string(who.role)));
    }
    if (auto refused = check_text(request, params)) return std::move(*refused);
    return route.handler(Call{request, who, std::move(params)});
  }
  if (!allowed.empty()) {
    auto r = error_response(405, "method_not_allowed",
                            request.method + " is not allowed on " + request.path);
    r.headers.emplace_back("Allow", allowed);
    return r;
  }
  return error_response(404, "not_found", "no route " + request.path);
}

}  // namespace sb::api
