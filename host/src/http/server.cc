#include "http/server.h"

#include <cerrno>
#include <chrono>
#include <mutex>
#include <thread>

#include <Poco/Exception.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>

#include "http/connection.h"
#include "log/log.h"

namespace sb::http {
namespace {

// After a 413 the rest of the body is read and discarded up to this much, so the client sees the
// response instead of a reset connection; beyond it the connection is closed.
constexpr std::streamsize kDrainLimit = 8 << 20;
constexpr size_t kReadChunk = 16 << 10;
// Each connection's thread; a streaming one mostly sleeps, so 256 KiB is ample and keeps hundreds
// of event streams cheap in address space.
constexpr int kThreadStackBytes = 256 << 10;

// Bounded label values: unknown methods are counted as "other".
std::string method_label(const std::string& method) {
  for (const char* m : {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}) {
    if (method == m) return method;
  }
  return "other";
}

// Reads and drops up to `limit` bytes; true if the stream ended within it.
bool drain(std::istream& in, std::streamsize limit) {
  char buf[kReadChunk];
  std::streamsize total = 0;
  while (total <= limit && in.read(buf, sizeof buf).gcount() > 0) total += in.gcount();
  return total <= limit && in.eof();
}

// The body limit for a path: the longest matching prefix of `limits`, else `fallback`.
size_t body_limit(const std::vector<std::pair<std::string, size_t>>& limits, size_t fallback,
                  std::string_view path) {
  size_t best_len = 0, limit = fallback;
  for (const auto& [prefix, bytes] : limits) {
    if (path.starts_with(prefix) && prefix.size() >= best_len) {
      best_len = prefix.size();
      limit = bytes;
    }
  }
  return limit;
}

class Sink final : public detail::RequestSink {
 public:
  Sink(std::shared_ptr<const Router> router, const ServerOptions& options)
      : router_(std::move(router)),
        max_body_(options.max_body_bytes),
        body_limits_(options.body_limits),
        metrics_(options.metrics) {}

  void serve(Poco::Net::HTTPServerRequest& in, Poco::Net::HTTPServerResponse& out) override {
    try {
      handle(in, out);
    } catch (const Poco::Exception& e) {
      // Usually the client went away mid-request; nothing to answer if headers already went out.
      sb::log::logger("http")->warn("request {} {} failed: {}", in.getMethod(), in.getURI(),
                                    e.displayText());
      if (!out.sent()) respond(in, out, json_error(400, "bad_request", "malformed request"));
    } catch (const std::exception& e) {
      sb::log::logger("http")->error("request {} {} failed: {}", in.getMethod(), in.getURI(),
                                     e.what());
      if (!out.sent()) respond(in, out, json_error(500, "internal", "internal server error"));
    }
  }

  void reject(Poco::Net::HTTPServerResponse& out, const Response& r) override {
    count("other", r.status);
    detail::send_response(out, r, nullptr);
  }

 private:
  void count(const std::string& method, int status) {
    if (metrics_) {
      metrics_->inc("sb_http_requests_total",
                    {{"method", method}, {"code", std::to_string(status)}});
    }
  }

  // Counted before sending, so a client that got the answer also sees it in /metrics.
  void respond(Poco::Net::HTTPServerRequest& in, Poco::Net::HTTPServerResponse& out,
               const Response& r) {
    count(method_label(in.getMethod()), r.status);
    auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&in);
    detail::send_response(out, r, impl != nullptr ? &impl->socket() : nullptr);
  }

  void handle(Poco::Net::HTTPServerRequest& in, Poco::Net::HTTPServerResponse& out) {
    Request req;
    req.method = in.getMethod();
    Poco::URI uri(in.getURI());
    req.path = uri.getPath();
    req.query = uri.getRawQuery();
    for (const auto& [name, value] : in) req.headers.emplace_back(name, value);
    req.remote_addr = in.clientAddress().toString();

    const size_t max_body = body_limit(body_limits_, max_body_, req.path);
    if (in.hasContentLength() && in.getContentLength64() > static_cast<Poco::Int64>(max_body)) {
      too_large(in, out, max_body, in.getContentLength64() <= kDrainLimit);
      return;
    }
    std::istream& body = in.stream();
    char buf[kReadChunk];
    while (body.read(buf, sizeof buf).gcount() > 0) {
      req.body.append(buf, static_cast<size_t>(body.gcount()));
      if (req.body.size() > max_body) {  // chunked, or a body longer than its Content-Length
        too_large(in, out, max_body, drain(body, kDrainLimit));
        return;
      }
    }

    Response resp;
    try {
      resp = router_->dispatch(req);
    } catch (const std::exception& e) {
      sb::log::logger("http")->error("handler for {} {} threw: {}", req.method, req.path, e.what());
      resp = json_error(500, "internal", "internal server error");
    } catch (...) {
      sb::log::logger("http")->error("handler for {} {} threw a non-exception", req.method,
                                     req.path);
      resp = json_error(500, "internal", "internal server error");
    }
    respond(in, out, resp);
  }

