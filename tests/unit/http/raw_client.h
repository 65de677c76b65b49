// A raw HTTP/1.1 exchange over a plain socket, for requests a well-behaved client library refuses
// to send (over-long request lines and headers) and for checking the status line byte for byte.
#pragma once

#include <cstdint>
#include <string>

#include <Poco/Net/NetException.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

namespace sb::http::test {

struct RawReply {
  std::string status_line;  // "HTTP/1.1 404 Not Found"
  std::string head;         // the header lines, CRLF-separated
  std::string body;         // as sent (no de-chunking)
};

// Sends `request` verbatim on a new connection to 127.0.0.1:port and reads until the server
// closes the connection or 5 s pass without data.
inline RawReply raw_exchange(uint16_t port, const std::string& request) {
  Poco::Net::StreamSocket s(Poco::Net::SocketAddress("127.0.0.1", port));
  s.setReceiveTimeout(Poco::Timespan(5, 0));
  size_t sent = 0;
  try {
    while (sent < request.size()) {
      sent += static_cast<size_t>(
          s.sendBytes(request.data() + sent, static_cast<int>(request.size() - sent)));
    }
  } catch (const Poco::Exception&) {
    // The server may answer and close before reading everything; read what it said.
  }
  std::string all;
  char buf[4096];
  try {
    int n;
    while ((n = s.receiveBytes(buf, sizeof buf)) > 0) all.append(buf, static_cast<size_t>(n));
  } catch (const Poco::Exception&) {
    // Reset or timeout after the answer: keep what arrived.
  }
  RawReply r;
  const size_t eol = all.find("\r\n");
  const size_t end = all.find("\r\n\r\n");
  r.status_line = all.substr(0, eol);
  if (end != std::string::npos) {
    r.head = all.substr(eol + 2, end - eol - 2);
    r.body = all.substr(end + 4);
  }
  return r;
}

}  // namespace sb::http::test
