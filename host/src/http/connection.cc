#include "http/connection.h"

#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponseImpl.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Timestamp.h>
#include <ostream>

#include "log/log.h"

namespace sb::http::detail {
namespace {

// After an unparseable request the rest of what the client sent is read and dropped (bounded),
// so closing the socket does not reset the connection before the client reads the answer.
constexpr int kLingerBytes = 1 << 20;
constexpr long kLingerMicros = 500'000;

// POCO's MessageException texts (HTTPRequest::read, MessageHeader::read) name what was too long.
Response parse_error(const Poco::Exception& e) {
  const std::string what = e.message();
  if (what.find("URI") != std::string::npos) {
    return json_error(414, "uri_too_long", "the request line exceeds 16384 bytes");
  }
  if (what.find("Field") != std::string::npos || what.find("header fields") != std::string::npos) {
    return json_error(431, "headers_too_large",
                      "a header line exceeds 8192 bytes or there are more than 100 header fields");
  }
  return json_error(400, "bad_request", "malformed HTTP request");
}

// Readable with nothing to read (EOF) or an error: the client went away. Bytes a client sends
// after its request on a streaming answer are read and dropped.
bool peer_gone(Poco::Net::StreamSocket& socket) {
  try {
    if (!socket.poll(Poco::Timespan(0),
                     Poco::Net::Socket::SELECT_READ | Poco::Net::Socket::SELECT_ERROR)) {
      return false;
    }
    char buf[512];
    return socket.receiveBytes(buf, sizeof buf) <= 0;
  } catch (const Poco::Exception&) {
    return true;
  }
}

void linger(Poco::Net::StreamSocket& socket) {
  try {
    socket.shutdownSend();
    char buf[4096];
    int total = 0;
    while (total < kLingerBytes &&
           socket.poll(Poco::Timespan(kLingerMicros), Poco::Net::Socket::SELECT_READ)) {
      const int n = socket.receiveBytes(buf, sizeof buf);
      if (n <= 0) break;
      total += n;
    }
  } catch (const Poco::Exception&) {
    // The client is gone already; nothing more to do.
  }
}

}  // namespace

std::string reason_phrase(int status) {
  switch (status) {
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 422:
      return "Unprocessable Content";
    case 431:
      return "Request Header Fields Too Large";
    default:
      break;
  }
  std::string r = Poco::Net::HTTPResponse::getReasonForStatus(
      static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  return r == "???" ? "Status " + std::to_string(status) : r;
}

void send_response(Poco::Net::HTTPServerResponse& out, const Response& r,
                   Poco::Net::StreamSocket* socket) {
  out.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(r.status),
                         reason_phrase(r.status));
  out.setContentType(r.content_type);
  for (const auto& [name, value] : r.headers) out.add(name, value);
  if (r.stream) {
    out.setChunkedTransferEncoding(true);
    out.setKeepAlive(false);
    std::function<bool()> gone = [socket] { return socket != nullptr && peer_gone(*socket); };
    r.stream(out.send(), gone);
    return;
  }
  out.setContentLength64(static_cast<Poco::Int64>(r.body.size()));
  // send(), not sendBuffer(): the latter drops the body when no request is attached (a request
  // that could not be parsed).
  std::ostream& body = out.send();
  body.write(r.body.data(), static_cast<std::streamsize>(r.body.size()));
  body.flush();
}

class Connection final : public Poco::Net::TCPServerConnection {
 public:
  Connection(const Poco::Net::StreamSocket& socket, ConnectionFactory& factory)
      : TCPServerConnection(socket), factory_(factory) {
    std::lock_guard lock(factory_.mu_);
    factory_.open_.insert(this);
  }
  ~Connection() override {
    std::lock_guard lock(factory_.mu_);
    factory_.open_.erase(this);
  }

  void run() override {
    Poco::Net::HTTPServerParams::Ptr params = factory_.params_;
    Poco::Net::HTTPServerSession session(socket(), params);
    while (!stopping() && session.hasMoreRequests()) {
      try {
        Poco::Net::HTTPServerResponseImpl response(session);
        Poco::Net::HTTPServerRequestImpl request(response, session, params.get());
        response.setDate(Poco::Timestamp());
        response.setVersion(request.getVersion());
        response.setKeepAlive(params->getKeepAlive() && request.getKeepAlive() &&
                              session.canKeepAlive());
        response.set("Server", params->getServerName());
        if (request.getExpectContinue()) response.sendContinue();
        factory_.sink_->serve(request, response);
        session.setKeepAlive(params->getKeepAlive() && response.getKeepAlive() &&
                             session.canKeepAlive());
      } catch (const Poco::Net::NoMessageException&) {
        break;  // the client closed (or timed out) between requests
      } catch (const Poco::Net::MessageException& e) {
        reject(session, parse_error(e));
        break;
      } catch (const Poco::Exception& e) {
        // The sink answers everything it can; this is the socket failing under it.
        sb::log::logger("http")->debug("connection ended: {}", e.displayText());
        break;
      }
    }
  }

  void shutdown() {
    try {
      socket().shutdown();
    } catch (const Poco::Exception&) {
      // Already closed.
    }
  }

 private:
  bool stopping() {
    std::lock_guard lock(factory_.mu_);
    return factory_.stopping_;
  }

  // A fresh response: the one handed to the failed request still points at it.
  void reject(Poco::Net::HTTPServerSession& session, const Response& r) {
    try {
      {  // the response flushes its headers when it goes
        Poco::Net::HTTPServerResponseImpl response(session);
        response.setVersion(Poco::Net::HTTPMessage::HTTP_1_1);
        response.setKeepAlive(false);
        factory_.sink_->reject(response, r);
      }
      session.setKeepAlive(false);
      linger(socket());
    } catch (const Poco::Exception& e) {
      sb::log::logger("http")->debug("could not answer a malformed request: {}", e.displayText());
    }
  }

  ConnectionFactory& factory_;
};

Poco::Net::TCPServerConnection* ConnectionFactory::createConnection(
    const Poco::Net::StreamSocket& socket) {
  return new Connection(socket, *this);  // POCO's dispatcher takes ownership
}

void ConnectionFactory::stop_all(bool abort) {
  std::lock_guard lock(mu_);
  stopping_ = true;
  if (!abort) return;
  for (Connection* c : open_) c->shutdown();
}

}  // namespace sb::http::detail
