// Requests, responses and routing for the host's HTTP server, independent of POCO.
#pragma once

#include <functional>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sb::http {

struct Request {
  std::string method, path, query;  // query: raw, without '?'
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string remote_addr;  // "127.0.0.1:54321"

  // First header with that name, case-insensitively; empty when absent.
  std::string_view header(std::string_view name) const;
  // Decoded value of the first query parameter with that name (nullopt in an undecodable query).
  std::optional<std::string> query_param(std::string_view name) const;
  // Every query parameter, decoded, in order; nullopt when a %-escape is malformed.
  std::optional<std::vector<std::pair<std::string, std::string>>> query_params() const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // A streaming answer (e.g. text/event-stream): when set, the server sends the status and headers
  // with chunked transfer encoding and no keep-alive, then calls it with the body stream and a
  // probe that answers, without blocking, whether the client has hung up (EOF or a socket error);
  // it writes and flushes for as long as it wants and returns when done, when the stream fails or
  // when the probe says the client went away. `body` is ignored. Runs on the server's thread: it
  // must not throw.
  std::function<void(std::ostream&, const std::function<bool()>& client_gone)> stream = nullptr;
};

using Handler = std::function<Response(const Request&)>;

// {"error":{"code":...,"message":...}} with the given status.
Response json_error(int status, std::string_view code, std::string_view message);

// Not thread-safe to modify; build it fully, then share it (const) with the Server.
class Router {
 public:
  // Exact path, e.g. add("GET", "/healthz", h). Replaces an earlier handler for the same pair.
  void add(std::string method, std::string path, Handler handler);
  // Every path starting with prefix; the longest matching prefix wins. method "*" = any method.
  void add_prefix(std::string method_or_star, std::string prefix, Handler handler);

  // Exact routes before prefixes. 404 JSON when no path matches, 405 JSON (with an Allow header)
  // when the path matches but the method does not.
  Response dispatch(const Request& request) const;

 private:
  // path -> method -> handler
  std::map<std::string, std::map<std::string, Handler>, std::less<>> exact_;
  std::map<std::string, std::map<std::string, Handler>, std::less<>> prefixes_;
};

}  // namespace sb::http
