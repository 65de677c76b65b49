// Test harness for wa-sim: the real simulator process, an HTTP client, and a webhook receiver
// (a small Poco HTTPServer on 127.0.0.1) that records every delivery byte for byte.
#pragma once

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPServer.h>
#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace wasim_test {

using Obj = Poco::JSON::Object::Ptr;

Obj parse(const std::string& json);
std::string hmacHex(const std::string& key, const std::string& data);  // OpenSSL, independent

struct HttpResult {
  int status = 0;
  std::string body;
  Obj json;          // null when the body is not a JSON object
  int code() const;  // error.code, or 0
};

// A wa-sim child process; killed (SIGTERM) and reaped on destruction.
class SimProcess {
 public:
  explicit SimProcess(std::vector<std::string> args = {});
  ~SimProcess();
  SimProcess(const SimProcess&) = delete;
  SimProcess& operator=(const SimProcess&) = delete;

  int port() const { return port_; }
  const std::string& firstLine() const { return first_line_; }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }

  HttpResult call(const std::string& method, const std::string& path, const std::string& body = "",
                  const std::string& token = "",
                  const std::string& content_type = "application/json") const;
  HttpResult graph(const std::string& method, const std::string& path, const std::string& body = "",
                   const std::string& token = "T") const {
    return call(method, "/v21.0" + path, body, token);
  }
  HttpResult control(const std::string& method, const std::string& path,
                     const std::string& body = "") const {
    return call(method, "/_sim" + path, body);
  }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string first_line_;
};

struct Delivery {
  std::string method;
  std::string uri;
  std::string signature;
  std::string content_type;
  std::string body;
};

// Records POSTs; answers the GET hub.challenge handshake when the verify token matches.
class WebhookReceiver {
 public:
  explicit WebhookReceiver(std::string verify_token = "vt");
  ~WebhookReceiver();
  std::string url() const;
  void failNext(int count, int status = 500);  // answer the next `count` POSTs with `status`
  std::vector<Delivery> deliveries();
  // Waits until pred(deliveries) holds; false on timeout.
  bool waitFor(const std::function<bool(const std::vector<Delivery>&)>& pred,
               std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));
  bool waitForCount(size_t n, std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
    return waitFor([n](const auto& d) { return d.size() >= n; }, timeout);
  }

  struct State {
    std::mutex mu;
    std::condition_variable cv;
    std::vector<Delivery> deliveries;
    std::deque<int> fail_statuses;
    std::string verify_token;
  };

 private:
  std::shared_ptr<State> state_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
};

// Every `statuses[]` item of the messages-field payloads seen so far, in arrival order.
std::vector<Obj> statusesOf(const std::vector<Delivery>& d);
// Every change (field, value) of the payloads seen so far.
std::vector<std::pair<std::string, Obj>> changesOf(const std::vector<Delivery>& d);

// The simulator's delivery log once it holds at least `n` attempts (it logs an attempt just after
// the receiver has answered, so a test that saw the delivery may need to wait a moment).
Poco::JSON::Array::Ptr waitForLog(const SimProcess& sim, size_t n);

// A WABA with one CONNECTED number "PN" (id 106540352242922, +1 555 078 3881) and token T.
struct World {
  std::string waba;
  std::string number = "106540352242922";
};
World makeWorld(const SimProcess& sim, const std::string& extra_number_json = "");

}  // namespace wasim_test
