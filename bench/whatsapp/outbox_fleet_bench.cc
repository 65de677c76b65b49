// Outbound WhatsApp through the durable outbox to wa-sim across many business numbers, next to raw
// Graph POSTs on as many numbers in the same run.
//
//   BM_RawGraphPost_Numbers/threads:N   N keep-alive POCO clients, each POSTing template sends to a
//                                       number of its own (the floor: the simulator's cost only)
//   BM_Outbox/instances:I/numbers:M     I WhatsApp instances with M numbers each: every message is
//                                       enqueued (row committed), dispatched by the instance's
//                                       outbox, sent by the plugin through the host's HTTP client
//                                       and recorded sent; p50/p99 from enqueue to recorded sent
//   BM_Outbox_After130429               an 80 mps number (Meta's default tier) whose budget another
//                                       sender spent just before a batch of 400: how fast the host
//                                       gets back to the number's throughput after Meta's 130429
//                                       (of_tier: msg/s as a share of the 80 mps)
//
// wa-sim runs as its own process on 127.0.0.1; every number is at 1,000 mps (Meta's upgraded
// tier), the messaging-limit check and status webhooks are off, and every message goes to a
// distinct recipient (the pair rate limit allows one message every 6 s to the same user).
// items_per_second is msg/s.
#include <benchmark/benchmark.h>

#include <atomic>
#include <condition_variable>
#include <istream>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include "bench_support.h"
#include "outbox/outbox.h"
#include "outbox_outcomes.h"
#include "plugin/manifest.h"
#include "store/outbox_store.h"
#include "wa_sim_process.h"

namespace {

using sb::bench::Clock;

constexpr const char* kToken = "bench-token";
constexpr const char* kWaba = "102290129340398";
constexpr int kNumbers = 16;  // numbers at 1,000 mps registered in the simulator
// One more number at Meta's default tier (80 mps), where a sender's backlog exceeds the number's
// throughput: what BM_Outbox_After130429 needs to show how a number recovers.
constexpr int kSlowNumber = kNumbers;
constexpr double kSlowMps = 80;
constexpr int kSlowBatch = 400;
constexpr int kBatch = 2000;  // messages per BM_Outbox iteration
constexpr const char* kTemplateSend =
    R"({"name":"order_update","language":{"code":"en_US"},"components":[{"type":"body","parameters":[)"
    R"({"type":"text","text":"Zoe"},{"type":"text","text":"B-4711"}]}]})";
std::atomic<uint64_t> g_seq{0};

std::string number_id(int i) {
  return std::to_string(106540352243000 + i);
}

std::string recipient() {
  return "+4915" + std::to_string(100000000 + ++g_seq);
}

// A keep-alive client sending template messages from one number, as a second sender would.
class RawSender {
 public:
  RawSender(uint16_t port, std::string number)
      : session_("127.0.0.1", port), path_("/v21.0/" + number + "/messages") {
    session_.setKeepAlive(true);
  }
  // 200, or the HTTP status; *throttled when the answer was Meta's 130429.
  int send(bool* throttled) {
    const std::string body = R"({"messaging_product":"whatsapp","to":")" + recipient() +
                             R"(","type":"template","template":)" + kTemplateSend + "}";
    Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_POST, path_,
                               Poco::Net::HTTPMessage::HTTP_1_1);
    req.setContentType("application/json");
    req.set("Authorization", std::string("Bearer ") + kToken);
    req.setKeepAlive(true);
    req.setContentLength(static_cast<std::streamsize>(body.size()));
    session_.sendRequest(req) << body;
    Poco::Net::HTTPResponse resp;
    std::string answer;
    Poco::StreamCopier::copyToString(session_.receiveResponse(resp), answer);
    *throttled = answer.find("130429") != std::string::npos;
    return static_cast<int>(resp.getStatus());
  }

 private:
  Poco::Net::HTTPClientSession session_;
  std::string path_;
};

std::string numbers_json() {
  std::string numbers;
  for (int i = 0; i < kNumbers; ++i) {
    numbers += std::string(i ? "," : "") + R"({"id":")" + number_id(i) +
               R"(","cc":"1","phone_number":"55507839)" + std::to_string(10 + i) +
               R"(","mps":1000})";
  }
  numbers += R"(,{"id":")" + number_id(kSlowNumber) +
             R"(","cc":"1","phone_number":"5550783999","mps":)" +
             std::to_string(static_cast<int>(kSlowMps)) + "}";
  return "[" + numbers + "]";
}

