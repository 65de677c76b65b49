// The HTTP front: a POCO HTTPServer bound to 127.0.0.1 only, handing every request to the Sim.
#pragma once

#include <Poco/Net/HTTPServer.h>

#include <memory>

#include "sim.h"

namespace wasim {

class Server {
 public:
  Server(Sim& sim, int port);  // port 0: ephemeral
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  int port() const;
  void start();
  void stop();

 private:
  std::unique_ptr<Poco::Net::HTTPServer> server_;
};

}  // namespace wasim
