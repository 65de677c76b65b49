// Host + WhatsApp plugin + wa-sim as real processes: signed webhooks from the simulator are stored
// exactly once, a forged one is refused with nothing stored, and the same phone number on WhatsApp
// and on another channel is one contact.
#include <sqlite3.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <thread>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include "process.h"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* kWaba = "102290129340398";
constexpr const char* kNumber = "106540352242922";
constexpr const char* kToken = "sim-token-for-tests";
constexpr const char* kAppSecret = "app-secret-for-tests";
constexpr const char* kVerifyToken = "verify-token-for-tests";

struct Reply {
  int status = 0;
  std::string body;
};

Reply http(uint16_t port, const std::string& method, const std::string& target,
           const std::string& body = "", const std::string& signature = "") {
  Poco::Net::HTTPClientSession session("127.0.0.1", port);
  session.setTimeout(Poco::Timespan(10, 0));
  Poco::Net::HTTPRequest req(method, target, Poco::Net::HTTPMessage::HTTP_1_1);
  req.setContentType("application/json");
  if (!signature.empty()) req.set("X-Hub-Signature-256", signature);
  req.setContentLength(static_cast<std::streamsize>(body.size()));
  session.sendRequest(req) << body;
  Poco::Net::HTTPResponse resp;
  std::istream& in = session.receiveResponse(resp);
  Reply r;
  r.status = static_cast<int>(resp.getStatus());
  Poco::StreamCopier::copyToString(in, r.body);
  return r;
}

// Reads the host's database while it runs (WAL lets a reader in beside the writer).
class Db {
 public:
  explicit Db(const fs::path& file) {
    sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_busy_timeout(db_, 5000);
  }
  ~Db() { sqlite3_close(db_); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // The first column of the first row as text ("" when no row).
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

class WhatsAppEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = fs::temp_directory_path() /
           ("sb-wa-it-" + std::to_string(getpid()) + "-" + std::to_string(rd()));
    fs::create_directories(dir_ / "sim");
    fs::create_directories(dir_ / "host");

    // The simulator first: the host's config needs its URL.
    sim_ = std::make_unique<sbtest::Process>(
        std::vector<std::string>{"--port", "0", "--app-secret", kAppSecret, "--verify-token",
                                 kVerifyToken, "--token", kToken, "--seed", "7"},
        dir_ / "sim", SBT_WA_SIM);
    auto sim_port = sim_->wait_listening(20s, /*from_stdout=*/true);
    ASSERT_TRUE(sim_port) << sim_->out() << sim_->err();
    sim_port_ = *sim_port;
    ASSERT_EQ(post_sim("/_sim/wabas", std::string(R"({"id":")") + kWaba +
                                          R"(","name":"Lucky Shrub","numbers":[{"id":")" + kNumber +
                                          R"(","cc":"1","phone_number":"5550783881"}]})")
                  .status,
              200);

    setenv("SBT_WA_TOKEN", kToken, 1);
    setenv("SBT_WA_APP_SECRET", kAppSecret, 1);
    setenv("SBT_WA_VERIFY_TOKEN", kVerifyToken, 1);
    const fs::path config = dir_ / "host" / "switchboard.jsonc";
    std::ofstream(config) << R"({
  // written by whatsapp_test
  "data_dir": "data",
  "http": {"host": "127.0.0.1", "port": 0},
  "plugin_dirs": [")" << SBT_PLUGIN_DIR
                          << R"("],
  "core": {"default_region": "DE"},
  "instances": [
    {"id": "wa-1", "plugin": "whatsapp",
     "config": {"graph_base_url": "http://127.0.0.1:)"
                          << sim_port_ << R"(", "api_version": "v21.0", "waba_id": ")" << kWaba
                          << R"(", "numbers": [{"phone_number_id": ")" << kNumber << R"("}]},
     "secrets": {"access_token": "env:SBT_WA_TOKEN", "app_secret": "env:SBT_WA_APP_SECRET",
                 "verify_token": "env:SBT_WA_VERIFY_TOKEN"}},
    {"id": "lb-1", "plugin": "loopback", "config": {"address_kind": "phone"}}
  ]
})";
    host_ = std::make_unique<sbtest::Process>(
        std::vector<std::string>{"serve", "--config", config.string()}, dir_ / "host");
    auto host_port = host_->wait_listening();
    ASSERT_TRUE(host_port) << host_->err();
    host_port_ = *host_port;
    webhook_ = "/webhooks/wa-1/";
    ASSERT_EQ(post_sim("/_sim/config", R"({"webhook_url":"http://127.0.0.1:)" +
                                           std::to_string(host_port_) + webhook_ + R"("})")
                  .status,
              200);
    db_ = std::make_unique<Db>(dir_ / "host" / "data" / "switchboard.db");
  }

  void TearDown() override {
    db_.reset();
    if (host_) {
      host_->signal(SIGTERM);
      host_->wait();
    }
    if (sim_) {
      sim_->signal(SIGTERM);
      sim_->wait();
    }
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  Reply post_sim(const std::string& path, const std::string& body) {
    return http(sim_port_, "POST", path, body);
  }

  // Injects a customer's text message at the simulator; returns its wamid.
  std::string inject_text(const std::string& from, const std::string& text) {
    Reply r = post_sim("/_sim/inbound",
                       std::string(R"({"phone_number_id":")") + kNumber + R"(","from":")" + from +
                           R"(","type":"text","name":"Ann","text":{"body":")" + text + R"("}})");
    EXPECT_EQ(r.status, 200) << r.body;
    auto obj = Poco::JSON::Parser().parse(r.body).extract<Poco::JSON::Object::Ptr>();
    return obj->getValue<std::string>("id");
  }

  int count_inbound(const std::string& instance) {
    const std::string n = db_->scalar(
        "SELECT COUNT(*) FROM messages WHERE direction = 'in' AND instance_id = ?", instance);
    return n.empty() ? 0 : std::stoi(n);
  }

  // Polls until the instance has `expected` inbound messages or the time is up.
  int wait_inbound(const std::string& instance, int expected,
                   std::chrono::milliseconds timeout = 15s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int n = 0;
    while ((n = count_inbound(instance)) < expected &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(50ms);
    }
    return n;
  }

  fs::path dir_;
  std::unique_ptr<sbtest::Process> sim_, host_;
  std::unique_ptr<Db> db_;
  uint16_t sim_port_ = 0, host_port_ = 0;
  std::string webhook_;
};

