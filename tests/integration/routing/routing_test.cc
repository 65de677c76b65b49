// A customer's first message is routed to a queue and answered with a welcome that quotes the
// conversation's reference, sent through the channel; an automated message gets no answer; a
// keyword gets its answer once per period.

#include <chrono>
#include <string>
#include <thread>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include "db_scalar.h"
#include "fixture.h"

namespace {

using namespace std::chrono_literals;

constexpr const char* kRouting = R"(  "routing": {
    "default_queue": "support",
    "keyword_period_minutes": 60,
    "queues": [{"id": "support", "name": "Support", "strategy": "least_busy",
                "welcome": "Welcome to {{queue.name}}, your reference is {{conversation.reference}}."}],
    "keyword_answers": [{"keywords": ["opening hours"], "answer": "Mon-Fri 9-17."}]
  },
)";

class RoutingEndToEnd : public sbtest::HostFixture {
 protected:
  void SetUp() override {
    HostFixture::SetUp();
    const auto config = write_config(
        R"([{"id":"lb","plugin":"loopback","config":{"delivery":{"auto":false}}}])", kRouting);
    host_ = std::make_unique<sbtest::Process>(
        std::vector<std::string>{"serve", "--config", config.string()}, dir_);
    auto port = host_->wait_listening();
    ASSERT_TRUE(port) << host_->err();
    port_ = *port;
  }
  void TearDown() override {
    if (host_) {
      host_->signal(SIGTERM);
      host_->wait();
    }
    HostFixture::TearDown();
  }

  sbtest::HttpResult inbound(const std::string& json) {
    return sbtest::http(port_, "POST", "/webhooks/lb/inbound", json);
  }

  // Texts the channel was asked to send, waiting up to 10 s for at least `n`.
  std::string sent(size_t n) {
    std::string body;
    for (int i = 0; i < 200; ++i) {
      body = sbtest::http(port_, "GET", "/webhooks/lb/sent").body;
      size_t count = 0;
      for (size_t at = 0; (at = body.find("\"seq\"", at)) != std::string::npos; ++at) ++count;
      if (count >= n) break;
      std::this_thread::sleep_for(50ms);
    }
    return body;
  }

  std::string scalar(const std::string& sql) {
    return sbtest::db_scalar(dir_ / "data" / "switchboard.db", sql);
  }

