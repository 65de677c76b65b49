#include "harness.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>
#include <thread>

namespace wasim_test {

Obj parse(const std::string& json) {
  try {
    Poco::JSON::Parser parser;
    auto v = parser.parse(json);
    if (v.type() == typeid(Obj)) return v.extract<Obj>();
  } catch (const Poco::Exception&) {
  }
  return nullptr;
}

std::string hmacHex(const std::string& key, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  std::string hex;
  char buf[3];
  for (unsigned i = 0; i < len; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", out[i]);
    hex += buf;
  }
  return hex;
}

int HttpResult::code() const {
  if (!json || !json->has("error")) return 0;
  return json->getObject("error")->getValue<int>("code");
}

SimProcess::SimProcess(std::vector<std::string> args) {
  args.insert(args.begin(), {WA_SIM_BINARY, "--token", "T", "--port", "0"});
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(fds[1]);
  // Bounded readiness wait: the first stdout line announces the port.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  char c;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fds[0], POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    if (read(fds[0], &c, 1) != 1) break;
    if (c == '\n') break;
    first_line_.push_back(c);
  }
  close(fds[0]);
  auto pos = first_line_.rfind(':');
  if (first_line_.rfind("wa-sim listening on http://127.0.0.1:", 0) != 0 ||
      pos == std::string::npos) {
    kill(pid_, SIGTERM);  // the destructor does not run for a failed constructor
    int status = 0;
    waitpid(pid_, &status, 0);
    throw std::runtime_error("wa-sim did not start: '" + first_line_ + "'");
  }
  port_ = std::stoi(first_line_.substr(pos + 1));
}

SimProcess::~SimProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
}

HttpResult SimProcess::call(const std::string& method, const std::string& path,
                            const std::string& body, const std::string& token,
                            const std::string& content_type) const {
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port_));
  session.setTimeout(Poco::Timespan(10, 0));
  Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  if (!token.empty()) req.set("Authorization", "Bearer " + token);
  if (!body.empty()) {
    req.setContentType(content_type);
    req.setContentLength(static_cast<std::streamsize>(body.size()));
  }
  session.sendRequest(req) << body;
  Poco::Net::HTTPResponse resp;
  HttpResult r;
  Poco::StreamCopier::copyToString(session.receiveResponse(resp), r.body);
  r.status = resp.getStatus();
  r.json = parse(r.body);
  return r;
}

namespace {

class ReceiverHandler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit ReceiverHandler(std::shared_ptr<WebhookReceiver::State> s) : s_(std::move(s)) {}
  void handleRequest(Poco::Net::HTTPServerRequest& req,
                     Poco::Net::HTTPServerResponse& resp) override {
    if (req.getMethod() == "GET") {
      Poco::URI uri(req.getURI());
      std::string mode, challenge, token;
      for (const auto& [k, v] : uri.getQueryParameters()) {
        if (k == "hub.mode") mode = v;
        if (k == "hub.challenge") challenge = v;
        if (k == "hub.verify_token") token = v;
      }
      std::lock_guard lock(s_->mu);
      const bool ok = mode == "subscribe" && token == s_->verify_token;
      resp.setStatus(ok ? Poco::Net::HTTPResponse::HTTP_OK
                        : Poco::Net::HTTPResponse::HTTP_FORBIDDEN);
      resp.send() << (ok ? challenge : "forbidden");
      return;
    }
    Delivery d;
    d.method = req.getMethod();
    d.uri = req.getURI();
    d.signature = req.get("X-Hub-Signature-256", "");
    d.content_type = req.getContentType();
    Poco::StreamCopier::copyToString(req.stream(), d.body);
    int status = 200;
    {
      std::lock_guard lock(s_->mu);
      if (!s_->fail_statuses.empty()) {
        status = s_->fail_statuses.front();
        s_->fail_statuses.pop_front();
      } else {
        s_->deliveries.push_back(d);  // only acknowledged deliveries count as received
      }
    }
    s_->cv.notify_all();
    resp.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
    resp.send() << "";
  }

 private:
  std::shared_ptr<WebhookReceiver::State> s_;
};

class ReceiverFactory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit ReceiverFactory(std::shared_ptr<WebhookReceiver::State> s) : s_(std::move(s)) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new ReceiverHandler(s_);
  }

 private:
  std::shared_ptr<WebhookReceiver::State> s_;
};

}  // namespace

WebhookReceiver::WebhookReceiver(std::string verify_token) : state_(std::make_shared<State>()) {
  state_->verify_token = std::move(verify_token);
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
  auto* params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(8);
  server_ = std::make_unique<Poco::Net::HTTPServer>(new ReceiverFactory(state_), socket, params);
  server_->start();
}

WebhookReceiver::~WebhookReceiver() {
  server_->stopAll(true);
}

std::string WebhookReceiver::url() const {
  return "http://127.0.0.1:" + std::to_string(server_->port()) + "/webhook";
}

void WebhookReceiver::failNext(int count, int status) {
  std::lock_guard lock(state_->mu);
  for (int i = 0; i < count; ++i) state_->fail_statuses.push_back(status);
}

std::vector<Delivery> WebhookReceiver::deliveries() {
  std::lock_guard lock(state_->mu);
  return state_->deliveries;
}

bool WebhookReceiver::waitFor(const std::function<bool(const std::vector<Delivery>&)>& pred,
                              std::chrono::milliseconds timeout) {
  std::unique_lock lock(state_->mu);
  return state_->cv.wait_for(lock, timeout, [&] { return pred(state_->deliveries); });
}

std::vector<std::pair<std::string, Obj>> changesOf(const std::vector<Delivery>& d) {
  std::vector<std::pair<std::string, Obj>> out;
  for (const auto& del : d) {
    auto payload = parse(del.body);
    if (!payload) continue;
    auto entries = payload->getArray("entry");
    for (size_t i = 0; entries && i < entries->size(); ++i) {
      auto changes = entries->getObject(static_cast<unsigned>(i))->getArray("changes");
      for (size_t j = 0; changes && j < changes->size(); ++j) {
        auto c = changes->getObject(static_cast<unsigned>(j));
        out.emplace_back(c->getValue<std::string>("field"), c->getObject("value"));
      }
    }
  }
  return out;
}

std::vector<Obj> statusesOf(const std::vector<Delivery>& d) {
  std::vector<Obj> out;
  for (const auto& [field, value] : changesOf(d)) {
    if (field != "messages" || !value->has("statuses")) continue;
    auto st = value->getArray("statuses");
    for (size_t i = 0; i < st->size(); ++i) out.push_back(st->getObject(static_cast<unsigned>(i)));
  }
  return out;
}

Poco::JSON::Array::Ptr waitForLog(const SimProcess& sim, size_t n) {
  Poco::JSON::Array::Ptr log;
  for (int i = 0; i < 250; ++i) {
    log = sim.control("GET", "/webhooks").json->getArray("data");
    if (log->size() >= n) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return log;
}

World makeWorld(const SimProcess& sim, const std::string& extra_number_json) {
  std::string numbers = R"({"id":"106540352242922","cc":"1","phone_number":"5550783881")" +
                        (extra_number_json.empty() ? "" : "," + extra_number_json) + "}";
  auto r = sim.control("POST", "/wabas", R"({"name":"Lucky Shrub","numbers":[)" + numbers + "]}");
  if (r.status != 200 || !r.json) throw std::runtime_error("makeWorld failed: " + r.body);
  World w;
  w.waba = r.json->getValue<std::string>("id");
  return w;
}

}  // namespace wasim_test
