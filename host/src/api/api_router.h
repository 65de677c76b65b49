// Routing under /v1/: authenticate the bearer token (401), match a path pattern with {params}
// (404/405), check the route's minimum role (403), then call the handler.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "api/api_store.h"
#include "auth/token.h"
#include "http/router.h"

namespace sb::api {

struct Principal {
  int64_t token_id = 0;
  std::string name;  // for an agent token: the agent id
  auth::Role role = auth::Role::kAgent;
  bool is_agent() const { return role == auth::Role::kAgent; }
  bool is_bot() const { return role == auth::Role::kBot; }
};

struct Call {
  const http::Request& request;
  const Principal& who;
  std::vector<std::string> params;  // the {...} segments in order
};

using ApiHandler = std::function<http::Response(const Call&)>;

class ApiRouter {
 public:
  explicit ApiRouter(ApiStore& tokens) : tokens_(tokens) {}
  // pattern like "/v1/contacts/{}/merge"; role is the least role allowed to call it; bot tokens
  // only where `bots` is true.
  void add(std::string method, std::string_view pattern, auth::Role role, ApiHandler handler,
           bool bots = false);
  http::Response dispatch(const http::Request& request) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;  // "{}" matches one non-empty segment
    auth::Role role;
    ApiHandler handler;
    bool bots = false;
  };
  ApiStore& tokens_;
  std::vector<Route> routes_;
};

}  // namespace sb::api
