// End to end: the real `switchboard serve` with the loopback channel publishes events for inbound
// messages, API actions and delivery reports; GET /v1/events streams them and resumes across a
// restart; a webhook receiver on 127.0.0.1 gets them signed.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include "events/webhooks.h"
#include "http/server.h"
#include "process.h"
#include "sse_client.h"

namespace sb::events::test {
namespace {

using namespace std::chrono_literals;
using sbtest::Process;

constexpr const char* kSecret = "whsec-test-secret";

class ServeEvents : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("sb-events-it-" + std::to_string(getpid()) +
                                                     "-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(dir_);
    auto router = std::make_shared<http::Router>();
    router->add("POST", "/hook", [this](const http::Request& r) {
      std::lock_guard lock(mu_);
      const bool valid = r.header("X-Switchboard-Signature") ==
                         webhook_signature(kSecret, r.header("X-Switchboard-Timestamp"), r.body);
      hooks_.push_back({std::string(r.header("X-Switchboard-Event")),
                        std::string(r.header("X-Switchboard-Delivery")), valid});
      http::Response resp;
      // The first delivery fails once: it must come back with the same delivery id.
      resp.status = hooks_.size() == 1 ? 500 : 204;
      return resp;
    });
    receiver_ = std::make_unique<http::Server>(http::ServerOptions{}, router);
    ASSERT_TRUE(receiver_->start());
    config_ = dir_ / "config.jsonc";
    std::ofstream(config_) << R"({
  "data_dir": "data",
  "http": {"host": "127.0.0.1", "port": 0},
  "plugin_dirs": [")" << SBT_LOOPBACK_DIR
                           << R"("],
  "instances": [{"id": "lb1", "plugin": "loopback", "config": {}}],
  "webhooks": [{"url": "http://127.0.0.1:)"
                           << receiver_->port() << R"(/hook", "secret": "literal:)" << kSecret
                           << R"(", "events": ["conversation.created", "message.created"]}]
}
)";
    admin_ = make_token("admin", "root");
    supervisor_ = make_token("supervisor", "sue");
    start();
  }
  void TearDown() override {
    stop();
    receiver_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  void start() {
    server_ = std::make_unique<Process>(
        std::vector<std::string>{"serve", "--config", config_.string()}, dir_);
    auto port = server_->wait_listening();
    ASSERT_TRUE(port.has_value()) << server_->err();
    port_ = *port;
  }
  void stop() {
    if (!server_) return;
    server_->signal(SIGTERM);
    EXPECT_EQ(server_->wait(), 0);
    server_.reset();
  }
  std::string make_token(const std::string& role, const std::string& name) {
    const auto out_dir = dir_ / ("cli-" + name);
    std::filesystem::create_directories(out_dir);
    Process p({"tokens", "create", "--config", config_.string(), "--role", role, "--name", name},
              out_dir);
    EXPECT_EQ(p.wait(), 0);
    std::string out = p.out();
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
  }
  int post(const std::string& target, const std::string& token, const std::string& body,
           const std::string& idempotency_key = "") {
    Poco::Net::HTTPClientSession session("127.0.0.1", port_);
    session.setTimeout(Poco::Timespan(10, 0));
    Poco::Net::HTTPRequest req("POST", target, Poco::Net::HTTPMessage::HTTP_1_1);
    req.set("Authorization", "Bearer " + token);
    if (!idempotency_key.empty()) req.set("Idempotency-Key", idempotency_key);
    req.setContentType("application/json");
    req.setContentLength(static_cast<std::streamsize>(body.size()));
    session.sendRequest(req) << body;
    Poco::Net::HTTPResponse resp;
    std::string ignored;
    Poco::StreamCopier::copyToString(session.receiveResponse(resp), ignored);
    return static_cast<int>(resp.getStatus());
  }
  void inject(const std::string& id) {
    EXPECT_EQ(post("/v1/channels/lb1/ops/inbound", admin_,
                   R"({"id":")" + id + R"(","from":"+4915111111111","text":"hello"})"),
              200);
  }
  // The next event of a type, skipping others.
  static Parsed next_of(SseClient& c, const std::string& type) {
    for (int i = 0; i < 20; ++i) {
      Parsed e = c.next();
      if (e.type == type) return e;
    }
    ADD_FAILURE() << "no " << type;
    return {};
  }
  static int64_t field(const std::string& json, const std::string& name) {
    auto at = json.find("\"" + name + "\":");
    return at == std::string::npos ? -1 : std::stoll(json.substr(at + name.size() + 3));
  }

  struct Hook {
    std::string event, delivery;
    bool signature_valid = false;
  };
  std::mutex mu_;
  std::vector<Hook> hooks_;
  std::unique_ptr<http::Server> receiver_;
  std::filesystem::path dir_, config_;
  std::unique_ptr<Process> server_;
  uint16_t port_ = 0;
  std::string admin_, supervisor_;
};

