// The real `switchboard serve` with the sms plugin against the test SMSC (tests/peers/smsc, node +
// npm smpp), both separate processes over 127.0.0.1. HTTP, JSON, polling and the read-only database
// view are the WhatsApp suite's helpers (wa_api_fixture.h); the SMSC is driven through its control
// API. scripts/install-deps runs `npm ci` for the SMSC.
#pragma once

#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <regex>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "process.h"
#include "wa_api_fixture.h"

namespace smstest {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using waapi::eventually;
using waapi::JsonPtr;
using waapi::parse;
using waapi::Reply;
using waapi::str;

inline constexpr const char* kSystemId = "sbtest";
inline constexpr const char* kPassword = "secret";

// The test SMSC as a process; its ports once it printed them.
class Smsc {
 public:
  explicit Smsc(const fs::path& dir) {
    fs::create_directories(dir);
    proc_ = std::make_unique<sbtest::Process>(
        std::vector<std::string>{SBT_SMSC_JS, "--system-id", kSystemId, "--password", kPassword},
        dir, SBT_NODE);
  }
  ~Smsc() {
    proc_->signal(SIGTERM);
    proc_->wait();
  }
  // Waits for the "smsc listening" line; false on timeout (the reason is in out()/err()).
  bool ready() {
    const std::regex re("smpp://127\\.0\\.0\\.1:([0-9]+) control http://127\\.0\\.0\\.1:([0-9]+)");
    return eventually(
        [&] {
          std::smatch m;
          const std::string text = proc_->out();
          if (!std::regex_search(text, m, re)) return false;
          smpp_port = static_cast<uint16_t>(std::stoi(m[1]));
          control_port = static_cast<uint16_t>(std::stoi(m[2]));
          return true;
        },
        20s);
  }
  Reply call(const std::string& method, const std::string& path, const std::string& body = "") {
    return waapi::http(control_port, method, path, body);
  }
  Poco::JSON::Array::Ptr submitted() {
    return parse(call("GET", "/submitted").body)->getArray("data");
  }
  JsonPtr stats() { return parse(call("GET", "/stats").body); }
  int binds() {
    JsonPtr s = stats();
    return s->has("binds") ? s->getValue<int>("binds") : -1;
  }
  std::string diagnostics() const { return proc_->out() + proc_->err(); }

  uint16_t smpp_port = 0, control_port = 0;