// The simulator as a child process, set up for throughput.
sb::bench::WaSimProcess& sim() {
  static sb::bench::WaSimProcess s(SB_WA_SIM, kToken);
  static const bool ready = (s.setup(kWaba, numbers_json()), true);
  (void)ready;
  return s;
}

template <class T>
T take(std::variant<T, sb::plugin::LoadError> v) {
  if (auto* e = std::get_if<sb::plugin::LoadError>(&v)) throw std::runtime_error(e->message);
  return std::get<T>(std::move(v));
}

void check(const sb::Status& s) {
  if (!s) throw std::runtime_error(s.to_string());
}

// A host with `instances` WhatsApp instances of `per_instance` numbers each (numbers taken in order
// from `first_number`), the group-commit store and the outbox, as `serve` wires them.
class Fleet {
 public:
  Fleet(int instances, int per_instance, int first_number = 0, double mps = 1000)
      : dir_(sb::bench::scratch_dir("fleet-" + std::to_string(instances) + "x" +
                                    std::to_string(per_instance) + "-" +
                                    std::to_string(first_number))) {
    auto opened = sb::store::open_sqlite_store(dir_ / "switchboard.db", {});
    if (!opened) throw std::runtime_error(opened.status().to_string());
    store_ = sb::store::make_group_commit_store(std::move(opened).value());
    plugin_ = take(sb::plugin::load_plugin(
        take(sb::plugin::read_manifest(std::filesystem::path(SB_WHATSAPP_DIR) / "manifest.json"))));
    sb::runtime::HostServices services;
    services.store = store_.get();
    runtime_ = std::make_unique<sb::runtime::Runtime>(sb::runtime::RuntimeOptions{2}, services);
    if (auto e = plugin_->init(runtime_->host_api())) throw std::runtime_error(e->message);
    int n = first_number;
    for (int i = 0; i < instances; ++i) {
      sb::runtime::InstanceSpec spec;
      spec.id = "wa" + std::to_string(i);
      spec.plugin = plugin_;
      std::string numbers;
      for (int k = 0; k < per_instance; ++k, ++n) {
        numbers += std::string(k ? "," : "") + R"({"phone_number_id":")" + number_id(n) + "\"}";
        senders_.push_back({spec.id, number_id(n)});
      }
      spec.config_json = std::string(R"({"graph_base_url":"http://127.0.0.1:)") +
                         std::to_string(sim().port()) + R"(","waba_id":")" + kWaba +
                         R"(","template_sync_interval_s":0,"throughput_mps":)" +
                         std::to_string(static_cast<int>(mps)) + R"(,"numbers":[)" + numbers + "]}";
      spec.secrets = {
          {"access_token", kToken}, {"app_secret", "bench-secret"}, {"verify_token", "v"}};
      check(runtime_->add_instance(spec));
      check(runtime_->start_instance(spec.id));
    }
    sb::outbox::OutboxOptions options;
    options.on_recorded = [this](const std::string&, const sb::store::OutboxAttempt& a, bool) {
      outcomes_.recorded(a);
    };
    outbox_ = std::make_unique<sb::outbox::Outbox>(*store_, *runtime_, options);
    check(outbox_->start());
  }
  ~Fleet() {
    outbox_->stop();
    runtime_->shutdown();
    outbox_.reset();
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // Enqueues `count` template messages round-robin over the fleet's numbers and waits until every
  // one was recorded sent (or failed). Returns how many were sent.
  int64_t run_batch(int count, sb::bench::Latencies& latencies, std::string* error) {
    for (int i = 0; i < count; ++i) {
      const auto& [instance, number] = senders_[static_cast<size_t>(i) % senders_.size()];
      sb::store::OutboundMessage m;
      m.instance_id = instance;
      m.from = number;
      m.to = recipient();
      m.content_type = "template";
      m.payload_json = kTemplateSend;
      const auto at = Clock::now();
      auto r = outbox_->enqueue(m);
      if (!r) {
        *error = r.status().to_string();
        return 0;
      }
      outcomes_.started(r->message_id, at);
    }
    return outcomes_.wait(latencies, error);
  }

 private:
  // Declared first: it outlives the outbox, whose strands call it until the outbox is gone.
  sb::bench::OutboxOutcomes outcomes_;
  std::filesystem::path dir_;
  std::unique_ptr<sb::store::Store> store_;
  std::shared_ptr<sb::plugin::LoadedPlugin> plugin_;
  std::unique_ptr<sb::runtime::Runtime> runtime_;
  std::unique_ptr<sb::outbox::Outbox> outbox_;
  std::vector<std::pair<std::string, std::string>> senders_;  // instance, number
};