TEST_F(ServeEvents, StreamsActionsResumesAfterRestartAndSignsWebhooks) {
  int64_t last = 0;
  {
    SseClient c(port_, supervisor_);
    ASSERT_EQ(c.response().getStatus(), 200);
    inject("in-1");
    Parsed created = next_of(c, "conversation.created");
    const int64_t conv = field(created.data, "conversation_id");
    ASSERT_GT(conv, 0);
    Parsed inbound = next_of(c, "message.created");
    EXPECT_NE(inbound.data.find(R"("direction":"inbound")"), std::string::npos);
    EXPECT_EQ(field(inbound.data, "conversation_id"), conv);

    const std::string path = "/v1/conversations/" + std::to_string(conv);
    ASSERT_EQ(post(path + "/messages", supervisor_, R"({"text":"hi"})", "k1"), 202);
    Parsed outbound = next_of(c, "message.created");
    EXPECT_NE(outbound.data.find(R"("direction":"outbound")"), std::string::npos);
    // The outbox records "sent" and the loopback channel reports "sent" and "delivered" itself,
    // in either order: the stream follows the message's status, so one "sent", then "delivered".
    int sent = 0;
    bool delivered = false;
    for (int i = 0; i < 6 && !delivered; ++i) {
      Parsed report = next_of(c, "message.status");
      EXPECT_EQ(field(report.data, "message_id"), field(outbound.data, "message_id"));
      if (report.data.find(R"("status":"sent")") != std::string::npos) ++sent;
      delivered = report.data.find(R"("status":"delivered")") != std::string::npos;
    }
    EXPECT_EQ(sent, 1);
    EXPECT_TRUE(delivered);

    ASSERT_EQ(post(path + "/resolve", supervisor_, "{}"), 200);
    Parsed resolved = next_of(c, "conversation.status");
    EXPECT_NE(resolved.data.find(R"("status":"resolved")"), std::string::npos);
    last = resolved.id;
    // Shut down with the stream open: serve must still exit promptly and cleanly.
    auto t0 = std::chrono::steady_clock::now();
    stop();
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 10s);
  }
  start();
  inject("in-2");  // reopens the resolved conversation
  SseClient resumed(port_, supervisor_, std::to_string(last));
  // Late delivery reports of the reply may come first; nothing at or before `last` comes again.
  Parsed first = resumed.next();
  EXPECT_EQ(first.id, last + 1);
  Parsed reopened =
      first.type == "conversation.status" ? first : next_of(resumed, "conversation.status");
  EXPECT_NE(reopened.data.find(R"("status":"open")"), std::string::npos);
  EXPECT_EQ(next_of(resumed, "message.created").type, "message.created");

  // Webhooks: conversation.created + three message.created; the 500 is retried (base backoff 1 s)
  // with the same delivery id; every signature verifies. Deliveries are at least once: one in
  // flight when the first host stopped may come again after the restart, with its id.
  std::vector<Hook> hooks;
  std::set<std::string> ids;
  for (int i = 0; i < 600; ++i) {
    {
      std::lock_guard lock(mu_);
      hooks = hooks_;
    }
    ids.clear();
    for (const auto& h : hooks) ids.insert(h.delivery);
    if (ids.size() >= 4 && hooks.size() >= 5) break;
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_GE(hooks.size(), 5u);
  std::map<std::string, std::string> event_of;  // delivery id -> event type
  for (const auto& h : hooks) {
    EXPECT_TRUE(h.signature_valid) << h.event;
    EXPECT_TRUE(h.event == "conversation.created" || h.event == "message.created") << h.event;
    auto [it, fresh] = event_of.emplace(h.delivery, h.event);
    EXPECT_EQ(it->second, h.event) << "a delivery id names one event";
  }
  EXPECT_EQ(ids.size(), 4u) << "the retried delivery kept its id";
  EXPECT_GE(std::count_if(hooks.begin(), hooks.end(),
                          [&](const Hook& h) { return h.delivery == hooks[0].delivery; }),
            2)
      << "the delivery answered 500 came again";
}