 private:
  std::unique_ptr<sbtest::Process> proc_;
};

class SmsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = fs::temp_directory_path() /
           ("sb-sms-it-" + std::to_string(getpid()) + "-" + std::to_string(rd()));
    fs::create_directories(dir_ / "host");
    ASSERT_TRUE(fs::exists(fs::path(SBT_SMSC_JS).parent_path() / "node_modules" / "smpp"))
        << "the test SMSC's npm packages are missing: run scripts/install-deps";
    smsc_ = std::make_unique<Smsc>(dir_ / "smsc");
    ASSERT_TRUE(smsc_->ready()) << smsc_->diagnostics();
    config_ = dir_ / "host" / "switchboard.jsonc";
    std::ofstream(config_) << R"({
  "data_dir": "data",
  "http": {"host": "127.0.0.1", "port": 0},
  "plugin_dirs": [")" << SBT_PLUGIN_DIR
                           << R"("],
  "core": {"default_region": "GB"},
  "instances": [
    {"id": "sms-1", "plugin": "sms", "config": )"
                           << sms_config() << R"(,
     "secrets": {"password": "literal:)"
                           << password_ << R"("}}
  ]
})";
    ASSERT_NO_FATAL_FAILURE(start_host());
  }
  void TearDown() override {
    db_.reset();
    if (HasFailure() && host_) std::cerr << "--- switchboard stderr ---\n" << host_->err() << "\n";
    if (host_) {
      host_->signal(SIGTERM);
      host_->wait();
    }
    host_.reset();
    smsc_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // The instance's config; tests change members through extra_config_ before SetUp.
  std::string sms_config() const {
    return R"({"host": "127.0.0.1", "port": )" + std::to_string(smsc_->smpp_port) +
           R"(, "system_id": ")" + kSystemId + R"(", "sender": "Switchbd", "default_country": "44",
        "reconnect_min_ms": 100, "reconnect_max_ms": 400, "auth_retry_ms": 300,
        "throttle_pause_ms": 200, "response_timeout_ms": 5000,
        "rate_card": {"currency": "EUR", "per_segment": 0.05, "prefixes": {"44": 0.04}})" +
           extra_config_ + "}";
  }

  void start_host() {
    if (admin_.empty()) admin_ = make_token("admin", "sms-admin");
    ASSERT_FALSE(admin_.empty());
    host_ = std::make_unique<sbtest::Process>(
        std::vector<std::string>{"serve", "--config", config_.string()}, dir_ / "host");
    auto port = host_->wait_listening();
    ASSERT_TRUE(port) << host_->err();
    host_port_ = *port;
    db_ = std::make_unique<waapi::Db>(dir_ / "host" / "data" / "switchboard.db");
  }

  std::string make_token(const std::string& role, const std::string& name) {
    const fs::path out = dir_ / ("cli-" + name);
    fs::create_directories(out);
    sbtest::Process p(
        {"tokens", "create", "--config", config_.string(), "--role", role, "--name", name}, out);
    EXPECT_EQ(p.wait(), 0) << p.err();
    std::string t = p.out();
    while (!t.empty() && (t.back() == '\n' || t.back() == '\r')) t.pop_back();
    return t;
  }

  Reply api(const std::string& method, const std::string& path, const std::string& body = "",
            const std::string& key = "") {
    return waapi::http(host_port_, method, path, body, admin_, key);
  }
  // The instance's health details from GET /v1/channels.
  JsonPtr channel() {
    auto items = parse(api("GET", "/v1/channels").body)->getArray("items");
    for (size_t i = 0; items && i < items->size(); ++i) {
      JsonPtr c = items->getObject(static_cast<unsigned>(i));
      if (str(c, "id") == "sms-1") return c;
    }
    return new Poco::JSON::Object;
  }
  bool bound() {
    return eventually([&] { return smsc_->binds() >= 1; }, 15s);
  }
  // Starts a conversation to `to` with `text`; the host's message id ("" on failure).
  std::string send(const std::string& to, const std::string& text, const std::string& key) {
    Poco::JSON::Object body, target, msg;
    target.set("address", to);
    msg.set("content_type", "text");
    msg.set("text", text);
    body.set("instance_id", "sms-1");
    body.set("to", target);
    body.set("message", msg);
    std::ostringstream out;
    body.stringify(out);
    Reply r = api("POST", "/v1/conversations", out.str(), key);
    EXPECT_TRUE(r.status == 201 || r.status == 200) << r.body;
    JsonPtr o = parse(r.body);
    JsonPtr m = o->getObject("message");
    return m && m->has("id") ? std::to_string(m->getValue<int64_t>("id")) : "";
  }
  std::string status_of(const std::string& id) {
    return db_->scalar("SELECT status FROM messages WHERE id = ?", id);
  }
  // Waits until the message's status (1 queued .. 5 failed) is `wanted`; the last one seen.
  std::string wait_status(const std::string& id, const std::string& wanted,
                          std::chrono::milliseconds timeout = 15s) {
    std::string s;
    eventually(
        [&] {
          s = status_of(id);
          return s == wanted;
        },
        timeout);
    return s;
  }
  std::string outbox_state(const std::string& id) {
    return db_->scalar("SELECT state FROM outbox WHERE message_id = ?", id);
  }
  // Inbound messages stored so far.
  int inbound_count() {
    return std::stoi("0" + db_->scalar("SELECT COUNT(*) FROM messages WHERE direction = 'in'"));
  }

  std::string extra_config_;
  std::string password_ = kPassword;
  fs::path dir_, config_;
  std::unique_ptr<Smsc> smsc_;
  std::unique_ptr<sbtest::Process> host_;
  std::unique_ptr<waapi::Db> db_;
  uint16_t host_port_ = 0;
  std::string admin_;
};

}  // namespace smstest
