// A real wa-sim and a real `switchboard serve` (whatsapp + loopback plugins) driven as an operator
// would: channel ops and sends through the REST API with an admin token, the simulator through its
// /_sim control API, and the host's database read beside it (WAL) only to find ids.
#pragma once

#include <sqlite3.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <random>
#include <sstream>
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

namespace waapi {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using JsonPtr = Poco::JSON::Object::Ptr;

inline constexpr const char* kWaba = "102290129340398";
inline constexpr const char* kNumber = "106540352242922";
inline constexpr const char* kToken = "sim-token-for-tests";
inline constexpr const char* kAppSecret = "app-secret-for-tests";
inline constexpr const char* kVerifyToken = "verify-token-for-tests";

struct Reply {
  int status = 0;
  std::string body;
};

inline Reply http(uint16_t port, const std::string& method, const std::string& target,
                  const std::string& body = "", const std::string& bearer = "",
                  const std::string& idempotency_key = "") {
  Poco::Net::HTTPClientSession session("127.0.0.1", port);
  session.setTimeout(Poco::Timespan(10, 0));
  Poco::Net::HTTPRequest req(method, target, Poco::Net::HTTPMessage::HTTP_1_1);
  if (!bearer.empty()) req.set("Authorization", "Bearer " + bearer);
  if (!idempotency_key.empty()) req.set("Idempotency-Key", idempotency_key);
  if (!body.empty() || method == "POST") {
    req.setContentType("application/json");
    req.setContentLength(static_cast<std::streamsize>(body.size()));
  }
  session.sendRequest(req) << body;
  Poco::Net::HTTPResponse resp;
  std::istream& in = session.receiveResponse(resp);
  Reply r;
  r.status = static_cast<int>(resp.getStatus());
  Poco::StreamCopier::copyToString(in, r.body);
  return r;
}

// An object, or an empty object when the text is not one (the assertion then names the body).
inline JsonPtr parse(const std::string& text) {
  try {
    auto v = Poco::JSON::Parser().parse(text);
    if (auto o = v.extract<JsonPtr>()) return o;
  } catch (const std::exception&) {
  }
  return new Poco::JSON::Object;
}

inline std::string str(const JsonPtr& o, const std::string& key) {
  return o && o->has(key) && !o->isNull(key) ? o->getValue<std::string>(key) : "";
}

// Polls `done` every 50 ms until it holds or the time is up; whether it held.
inline bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(50ms);
  }
  return true;
}

class Db {
 public:
  explicit Db(const fs::path& file) {
    sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_busy_timeout(db_, 5000);
  }
  ~Db() { sqlite3_close(db_); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  std::string scalar(const std::string& sql, const std::string& arg = "") {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      return std::string("error: ") + sqlite3_errmsg(db_);
    }
    if (!arg.empty()) sqlite3_bind_text(st, 1, arg.c_str(), -1, SQLITE_TRANSIENT);
    std::string out;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != nullptr) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

class WhatsAppApi : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = fs::temp_directory_path() /
           ("sb-wa-api-" + std::to_string(getpid()) + "-" + std::to_string(rd()));
    fs::create_directories(dir_ / "sim");
    fs::create_directories(dir_ / "host");

    sim_ = std::make_unique<sbtest::Process>(
        std::vector<std::string>{"--port", "0", "--app-secret", kAppSecret, "--verify-token",
                                 kVerifyToken, "--token", kToken, "--seed", "11"},
        dir_ / "sim", SBT_WA_SIM);
    auto sim_port = sim_->wait_listening(20s, /*from_stdout=*/true);
    ASSERT_TRUE(sim_port) << sim_->out() << sim_->err();
    sim_port_ = *sim_port;
    ASSERT_NO_FATAL_FAILURE(create_sim_accounts());
    // Statuses and template reviews in milliseconds rather than seconds.
    ASSERT_EQ(sim("POST", "/_sim/config",
                  R"({"delivered_delay_ms":100,"read_delay_ms":200,"review_delay_ms":200})")
                  .status,
              200);

