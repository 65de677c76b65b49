#include "http/server.h"

#include <cerrno>
#include <chrono>
#include <mutex>
#include <thread>

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>

#include "log/log.h"

namespace sb::http {
namespace {

// After a 413 the rest of the body is read and discarded up to this much, so the client sees the
// response instead of a reset connection; beyond it the connection is closed.
constexpr std::streamsize kDrainLimit = 8 << 20;
constexpr size_t kReadChunk = 16 << 10;

// Bounded label values: unknown methods are counted as "other".
std::string method_label(const std::string& method) {
  for (const char* m : {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}) {
    if (method == m) return method;
  }
  return "other";
}

void send(Poco::Net::HTTPServerResponse& out, const Response& r) {
  out.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(r.status));
  out.setContentType(r.content_type);
  for (const auto& [name, value] : r.headers) out.add(name, value);
  if (r.stream) {
    out.setChunkedTransferEncoding(true);
    out.setKeepAlive(false);
    r.stream(out.send());
    return;
  }
  out.setContentLength64(static_cast<Poco::Int64>(r.body.size()));
  out.sendBuffer(r.body.data(), r.body.size());
}

// Reads and drops up to `limit` bytes; true if the stream ended within it.
bool drain(std::istream& in, std::streamsize limit) {
  char buf[kReadChunk];
  std::streamsize total = 0;
  while (total <= limit && in.read(buf, sizeof buf).gcount() > 0) total += in.gcount();
  return total <= limit && in.eof();
}

class RequestHandler final : public Poco::Net::HTTPRequestHandler {
 public:
  RequestHandler(std::shared_ptr<const Router> router, size_t max_body,
                 std::shared_ptr<MetricsRegistry> metrics)
      : router_(std::move(router)), max_body_(max_body), metrics_(std::move(metrics)) {}

  void handleRequest(Poco::Net::HTTPServerRequest& in,
                     Poco::Net::HTTPServerResponse& out) override {
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

 private:
  // Counted before sending, so a client that got the answer also sees it in /metrics.
  void respond(const Poco::Net::HTTPServerRequest& in, Poco::Net::HTTPServerResponse& out,
               const Response& r) {
    if (metrics_) {
      metrics_->inc("sb_http_requests_total",
                    {{"method", method_label(in.getMethod())}, {"code", std::to_string(r.status)}});
    }
    send(out, r);
  }

  void handle(Poco::Net::HTTPServerRequest& in, Poco::Net::HTTPServerResponse& out) {
    Request req;
    req.method = in.getMethod();
    Poco::URI uri(in.getURI());
    req.path = uri.getPath();
    req.query = uri.getRawQuery();
    for (const auto& [name, value] : in) req.headers.emplace_back(name, value);
    req.remote_addr = in.clientAddress().toString();

    if (in.hasContentLength() && in.getContentLength64() > static_cast<Poco::Int64>(max_body_)) {
      too_large(in, out, in.getContentLength64() <= kDrainLimit);
      return;
    }
    std::istream& body = in.stream();
    char buf[kReadChunk];
    while (body.read(buf, sizeof buf).gcount() > 0) {
      req.body.append(buf, static_cast<size_t>(body.gcount()));
      if (req.body.size() > max_body_) {  // chunked, or a body longer than its Content-Length
        too_large(in, out, drain(body, kDrainLimit));
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
                 bool drained_or_drainable) {
    if (drained_or_drainable) {
      drained_or_drainable = drain(in.stream(), kDrainLimit);
    }
    if (!drained_or_drainable) out.setKeepAlive(false);
    respond(in, out,
            json_error(413, "payload_too_large",
                       "request body exceeds " + std::to_string(max_body_) + " bytes"));
  }

  std::shared_ptr<const Router> router_;
  size_t max_body_;
  std::shared_ptr<MetricsRegistry> metrics_;
};

class HandlerFactory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  HandlerFactory(std::shared_ptr<const Router> router, size_t max_body,
                 std::shared_ptr<MetricsRegistry> metrics)
      : router_(std::move(router)), max_body_(max_body), metrics_(std::move(metrics)) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new RequestHandler(router_, max_body_, metrics_);  // POCO takes ownership
  }

 private:
  std::shared_ptr<const Router> router_;
  size_t max_body_;
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
  std::unique_ptr<Poco::Net::HTTPServer> server;
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
    params->setMaxThreads(o.threads);
    params->setMaxQueued(o.max_queued);
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(5, 0));
    params->setTimeout(Poco::Timespan(30, 0));
    params->setServerName("switchboard");
    impl_->pool = std::make_unique<Poco::ThreadPool>(1, o.threads + 1);
    impl_->server = std::make_unique<Poco::Net::HTTPServer>(
        new HandlerFactory(impl_->router, o.max_body_bytes, o.metrics), *impl_->pool, socket,
        params);
    impl_->server->start();
  } catch (const Poco::Exception& e) {
    impl_->server.reset();
    impl_->pool.reset();
    impl_->port = 0;
    return sb::unavailable("cannot listen on " + where + ": " + describe_listen_error(e));
  }
  return {};
}

void Server::stop() {
  std::lock_guard lock(impl_->mu);
  if (!impl_->server) return;
  impl_->server->stop();  // no new connections
  // Let requests in flight finish (bounded), then close idle keep-alive connections.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (impl_->server->currentConnections() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  impl_->server->stopAll(true);
  impl_->pool->joinAll();
  impl_->server.reset();
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