// Two agents in different queues: each stream shows the conversations of its agent's queue (and
// their messages and delivery statuses) plus the events naming that agent, nothing else; an id the
// filter skipped is a valid resume point; the supervisor's stream shows everything.
TEST_F(ServeEvents, AgentsSeeOnlyTheirQueuesConversationsAndTheirOwnAssignments) {
  ASSERT_EQ(post("/v1/queues", admin_, R"({"id":"sales"})"), 201);
  ASSERT_EQ(post("/v1/queues", admin_, R"({"id":"support"})"), 201);
  ASSERT_EQ(post("/v1/agents", admin_, R"({"id":"ann","queues":["sales"]})"), 201);
  ASSERT_EQ(post("/v1/agents", admin_, R"({"id":"bob","queues":["support"]})"), 201);
  const std::string ann = make_token("agent", "ann");
  const std::string bob = make_token("agent", "bob");

  // The supervisor's stream: every event, in order, classified by conversation as it comes.
  SseClient sup(port_, supervisor_);
  ASSERT_EQ(sup.response().getStatus(), 200);
  std::vector<Parsed> all;
  std::map<int64_t, int64_t> conversation_of_message;
  auto take = [&]() {
    Parsed e = sup.next();
    all.push_back(e);
    if (const int64_t m = field(e.data, "message_id"), c = field(e.data, "conversation_id");
        m > 0 && c > 0) {
      conversation_of_message[m] = c;
    }
    return e;
  };
  auto take_until = [&](const std::string& type, const std::string& what) {
    while (true) {
      Parsed e = take();
      if (e.type == type && e.data.find(what) != std::string::npos) return e;
    }
  };
  auto new_conversation = [&](const std::string& id, const std::string& from) {
    EXPECT_EQ(post("/v1/channels/lb1/ops/inbound", admin_,
                   R"({"id":")" + id + R"(","from":")" + from + R"(","text":"hello"})"),
              200);
    return field(take_until("conversation.created", "").data, "conversation_id");
  };
  const int64_t a = new_conversation("in-a", "+4915111111111");
  const int64_t b = new_conversation("in-b", "+4915122222222");
  ASSERT_GT(a, 0);
  ASSERT_GT(b, 0);
  const std::string pa = "/v1/conversations/" + std::to_string(a);
  const std::string pb = "/v1/conversations/" + std::to_string(b);
  ASSERT_EQ(post(pa + "/assign", supervisor_, R"({"agent":null,"queue":"sales"})"), 200);
  ASSERT_EQ(post(pb + "/assign", supervisor_, R"({"agent":null,"queue":"support"})"), 200);
  ASSERT_EQ(post(pa + "/messages", supervisor_, R"({"text":"hi"})", "ka"), 202);
  ASSERT_EQ(post(pb + "/messages", supervisor_, R"({"text":"hi"})", "kb"), 202);
  // B goes to ann for a moment, then to bob: both events name ann, the rest of B is not hers.
  ASSERT_EQ(post(pb + "/assign", supervisor_, R"({"agent":"ann"})"), 200);
  ASSERT_EQ(post(pb + "/assign", supervisor_, R"({"agent":"bob"})"), 200);
  // Both replies followed until the channel reported them delivered (nothing comes later).
  take_until("message.status", R"("status":"delivered")");
  take_until("message.status", R"("status":"delivered")");
  ASSERT_EQ(post(pa + "/resolve", supervisor_, "{}"), 200);
  ASSERT_EQ(post(pb + "/resolve", supervisor_, "{}"), 200);
  take_until("conversation.status", R"("status":"resolved")");
  take_until("conversation.status", R"("status":"resolved")");

  auto conversation = [&](const Parsed& e) {
    const int64_t c = field(e.data, "conversation_id");
    if (c > 0) return c;
    auto m = conversation_of_message.find(field(e.data, "message_id"));
    return m == conversation_of_message.end() ? int64_t{0} : m->second;
  };
  std::vector<int64_t> want_ann, want_bob;
  for (const Parsed& e : all) {
    const bool names_ann = e.data.find(R"("agent_id":"ann")") != std::string::npos ||
                           e.data.find(R"("previous_agent_id":"ann")") != std::string::npos;
    if (conversation(e) == a || names_ann) want_ann.push_back(e.id);
    if (conversation(e) == b) want_bob.push_back(e.id);
  }
  // The scenario produced what it should: created, inbound, assigned, reply, sent, delivered and
  // resolved for each, and B's two extra assignments (both also ann's).
  EXPECT_GE(want_ann.size(), 9u);
  EXPECT_GE(want_bob.size(), 9u);

  auto read = [](SseClient& c, size_t n) {
    std::vector<int64_t> got;
    while (got.size() < n) got.push_back(c.next().id);
    return got;
  };
  SseClient ann_stream(port_, ann);
  ASSERT_EQ(ann_stream.response().getStatus(), 200);
  EXPECT_EQ(read(ann_stream, want_ann.size()), want_ann);
  SseClient bob_stream(port_, bob);
  ASSERT_EQ(bob_stream.response().getStatus(), 200);
  EXPECT_EQ(read(bob_stream, want_bob.size()), want_bob);

  {
    // Resume ann from an event of B she never saw: she gets her next one after it.
    const int64_t skipped = want_bob[2];
    std::vector<int64_t> rest;
    for (int64_t id : want_ann) {
      if (id > skipped) rest.push_back(id);
    }
    ASSERT_FALSE(rest.empty());
    SseClient resumed(port_, ann, std::to_string(skipped));
    EXPECT_EQ(read(resumed, rest.size()), rest);
  }

  // Live, both caught up: B's customer writes first, then A's. Each stream shows only its own
  // conversation re-opening and its new message.
  ASSERT_EQ(post("/v1/channels/lb1/ops/inbound", admin_,
                 R"({"id":"in-b2","from":"+4915122222222","text":"again"})"),
            200);
  ASSERT_EQ(post("/v1/channels/lb1/ops/inbound", admin_,
                 R"({"id":"in-a2","from":"+4915111111111","text":"again"})"),
            200);
  for (auto [live, want] : {std::pair{&ann_stream, a}, std::pair{&bob_stream, b}}) {
    Parsed reopened = live->next();
    EXPECT_EQ(reopened.type, "conversation.status");
    EXPECT_EQ(field(reopened.data, "conversation_id"), want);
    Parsed message = live->next();
    EXPECT_EQ(message.type, "message.created");
    EXPECT_EQ(field(message.data, "conversation_id"), want);
  }
}

