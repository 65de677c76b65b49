// wa-sim: a WhatsApp Cloud API (Graph API) simulator for offline tests. Listens on 127.0.0.1 only;
// the first stdout line is "wa-sim listening on http://127.0.0.1:PORT".
#include <csignal>
#include <iostream>
#include <stdexcept>

#include "options.h"
#include "server.h"
#include "sim.h"

int main(int argc, char** argv) {
  // Block the stop signals before any thread starts so only sigwait() below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  try {
    wasim::Options opts = wasim::parseOptions(argc, argv);
    wasim::Sim sim(opts);
    wasim::Server server(sim, opts.port);
    const std::string base = "http://127.0.0.1:" + std::to_string(server.port());
    sim.setBaseUrl(base);
    sim.start();
    server.start();
    std::cout << "wa-sim listening on " << base << std::endl;
    int sig = 0;
    sigwait(&stop_signals, &sig);
    server.stop();
    sim.stop();
    return 0;
  } catch (const Poco::Exception& e) {
    std::cerr << "wa-sim: " << e.displayText() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "wa-sim: " << e.what() << "\n";
    return 2;
  }
}
