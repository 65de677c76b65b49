// Signed WhatsApp webhooks through the host's HTTP server into the store, next to a bare POCO
// handler that only reads the body and answers 200, in the same process and the same run.
//
//   BM_BarePocoHandler      POCO HTTPServer, handler reads the body, answers 200: the HTTP floor
//   BM_SignedWebhook/1      one message per POST: signature check (HMAC-SHA256, constant time),
//                           parsing, submit_inbound (dedupe, contact/conversation, group commit),
//                           200
//   BM_SignedWebhook/10     ten messages per POST, as Meta batches under load
//
// Client threads keep their connections alive; items_per_second counts messages, p50/p99 are per
// POST. Ratios against the bare handler are printed at the end.
#include <benchmark/benchmark.h>
#include <openssl/hmac.h>

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/NullStream.h>
#include <Poco/StreamCopier.h>

#include "bench_support.h"

namespace {

using sb::bench::Clock;

constexpr const char* kAppSecret = "bench-app-secret";
constexpr const char* kNumber = "106540352242922";
std::atomic<uint64_t> g_seq{0};

std::string sign(const std::string& body) {
  unsigned char mac[32];
  unsigned int len = 0;
  HMAC(EVP_sha256(), kAppSecret, static_cast<int>(std::char_traits<char>::length(kAppSecret)),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "sha256=";
  for (unsigned i = 0; i < len; ++i) {
    out.push_back(kHex[mac[i] >> 4]);
    out.push_back(kHex[mac[i] & 15]);
  }
  return out;
}

// A Cloud API "messages" webhook with `count` text messages from 200 rotating customers.
std::string webhook_body(int count) {
  std::string messages, contacts;
  for (int i = 0; i < count; ++i) {
    const uint64_t seq = ++g_seq;
    const std::string wa_id = "4915112" + std::to_string(100000 + seq % 200);
    if (i) {
      messages += ",";
      contacts += ",";
    }
    contacts += R"({"profile":{"name":"Customer"},"wa_id":")" + wa_id + R"("})";
    messages +=
        R"({"from":")" + wa_id + R"(","id":"wamid.bench)" + std::to_string(seq) +
        R"(","timestamp":"1732450000","type":"text","text":{"body":"Hello, where is my order?"}})";
  }
  return std::string(R"({"object":"whatsapp_business_account","entry":[{"id":"102290129340398",)") +
         R"("changes":[{"field":"messages","value":{"messaging_product":"whatsapp",)" +
         R"("metadata":{"display_phone_number":"15550783881","phone_number_id":")" + kNumber +
         R"("},"contacts":[)" + contacts + R"(],"messages":[)" + messages + R"(]}}]}]})";
}

// --- the bare baseline
// -----------------------------------------------------------------------------

class BareHandler : public Poco::Net::HTTPRequestHandler {
 public:
  void handleRequest(Poco::Net::HTTPServerRequest& req,
                     Poco::Net::HTTPServerResponse& resp) override {
    Poco::NullOutputStream sink;
    Poco::StreamCopier::copyStream(req.stream(), sink);
    resp.setContentType("application/json");
    resp.sendBuffer("{}", 2);
  }
};

class BareFactory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new BareHandler;  // POCO's factory contract: the server owns and deletes it
  }
};

struct Bare {
  Poco::Net::ServerSocket socket{Poco::Net::SocketAddress("127.0.0.1", 0)};
  Poco::Net::HTTPServer server{new BareFactory, socket, new Poco::Net::HTTPServerParams};
  Bare() { server.start(); }
  ~Bare() { server.stop(); }
  uint16_t port() const { return socket.address().port(); }
};

Bare& bare() {
  static Bare b;
  return b;
}

// --- the host with the WhatsApp plugin
// -------------------------------------------------------------

sb::bench::BenchHost& host() {
  static sb::bench::BenchHost h([] {
    sb::bench::HostOptions o;
    o.plugin_dir = SB_WHATSAPP_DIR;
    o.instance_id = "wa";
    // No Graph calls are made: template sync is off and nothing is sent.
    o.config_json = std::string(R"({"graph_base_url":"http://127.0.0.1:9",)") +
                    R"("waba_id":"102290129340398","template_sync_interval_s":0,)" +
                    R"("numbers":[{"phone_number_id":")" + kNumber + R"("}]})";
    o.secrets = {{"access_token", "unused"}, {"app_secret", kAppSecret}, {"verify_token", "v"}};
    return o;
  }());
  return h;
}

// POSTs signed bodies of `per_post` messages to port/path until the benchmark stops.
void post_loop(benchmark::State& state, uint16_t port, const std::string& path, int per_post) {
  Poco::Net::HTTPClientSession session("127.0.0.1", port);
  session.setKeepAlive(true);
  sb::bench::Latencies lat;
  for (auto _ : state) {
    state.PauseTiming();
    const std::string body = webhook_body(per_post);
    const std::string signature = sign(body);
    state.ResumeTiming();
    const auto t0 = Clock::now();
    Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_POST, path,
                               Poco::Net::HTTPMessage::HTTP_1_1);
    req.setContentType("application/json");
    req.set("X-Hub-Signature-256", signature);
    req.setContentLength(static_cast<std::streamsize>(body.size()));
    req.setKeepAlive(true);
    session.sendRequest(req) << body;
    Poco::Net::HTTPResponse resp;
    Poco::NullOutputStream sink;
    Poco::StreamCopier::copyStream(session.receiveResponse(resp), sink);
    if (resp.getStatus() != Poco::Net::HTTPResponse::HTTP_OK) {
      state.SkipWithError(("answered " + std::to_string(resp.getStatus())).c_str());
      break;
    }
    lat.add(Clock::now() - t0);
  }
  state.SetItemsProcessed(state.iterations() * per_post);
  lat.report(state);
}

void BM_BarePocoHandler(benchmark::State& state) {
  post_loop(state, bare().port(), "/", static_cast<int>(state.range(0)));
}
BENCHMARK(BM_BarePocoHandler)->Arg(1)->Arg(10)->UseRealTime()->Threads(1)->Threads(8);

void BM_SignedWebhook(benchmark::State& state) {
  post_loop(state, host().http_port(), "/webhooks/wa/", static_cast<int>(state.range(0)));
}
BENCHMARK(BM_SignedWebhook)->Arg(1)->Arg(10)->UseRealTime()->Threads(1)->Threads(8);

}  // namespace

int main(int argc, char** argv) {
  std::vector<sb::bench::Ratio> ratios;
  for (const char* shape : {"1/real_time/threads:1", "1/real_time/threads:8",
                            "10/real_time/threads:1", "10/real_time/threads:8"}) {
    ratios.push_back({std::string("signed webhook / bare POCO handler, ") + shape,
                      std::string("BM_SignedWebhook/") + shape,
                      std::string("BM_BarePocoHandler/") + shape});
  }
  return sb::bench::run_with_ratios(argc, argv, sb::bench::Metric::kItemsPerSecond, ratios);
}