TEST_F(WhatsAppEndToEnd, VerificationHandshakeSucceedsWithTheConfiguredToken) {
  Reply r = post_sim("/_sim/webhooks/verify", R"({"url":"http://127.0.0.1:)" +
                                                  std::to_string(host_port_) + webhook_ +
                                                  R"(","verify_token":")" + kVerifyToken + R"("})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find(R"("verified":true)"), std::string::npos) << r.body;

  Reply wrong = http(host_port_, "GET",
                     webhook_ + "?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=42");
  EXPECT_EQ(wrong.status, 403) << wrong.body;
}

TEST_F(WhatsAppEndToEnd, SignedInboundIsStoredWithContactAndConversation) {
  const std::string wamid = inject_text("4915112345678", "Hello from WhatsApp");
  ASSERT_EQ(wait_inbound("wa-1", 1), 1) << host_->err();
  EXPECT_EQ(db_->scalar("SELECT text FROM messages WHERE provider_message_id = ?", wamid),
            "Hello from WhatsApp");
  const std::string contact =
      db_->scalar("SELECT contact_id FROM messages WHERE provider_message_id = ?", wamid);
  ASSERT_FALSE(contact.empty());
  EXPECT_EQ(db_->scalar("SELECT address FROM identities WHERE kind = 'phone' AND contact_id = ?",
                        contact),
            "+4915112345678");
  EXPECT_EQ(db_->scalar("SELECT c.reference FROM conversations c JOIN messages m ON "
                        "m.conversation_id = c.id WHERE m.provider_message_id = ?",
                        wamid)
                .rfind("SB-", 0),
            0u);
}

TEST_F(WhatsAppEndToEnd, ForgedSignatureIsRefusedAndNothingIsStored) {
  const std::string body =
      std::string(R"({"object":"whatsapp_business_account","entry":[{"id":")") + kWaba +
      R"(","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":")" +
      kNumber +
      R"("},"contacts":[{"profile":{"name":"Eve"},"wa_id":"4915100000000"}],"messages":[{"from":"4915100000000","id":"wamid.forged","timestamp":"1700000000","type":"text","text":{"body":"forged"}}]}}]}]})";
  Reply bad = http(host_port_, "POST", webhook_, body,
                   "sha256=0000000000000000000000000000000000000000000000000000000000000000");
  EXPECT_EQ(bad.status, 401) << bad.body;
  Reply missing = http(host_port_, "POST", webhook_, body);
  EXPECT_EQ(missing.status, 401) << missing.body;
  EXPECT_EQ(count_inbound("wa-1"), 0);
  EXPECT_EQ(db_->scalar("SELECT COUNT(*) FROM messages WHERE provider_message_id = 'wamid.forged'"),
            "0");
}

TEST_F(WhatsAppEndToEnd, DuplicatedAndShuffledDeliveriesStoreEachMessageOnce) {
  ASSERT_EQ(post_sim("/_sim/config", R"({"duplicate_probability":1.0,"shuffle":true,)"
                                     R"("shuffle_window_ms":200})")
                .status,
            200);
  constexpr int kMessages = 5;
  for (int i = 0; i < kMessages; ++i) inject_text("4915112345678", "message " + std::to_string(i));
  ASSERT_EQ(wait_inbound("wa-1", kMessages), kMessages);

  // Every message was delivered at least twice, and every delivery was acknowledged.
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  int duplicates = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    Reply log = http(sim_port_, "GET", "/_sim/webhooks");
    duplicates = 0;
    for (size_t at = 0; (at = log.body.find(R"("duplicate":true)", at)) != std::string::npos;
         ++at) {
      ++duplicates;
    }
    if (duplicates >= kMessages) break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_GE(duplicates, kMessages);
  std::this_thread::sleep_for(300ms);  // let any late duplicate land
  EXPECT_EQ(count_inbound("wa-1"), kMessages);
}

TEST_F(WhatsAppEndToEnd, SamePhoneOnWhatsAppAndAnotherChannelIsOneContact) {
  const std::string wamid = inject_text("4915112345678", "first on WhatsApp");
  ASSERT_EQ(wait_inbound("wa-1", 1), 1);
  Reply lb =
      http(host_port_, "POST", "/webhooks/lb-1/inbound",
           R"({"id":"lb-msg-1","from":"+49 151 12345678","text":"then on another channel"})");
  ASSERT_EQ(lb.status, 200) << lb.body;
  const std::string wa_contact =
      db_->scalar("SELECT contact_id FROM messages WHERE provider_message_id = ?", wamid);
  const std::string lb_contact =
      db_->scalar("SELECT contact_id FROM messages WHERE provider_message_id = 'lb-msg-1'");
  ASSERT_FALSE(wa_contact.empty());
  EXPECT_EQ(wa_contact, lb_contact);
  // One conversation per channel instance, both on the one contact's timeline.
  EXPECT_EQ(db_->scalar("SELECT COUNT(*) FROM conversations WHERE contact_id = ?", wa_contact),
            "2");
}

}  // namespace
