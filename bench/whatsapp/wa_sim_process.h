// What the outbound benchmarks share: wa-sim as a child process on 127.0.0.1 set up for
// throughput, and a one-shot POST to it.
#pragma once

#include <cstdint>
#include <istream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/NullStream.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>

namespace sb::bench {

// POSTs a JSON body to 127.0.0.1:port and answers the HTTP status (the body is read and dropped).
inline int post(uint16_t port, const std::string& path, const std::string& body,
                const std::string& bearer = "") {
  Poco::Net::HTTPClientSession session("127.0.0.1", port);
  Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_POST, path,
                             Poco::Net::HTTPMessage::HTTP_1_1);
  req.setContentType("application/json");
  if (!bearer.empty()) req.set("Authorization", "Bearer " + bearer);
  req.setContentLength(static_cast<std::streamsize>(body.size()));
  session.sendRequest(req) << body;
  Poco::Net::HTTPResponse resp;
  Poco::NullOutputStream sink;
  Poco::StreamCopier::copyStream(session.receiveResponse(resp), sink);
  return static_cast<int>(resp.getStatus());
}

// wa-sim started with `token` and an app secret; killed and reaped on destruction. The WABA, its
// numbers and the template `order_update` ("Hi {{1}}, your order {{2}} has shipped.") are set up
// by setup(), with the messaging limit and status webhooks off so only sends are measured.
class WaSimProcess {
 public:
  WaSimProcess(const std::string& binary, std::string token) : token_(std::move(token)) {
    process_ = std::make_unique<Poco::ProcessHandle>(Poco::Process::launch(
        binary, {"--port", "0", "--token", token_, "--app-secret", "bench-secret"}, nullptr, &out_,
        nullptr));
    Poco::PipeInputStream in(out_);
    std::string line;
    std::getline(in, line);  // "wa-sim listening on http://127.0.0.1:PORT"
    const auto colon = line.rfind(':');
    if (line.find("listening") == std::string::npos || colon == std::string::npos) {
      throw std::runtime_error("wa-sim did not start: " + line);
    }
    port_ = static_cast<uint16_t>(std::stoi(line.substr(colon + 1)));
  }
  ~WaSimProcess() {
    Poco::Process::kill(*process_);
    process_->wait();
  }
  WaSimProcess(const WaSimProcess&) = delete;
  WaSimProcess& operator=(const WaSimProcess&) = delete;

  uint16_t port() const { return port_; }

  // `numbers_json`: the JSON array of the WABA's numbers for /_sim/wabas.
  void setup(const std::string& waba, const std::string& numbers_json) {
    check(post(port_, "/_sim/config",
               R"({"default_mps":1000,"enforce_messaging_limit":false,"review_delay_ms":0,)"
               R"("sent_delay_ms":-1,"delivered_delay_ms":-1,"read_delay_ms":-1})"),
          "config");
    check(post(port_, "/_sim/wabas", R"({"id":")" + waba + R"(","numbers":)" + numbers_json + "}"),
          "wabas");
    check(post(port_, "/v21.0/" + waba + "/message_templates",
               R"({"name":"order_update","language":"en_US","category":"UTILITY","components":[)"
               R"({"type":"BODY","text":"Hi {{1}}, your order {{2}} has shipped.",)"
               R"("example":{"body_text":[["Ann","A-1"]]}}]})",
               token_),
          "template");
  }

 private:
  static void check(int status, const char* what) {
    if (status != 200) {
      throw std::runtime_error(std::string(what) + " answered " + std::to_string(status));
    }
  }

  std::string token_;
  Poco::Pipe out_;
  std::unique_ptr<Poco::ProcessHandle> process_;
  uint16_t port_ = 0;
};

}  // namespace sb::bench
