// A minimal Server-Sent Events client for the tests: one GET /v1/events, whole events read back.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>

namespace sb::events::test {

struct Parsed {
  int64_t id = 0;
  std::string type, data;
};

// One SSE connection; reads whole events (blank-line terminated), skipping comments.
class SseClient {
 public:
  SseClient(uint16_t port, const std::string& token, const std::string& last_event_id = "",
            const std::string& query = "")
      : session_("127.0.0.1", port) {
    session_.setTimeout(Poco::Timespan(5, 0));
    Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_GET, "/v1/events" + query,
                               Poco::Net::HTTPMessage::HTTP_1_1);
    if (!token.empty()) req.set("Authorization", "Bearer " + token);
    req.set("Accept", "text/event-stream");
    if (!last_event_id.empty()) req.set("Last-Event-ID", last_event_id);
    session_.sendRequest(req);
    in_ = &session_.receiveResponse(response_);
  }
  const Poco::Net::HTTPResponse& response() const { return response_; }

  // The next event; comments (heartbeats) are counted, not returned.
  Parsed next() {
    Parsed e;
    std::string line;
    bool any = false;
    while (std::getline(*in_, line)) {
      if (line.empty()) {
        if (any) return e;
        continue;
      }
      if (line[0] == ':') {
        ++comments;
        continue;
      }
      any = true;
      if (line.starts_with("id: ")) e.id = std::stoll(line.substr(4));
      if (line.starts_with("event: ")) e.type = line.substr(7);
      if (line.starts_with("data: ")) e.data += line.substr(6);
      if (line.starts_with("retry: ")) any = false;
    }
    throw std::runtime_error("stream ended");
  }
  // True when the server ends the stream (EOF) instead of sending more.
  bool ends() {
    std::string line;
    while (std::getline(*in_, line)) {
    }
    return in_->eof();
  }
  int comments = 0;

 private:
  Poco::Net::HTTPClientSession session_;
  Poco::Net::HTTPResponse response_;
  std::istream* in_ = nullptr;
};

}  // namespace sb::events::test