TEST_F(ServeEvents, TheDaemonServesManyDesksAndEndsAStreamWhoseTokenTheCliRevoked) {
  // The daemon used to refuse a fifth stream (503). Forty desks at once, and the API still answers.
  constexpr int kDesks = 40;
  std::vector<std::unique_ptr<SseClient>> desks;
  for (int i = 0; i < kDesks; ++i) {
    desks.push_back(std::make_unique<SseClient>(port_, supervisor_));
    ASSERT_EQ(desks.back()->response().getStatus(), 200) << "desk " << i;
  }
  EXPECT_EQ(post("/v1/channels/lb1/ops/inbound", admin_,
                 R"({"id":"many-1","from":"+4915111111111","text":"hello"})"),
            200);
  for (auto& d : desks) EXPECT_EQ(next_of(*d, "message.created").type, "message.created");
  desks.clear();

  // `switchboard tokens revoke` writes the database while the daemon runs.
  const std::string doomed = make_token("supervisor", "temp");
  SseClient stream(port_, doomed);
  ASSERT_EQ(stream.response().getStatus(), 200);
  const auto t0 = std::chrono::steady_clock::now();
  std::string id;
  {
    Process list({"tokens", "list", "--config", config_.string()}, dir_ / "cli-temp");
    ASSERT_EQ(list.wait(), 0);
    std::istringstream rows(list.out());
    std::string row;
    while (std::getline(rows, row)) {
      if (row.find("\ttemp\t") != std::string::npos) id = row.substr(0, row.find('\t'));
    }
  }
  ASSERT_FALSE(id.empty());
  Process revoke({"tokens", "revoke", "--config", config_.string(), "--id", id}, dir_ / "cli-temp");
  ASSERT_EQ(revoke.wait(), 0) << revoke.err();
  EXPECT_EQ(next_of(stream, "stream.closed").data, R"({"reason":"credential_revoked"})");
  EXPECT_TRUE(stream.ends());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
}

}  // namespace
}  // namespace sb::events::test
