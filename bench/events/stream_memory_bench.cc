// What an open event stream costs the daemon: starts the real `switchboard serve` on 127.0.0.1,
// opens N GET /v1/events streams (default 400) over plain sockets and reads the daemon's resident
// memory and thread count from /proc before and after, and again once they are closed. Not a
// timing benchmark; see docs/benchmarks.md.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include "process.h"

namespace {

using sbtest::Process;

// A field of /proc/<pid>/status in kB (VmRSS) or as a count (Threads); -1 if absent.
long proc_status(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
  }
  return -1;
}

// Opens one stream and waits for its first bytes (the headers and `retry:`).
std::unique_ptr<Poco::Net::StreamSocket> open_stream(uint16_t port, const std::string& token) {
  auto s = std::make_unique<Poco::Net::StreamSocket>(Poco::Net::SocketAddress("127.0.0.1", port));
  s->setReceiveTimeout(Poco::Timespan(10, 0));
  const std::string req =
      "GET /v1/events?after=0 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token +
      "\r\nAccept: text/event-stream\r\n\r\n";
  s->sendBytes(req.data(), static_cast<int>(req.size()));
  std::string got;
  char buf[1024];
  while (got.find("retry:") == std::string::npos) {
    const int n = s->receiveBytes(buf, sizeof buf);
    if (n <= 0) throw std::runtime_error("stream closed early: " + got);
    got.append(buf, static_cast<size_t>(n));
  }
  if (got.rfind("HTTP/1.1 200", 0) != 0) throw std::runtime_error("not 200: " + got.substr(0, 80));
  return s;
}

void settle() {
  std::this_thread::sleep_for(std::chrono::seconds(2));
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 400;
  const auto dir = std::filesystem::temp_directory_path() /
                   ("sb-stream-bench-" + std::to_string(std::random_device{}()));
  std::filesystem::create_directories(dir / "cli");
  const auto config = dir / "config.jsonc";
  std::ofstream(config) << R"({"data_dir": "data", "http": {"host": "127.0.0.1", "port": 0,
    "max_event_streams": )"
                        << n + 10 << R"(}})";
  Process create(
      {"tokens", "create", "--config", config.string(), "--role", "supervisor", "--name", "bench"},
      dir / "cli");
  if (create.wait() != 0) {
    std::cerr << "tokens create failed: " << create.err() << "\n";
    return 1;
  }
  std::string token = create.out();
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();

  Process daemon({"serve", "--config", config.string()}, dir);
  const auto port = daemon.wait_listening();
  if (!port) {
    std::cerr << "serve did not start: " << daemon.err() << "\n";
    return 1;
  }
  settle();
  const long rss0 = proc_status(daemon.pid(), "VmRSS");
  const long threads0 = proc_status(daemon.pid(), "Threads");
  std::vector<std::unique_ptr<Poco::Net::StreamSocket>> streams;
  try {
    for (int i = 0; i < n; ++i) streams.push_back(open_stream(*port, token));
  } catch (const std::exception& e) {
    std::cerr << "after " << streams.size() << " streams: " << e.what() << "\n";
    return 1;
  }
  settle();
  const long rss1 = proc_status(daemon.pid(), "VmRSS");
  const long threads1 = proc_status(daemon.pid(), "Threads");
  streams.clear();
  settle();
  const long rss2 = proc_status(daemon.pid(), "VmRSS");
  daemon.signal(SIGTERM);
  daemon.wait();
  std::filesystem::remove_all(dir);

  std::cout << "streams            " << n << "\n"
            << "RSS idle           " << rss0 << " kB (" << threads0 << " threads)\n"
            << "RSS with streams   " << rss1 << " kB (" << threads1 << " threads)\n"
            << "RSS after closing  " << rss2 << " kB\n"
            << "per stream         " << (rss1 - rss0) / static_cast<double>(n) << " kB\n";
  return 0;
}
