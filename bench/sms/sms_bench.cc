// submit_sm throughput from the host's outbox through the sms plugin to the test SMSC, next to a
// raw SMPP client sending the same PDUs in the same run.
//
//   BM_RawSmpp            one bind_transceiver, submit_sm pipelined with a window of 10 (the floor:
//                         the SMSC's cost and the loopback socket only)
//   BM_HostOutbox/parts:N one sms instance, one bind, window 10: every message is enqueued (row
//                         committed), dispatched by the outbox, encoded and submitted by the
//                         plugin, and recorded sent when its submit_sm_resp came back; p50/p99 from
//                         enqueue to recorded sent
//   BM_MemoryPerSession   heap added per bound instance (16 instances, one bind each; each also
//                         has its I/O thread's stack)
//
// The SMSC (tests/peers/smsc, node + npm smpp) runs as its own process on 127.0.0.1 with receipts
// and its submit log off. Every message goes to a distinct recipient. items_per_second is
// submit_sm/s. SB_BENCH_MAX_IN_FLIGHT sets the outbox's window (default 32).
#include <benchmark/benchmark.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <malloc.h>
#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>

#include "bench_support.h"
#include "outbox/outbox.h"
#include "outbox_outcomes.h"
#include "pdu.hpp"
#include "plugin/manifest.h"
#include "store/outbox_store.h"
#include "wa_sim_process.h"  // sb::bench::post

namespace {

using sb::bench::Clock;
constexpr int kBatch = 4000;
std::atomic<uint64_t> g_seq{0};

std::string recipient() {
  return "447" + std::to_string(700000000 + ++g_seq);
}

class SmscProcess {
 public:
  SmscProcess() {
    process_ = std::make_unique<Poco::ProcessHandle>(
        Poco::Process::launch(SB_NODE, {SB_SMSC_JS, "--system-id", "bench", "--password", "secret"},
                              nullptr, &out_, nullptr));
    Poco::PipeInputStream in(out_);
    std::string line;
    std::getline(in, line);  // "smsc listening on smpp://127.0.0.1:P control http://127.0.0.1:C"
    const auto a = line.find("127.0.0.1:"), b = line.rfind(':');
    if (a == std::string::npos || b == std::string::npos) {
      throw std::runtime_error("the test SMSC did not start: " + line +
                               " (run scripts/install-deps for its npm packages)");
    }
    smpp_port_ = static_cast<uint16_t>(std::stoi(line.substr(a + 10)));
    control_port_ = static_cast<uint16_t>(std::stoi(line.substr(b + 1)));
    if (sb::bench::post(control_port_, "/config",
                        R"({"record":false,"receipts":{"enabled":false}})") != 200) {
      throw std::runtime_error("cannot configure the test SMSC");
    }
  }
  ~SmscProcess() {
    Poco::Process::kill(*process_);
    process_->wait();
  }
  uint16_t smpp_port() const { return smpp_port_; }

 private:
  Poco::Pipe out_;
  std::unique_ptr<Poco::ProcessHandle> process_;
  uint16_t smpp_port_ = 0, control_port_ = 0;
};

SmscProcess& smsc() {
  static SmscProcess s;
  return s;
}

// The submit_sm body the plugin sends for a short GSM text from an alphanumeric sender.
std::string submit_body(const std::string& to) {
  sms::ShortMessage sm;
  sm.source_ton = 5;
  sm.source_addr = "Switchbd";
  sm.dest_ton = 1;
  sm.dest_npi = 1;
  sm.dest_addr = to;
  sm.registered_delivery = 0;
  sm.short_message = "Your order B-4711 has shipped.";
  return *sms::encode_short_message(sm);
}

// A blocking SMPP client: bind_transceiver, then pipelined submits.
class RawClient {
 public:
  explicit RawClient(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      throw std::runtime_error("connect to the SMSC failed");
    }
    sms::BindRequest b;
    b.system_id = "bench";
    b.password = "secret";
    write_all(sms::encode_bind(b, ++seq_));
    if (next().status != 0) throw std::runtime_error("bind refused");
  }
  ~RawClient() { ::close(fd_); }
  // Sends `count` submits with at most `window` unanswered; the number accepted.
  int64_t run(int count, int window) {
    int sent = 0, answered = 0;
    int64_t ok = 0;
    while (answered < count) {
      std::string out;
      while (sent < count && sent - answered < window) {
        out += sms::encode(sms::Pdu{sms::cmd::kSubmitSm, 0, ++seq_, submit_body(recipient())});
        ++sent;
      }
      if (!out.empty()) write_all(out);
      sms::Pdu p = next();
      ++answered;
      ok += p.status == 0;
    }
    return ok;
  }

 private:
  void write_all(const std::string& b) {
    std::size_t at = 0;
    while (at < b.size()) {
      ssize_t n = ::send(fd_, b.data() + at, b.size() - at, MSG_NOSIGNAL);
      if (n <= 0) throw std::runtime_error("send failed");
      at += static_cast<std::size_t>(n);
    }
  }
  sms::Pdu next() {
    for (;;) {
      sms::Pdu p;
      std::size_t used = 0;
      if (sms::next_frame(buf_, sms::kDefaultMaxPduSize, &p, &used) == sms::FrameResult::kPdu) {
        buf_.erase(0, used);
        return p;
      }
      char tmp[65536];
      ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
      if (n <= 0) throw std::runtime_error("the SMSC closed the connection");
      buf_.append(tmp, static_cast<std::size_t>(n));
    }
  }
  int fd_ = -1;
  uint32_t seq_ = 0;
  std::string buf_;
};