  void too_large(Poco::Net::HTTPServerRequest& in, Poco::Net::HTTPServerResponse& out,
                 size_t max_body, bool drained_or_drainable) {
    if (drained_or_drainable) {
      drained_or_drainable = drain(in.stream(), kDrainLimit);
    }
    if (!drained_or_drainable) out.setKeepAlive(false);
    respond(in, out,
            json_error(413, "payload_too_large",
                       "request body exceeds " + std::to_string(max_body) + " bytes"));
  }

  std::shared_ptr<const Router> router_;
  size_t max_body_;
  std::vector<std::pair<std::string, size_t>> body_limits_;
  std::shared_ptr<MetricsRegistry> metrics_;
};

std::string describe_listen_error(const Poco::Exception& e) {
  if (dynamic_cast<const Poco::Net::HostNotFoundException*>(&e)) return "host not found";
  switch (e.code()) {
    case EADDRINUSE:
      return "address in use";
    case EACCES:
      return "permission denied";
    case EADDRNOTAVAIL:
      return "address not available";
    default:
      break;
  }
  std::string msg = e.message();
  if (auto colon = msg.find(':'); colon != std::string::npos) msg.resize(colon);
  for (auto& c : msg) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return msg.empty() ? e.displayText() : msg;
}

}  // namespace

struct Server::Impl {
  ServerOptions options;
  std::shared_ptr<const Router> router;
  std::mutex mu;
  std::unique_ptr<Poco::ThreadPool> pool;
  Poco::SharedPtr<detail::ConnectionFactory> connections;
  std::unique_ptr<Poco::Net::TCPServer> server;
  uint16_t port = 0;
};

Server::Server(ServerOptions options, std::shared_ptr<const Router> router)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->router = std::move(router);
}

Server::~Server() {
  stop();
}

sb::Status Server::start() {
  std::lock_guard lock(impl_->mu);
  if (impl_->server) return sb::failed_precondition("http server already started");
  const auto& o = impl_->options;
  const std::string where = o.host + ":" + std::to_string(o.port);
  try {
    Poco::Net::ServerSocket socket;
    // reuseAddress lets a restart bind past TIME_WAIT; reusePort stays off so a second server
    // on the same port fails instead of sharing it.
    socket.bind(Poco::Net::SocketAddress(o.host, o.port), true, false);
    socket.listen(128);
    impl_->port = socket.address().port();

    // POCO's reference-counted params and factory are handed over as raw pointers it owns.
    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    // One thread per connection: `threads` for requests plus one for each event stream, so
    // open streams never starve the API.
    const int max_threads = o.threads + o.stream_threads;
    params->setMaxThreads(max_threads);
    params->setMaxQueued(o.max_queued);
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(5, 0));
    params->setTimeout(Poco::Timespan(30, 0));
    params->setServerName("switchboard");
    impl_->pool = std::make_unique<Poco::ThreadPool>(1, max_threads + 1, 60, kThreadStackBytes);
    impl_->connections = new detail::ConnectionFactory(
        params, std::make_shared<Sink>(impl_->router, o));  // POCO's SharedPtr takes a raw pointer
    impl_->server =
        std::make_unique<Poco::Net::TCPServer>(impl_->connections, *impl_->pool, socket, params);
    impl_->server->start();
  } catch (const Poco::Exception& e) {
    impl_->server.reset();
    impl_->connections.reset();
    impl_->pool.reset();
    impl_->port = 0;
    return sb::unavailable("cannot listen on " + where + ": " + describe_listen_error(e));
  }
  return {};
}

void Server::stop() {
  std::lock_guard lock(impl_->mu);
  if (!impl_->server) return;
  impl_->server->stop();                // no new connections
  impl_->connections->stop_all(false);  // no new requests on open ones
  // Let requests in flight finish (bounded), then close idle keep-alive connections.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (impl_->server->currentConnections() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  impl_->connections->stop_all(true);
  impl_->pool->joinAll();
  impl_->server.reset();
  impl_->connections.reset();
  impl_->pool.reset();
}

uint16_t Server::port() const {
  std::lock_guard lock(impl_->mu);
  return impl_->port;
}

bool Server::running() const {
  std::lock_guard lock(impl_->mu);
  return impl_->server != nullptr;
}

}  // namespace sb::http
