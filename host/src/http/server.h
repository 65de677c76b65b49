// The host's HTTP server (POCO HTTPServer) serving a Router on a loopback address.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "http/metrics.h"
#include "http/router.h"

namespace sb::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;  // 0 = an ephemeral port; port() reports it after start()
  size_t max_body_bytes = 1 << 20;
  // Paths with their own body limit (e.g. provider webhooks): the longest matching prefix wins
  // over max_body_bytes.
  std::vector<std::pair<std::string, size_t>> body_limits;
  int threads = 8;
  // Threads beyond `threads` for long-lived streaming answers (event streams), one each.
  int stream_threads = 0;
  int max_queued = 256;  // connections waiting for a thread
  // When set, every answered request counts in sb_http_requests_total{method,code}.
  std::shared_ptr<MetricsRegistry> metrics;
};

// Bodies above their limit (by Content-Length or while reading a chunked body) get 413
// {"error":{"code":"payload_too_large"}}. A handler that throws gets a 500 JSON; the server lives
// on. Requests POCO cannot parse get JSON too (414, 431, 400: http/connection.h). Every status line
// carries its reason phrase.
class Server {
 public:
  Server(ServerOptions options, std::shared_ptr<const Router> router);
  ~Server();  // stops
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts serving. "cannot listen on 127.0.0.1:8080: address in use" and the like.
  sb::Status start();
  // Stops accepting, waits for running handlers. Idempotent.
  void stop();
  uint16_t port() const;
  bool running() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sb::http
