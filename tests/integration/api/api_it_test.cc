// The REST API end to end: `switchboard tokens create` makes the tokens, `switchboard serve` runs
// the loopback channel, and every endpoint is called over 127.0.0.1 with every role.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
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

namespace {

using sbtest::Process;

struct Reply {
  int status = 0;
  std::string content_type, body;
  Poco::JSON::Object::Ptr json() const {
    return Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
  }
  std::string code() const { return json()->getObject("error")->getValue<std::string>("code"); }
  std::string field() const {
    auto e = json()->getObject("error");
    return e->has("field") ? e->getValue<std::string>("field") : "";
  }
};

class ApiIt : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() /
           ("sb-api-it-" + std::to_string(getpid()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(dir_);
    config_ = dir_ / "config.jsonc";
    std::ofstream(config_) << R"({
  "data_dir": "data",
  "http": {"host": "127.0.0.1", "port": 0, "max_body_bytes": 262144},
  "plugin_dirs": [")" << SBT_LOOPBACK_DIR
                           << R"("],
  "log": {"level": "info"},
  "instances": [{"id": "lb1", "plugin": "loopback", "config": {}}]
}
)";
    admin_ = make_token("admin", "root");
    supervisor_ = make_token("supervisor", "sue");
    agent_ = make_token("agent", "alice");
    ASSERT_FALSE(admin_.empty());
    server_ = std::make_unique<Process>(
        std::vector<std::string>{"serve", "--config", config_.string()}, dir_);
    auto port = server_->wait_listening();
    ASSERT_TRUE(port.has_value()) << server_->err();
    port_ = *port;
  }
  void TearDown() override {
    if (server_) {
      server_->signal(SIGTERM);
      EXPECT_EQ(server_->wait(), 0);
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // Runs `switchboard tokens ...` to completion; its stdout.
  std::string run_cli(std::vector<std::string> args, int* exit_code = nullptr) {
    const auto out_dir = dir_ / ("cli-" + std::to_string(++cli_runs_));
    std::filesystem::create_directories(out_dir);
    Process p(std::move(args), out_dir);
    const auto code = p.wait();
    if (exit_code) *exit_code = code.value_or(-1);
    return p.out();
  }
  std::string make_token(const std::string& role, const std::string& name) {
    int code = -1;
    std::string out = run_cli(
        {"tokens", "create", "--config", config_.string(), "--role", role, "--name", name}, &code);
    EXPECT_EQ(code, 0);
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    EXPECT_TRUE(out.starts_with("sbt_")) << out;
    return out;
  }

  Reply http(const std::string& method, const std::string& target, const std::string& token,
             const std::string& body = "", const std::string& idempotency_key = "") {
    Poco::Net::HTTPClientSession session("127.0.0.1", port_);
    session.setTimeout(Poco::Timespan(10, 0));
    Poco::Net::HTTPRequest req(method, target, Poco::Net::HTTPMessage::HTTP_1_1);
    if (!token.empty()) req.set("Authorization", "Bearer " + token);
    if (!idempotency_key.empty()) req.set("Idempotency-Key", idempotency_key);
    if (!body.empty() || method == "POST" || method == "PUT") {
      req.setContentType("application/json");
      req.setContentLength(static_cast<std::streamsize>(body.size()));
    }
    session.sendRequest(req) << body;
    Poco::Net::HTTPResponse resp;
    std::istream& in = session.receiveResponse(resp);
    Reply r;
    r.status = static_cast<int>(resp.getStatus());
    r.content_type = resp.getContentType();
    Poco::StreamCopier::copyToString(in, r.body);
    return r;
  }

  // One inbound message through the loopback channel's inbound op; the conversation id.
  int64_t inject(const std::string& id, const std::string& from, const std::string& text) {
    auto r = http("POST", "/v1/channels/lb1/ops/inbound", admin_,
                  R"({"id":")" + id + R"(","from":")" + from + R"(","text":")" + text + R"("})");
    EXPECT_EQ(r.status, 200) << r.body;
    auto convs = http("GET", "/v1/conversations", supervisor_).json()->getArray("items");
    return convs->getObject(static_cast<unsigned>(convs->size() - 1))->getValue<int64_t>("id");
  }

  std::filesystem::path dir_, config_;
  std::unique_ptr<Process> server_;
  uint16_t port_ = 0;
  int cli_runs_ = 0;
  std::string admin_, supervisor_, agent_;
};

TEST_F(ApiIt, AuthorizationMatrixOverEveryEndpoint) {
  const int64_t conv = inject("in-1", "+4915111111111", "hello");
  inject("in-2", "+4915122222222", "second");
  ASSERT_EQ(http("POST", "/v1/queues", admin_, R"({"id":"sales"})").status, 201);
  ASSERT_EQ(http("POST", "/v1/agents", admin_, R"({"id":"alice","queues":["sales"]})").status, 201);
  const std::string c = "/v1/conversations/" + std::to_string(conv);
  ASSERT_EQ(http("POST", c + "/assign", supervisor_, R"({"agent":null,"queue":"sales"})").status,
            200);
  auto first = http("GET", c, supervisor_).json();
  const std::string contact =
      "/v1/contacts/" + std::to_string(first->getValue<int64_t>("contact_id"));

  enum Need { kAgent, kSupervisor, kAdmin };
  struct Endpoint {
    std::string method, target, body;
    Need need;
  };
  const std::vector<Endpoint> endpoints = {
      {"GET", "/v1/contacts?q=4915", "", kSupervisor},
      {"GET", contact, "", kAgent},
      {"GET", contact + "/timeline", "", kAgent},
      {"POST", contact + "/merge", R"({"other_id":999999,"reason":"test"})", kSupervisor},
      {"POST", "/v1/merges/999999/unmerge", "{}", kSupervisor},
      {"GET", "/v1/conversations?status=open", "", kAgent},
      {"GET", c, "", kAgent},
      {"POST", c + "/assign", R"({"agent":"alice"})", kAgent},
      {"POST", c + "/resolve", "{}", kAgent},
      {"POST", c + "/reopen", "{}", kAgent},
      {"POST", c + "/messages", R"({"text":"matrix"})", kAgent},
      // The first customer's conversation is in alice's queue: everyone may write to them.
      {"POST", "/v1/conversations",
       R"({"instance_id":"lb1","to":{"address":"+4915111111111"},"message":{"text":"started"}})",
       kAgent},
      {"GET", c + "/can-send?content_type=text", "", kAgent},
      {"POST", c + "/handover", "{}", kSupervisor},  // 409 not_with_bot: no bot queues here
      {"GET", "/v1/messages/1", "", kAgent},
      {"GET", "/v1/search?q=hello", "", kSupervisor},
      {"GET", "/v1/agents", "", kSupervisor},
      {"GET", "/v1/agents/alice", "", kSupervisor},
      {"POST", "/v1/agents", R"({"id":"tmp"})", kAdmin},
      {"PUT", "/v1/agents/alice", R"({"presence":"online"})", kAdmin},
      {"DELETE", "/v1/agents/ghost", "", kAdmin},
      {"GET", "/v1/queues", "", kSupervisor},
      {"GET", "/v1/queues/sales", "", kSupervisor},
      {"POST", "/v1/queues", R"({"id":"tmpq"})", kAdmin},
      {"PUT", "/v1/queues/sales", R"({"name":"Sales"})", kAdmin},
      {"DELETE", "/v1/queues/ghost", "", kAdmin},
      {"GET", "/v1/channels", "", kSupervisor},
      {"POST", "/v1/channels/lb1/ops/list_faults", "{}", kAdmin},
  };
  const std::vector<std::pair<std::string, int>> roles = {
      {agent_, kAgent}, {supervisor_, kSupervisor}, {admin_, kAdmin}};
  int key = 0;
  for (const auto& e : endpoints) {
    SCOPED_TRACE(e.method + " " + e.target);
    auto anon = http(e.method, e.target, "", e.body, "k" + std::to_string(++key));
    EXPECT_EQ(anon.status, 401);
    EXPECT_EQ(anon.code(), "unauthorized");
    auto bad =
        http(e.method, e.target, "sbt_not-a-real-token", e.body, "k" + std::to_string(++key));
    EXPECT_EQ(bad.status, 401);
    for (const auto& [token, level] : roles) {
      auto r = http(e.method, e.target, token, e.body, "k" + std::to_string(++key));
      SCOPED_TRACE("level " + std::to_string(level) + ": " + r.body);
      EXPECT_EQ(r.content_type.substr(0, 16), "application/json");
      if (level < e.need) {
        EXPECT_EQ(r.status, 403);
        EXPECT_EQ(r.code(), "forbidden");
      } else {
        EXPECT_NE(r.status, 401);
        EXPECT_NE(r.status, 403);
        EXPECT_LT(r.status, 500);
      }
    }
  }
  // The agent's reach ends at its queues: the second conversation is not in "sales".
  auto others = http("GET", "/v1/conversations", agent_).json()->getArray("items");
  EXPECT_EQ(others->size(), 1u);
  EXPECT_EQ(http("GET", "/v1/conversations/" + std::to_string(conv + 1), agent_).status, 403);
}

TEST_F(ApiIt, BadBodiesAreAnsweredWithCodesAndFields) {
  const int64_t conv = inject("in-1", "+4915111111111", "hello");
  const std::string c = "/v1/conversations/" + std::to_string(conv);
  auto malformed = http("POST", c + "/assign", supervisor_, R"({"agent":)");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(malformed.code(), "malformed_json");
  auto not_object = http("POST", "/v1/queues", admin_, R"(["sales"])");
  EXPECT_EQ(not_object.code(), "invalid_body");
  auto wrong_type = http("POST", "/v1/agents", admin_, R"({"id":"a","max_concurrent":"many"})");
  EXPECT_EQ(wrong_type.status, 400);
  EXPECT_EQ(wrong_type.code(), "invalid_field");
  EXPECT_EQ(wrong_type.field(), "max_concurrent");
  auto no_key = http("POST", c + "/messages", supervisor_, R"({"text":"x"})");
  EXPECT_EQ(no_key.code(), "missing_idempotency_key");
  // Through the real server: a key that is not UTF-8 never reaches the outbox or the loopback
  // plugin (whose JSON records it would break), nor does a wrapped 2^64 + 2 or a lone surrogate.
  auto bad_key = http("POST", c + "/messages", supervisor_, R"({"text":"x"})", "k\xFF\xFE");
  EXPECT_EQ(bad_key.status, 400) << bad_key.body;
  EXPECT_EQ(bad_key.field(), "Idempotency-Key");
  auto surrogate = http("POST", c + "/messages", supervisor_, R"({"text":"\ud800"})", "k-2");
  EXPECT_EQ(surrogate.field(), "text");
  auto wrapped =
      http("POST", "/v1/agents", admin_, R"({"id":"w","max_concurrent":18446744073709551616})");
  EXPECT_EQ(wrapped.field(), "max_concurrent");
  auto sent = http("POST", "/v1/channels/lb1/ops/sent", admin_, "{}");
  EXPECT_EQ(sent.status, 200);
  EXPECT_EQ(Poco::JSON::Parser().parse(sent.body).extract<Poco::JSON::Array::Ptr>()->size(), 0u)
      << sent.body;

  // Over the API's 64 KiB limit, then over the server's own limit.
  const std::string big = R"({"name":")" + std::string(100 * 1024, 'x') + R"("})";
  auto api_limit = http("POST", "/v1/queues", admin_, big);
  EXPECT_EQ(api_limit.status, 413);
  EXPECT_EQ(api_limit.code(), "payload_too_large");
  const std::string huge = R"({"name":")" + std::string(300 * 1024, 'x') + R"("})";
  auto server_limit = http("POST", "/v1/queues", admin_, huge);
  EXPECT_EQ(server_limit.status, 413);
  EXPECT_EQ(http("GET", "/v1/queues", admin_).json()->getArray("items")->size(), 0u);
}

TEST_F(ApiIt, SendGoesThroughTheHookOnceAndCanSendAsksTheChannel) {
  const int64_t conv = inject("in-1", "+4915111111111", "hello");
  const std::string c = "/v1/conversations/" + std::to_string(conv);
  auto sent = http("POST", c + "/messages", supervisor_, R"({"text":"hi there"})", "key-1");
  ASSERT_EQ(sent.status, 202) << sent.body;
  const int64_t id = sent.json()->getValue<int64_t>("id");
  EXPECT_EQ(sent.json()->getValue<std::string>("to"), "+4915111111111");
  auto again = http("POST", c + "/messages", supervisor_, R"({"text":"hi there"})", "key-1");
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json()->getValue<int64_t>("id"), id);
  EXPECT_EQ(http("POST", c + "/messages", supervisor_, R"({"text":"changed"})", "key-1").status,
            409);

  // The loopback channel records exactly one send of it. The outbox sends after the 202, so wait
  // for the first record, then give a second send time to show up if there were one.
  auto sent_records = [&] {
    auto log = http("POST", "/v1/channels/lb1/ops/sent", admin_, "{}");
    EXPECT_EQ(log.status, 200) << log.body;
    return Poco::JSON::Parser().parse(log.body).extract<Poco::JSON::Array::Ptr>();
  };
  Poco::JSON::Array::Ptr records = sent_records();
  for (int i = 0; i < 200 && records->size() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
    records = sent_records();
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  records = sent_records();
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ(records->getObject(0)->getValue<std::string>("text"), "hi there");
  EXPECT_EQ(records->getObject(0)->getValue<int64_t>("message_id"), id);

  // Delivery statuses arrive (loopback reports them); the message shows its history.
  Poco::JSON::Array::Ptr history;
  for (int i = 0; i < 100; ++i) {
    history = http("GET", "/v1/messages/" + std::to_string(id), supervisor_)
                  .json()
                  ->getArray("status_history");
    if (history->size() >= 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_GE(history->size(), 2u);

  auto open = http("GET", c + "/can-send?content_type=text", supervisor_);
  ASSERT_EQ(open.status, 200) << open.body;
  EXPECT_TRUE(open.json()->getValue<bool>("allowed"));
  ASSERT_EQ(http("POST", "/v1/channels/lb1/ops/window", admin_,
                 R"({"mode":"template_only","reason":"window closed"})")
                .status,
            200);
  auto closed = http("GET", c + "/can-send?content_type=text", supervisor_).json();
  EXPECT_FALSE(closed->getValue<bool>("allowed"));
  EXPECT_EQ(closed->getValue<std::string>("mode"), "template_only");
  EXPECT_EQ(closed->getValue<std::string>("reason"), "window closed");

  // The send route asks the same question before the outbox: free text is refused and nothing is
  // written; a retry of the message accepted before the window closed still answers with it.
  const std::string timeline =
      "/v1/contacts/" +
      std::to_string(http("GET", c, supervisor_).json()->getValue<int64_t>("contact_id")) +
      "/timeline";
  const size_t stored = http("GET", timeline, supervisor_).json()->getArray("items")->size();
  auto refused = http("POST", c + "/messages", supervisor_, R"({"text":"still there?"})", "key-2");
  ASSERT_EQ(refused.status, 422) << refused.body;
  EXPECT_EQ(refused.code(), "cannot_send");
  EXPECT_EQ(refused.field(), "content_type");
  EXPECT_NE(refused.body.find("window closed"), std::string::npos) << refused.body;
  EXPECT_EQ(http("GET", timeline, supervisor_).json()->getArray("items")->size(), stored);
  auto retry = http("POST", c + "/messages", supervisor_, R"({"text":"hi there"})", "key-1");
  ASSERT_EQ(retry.status, 200) << retry.body;
  EXPECT_EQ(retry.json()->getValue<int64_t>("id"), id);
  auto tpl = http("POST", c + "/messages", supervisor_,
                  R"({"content_type":"template","payload":{"name":"order_ready"}})", "key-3");
  ASSERT_EQ(tpl.status, 202) << tpl.body;
  EXPECT_EQ(http("GET", timeline, supervisor_).json()->getArray("items")->size(), stored + 1);

  auto channels = http("GET", "/v1/channels", supervisor_).json()->getArray("items");
  ASSERT_EQ(channels->size(), 1u);
  EXPECT_EQ(channels->getObject(0)->getValue<std::string>("state"), "running");
  EXPECT_TRUE(channels->getObject(0)->getObject("health")->has("details"));
}

TEST_F(ApiIt, StartsAConversationWithACustomerWhoNeverWroteThroughTheOutboxOnce) {
  // The channel's window is closed for everyone: only templates go.
  ASSERT_EQ(http("POST", "/v1/channels/lb1/ops/window", admin_,
                 R"({"mode":"template_only","reason":"window closed"})")
                .status,
            200);
  auto sent_records = [&] {
    auto log = http("POST", "/v1/channels/lb1/ops/sent", admin_, "{}");
    EXPECT_EQ(log.status, 200) << log.body;
    return Poco::JSON::Parser().parse(log.body).extract<Poco::JSON::Array::Ptr>();
  };
  auto text = http("POST", "/v1/conversations", agent_,
                   R"({"instance_id":"lb1","to":{"address":"+49 151 7777 7777"},)"
                   R"("message":{"text":"your order is ready"}})",
                   "start-1");
  ASSERT_EQ(text.status, 422) << text.body;
  EXPECT_EQ(text.code(), "cannot_send");
  EXPECT_EQ(text.field(), "message.content_type");
  EXPECT_NE(text.body.find("window closed"), std::string::npos) << text.body;
  EXPECT_NE(text.body.find("template"), std::string::npos) << text.body;
  EXPECT_EQ(http("GET", "/v1/conversations", supervisor_).json()->getArray("items")->size(), 0u);

  const std::string body =
      R"({"instance_id":"lb1","to":{"address":"+49 151 7777 7777","name":"Dora"},)"
      R"("message":{"content_type":"template","payload":{"name":"order_ready","language":"en"}}})";
  auto started = http("POST", "/v1/conversations", agent_, body, "start-2");
  ASSERT_EQ(started.status, 201) << started.body;
  auto conv = started.json()->getObject("conversation");
  auto msg = started.json()->getObject("message");
  const int64_t conv_id = conv->getValue<int64_t>("id");
  const int64_t msg_id = msg->getValue<int64_t>("id");
  EXPECT_EQ(conv->getValue<std::string>("assignee"), "alice");
  EXPECT_EQ(msg->getValue<std::string>("to"), "+4915177777777");

  // The agent sees it; the contact is one person with an E.164 identity.
  auto mine = http("GET", "/v1/conversations/" + std::to_string(conv_id), agent_);
  ASSERT_EQ(mine.status, 200) << mine.body;
  auto contact = http(
      "GET", "/v1/contacts/" + std::to_string(conv->getValue<int64_t>("contact_id")), supervisor_);
  ASSERT_EQ(contact.status, 200) << contact.body;
  EXPECT_EQ(contact.json()->getValue<std::string>("display_name"), "Dora");
  EXPECT_EQ(contact.json()->getArray("identities")->getObject(0)->getValue<std::string>("address"),
            "+4915177777777");

  // The outbox delivers it to the channel exactly once, retries included.
  auto again = http("POST", "/v1/conversations", agent_, body, "start-2");
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json()->getObject("message")->getValue<int64_t>("id"), msg_id);
  EXPECT_EQ(again.json()->getObject("conversation")->getValue<int64_t>("id"), conv_id);
  Poco::JSON::Array::Ptr records = sent_records();
  for (int i = 0; i < 400 && records->size() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
    records = sent_records();
  }
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ(records->getObject(0)->getValue<int64_t>("message_id"), msg_id);
  EXPECT_EQ(records->getObject(0)->getValue<std::string>("to"), "+4915177777777");
  EXPECT_EQ(records->getObject(0)->getValue<std::string>("content_type"), "template");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(sent_records()->size(), 1u);

  // The customer answers: the reply joins the started conversation.
  auto reply = http("POST", "/v1/channels/lb1/ops/inbound", admin_,
                    R"({"id":"in-r","from":"+4915177777777","text":"thanks"})");
  ASSERT_EQ(reply.status, 200) << reply.body;
  auto items = http("GET", "/v1/conversations", supervisor_).json()->getArray("items");
  ASSERT_EQ(items->size(), 1u);
  EXPECT_EQ(items->getObject(0)->getValue<int64_t>("id"), conv_id);
}

TEST_F(ApiIt, RevokedTokensStopAtOnceAndTokensListShowsNoSecrets) {
  EXPECT_EQ(http("GET", "/v1/conversations", agent_).status, 200);
  int code = -1;
  const std::string listing = run_cli({"tokens", "list", "--config", config_.string()}, &code);
  EXPECT_EQ(code, 0);
  EXPECT_NE(listing.find("alice"), std::string::npos);
  EXPECT_EQ(listing.find(agent_), std::string::npos);
  // alice is the third token created.
  run_cli({"tokens", "revoke", "--config", config_.string(), "--id", "3"}, &code);
  EXPECT_EQ(code, 0);
  EXPECT_EQ(http("GET", "/v1/conversations", agent_).status, 401);
  EXPECT_EQ(http("GET", "/v1/conversations", supervisor_).status, 200);
  run_cli({"tokens", "create", "--config", config_.string(), "--role", "root", "--name", "x"},
          &code);
  EXPECT_EQ(code, 64);

  auto doc = http("GET", "/openapi.json", "");
  ASSERT_EQ(doc.status, 200);
  EXPECT_EQ(doc.json()->getValue<std::string>("openapi").substr(0, 2), "3.");
}

}  // namespace
