// Outbound WhatsApp sends to wa-sim, next to the same HTTP request posted raw, in the same run.
//
//   BM_RawGraphPost       POCO client POSTs the template send body to wa-sim's /messages (the
//   floor) BM_HostSend           ChannelInstance::send: the message row committed, the plugin
//   builds and
//                         sends the Graph request through the host's HTTP client, the provider id
//                         recorded, one number
//
// wa-sim runs as its own process on 127.0.0.1 with the number's throughput at 1,000 mps (Meta's
// upgraded tier), the messaging-limit check off, and a distinct recipient per message (the pair
// rate limit allows one message every 6 s to the same user). items_per_second is msg/s.
#include <benchmark/benchmark.h>

#include <atomic>
#include <istream>
#include <memory>
#include <string>
#include <thread>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include "bench_support.h"
#include "wa_sim_process.h"

namespace {

constexpr const char* kToken = "bench-token";
constexpr const char* kWaba = "102290129340398";
constexpr const char* kNumber = "106540352242922";
// The raw baseline sends from a number of its own, so its bursts do not spend the host's budget.
constexpr const char* kRawNumber = "106540352242923";
constexpr const char* kTemplateSend =
    R"({"name":"order_update","language":{"code":"en_US"},"components":[{"type":"body","parameters":[)"
    R"({"type":"text","text":"Zoe"},{"type":"text","text":"B-4711"}]}]})";
std::atomic<uint64_t> g_seq{0};

std::string numbers_json() {
  return std::string(R"([{"id":")") + kNumber +
         R"(","cc":"1","phone_number":"5550783881","mps":1000},{"id":")" + kRawNumber +
         R"(","cc":"1","phone_number":"5550783882","mps":1000}])";
}

// The simulator as a child process, set up for throughput.
sb::bench::WaSimProcess& sim() {
  static sb::bench::WaSimProcess s(SB_WA_SIM, kToken);
  static const bool ready = (s.setup(kWaba, numbers_json()), true);
  (void)ready;
  return s;
}

sb::bench::BenchHost& host() {
  static sb::bench::BenchHost h([] {
    sb::bench::HostOptions o;
    o.plugin_dir = SB_WHATSAPP_DIR;
    o.instance_id = "wa";
    o.with_http = false;
    o.config_json = std::string(R"({"graph_base_url":"http://127.0.0.1:)") +
                    std::to_string(sim().port()) + R"(","waba_id":")" + kWaba +
                    R"(","template_sync_interval_s":0,"throughput_mps":1000,)" +
                    R"("numbers":[{"phone_number_id":")" + kNumber + R"("}]})";
    o.secrets = {{"access_token", kToken}, {"app_secret", "bench-secret"}, {"verify_token", "v"}};
    return o;
  }());
  return h;
}

std::string recipient() {
  return "+4915" + std::to_string(100000000 + ++g_seq);
}

void BM_RawGraphPost(benchmark::State& state) {
  const uint16_t port = sim().port();
  Poco::Net::HTTPClientSession session("127.0.0.1", port);
  session.setKeepAlive(true);
  const std::string path = std::string("/v21.0/") + kRawNumber + "/messages";
  int64_t accepted = 0;  // iterations that hit the rate limit do not count
  for (auto _ : state) {
    const std::string body = R"({"messaging_product":"whatsapp","to":")" + recipient() +
                             R"(","type":"template","template":)" + kTemplateSend + "}";
    Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_POST, path,
                               Poco::Net::HTTPMessage::HTTP_1_1);
    req.setContentType("application/json");
    req.set("Authorization", std::string("Bearer ") + kToken);
    req.setKeepAlive(true);
    req.setContentLength(static_cast<std::streamsize>(body.size()));
    session.sendRequest(req) << body;
    Poco::Net::HTTPResponse resp;
    std::string answer;
    Poco::StreamCopier::copyToString(session.receiveResponse(resp), answer);
    if (resp.getStatus() != Poco::Net::HTTPResponse::HTTP_OK) {
      if (answer.find("130429") != std::string::npos) {  // past 1,000 mps: wait, as a sender must
        std::this_thread::sleep_for(std::chrono::microseconds(500));
        continue;
      }
      state.SkipWithError(
          ("wa-sim answered " + std::to_string(resp.getStatus()) + ": " + answer).c_str());
      break;
    }
    ++accepted;
  }
  state.SetItemsProcessed(accepted);
}
BENCHMARK(BM_RawGraphPost)->UseRealTime();

void BM_HostSend(benchmark::State& state) {
  sb::bench::BenchHost& h = host();
  sb::store::OutboundMessage m;
  m.instance_id = "wa";
  m.content_type = "template";
  m.payload_json = kTemplateSend;
  for (auto _ : state) {
    m.to = recipient();
    // The plugin's token bucket answers RATE_LIMITED past the number's 1,000 mps; the outbox would
    // retry later, this loop waits a moment and retries, as the dispatcher does.
    for (;;) {
      auto outcome = h.instance().send(m);
      if (outcome && outcome->kind == sb::runtime::SendOutcome::Kind::kSent) break;
      if (outcome && outcome->retryable) {
        std::this_thread::sleep_for(std::chrono::microseconds(500));
        m.to = recipient();
        continue;
      }
      state.SkipWithError(outcome ? outcome->error.to_string().c_str()
                                  : outcome.status().to_string().c_str());
      return;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HostSend)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  return sb::bench::run_with_ratios(
      argc, argv, sb::bench::Metric::kItemsPerSecond,
      {{"host send / raw Graph POST", "BM_HostSend/real_time", "BM_RawGraphPost/real_time"}});
}
