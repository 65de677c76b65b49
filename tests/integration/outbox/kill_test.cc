// kill -9 of `switchboard serve` while the outbox sends; after a restart every message the host
// accepted is sent exactly once, except rows flagged reconcile (at most once, never resent).
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include "process.h"
#include "store/outbox_store.h"
#include "store/store.h"

namespace sbtest {
namespace {

constexpr char kToken[] = "outbox-admin-test-token";

struct Reply {
  int status = 0;
  std::string body;
};

// One request with the admin token; status 0 when the host is unreachable (killed).
Reply call(uint16_t port, const std::string& method, const std::string& target,
           const std::string& body = "") {
  try {
    Poco::Net::HTTPClientSession session("127.0.0.1", port);
    session.setTimeout(Poco::Timespan(5, 0));
    Poco::Net::HTTPRequest req(method, target, Poco::Net::HTTPMessage::HTTP_1_1);
    req.set("Authorization", std::string("Bearer ") + kToken);
    req.setContentLength(static_cast<std::streamsize>(body.size()));
    session.sendRequest(req) << body;
    Poco::Net::HTTPResponse resp;
    std::istream& in = session.receiveResponse(resp);
    Reply r;
    r.status = static_cast<int>(resp.getStatus());
    Poco::StreamCopier::copyToString(in, r.body);
    return r;
  } catch (const std::exception&) {
    return {};
  }
}

Poco::JSON::Object::Ptr parse(const std::string& body) {
  Poco::JSON::Parser parser;
  return parser.parse(body).extract<Poco::JSON::Object::Ptr>();
}

class OutboxKill : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() /
           ("sb-outbox-it-" + std::to_string(getpid()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(dir_);
    ::setenv("SB_OUTBOX_ADMIN_TOKEN", kToken, 1);  // inherited by the spawned host
    std::ofstream(dir_ / "config.jsonc")
        << "{\n  \"data_dir\": \"" << (dir_ / "data").string() << "\",\n"
        << "  \"http\": {\"host\": \"127.0.0.1\", \"port\": 0, \"max_body_bytes\": 65536},\n"
        << "  \"plugin_dirs\": [\"" << SBT_OUTBOX_PROBE_DIR << "\"],\n"
        << "  \"log\": {\"level\": \"info\"},\n"
        << "  \"instances\": [{\"id\": \"probe\", \"plugin\": \"outbox_probe\", \"config\": "
        << "{\"log\": \"" << sends_file().string() << "\", \"delay_ms\": 3}}]\n}\n";
  }
  void TearDown() override {
    ::unsetenv("SB_OUTBOX_ADMIN_TOKEN");
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::filesystem::path sends_file() const { return dir_ / "sends.log"; }

  std::unique_ptr<Process> serve(const std::string& run) {
    const auto out = dir_ / run;
    std::filesystem::create_directories(out);
    auto p = std::make_unique<Process>(
        std::vector<std::string>{"serve", "--config", (dir_ / "config.jsonc").string()}, out);
    EXPECT_TRUE(p->started());
    return p;
  }

  // How often the provider was asked to send each message id.
  std::map<int64_t, int> sends() const {
    std::map<int64_t, int> count;
    std::ifstream in(sends_file());
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) ++count[std::stoll(line)];
    }
    return count;
  }

  bool eventually_sent(size_t n, std::chrono::seconds timeout) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      size_t total = 0;
      for (const auto& [id, c] : sends()) total += static_cast<size_t>(c);
      if (total >= n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  std::filesystem::path dir_;
};

TEST_F(OutboxKill, NothingIsSentTwiceAcrossKillNine) {
  auto host = serve("run1");
  auto port = host->wait_listening();
  ASSERT_TRUE(port.has_value()) << host->err();

  // Enqueue from two clients while the dispatcher sends; kill -9 mid-stream.
  std::mutex mu;
  std::set<int64_t> accepted;
  std::atomic<bool> stop{false};
  std::atomic<int> next{0};
  auto client = [&] {
    while (!stop) {
      const int n = next++;
      const std::string body = R"({"instance_id":"probe","to":"+1555000)" + std::to_string(n) +
                               R"(","text":"m)" + std::to_string(n) + R"(","idempotency_key":"k-)" +
                               std::to_string(n) + R"("})";
      Reply r = call(*port, "POST", "/admin/outbox/messages", body);
      if (r.status != 202) return;  // the host is gone
      std::lock_guard lock(mu);
      accepted.insert(parse(r.body)->getValue<int64_t>("message_id"));
    }
  };
  std::thread a(client), b(client);
  ASSERT_TRUE(eventually_sent(150, std::chrono::seconds(30)));
  host->signal(SIGKILL);
  stop = true;
  a.join();
  b.join();
  ASSERT_EQ(host->wait(), 128 + SIGKILL);
  const auto before_restart = sends();
  ASSERT_FALSE(accepted.empty());

  // Restart: recovery, then the rest of the queue.
  auto again = serve("run2");
  port = again->wait_listening();
  ASSERT_TRUE(port.has_value()) << again->err();
  const int64_t max_id = *accepted.rbegin() + 8;  // rows committed whose answer was lost, too
  std::map<int64_t, std::string> state;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (int64_t id = 1; id <= max_id; ++id) {
    while (true) {
      Reply r = call(*port, "GET", "/admin/outbox/message?id=" + std::to_string(id));
      if (r.status == 404) break;  // never committed
      ASSERT_EQ(r.status, 200) << r.body;
      const std::string s = parse(r.body)->getValue<std::string>("state");
      if (s == "sent" || s == "reconcile" || std::chrono::steady_clock::now() > deadline) {
        state[id] = s;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  Reply listed = call(*port, "GET", "/admin/outbox/reconcile?instance=probe");
  ASSERT_EQ(listed.status, 200);
  const size_t listed_count = parse(listed.body)->getArray("messages")->size();
  again->signal(SIGTERM);
  ASSERT_EQ(again->wait(), 0) << again->err();

  const auto count = sends();
  size_t reconcile = 0, sent = 0;
  for (int64_t id : accepted) ASSERT_TRUE(state.contains(id)) << "accepted message lost: " << id;
  for (const auto& [id, s] : state) {
    const int n = count.contains(id) ? count.at(id) : 0;
    if (s == "reconcile") {
      ++reconcile;
      EXPECT_LE(n, 1) << "reconcile message " << id << " was resent";
      // Only a message the dead host had claimed can be reconcile.
      EXPECT_EQ(n, before_restart.contains(id) ? before_restart.at(id) : 0) << id;
    } else {
      ++sent;
      EXPECT_EQ(s, "sent") << id;
      EXPECT_EQ(n, 1) << "message " << id << " sent " << n << " times";
    }
  }
  for (const auto& [id, n] : count) EXPECT_TRUE(state.contains(id)) << "unknown id sent: " << id;
  EXPECT_EQ(listed_count, reconcile);
  // One plugin call at a time per instance, and the probe answers synchronously: at most one in
  // flight (a channel answering SB_PENDING could leave up to max_in_flight).
  EXPECT_LE(reconcile, 1u);
  EXPECT_GT(sent, 150u);
  std::cout << "accepted " << accepted.size() << ", sent " << sent << ", reconcile " << reconcile
            << "\n";
}

}  // namespace
}  // namespace sbtest
