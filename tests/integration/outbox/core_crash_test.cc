// The unified core's crash test: kill -9 of `switchboard serve` while customers write in through
// the loopback channel's webhook and agents reply through the REST API, several times over one data
// dir. Afterwards every acknowledged inbound message is stored exactly once (re-injecting the
// unacknowledged ones dedupes), every accepted reply is one message that the channel was asked to
// send exactly once, or at most once when its row is flagged reconcile, and the conversations are
// consistent (one per customer, every message on it). The loopback channel journals each send to
// a file outside the host, so the provider's view survives the kill.
#include <signal.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
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

namespace sbtest {
namespace {

using namespace std::chrono_literals;

constexpr int kCustomers = 8;
constexpr int kKills = 5;
constexpr size_t kPerRound = 30;  // acknowledged inbound and journaled sends before each kill

struct Reply {
  int status = 0;  // 0: no answer (the host is gone, or the connection broke)
  std::string body;
};

Reply call(uint16_t port, const std::string& method, const std::string& target,
           const std::string& body, const std::string& token = "",
           const std::string& idempotency_key = "") {
  try {
    Poco::Net::HTTPClientSession session("127.0.0.1", port);
    session.setTimeout(Poco::Timespan(10, 0));
    Poco::Net::HTTPRequest req(method, target, Poco::Net::HTTPMessage::HTTP_1_1);
    if (!token.empty()) req.set("Authorization", "Bearer " + token);
    if (!idempotency_key.empty()) req.set("Idempotency-Key", idempotency_key);
    req.setContentType("application/json");
    req.setContentLength(static_cast<std::streamsize>(body.size()));
    session.sendRequest(req) << body;
    Poco::Net::HTTPResponse resp;
    std::istream& in = session.receiveResponse(resp);
    Reply r;
    Poco::StreamCopier::copyToString(in, r.body);
    r.status = static_cast<int>(resp.getStatus());
    return r;
  } catch (const std::exception&) {
    return {};
  }
}

Poco::JSON::Object::Ptr parse(const std::string& body) {
  Poco::JSON::Parser parser;
  return parser.parse(body).extract<Poco::JSON::Object::Ptr>();
}

std::string phone(int customer) {
  return "+49301000000" + std::to_string(10 + customer);
}

// Read-only queries on the store's file (WAL: fine while the host runs).
class Db {
 public:
  explicit Db(const std::filesystem::path& file) {
    sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_busy_timeout(db_, 10'000);
  }
  ~Db() { sqlite3_close(db_); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  // Every row's columns as text ("" for NULL).
  std::vector<std::vector<std::string>> rows(const std::string& sql) {
    std::vector<std::vector<std::string>> out;
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sqlite3_errmsg(db_) << ": " << sql;
      return out;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int i = 0; i < sqlite3_column_count(st); ++i) {
        const auto* t = sqlite3_column_text(st, i);
        row.emplace_back(t ? reinterpret_cast<const char*>(t) : "");
      }
      out.push_back(std::move(row));
    }
    sqlite3_finalize(st);
    return out;
  }
  std::string scalar(const std::string& sql) {
    auto r = rows(sql);
    return r.empty() || r[0].empty() ? "" : r[0][0];
  }

