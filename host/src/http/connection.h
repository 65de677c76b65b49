// One accepted HTTP/1.1 connection, served like POCO's HTTPServerConnection except that a request
// POCO cannot parse gets the project's JSON error (POCO answers a bare 400 with no body): a
// request line over 16 KiB is 414 uri_too_long, a header line over 8 KiB or more than 100 header
// fields 431 headers_too_large, anything else malformed 400 bad_request. Internal to http/server.
#pragma once

#include <memory>
#include <mutex>
#include <set>

#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/TCPServerConnection.h>
#include <Poco/Net/TCPServerConnectionFactory.h>

#include "http/router.h"

namespace sb::http::detail {

class Connection;

// What a connection does with the requests it reads.
class RequestSink {
 public:
  virtual ~RequestSink() = default;
  virtual void serve(Poco::Net::HTTPServerRequest& in, Poco::Net::HTTPServerResponse& out) = 0;
  // Counts and sends an answer to a request that could not be parsed (method "other").
  virtual void reject(Poco::Net::HTTPServerResponse& out, const Response& r) = 0;
};

// Sends r: status with its reason phrase, content type, headers, then the body or the stream.
// `socket` (may be null) lets a streaming answer notice that its client hung up.
void send_response(Poco::Net::HTTPServerResponse& out, const Response& r,
                   Poco::Net::StreamSocket* socket);

// The status line's reason phrase ("Not Found", "Request Header Fields Too Large", ...).
std::string reason_phrase(int status);

class ConnectionFactory final : public Poco::Net::TCPServerConnectionFactory {
 public:
  ConnectionFactory(Poco::Net::HTTPServerParams::Ptr params, std::shared_ptr<RequestSink> sink)
      : params_(std::move(params)), sink_(std::move(sink)) {}
  Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override;
  // No further requests on any open connection; with abort, their sockets are shut down too
  // (a handler blocked reading or writing fails at once).
  void stop_all(bool abort);

 private:
  friend class Connection;
  Poco::Net::HTTPServerParams::Ptr params_;
  std::shared_ptr<RequestSink> sink_;
  std::mutex mu_;
  std::set<Connection*> open_;
  bool stopping_ = false;
};

}  // namespace sb::http::detail