    setenv("SBT_WA_TOKEN", kToken, 1);
    setenv("SBT_WA_APP_SECRET", kAppSecret, 1);
    setenv("SBT_WA_VERIFY_TOKEN", kVerifyToken, 1);
    config_ = dir_ / "host" / "switchboard.jsonc";
    std::ofstream(config_) << R"({
  "data_dir": "data",)" << extra_config_
                           << R"(
  "http": {"host": "127.0.0.1", "port": 0},
  "plugin_dirs": [")" << SBT_PLUGIN_DIR
                           << R"("],
  "core": {"default_region": "DE"},
  "costs": {"currency": "USD",
            "rate_card": [{"category": "utility", "country_calling_code": "49", "price": 0.0456}],
            "default": {"*": 0.01}},
  "instances": [)" << instances_config()
                           << R"(
  ]
})";
    admin_ = make_token("admin", "e2e-admin");
    ASSERT_FALSE(admin_.empty());

    host_ = std::make_unique<sbtest::Process>(
        std::vector<std::string>{"serve", "--config", config_.string()}, dir_ / "host");
    auto host_port = host_->wait_listening();
    ASSERT_TRUE(host_port) << host_->err();
    host_port_ = *host_port;
    ASSERT_NO_FATAL_FAILURE(point_webhooks());
    db_ = std::make_unique<Db>(dir_ / "host" / "data" / "switchboard.db");
  }

  // The WABAs and numbers at the simulator; the default is one WABA with one number.
  virtual void create_sim_accounts() {
    ASSERT_EQ(
        sim("POST", "/_sim/wabas",
            std::string(R"({"id":")") + kWaba + R"(","name":"Lucky Shrub","numbers":[{"id":")" +
                kNumber + R"(","cc":"1","phone_number":"5550783881"}]})")
            .status,
        200);
  }
  // The "instances" array's members in the host's config (the simulator's port is known).
  virtual std::string instances_config() {
    return R"(
    {"id": "wa-1", "plugin": "whatsapp",
     "config": )" +
           whatsapp_config(kWaba, {kNumber}) + R"(,
     "secrets": {"access_token": "env:SBT_WA_TOKEN", "app_secret": "env:SBT_WA_APP_SECRET",
                 "verify_token": "env:SBT_WA_VERIFY_TOKEN"}},
    {"id": "lb-1", "plugin": "loopback", "config": {"address_kind": "phone"}})";
  }
  // Where the simulator delivers webhooks once the host listens.
  virtual void point_webhooks() {
    ASSERT_EQ(sim("POST", "/_sim/config",
                  R"({"webhook_url":"http://127.0.0.1:)" + std::to_string(host_port_) +
                      R"(/webhooks/wa-1/"})")
                  .status,
              200);
  }
  std::string whatsapp_config(const std::string& waba, const std::vector<std::string>& numbers) {
    std::string list;
    for (const auto& n : numbers) {
      list += std::string(list.empty() ? "" : ", ") + R"({"phone_number_id": ")" + n + R"("})";
    }
    return R"({"graph_base_url": "http://127.0.0.1:)" + std::to_string(sim_port_) +
           R"(", "api_version": "v21.0", "waba_id": ")" + waba + R"(", "numbers": [)" + list + "]}";
  }

  void TearDown() override {
    db_.reset();
    // A failed test shows what the host logged (a crash otherwise reads "connection refused").
    if (HasFailure() && host_) std::cerr << "--- switchboard stderr ---\n" << host_->err() << "\n";
    for (auto* p : {host_.get(), sim_.get()}) {
      if (!p) continue;
      p->signal(SIGTERM);
      p->wait();
    }
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::string make_token(const std::string& role, const std::string& name) {
    const fs::path out_dir = dir_ / ("cli-" + name);
    fs::create_directories(out_dir);
    sbtest::Process p(
        {"tokens", "create", "--config", config_.string(), "--role", role, "--name", name},
        out_dir);
    EXPECT_EQ(p.wait(), 0) << p.err();
    std::string out = p.out();
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
  }

  Reply sim(const std::string& method, const std::string& path, const std::string& body = "") {
    return http(sim_port_, method, path, body);
  }
  Reply api(const std::string& method, const std::string& path, const std::string& body = "",
            const std::string& idempotency_key = "") {
    return http(host_port_, method, path, body, admin_, idempotency_key);
  }
  // A channel operation of wa-1 through the REST API (the plugin's invoke).
  Reply op(const std::string& name, const std::string& body) {
    return api("POST", "/v1/channels/wa-1/ops/" + name, body);
  }

  // A customer's text at the simulator (to `number`); returns the conversation the host filed it
  // under. `wamid`, when given, receives the message's WhatsApp id.
  std::string customer_writes(const std::string& from, const std::string& text,
                              const std::string& number = kNumber, std::string* wamid = nullptr) {
    Reply r = sim("POST", "/_sim/inbound",
                  std::string(R"({"phone_number_id":")") + number + R"(","from":")" + from +
                      R"(","type":"text","name":"Ann","text":{"body":")" + text + R"("}})");
    EXPECT_EQ(r.status, 200) << r.body;
    const std::string id = str(parse(r.body), "id");
    if (wamid != nullptr) *wamid = id;
    std::string conversation;
    EXPECT_TRUE(eventually(
        [&] {
          conversation =
              db_->scalar("SELECT conversation_id FROM messages WHERE provider_message_id = ?", id);
          return !conversation.empty();
        },
        15s))
        << host_->err();
    return conversation;
  }
  // The host's message id of an inbound WhatsApp message.
  std::string host_id_of(const std::string& wamid) {
    return db_->scalar("SELECT id FROM messages WHERE provider_message_id = ?", wamid);
  }

  // Sends through the durable outbox; returns the host's message id ("" on failure).
  std::string send(const std::string& conversation, const std::string& body,
                   const std::string& key) {
    Reply r = api("POST", "/v1/conversations/" + conversation + "/messages", body, key);
    EXPECT_EQ(r.status, 202) << r.body;
    JsonPtr o = parse(r.body);
    return o->has("id") ? std::to_string(o->getValue<int64_t>("id")) : "";
  }
  JsonPtr message(const std::string& id) { return parse(api("GET", "/v1/messages/" + id).body); }
  // A send the host must refuse before the outbox (422 cannot_send): the error's message, after
  // checking that no message row and no outbox row were written for it.
  std::string refused_send(const std::string& conversation, const std::string& body,
                           const std::string& key) {
    const std::string rows_before = db_->scalar("SELECT COUNT(*) FROM messages");
    const std::string outbox_before = db_->scalar("SELECT COUNT(*) FROM outbox");
    Reply r = api("POST", "/v1/conversations/" + conversation + "/messages", body, key);
    EXPECT_EQ(r.status, 422) << r.body;
    JsonPtr error = parse(r.body)->getObject("error");
    if (!error) return "";
    EXPECT_EQ(str(error, "code"), "cannot_send") << r.body;
    EXPECT_EQ(str(error, "field"), "content_type") << r.body;
    EXPECT_EQ(db_->scalar("SELECT COUNT(*) FROM messages WHERE idempotency_key = ?",
                          "api:" + conversation + ":" + key),
              "0");
    EXPECT_EQ(db_->scalar("SELECT COUNT(*) FROM messages"), rows_before);
    EXPECT_EQ(db_->scalar("SELECT COUNT(*) FROM outbox"), outbox_before);
    return str(error, "message");
  }

  // Waits for the message's status to be one of `wanted` (space separated); the last status seen.
  std::string wait_status(const std::string& id, const std::string& wanted,
                          std::chrono::milliseconds timeout = 15s) {
    std::string status;
    eventually(
        [&] {
          status = str(message(id), "status");
          return !status.empty() && (" " + wanted + " ").find(" " + status + " ") != npos;
        },
        timeout);
    return status;
  }

  // The sends wa-sim accepted whose request body contains `needle`.
  // Every send wa-sim accepted (any body).
  size_t sim_send_count() {
    auto data = parse(sim("GET", "/_sim/messages").body)->getArray("data");
    return data ? data->size() : 0;
  }
  std::vector<JsonPtr> sim_sends(const std::string& needle) {
    std::vector<JsonPtr> out;
    JsonPtr all = parse(sim("GET", "/_sim/messages").body);
    auto data = all->getArray("data");
    if (!data) return out;
    for (size_t i = 0; i < data->size(); ++i) {
      JsonPtr m = data->getObject(static_cast<unsigned>(i));
      std::ostringstream request;
      if (m->has("request")) m->get("request").extract<JsonPtr>()->stringify(request);
      if (request.str().find(needle) != npos) out.push_back(m);
    }
    return out;
  }

  static constexpr auto npos = std::string::npos;
  // Top-level config entries a suite adds (each followed by a comma), set before SetUp.
  std::string extra_config_;
  fs::path dir_, config_;
  std::unique_ptr<sbtest::Process> sim_, host_;
  std::unique_ptr<Db> db_;
  uint16_t sim_port_ = 0, host_port_ = 0;
  std::string admin_;
};

}  // namespace waapi