 private:
  sqlite3* db_ = nullptr;
};

class CoreCrash : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("sb-core-crash-" + std::to_string(getpid()) +
                                                     "-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "config.jsonc")
        << "{\n  \"data_dir\": \"" << (dir_ / "data").string() << "\",\n"
        << "  \"http\": {\"host\": \"127.0.0.1\", \"port\": 0},\n"
        << "  \"plugin_dirs\": [\"" << SBT_LOOPBACK_DIR << "\"],\n"
        << "  \"log\": {\"level\": \"info\"},\n"
        << "  \"instances\": [{\"id\": \"lb\", \"plugin\": \"loopback\", \"config\": "
        << "{\"delivery\": {\"auto\": false}, \"send_journal\": \"" << journal().string()
        << "\"}}]\n}\n";
    const auto cli_dir = dir_ / "cli";
    std::filesystem::create_directories(cli_dir);
    Process cli({"tokens", "create", "--config", (dir_ / "config.jsonc").string(), "--role",
                 "admin", "--name", "crash-test"},
                cli_dir);
    ASSERT_EQ(cli.wait(), 0) << cli.err();
    token_ = lines(cli.out()).at(0);
  }
  void TearDown() override {
    host_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::filesystem::path journal() const { return dir_ / "sends.jsonl"; }

  void start(int run) {
    const auto out = dir_ / ("run" + std::to_string(run));
    std::filesystem::create_directories(out);
    host_ = std::make_unique<Process>(
        std::vector<std::string>{"serve", "--config", (dir_ / "config.jsonc").string()}, out);
    auto port = host_->wait_listening(60s);
    ASSERT_TRUE(port.has_value()) << host_->err();
    port_ = *port;
  }

  // Message id -> how often the channel accepted (journaled as "sent") a send of it.
  std::map<int64_t, int> journaled_sends() const {
    std::map<int64_t, int> count;
    std::ifstream in(journal());
    for (std::string line; std::getline(in, line);) {
      auto record = parse(line);  // a kill never leaves half a line: one write(2) per line
      if (record->getValue<std::string>("outcome") == "sent") {
        ++count[record->getValue<int64_t>("message_id")];
      }
    }
    return count;
  }
  size_t journaled_total() const {
    size_t n = 0;
    for (const auto& [id, c] : journaled_sends()) n += static_cast<size_t>(c);
    return n;
  }

  // One customer message; true when the host acknowledged it (2xx after its commit).
  bool inject(const std::string& id, int customer, std::string* status = nullptr) {
    Reply r = call(
        port_, "POST", "/webhooks/lb/inbound",
        R"({"id":")" + id + R"(","from":")" + phone(customer) + R"(","text":"msg )" + id + R"("})");
    if (r.status < 200 || r.status >= 300) return false;
    if (status) {
      *status = parse(r.body)->getArray("results")->getObject(0)->getValue<std::string>("status");
    }
    return true;
  }

  // An agent's reply; the message id when the API accepted it (202 new, 200 the same again).
  std::optional<int64_t> reply(int64_t conversation, const std::string& key,
                               bool* duplicate = nullptr) {
    Reply r = call(port_, "POST", "/v1/conversations/" + std::to_string(conversation) + "/messages",
                   R"({"text":"reply )" + key + R"("})", token_, key);
    if (r.status != 202 && r.status != 200) return std::nullopt;
    auto body = parse(r.body);
    if (duplicate) *duplicate = body->getValue<bool>("duplicate");
    return body->getValue<int64_t>("id");
  }

  std::filesystem::path dir_;
  std::string token_;
  std::unique_ptr<Process> host_;
  uint16_t port_ = 0;
};

TEST_F(CoreCrash, KillNineUnderInboundAndOutboundTrafficLosesAndRepeatsNothing) {
  std::mutex mu;
  std::map<std::string, int> inbound_acked;       // provider id -> customer
  std::map<std::string, int> inbound_unacked;     // sent, no answer: re-injected after the restart
  std::map<std::string, int64_t> reply_accepted;  // Idempotency-Key -> message id
  std::map<std::string, int64_t> reply_unknown;   // key -> conversation, no answer: retried
  std::map<std::string, int64_t> reply_conversation;  // every key -> its conversation
  std::vector<int64_t> conversations;

  start(0);
  // One message per customer opens the conversations the agents answer in.
  for (int c = 0; c < kCustomers; ++c) {
    const std::string id = "open-" + std::to_string(c);
    ASSERT_TRUE(inject(id, c));
    inbound_acked[id] = c;
  }
  {
    Reply listed = call(port_, "GET", "/v1/conversations", "", token_);
    ASSERT_EQ(listed.status, 200) << listed.body;
    auto items = parse(listed.body)->getArray("items");
    for (size_t i = 0; i < items->size(); ++i) {
      conversations.push_back(items->getObject(static_cast<unsigned>(i))->getValue<int64_t>("id"));
    }
    ASSERT_EQ(conversations.size(), static_cast<size_t>(kCustomers));
  }

  int next_in = 0, next_out = 0;
  size_t reinjected = 0, retried = 0;  // unanswered requests repeated after a restart
  for (int round = 0; round <= kKills; ++round) {
    if (round > 0) start(round);
    // First the leftovers of the run that died: a retry either finds what the dead host already
    // committed (duplicate) or stores it now; either way it is acknowledged now.
    for (const auto& [id, customer] : std::map(inbound_unacked)) {
      std::string status;
      ASSERT_TRUE(inject(id, customer, &status)) << id;
      inbound_acked[id] = customer;
      inbound_unacked.erase(id);
      ++reinjected;
    }
    for (const auto& [key, conversation] : std::map(reply_unknown)) {
      auto id = reply(conversation, key);
      ASSERT_TRUE(id.has_value()) << key;
      reply_accepted[key] = *id;
      reply_unknown.erase(key);
      ++retried;
    }
    // What was acknowledged before is known: the same again changes nothing.
    if (round > 0) {
      int checked = 0;
      for (const auto& [id, customer] : inbound_acked) {
        if (checked++ == 3) break;
        std::string status;
        ASSERT_TRUE(inject(id, customer, &status));
        EXPECT_EQ(status, "duplicate") << id;
      }
      checked = 0;
      for (const auto& [key, message_id] : reply_accepted) {
        if (checked++ == 3) break;
        bool duplicate = false;
        auto again = reply(reply_conversation.at(key), key, &duplicate);
        ASSERT_TRUE(again.has_value()) << key;
        EXPECT_EQ(*again, message_id) << key;
        EXPECT_TRUE(duplicate) << key;
      }
    }
    if (round == kKills) break;  // the last run only settles

    // Traffic: one customer thread, two agent threads, until enough happened; then kill -9.
    const size_t acked_before = inbound_acked.size();
    const size_t sent_before = journaled_total();
    std::atomic<bool> stop{false};
    auto customers = [&] {
      while (!stop) {
        int n;
        {
          std::lock_guard lock(mu);
          n = next_in++;
        }
        const std::string id = "in-" + std::to_string(n);
        const int customer = n % kCustomers;
        const bool acked = inject(id, customer);
        std::lock_guard lock(mu);
        (acked ? inbound_acked : inbound_unacked)[id] = customer;
      }
    };
    auto agent = [&] {
      while (!stop) {
        std::string key;
        int64_t conversation;
        {
          std::lock_guard lock(mu);
          const int n = next_out++;
          key = "reply-" + std::to_string(n);
          conversation = conversations[static_cast<size_t>(n) % conversations.size()];
          reply_conversation[key] = conversation;
        }
        auto id = reply(conversation, key);
        std::lock_guard lock(mu);
        if (id) {
          reply_accepted[key] = *id;
        } else {
          reply_unknown[key] = conversation;
        }
      }
    };
    std::thread t1(customers), t2(agent), t3(agent);
    const auto deadline = std::chrono::steady_clock::now() + 40s;
    bool enough = false;
    while (!enough && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(5ms);
      size_t acked;
      {
        std::lock_guard lock(mu);
        acked = inbound_acked.size();
      }
      enough = acked >= acked_before + kPerRound && journaled_total() >= sent_before + kPerRound;
    }
    host_->signal(SIGKILL);
    stop = true;
    t1.join();
    t2.join();
    t3.join();
    ASSERT_TRUE(enough) << "too little traffic in round " << round;
    ASSERT_EQ(host_->wait(), 128 + SIGKILL);
    host_.reset();
  }

  // The last run sends whatever is still queued; then a clean stop.
  {
    Db db(dir_ / "data" / "switchboard.db");
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    std::string open;
    while (std::chrono::steady_clock::now() < deadline) {
      open = db.scalar("SELECT COUNT(*) FROM outbox WHERE state IN ('queued','sending','pending')");
      if (open == "0") break;
      std::this_thread::sleep_for(20ms);
    }
    ASSERT_EQ(open, "0") << "the outbox did not drain";
  }
  host_->signal(SIGTERM);
  ASSERT_EQ(host_->wait(), 0) << host_->err();
  host_.reset();

  Db db(dir_ / "data" / "switchboard.db");
  // Inbound: each acknowledged message once, on a conversation; nothing else stored.
  std::map<std::string, int> stored;
  for (const auto& r : db.rows("SELECT provider_message_id, COALESCE(conversation_id, 0) FROM "
                               "messages WHERE direction = 'in'")) {
    ++stored[r[0]];
    EXPECT_NE(r[1], "0") << "inbound " << r[0] << " has no conversation";
  }
  EXPECT_TRUE(inbound_unacked.empty());
  for (const auto& [id, customer] : inbound_acked) {
    EXPECT_EQ(stored.contains(id) ? stored.at(id) : 0, 1) << "acknowledged inbound " << id;
  }
  EXPECT_EQ(stored.size(), inbound_acked.size());

  // Conversations: one per customer, each with its customer's messages only.
  EXPECT_EQ(db.scalar("SELECT COUNT(*) FROM conversations"), std::to_string(kCustomers));
  EXPECT_EQ(db.scalar("SELECT COUNT(*) FROM messages m JOIN conversations c ON c.id = "
                      "m.conversation_id WHERE m.contact_id != c.contact_id"),
            "0");
  EXPECT_EQ(db.scalar("SELECT COUNT(DISTINCT contact_id) FROM conversations"),
            std::to_string(kCustomers));

  // Outbound: one message per accepted key, on its conversation, sent exactly once or flagged
  // reconcile and sent at most once; the channel never saw anything else.
  EXPECT_TRUE(reply_unknown.empty());
  std::map<int64_t, std::string> state;
  std::map<std::string, int> rows_per_key;
  std::map<int64_t, std::string> conversation_of;
  for (const auto& r : db.rows("SELECT m.id, m.idempotency_key, COALESCE(m.conversation_id, 0), "
                               "o.state FROM messages m JOIN outbox o ON o.message_id = m.id "
                               "WHERE m.direction = 'out'")) {
    state[std::stoll(r[0])] = r[3];
    ++rows_per_key[r[1]];
    conversation_of[std::stoll(r[0])] = r[2];
  }
  EXPECT_EQ(db.scalar("SELECT COUNT(*) FROM messages WHERE direction = 'out'"),
            std::to_string(state.size()));
  for (const auto& [key, id] : reply_accepted) {
    const std::string stored_key = "api:" + std::to_string(reply_conversation.at(key)) + ":" + key;
    EXPECT_EQ(rows_per_key[stored_key], 1) << key;
    ASSERT_TRUE(state.contains(id)) << "accepted reply lost: " << key;
    EXPECT_EQ(conversation_of[id], std::to_string(reply_conversation.at(key))) << key;
  }
  EXPECT_EQ(state.size(), reply_accepted.size());
  const auto sends = journaled_sends();
  size_t sent = 0, reconcile = 0;
  for (const auto& [id, s] : state) {
    const int n = sends.contains(id) ? sends.at(id) : 0;
    if (s == "reconcile") {
      ++reconcile;
      EXPECT_LE(n, 1) << "reconcile message " << id << " was resent";
    } else {
      ++sent;
      EXPECT_EQ(s, "sent") << id;
      EXPECT_EQ(n, 1) << "message " << id << " sent " << n << " times";
    }
  }
  for (const auto& [id, n] : sends) EXPECT_TRUE(state.contains(id)) << "unknown id sent: " << id;
  // One send at a time per instance: at most one row in flight per kill.
  EXPECT_LE(reconcile, static_cast<size_t>(kKills));
  EXPECT_GE(sent, kKills * kPerRound);
  std::cout << "inbound " << inbound_acked.size() << ", replies " << reply_accepted.size()
            << ", sent " << sent << ", reconcile " << reconcile << ", re-injected " << reinjected
            << ", retried " << retried << "\n";
}

}  // namespace
}  // namespace sbtest
