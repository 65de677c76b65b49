// The host's HTTP server (POCO HTTPServer) serving a Router on a loopback address.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/status.h"
#include "http/metrics.h"
#include "http/router.h"

namespace sb::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;  // 0 = an ephemeral port; port() reports it after start()
  size_t max_body_bytes = 1 << 20;
  int threads = 8;
  int max_queued = 256;  // connections waiting for a thread
  // When set, every answered request counts in sb_http_requests_total{method,code}.
  std::shared_ptr<MetricsRegistry> metrics;
};

// Bodies above max_body_bytes (by Content-Length or while reading a chunked body) get 413
// {"error":{"code":"payload_too_large"}}. A handler that throws gets a 500 JSON; the server lives
// on.
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