template <class T>
T take(std::variant<T, sb::plugin::LoadError> v) {
  if (auto* e = std::get_if<sb::plugin::LoadError>(&v)) throw std::runtime_error(e->message);
  return std::get<T>(std::move(v));
}
void check(const sb::Status& s) {
  if (!s) throw std::runtime_error(s.to_string());
}

// Heap bytes in use (glibc), steadier than RSS for a delta within one process.
double heap_kb() {
  return static_cast<double>(mallinfo2().uordblks) / 1024.0;
}

// A host with `instances` sms instances, the group-commit store and the outbox, as `serve` wires
// them.
class Host {
 public:
  explicit Host(int instances, const std::string& name)
      : dir_(sb::bench::scratch_dir("sms-" + name)) {
    auto opened = sb::store::open_sqlite_store(dir_ / "switchboard.db", {});
    if (!opened) throw std::runtime_error(opened.status().to_string());
    store_ = sb::store::make_group_commit_store(std::move(opened).value());
    plugin_ = take(sb::plugin::load_plugin(
        take(sb::plugin::read_manifest(std::filesystem::path(SB_SMS_DIR) / "manifest.json"))));
    sb::runtime::HostServices services;
    services.store = store_.get();
    runtime_ = std::make_unique<sb::runtime::Runtime>(sb::runtime::RuntimeOptions{2}, services);
    if (auto e = plugin_->init(runtime_->host_api())) throw std::runtime_error(e->message);
    for (int i = 0; i < instances; ++i) {
      sb::runtime::InstanceSpec spec;
      spec.id = "sms" + std::to_string(i);
      spec.plugin = plugin_;
      spec.config_json = R"({"host":"127.0.0.1","port":)" + std::to_string(smsc().smpp_port()) +
                         R"(,"system_id":"bench","sender":"Switchbd","window":10,)"
                         R"("registered_delivery":false})";
      spec.secrets = {{"password", "secret"}};
      check(runtime_->add_instance(spec));
      check(runtime_->start_instance(spec.id));
    }
    sb::outbox::OutboxOptions options;
    if (const char* w = std::getenv("SB_BENCH_MAX_IN_FLIGHT")) options.max_in_flight = std::atoi(w);
    options.on_recorded = [this](const std::string&, const sb::store::OutboxAttempt& a, bool) {
      outcomes_.recorded(a);
    };
    outbox_ = std::make_unique<sb::outbox::Outbox>(*store_, *runtime_, options);
    check(outbox_->start());
  }
  ~Host() {
    outbox_->stop();
    runtime_->shutdown();
    outbox_.reset();
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  sb::runtime::Runtime& runtime() { return *runtime_; }

  // Enqueues `count` copies of `text` on sms0 and waits until each was recorded sent (or failed).
  int64_t run_batch(int count, const std::string& text, sb::bench::Latencies& latencies,
                    std::string* error) {
    for (int i = 0; i < count; ++i) {
      sb::store::OutboundMessage m;
      m.instance_id = "sms0";
      m.to = "+" + recipient();
      m.content_type = "text";
      m.text = text;
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
};

void BM_RawSmpp(benchmark::State& state) {
  RawClient client(smsc().smpp_port());
  int64_t ok = 0;
  for (auto _ : state) ok += client.run(kBatch, 10);
  state.SetItemsProcessed(ok);
}
BENCHMARK(BM_RawSmpp)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

// state.range(0): parts per message (1: a 30-character text; 3: 400 GSM characters, three
// concatenated submit_sm). items are submit_sm.
void BM_HostOutbox(benchmark::State& state) {
  const int parts = static_cast<int>(state.range(0));
  const std::string text = parts == 1 ? "Your order B-4711 has shipped." : std::string(400, 'x');
  Host host(1, "outbox-" + std::to_string(parts));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // bound
  sb::bench::Latencies latencies;
  int64_t sent = 0;
  for (auto _ : state) {
    std::string error;
    sent += parts * host.run_batch(kBatch / parts, text, latencies, &error);
    if (!error.empty()) {
      state.SkipWithError(error.c_str());
      return;
    }
  }
  state.SetItemsProcessed(sent);
  latencies.report(state);
}
BENCHMARK(BM_HostOutbox)
    ->ArgName("parts")
    ->Arg(1)
    ->Arg(3)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);

void BM_MemoryPerSession(benchmark::State& state) {
  constexpr int kInstances = 16;
  for (auto _ : state) {
    const double before = heap_kb();
    Host host(kInstances, "memory");
    std::this_thread::sleep_for(std::chrono::seconds(1));  // every instance bound
    state.counters["heap_kb_per_session"] = (heap_kb() - before) / kInstances;
  }
}
BENCHMARK(BM_MemoryPerSession)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

}  // namespace

int main(int argc, char** argv) {
  return sb::bench::run_with_ratios(
      argc, argv, sb::bench::Metric::kItemsPerSecond,
      {{"host/raw (1 part)", "BM_HostOutbox/parts:1/iterations:3/real_time",
        "BM_RawSmpp/iterations:3/real_time"},
       {"host/raw (3 parts)", "BM_HostOutbox/parts:3/iterations:3/real_time",
        "BM_RawSmpp/iterations:3/real_time"}});
}
