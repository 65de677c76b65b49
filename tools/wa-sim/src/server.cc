#include "server.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/URI.h>

namespace wasim {

namespace {

class Handler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit Handler(Sim& sim) : sim_(sim) {}

  void handleRequest(Poco::Net::HTTPServerRequest& req,
                     Poco::Net::HTTPServerResponse& resp) override {
    Response out;
    try {
      Request r = parseRequest(req, sim_.maxBody(Poco::URI(req.getURI()).getPath()));
      out = sim_.handle(r);
    } catch (const BodyTooLarge& e) {
      GraphError g = err(100, "Request body exceeds " + std::to_string(e.limit) + " bytes");
      g.http_status = 413;
      out = Response{413, dump(errorBody(g, "sizeLimit"))};
      resp.setKeepAlive(false);  // the unread remainder of the body makes the connection unusable
    } catch (const GraphError& e) {
      out = Response{errorHttpStatus(e.code), dump(errorBody(e, "parseError"))};
    } catch (const Poco::Exception& e) {
      out = Response{400, dump(errorBody(err(100, e.displayText()), "parseError"))};
    }
    resp.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(out.status));
    resp.setContentType(out.content_type);
    resp.setContentLength(static_cast<std::streamsize>(out.body.size()));
    resp.send() << out.body;
  }

 private:
  Sim& sim_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Factory(Sim& sim) : sim_(sim) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new Handler(sim_);  // POCO takes ownership of handlers
  }

 private:
  Sim& sim_;
};

}  // namespace

Server::Server(Sim& sim, int port) {
  Poco::Net::ServerSocket socket(
      Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)), 64);
  auto* params = new Poco::Net::HTTPServerParams;  // ref-counted by POCO
  params->setMaxThreads(16);
  params->setMaxQueued(128);
  params->setKeepAlive(true);
  server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(sim), socket, params);
}

Server::~Server() {
  stop();
}

int Server::port() const {
  return server_->port();
}

void Server::start() {
  server_->start();
}

void Server::stop() {
  if (server_) server_->stopAll(true);
}

}  // namespace wasim