void BM_RawGraphPost_Numbers(benchmark::State& state) {
  // Thread i sends from number i; numbers 0..7 are the raw baseline's own.
  RawSender sender(sim().port(), number_id(state.thread_index()));
  sb::bench::Latencies latencies;
  int64_t accepted = 0;
  for (auto _ : state) {
    bool throttled = false;
    const auto t0 = Clock::now();
    const int status = sender.send(&throttled);
    if (status != 200) {
      if (throttled) {  // past 1,000 mps: wait, as a sender must
        std::this_thread::sleep_for(std::chrono::microseconds(500));
        continue;
      }
      state.SkipWithError(("wa-sim answered " + std::to_string(status)).c_str());
      break;
    }
    latencies.add(Clock::now() - t0);
    ++accepted;
  }
  state.SetItemsProcessed(accepted);
  latencies.report(state);
}
BENCHMARK(BM_RawGraphPost_Numbers)->Threads(1)->Threads(8)->UseRealTime();

void BM_Outbox(benchmark::State& state) {
  // The fleet uses numbers 8.. so the raw baseline's bursts never spend its budget.
  Fleet fleet(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)), 8);
  sb::bench::Latencies latencies;
  int64_t sent = 0;
  for (auto _ : state) {
    std::string error;
    sent += fleet.run_batch(kBatch, latencies, &error);
    if (!error.empty()) {
      state.SkipWithError(error.c_str());
      break;
    }
  }
  state.SetItemsProcessed(sent);
  latencies.report(state);
}
BENCHMARK(BM_Outbox)
    ->ArgNames({"instances", "numbers"})
    ->Args({1, 1})
    ->Args({1, 8})
    ->Args({4, 2})
    ->Args({8, 1})
    ->Iterations(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void BM_Outbox_After130429(benchmark::State& state) {
  // An 80 mps number, shared with another sender.
  Fleet fleet(1, 1, kSlowNumber, kSlowMps);
  RawSender other(sim().port(), number_id(kSlowNumber));
  Clock::duration busy{};
  sb::bench::Latencies latencies;
  int64_t sent = 0;
  for (auto _ : state) {
    state.PauseTiming();
    // The other sender spends the number's budget until Meta answers 130429.
    bool throttled = false;
    for (int i = 0; i < 5000 && !throttled; ++i) other.send(&throttled);
    state.ResumeTiming();
    std::string error;
    const auto t0 = Clock::now();
    sent += fleet.run_batch(kSlowBatch, latencies, &error);
    busy += Clock::now() - t0;
    if (!error.empty()) {
      state.SkipWithError(error.c_str());
      break;
    }
  }
  state.SetItemsProcessed(sent);
  latencies.report(state);
  // 1.0 = the number's whole throughput from the first second on.
  const double seconds = std::chrono::duration<double>(busy).count();
  if (seconds > 0) state.counters["of_tier"] = static_cast<double>(sent) / seconds / kSlowMps;
}
BENCHMARK(BM_Outbox_After130429)->Iterations(2)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  return sb::bench::run_with_ratios(argc, argv, sb::bench::Metric::kItemsPerSecond,
                                    {{"outbox 1 instance x 1 number / raw 1 number",
                                      "BM_Outbox/instances:1/numbers:1/iterations:2/real_time",
                                      "BM_RawGraphPost_Numbers/real_time/threads:1"},
                                     {"outbox 1 instance x 8 numbers / raw 8 numbers",
                                      "BM_Outbox/instances:1/numbers:8/iterations:2/real_time",
                                      "BM_RawGraphPost_Numbers/real_time/threads:8"},
                                     {"outbox 4 instances x 2 numbers / raw 8 numbers",
                                      "BM_Outbox/instances:4/numbers:2/iterations:2/real_time",
                                      "BM_RawGraphPost_Numbers/real_time/threads:8"},
                                     {"outbox 8 instances x 1 number / raw 8 numbers",
                                      "BM_Outbox/instances:8/numbers:1/iterations:2/real_time",
                                      "BM_RawGraphPost_Numbers/real_time/threads:8"}});
}