  // Polls `sql` until it gives `want` (up to 10 s).
  bool eventually(const std::string& sql, const std::string& want) {
    for (int i = 0; i < 200; ++i) {
      if (scalar(sql) == want) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }

  // An admin token for call(), made by the CLI while the daemon runs (the store is shared
  // through WAL).
  bool make_admin_token() {
    const auto token_dir = dir_ / "token";
    std::filesystem::create_directories(token_dir);
    sbtest::Process cli({"tokens", "create", "--config", (dir_ / "config.jsonc").string(), "--role",
                         "admin", "--name", "it-admin"},
                        token_dir);
    if (cli.wait() != 0) {
      ADD_FAILURE() << cli.err();
      return false;
    }
    token_ = sbtest::lines(cli.out()).at(0);
    return true;
  }

  // A REST API call with the admin token: (status, body).
  std::pair<int, std::string> call(const std::string& method, const std::string& path,
                                   const std::string& body,
                                   const std::string& idempotency_key = "") {
    Poco::Net::HTTPClientSession session("127.0.0.1", port_);
    Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    req.set("Authorization", "Bearer " + token_);
    if (!idempotency_key.empty()) req.set("Idempotency-Key", idempotency_key);
    req.setContentType("application/json");
    req.setContentLength(static_cast<std::streamsize>(body.size()));
    session.sendRequest(req) << body;
    Poco::Net::HTTPResponse resp;
    std::string out;
    Poco::StreamCopier::copyToString(session.receiveResponse(resp), out);
    return {static_cast<int>(resp.getStatus()), out};
  }

  std::unique_ptr<sbtest::Process> host_;
  uint16_t port_ = 0;
  std::string token_;
};

TEST_F(RoutingEndToEnd, FirstMessageIsQueuedAndWelcomedWithItsReference) {
  ASSERT_EQ(inbound(R"({"id":"m1","from":"+4930111111","text":"Hello"})").status, 200);
  const std::string body = sent(1);
  const std::string reference = scalar("SELECT reference FROM conversations LIMIT 1");
  ASSERT_EQ(reference.rfind("SB-", 0), 0u);
  EXPECT_NE(body.find("Welcome to Support, your reference is " + reference), std::string::npos)
      << body;
  EXPECT_NE(body.find("+4930111111"), std::string::npos) << body;
  EXPECT_EQ(scalar("SELECT queue FROM conversations LIMIT 1"), "support");
  // The welcome is on the conversation, after the customer's message (linked right after it was
  // queued, so possibly a moment after the channel sent it).
  EXPECT_TRUE(eventually("SELECT COUNT(*) FROM messages WHERE conversation_id IS NOT NULL", "2"));
  // An auto-reply is not a response: the conversation still waits for its first one.
  EXPECT_EQ(scalar("SELECT first_response_at_ms FROM conversations LIMIT 1"), "0");

  // A second message in the same conversation gets no second welcome.
  ASSERT_EQ(inbound(R"({"id":"m2","from":"+4930111111","text":"Still there?"})").status, 200);
  std::this_thread::sleep_for(500ms);
  const std::string after = sbtest::http(port_, "GET", "/webhooks/lb/sent").body;
  size_t welcomes = 0;
  for (size_t at = 0; (at = after.find("Welcome to Support", at)) != std::string::npos; ++at) {
    ++welcomes;
  }
  EXPECT_EQ(welcomes, 1u) << after;
}

TEST_F(RoutingEndToEnd, AutomatedMessagesAreNeverAnswered) {
  ASSERT_EQ(inbound(R"({"id":"bot1","from":"+4930222222","text":"I am an auto-reply",)"
                    R"("automated":true})")
                .status,
            200);
  std::this_thread::sleep_for(700ms);
  const std::string body = sbtest::http(port_, "GET", "/webhooks/lb/sent").body;
  EXPECT_EQ(body.find("Welcome"), std::string::npos) << body;
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM messages WHERE direction = 'out'"), "0");
}

TEST_F(RoutingEndToEnd, KeywordAnswerIsSentOncePerPeriod) {
  ASSERT_EQ(
      inbound(R"({"id":"k1","from":"+4930333333","text":"what are your opening hours?"})").status,
      200);
  std::string body = sent(2);  // welcome + keyword answer
  EXPECT_NE(body.find("Mon-Fri 9-17."), std::string::npos) << body;
  ASSERT_EQ(inbound(R"({"id":"k2","from":"+4930333333","text":"opening hours again?"})").status,
            200);
  std::this_thread::sleep_for(700ms);
  body = sbtest::http(port_, "GET", "/webhooks/lb/sent").body;
  size_t answers = 0;
  for (size_t at = 0; (at = body.find("Mon-Fri 9-17.", at)) != std::string::npos; ++at) ++answers;
  EXPECT_EQ(answers, 1u) << body;
}

TEST_F(RoutingEndToEnd, WaitingConversationGoesToAnAgentWhoComesOnline) {
  ASSERT_TRUE(make_admin_token());
  auto created = call("POST", "/v1/agents",
                      R"({"id":"ann","name":"Ann","presence":"offline","max_concurrent":2})");
  ASSERT_EQ(created.first, 201) << created.second;

  // Nobody is online: the conversation waits in its queue.
  ASSERT_EQ(inbound(R"({"id":"w1","from":"+4930444444","text":"Anyone there?"})").status, 200);
  sent(1);  // the welcome went out, so routing has run
  EXPECT_EQ(scalar("SELECT queue FROM conversations LIMIT 1"), "support");
  EXPECT_EQ(scalar("SELECT COALESCE(assignee, '') FROM conversations LIMIT 1"), "");

  // Ann comes online through the API: the waiting conversation is hers at once.
  auto online =
      call("PUT", "/v1/agents/ann", R"({"name":"Ann","presence":"online","max_concurrent":2})");
  ASSERT_EQ(online.first, 200) << online.second;
  std::string assignee;
  for (int i = 0; i < 100 && assignee.empty(); ++i) {
    assignee = scalar("SELECT COALESCE(assignee, '') FROM conversations LIMIT 1");
    if (assignee.empty()) std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(assignee, "ann");
  // Handed out by the router's rebalance, and published like every other assignment.
  EXPECT_TRUE(
      eventually("SELECT COUNT(*) FROM events WHERE type = 'conversation.assigned' AND "
                 "json_extract(data_json, '$.agent_id') = 'ann' AND "
                 "json_extract(data_json, '$.by') = 'routing:rebalance' AND "
                 "json_extract(data_json, '$.queue') = 'support'",
                 "1"));
  // The first event about the conversation was its wait in the queue.
  EXPECT_EQ(scalar("SELECT json_extract(data_json, '$.by') FROM events WHERE type = "
                   "'conversation.assigned' ORDER BY id LIMIT 1"),
            "routing:waiting");
  EXPECT_EQ(scalar("SELECT first_response_at_ms FROM conversations LIMIT 1"), "0");

  // Ann answers through the API: that is the first response.
  const std::string conv = scalar("SELECT id FROM conversations LIMIT 1");
  auto reply = call("POST", "/v1/conversations/" + conv + "/messages", R"({"text":"Hi, Ann here"})",
                    "reply-1");
  ASSERT_EQ(reply.first, 202) << reply.second;
  EXPECT_NE(scalar("SELECT first_response_at_ms FROM conversations LIMIT 1"), "0");
}

// The routing section's queues are the API's queues: an agent joins one without POST /v1/queues
// and is routed its conversations; the API lists it as the configuration's and leaves it alone.
TEST_F(RoutingEndToEnd, AnAgentJoinsAConfiguredQueueWithoutCreatingItAndIsRoutedItsConversation) {
  ASSERT_TRUE(make_admin_token());
  auto ann = call("POST", "/v1/agents",
                  R"({"id":"ann","name":"Ann","presence":"online","max_concurrent":2,)"
                  R"("queues":["support"]})");
  ASSERT_EQ(ann.first, 201) << ann.second;

  auto queues = call("GET", "/v1/queues", "");
  ASSERT_EQ(queues.first, 200) << queues.second;
  EXPECT_NE(queues.second.find(R"("id":"support")"), std::string::npos) << queues.second;
  EXPECT_NE(queues.second.find(R"("source":"config")"), std::string::npos) << queues.second;
  EXPECT_NE(queues.second.find(R"("strategy":"least_busy")"), std::string::npos) << queues.second;
  auto removed = call("DELETE", "/v1/queues/support", "");
  EXPECT_EQ(removed.first, 409) << removed.second;
  EXPECT_NE(removed.second.find("routing section of the configuration"), std::string::npos)
      << removed.second;
  EXPECT_EQ(call("PUT", "/v1/queues/support", R"({"strategy":"sticky"})").first, 409);

  ASSERT_EQ(inbound(R"({"id":"j1","from":"+4930555555","text":"Hello"})").status, 200);
  EXPECT_TRUE(eventually("SELECT COALESCE(assignee, '') || '/' || queue FROM conversations",
                         "ann/support"));

  // A queue created through the API is one routing uses too: its members get what waits in it.
  auto vip = call("POST", "/v1/queues", R"({"id":"vip","name":"VIP","strategy":"round_robin"})");
  ASSERT_EQ(vip.first, 201) << vip.second;
  EXPECT_NE(vip.second.find(R"("source":"api")"), std::string::npos) << vip.second;
  EXPECT_EQ(call("DELETE", "/v1/queues/vip", "").first, 204);
}

}  // namespace
