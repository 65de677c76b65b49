// Bot handover end to end: `switchboard serve` with the loopback channel and a bot queue whose
// URL is a small HTTP server run by this test on 127.0.0.1. The bot checks each delivery's
// signature, answers through the REST API with its bot token, and conversations are handed to an
// online agent by the customer's keyword or by the bot. A bot that cannot verify a signature
// answers 503 and gets the same delivery again (stable delivery id) once it can.
#include <stdlib.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <Poco/DigestEngine.h>
#include <Poco/HMACEngine.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/SHA2Engine.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include "db_scalar.h"
#include "fixture.h"

namespace {

using namespace std::chrono_literals;
using Poco::JSON::Object;

class Sha256 : public Poco::SHA2Engine {
 public:
  enum { BLOCK_SIZE = 64, DIGEST_SIZE = 32 };
  Sha256() : Poco::SHA2Engine(SHA_256) {}
};

std::string sign(const std::string& secret, const std::string& ts, const std::string& body) {
  Poco::HMACEngine<Sha256> hmac(secret);
  hmac.update(ts + "." + body);
  return "sha256=" + Poco::DigestEngine::digestToHex(hmac.digest());
}

struct Delivery {
  std::string event, delivery_id, body;
  bool signature_ok = false;
  int answered = 0;
};

// The bot's side: verifies X-Switchboard-Signature with the secret it believes in; answers 200 when
// it matches and 503 (try again later) when it does not.
class BotServer {
 public:
  explicit BotServer(std::string secret) : secret_(std::move(secret)) {
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
    port_ = socket.address().port();
    auto params = new Poco::Net::HTTPServerParams;  // owned by the server (Poco's AutoPtr)
    params->setMaxThreads(4);
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), socket, params);
    server_->start();
  }
  ~BotServer() { server_->stopAll(true); }

  uint16_t port() const { return port_; }
  void set_secret(std::string s) {
    std::lock_guard lock(mu_);
    secret_ = std::move(s);
  }
  std::vector<Delivery> deliveries() {
    std::lock_guard lock(mu_);
    return deliveries_;
  }
  // Waits up to 30 s for a delivery the predicate accepts; the first such one.
  std::optional<Delivery> wait_for(const std::function<bool(const Delivery&)>& pred) {
    std::unique_lock lock(mu_);
    std::optional<Delivery> found;
    changed_.wait_for(lock, 30s, [&] {
      for (const auto& d : deliveries_) {
        if (pred(d)) {
          found = d;
          return true;
        }
      }
      return false;
    });
    return found;
  }

 private:
  class Handler : public Poco::Net::HTTPRequestHandler {
   public:
    explicit Handler(BotServer& bot) : bot_(bot) {}
    void handleRequest(Poco::Net::HTTPServerRequest& req,
                       Poco::Net::HTTPServerResponse& resp) override {
      Delivery d;
      Poco::StreamCopier::copyToString(req.stream(), d.body);
      d.event = req.get("X-Switchboard-Event", "");
      d.delivery_id = req.get("X-Switchboard-Delivery", "");
      const std::string ts = req.get("X-Switchboard-Timestamp", "");
      const std::string got = req.get("X-Switchboard-Signature", "");
      {
        std::lock_guard lock(bot_.mu_);
        d.signature_ok = req.getURI() == "/hook" && got == sign(bot_.secret_, ts, d.body);
        d.answered = d.signature_ok ? 200 : 503;
        bot_.deliveries_.push_back(d);
      }
      bot_.changed_.notify_all();
      resp.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(d.answered));
      resp.setContentLength(0);
      resp.send();
    }

   private:
    BotServer& bot_;
  };
  class Factory : public Poco::Net::HTTPRequestHandlerFactory {
   public:
    explicit Factory(BotServer& bot) : bot_(bot) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(
        const Poco::Net::HTTPServerRequest&) override {
      return new Handler(bot_);  // Poco deletes it after the request
    }

   private:
    BotServer& bot_;
  };

  std::mutex mu_;
  std::condition_variable changed_;
  std::string secret_;
  std::vector<Delivery> deliveries_;
  uint16_t port_ = 0;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
};

Object::Ptr parse(const std::string& body) {
  return Poco::JSON::Parser().parse(body).extract<Object::Ptr>();
}

constexpr const char* kSecret = "it-bot-secret-4711";

class BotEndToEnd : public sbtest::HostFixture {
 protected:
  void start(const std::string& bot_secret) {
    bot_ = std::make_unique<BotServer>(bot_secret);
    ::setenv("SB_IT_BOT_SECRET", kSecret, 1);  // the host reads it as env:SB_IT_BOT_SECRET
    const std::string routing = R"(  "routing": {
    "default_queue": "faq",
    "queues": [
      {"id": "faq", "name": "FAQ bot",
       "bot": {"url": "http://127.0.0.1:)" +
                                std::to_string(bot_->port()) +
                                R"(/hook", "secret": "env:SB_IT_BOT_SECRET",
               "handover_queue": "support", "handover_keywords": ["agent", "human"],
               "timeout_ms": 5000, "max_attempts": 10}},
      {"id": "support", "name": "Support", "strategy": "least_busy"}]
  },
)";
    config_ = write_config(R"([{"id":"lb","plugin":"loopback","config":{}}])", routing);
    host_ = std::make_unique<sbtest::Process>(
        std::vector<std::string>{"serve", "--config", config_.string()}, dir_);
    auto port = host_->wait_listening();
    ASSERT_TRUE(port) << host_->err();
    port_ = *port;
    admin_ = token("admin", "it-admin");
    bot_token_ = token("bot", "faq");
    {  // a bot token must name a bot queue
      const auto out_dir = dir_ / "cli-refused";
      std::filesystem::create_directories(out_dir);
      sbtest::Process refused(
          {"tokens", "create", "--config", config_.string(), "--role", "bot", "--name", "support"},
          out_dir);
      EXPECT_NE(refused.wait(), 0);
      EXPECT_NE(refused.err().find("not a bot queue"), std::string::npos) << refused.err();
    }
    ASSERT_FALSE(admin_.empty());
    ASSERT_FALSE(bot_token_.empty());
    auto ann = call("POST", "/v1/agents", admin_,
                    R"({"id":"ann","name":"Ann","presence":"online","max_concurrent":3})");
    ASSERT_EQ(ann.status, 201) << ann.body;
  }
  void TearDown() override {
    if (host_) {
      host_->signal(SIGTERM);
      host_->wait();
    }
    bot_.reset();
    HostFixture::TearDown();
  }

  std::string token(const std::string& role, const std::string& name) {
    const auto out_dir = dir_ / ("cli-" + name);
    std::filesystem::create_directories(out_dir);
    sbtest::Process cli(
        {"tokens", "create", "--config", config_.string(), "--role", role, "--name", name},
        out_dir);
    EXPECT_EQ(cli.wait(), 0) << cli.err();
    auto lines = sbtest::lines(cli.out());
    return lines.empty() ? std::string() : lines.at(0);
  }

  sbtest::HttpResult call(const std::string& method, const std::string& path,
                          const std::string& tok, const std::string& body = "",
                          const std::string& idempotency_key = "") {
    Poco::Net::HTTPClientSession session("127.0.0.1", port_);
    session.setTimeout(Poco::Timespan(10, 0));
    Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    req.set("Authorization", "Bearer " + tok);
    if (!idempotency_key.empty()) req.set("Idempotency-Key", idempotency_key);
    req.setContentType("application/json");
    req.setContentLength(static_cast<std::streamsize>(body.size()));
    session.sendRequest(req) << body;
    Poco::Net::HTTPResponse resp;
    sbtest::HttpResult r;
    Poco::StreamCopier::copyToString(session.receiveResponse(resp), r.body);
    r.status = static_cast<int>(resp.getStatus());
    return r;
  }

  void customer(const std::string& id, const std::string& from, const std::string& text,
                bool automated = false) {
    const std::string body = R"({"id":")" + id + R"(","from":")" + from + R"(","text":")" + text +
                             R"(")" + (automated ? R"(,"automated":true})" : "}");
    ASSERT_EQ(sbtest::http(port_, "POST", "/webhooks/lb/inbound", body).status, 200);
  }

  // A bot.message delivery carrying `text`, signature verified.
  std::optional<Delivery> bot_message(const std::string& text) {
    return bot_->wait_for([&](const Delivery& d) {
      return d.event == "bot.message" && d.signature_ok &&
             parse(d.body)->getObject("data")->getObject("message")->getValue<std::string>(
                 "text") == text;
    });
  }

  std::string scalar(const std::string& sql) {
    return sbtest::db_scalar(dir_ / "data" / "switchboard.db", sql);
  }
  // Polls a query until it gives `want` (up to 20 s); the last value.
  std::string wait_scalar(const std::string& sql, const std::string& want) {
    std::string got;
    for (int i = 0; i < 400; ++i) {
      got = scalar(sql);
      if (got == want) break;
      std::this_thread::sleep_for(50ms);
    }
    return got;
  }

  std::unique_ptr<BotServer> bot_;
  std::unique_ptr<sbtest::Process> host_;
  std::filesystem::path config_;
  uint16_t port_ = 0;
  std::string admin_, bot_token_;
};

TEST_F(BotEndToEnd, BotAnswersThenTheCustomersKeywordHandsOverToAnOnlineAgent) {
  start(kSecret);
  customer("m1", "+4930555001", "What are your opening hours?");
  auto first = bot_message("What are your opening hours?");
  ASSERT_TRUE(first) << "no signed bot.message";
  EXPECT_FALSE(first->delivery_id.empty());
  auto data = parse(first->body)->getObject("data");
  auto conv = data->getObject("conversation");
  const int64_t conv_id = conv->getValue<int64_t>("id");
  EXPECT_EQ(conv->getValue<std::string>("channel"), "lb");
  EXPECT_EQ(conv->getValue<std::string>("queue"), "faq");
  EXPECT_EQ(conv->getValue<std::string>("reference").rfind("SB-", 0), 0u);
  EXPECT_GT(conv->getObject("contact")->getValue<int64_t>("id"), 0);
  EXPECT_EQ(data->getObject("message")->getValue<std::string>("from"), "+4930555001");
  auto reply = data->getObject("reply");
  EXPECT_EQ(reply->getValue<std::string>("api_base_url"),
            "http://127.0.0.1:" + std::to_string(port_));
  const std::string messages = reply->getValue<std::string>("messages");
  EXPECT_EQ(messages, "/v1/conversations/" + std::to_string(conv_id) + "/messages");
  // With the bot, the conversation is nobody's although Ann is online.
  EXPECT_EQ(scalar("SELECT COALESCE(assignee, '-') FROM conversations WHERE id = " +
                   std::to_string(conv_id)),
            "-");

  // The bot answers with its token; the message is stored as the bot's and sent.
  auto sent = call("POST", messages, bot_token_, R"({"text":"We are open 9-17."})", "bot-1");
  ASSERT_EQ(sent.status, 202) << sent.body;
  EXPECT_EQ(parse(sent.body)->getValue<std::string>("sender_kind"), "bot");
  EXPECT_EQ(wait_scalar("SELECT from_kind FROM messages WHERE text = 'We are open 9-17.'", "bot"),
            "bot");
  // A bot's own or automated messages never reach the bot (loop protection).
  customer("m-auto", "+4930555001", "Auto-reply: I am away", true);

  // The customer asks for a human: handed over at once, assigned to Ann, not sent to the bot.
  customer("m2", "+4930555001", "Can I talk to an AGENT please");
  const std::string where =
      "SELECT queue || ':' || COALESCE(assignee, '-') FROM conversations "
      "WHERE id = " +
      std::to_string(conv_id);
  EXPECT_EQ(wait_scalar(where, "support:ann"), "support:ann");
  auto notice = bot_->wait_for(
      [](const Delivery& d) { return d.event == "conversation.handover" && d.signature_ok; });
  ASSERT_TRUE(notice) << "the bot got no handover notice";
  auto h = parse(notice->body)->getObject("data");
  EXPECT_EQ(h->getValue<int64_t>("conversation_id"), conv_id);
  EXPECT_EQ(h->getValue<std::string>("to_queue"), "support");
  EXPECT_EQ(h->getValue<std::string>("agent_id"), "ann");
  EXPECT_EQ(h->getValue<std::string>("by"), "customer");
  EXPECT_EQ(h->getValue<std::string>("keyword"), "agent");
  // The handover is on the conversation's timeline too, saying why.
  EXPECT_EQ(scalar("SELECT from_kind || '|' || text FROM messages WHERE content_type = 'note' "
                   "AND conversation_id = " +
                   std::to_string(conv_id)),
            "system|Handed over from faq to support (assigned to ann): the customer wrote "
            "\"agent\"");
  EXPECT_EQ(wait_scalar("SELECT COUNT(*) FROM events WHERE type = 'conversation.assigned' AND "
                        "data_json LIKE '%\"agent_id\":\"ann\"%'",
                        "1"),
            "1");

  // The conversation is no longer the bot's: no access, and later messages stay with Ann.
  EXPECT_EQ(call("POST", messages, bot_token_, R"({"text":"still me"})", "bot-2").status, 403);
  customer("m3", "+4930555001", "Hello Ann");
  EXPECT_EQ(wait_scalar("SELECT COUNT(*) FROM messages WHERE text = 'Hello Ann'", "1"), "1");
  // Every message routed before "Hello Ann" is done; nothing else went to the bot.
  EXPECT_EQ(wait_scalar("SELECT COUNT(*) FROM events WHERE type = 'message.created' AND "
                        "data_json LIKE '%\"direction\":\"inbound\"%'",
                        "4"),
            "4");
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM events WHERE type = 'bot.message'"), "1");
  for (const auto& d : bot_->deliveries()) {
    EXPECT_EQ(d.body.find("AGENT"), std::string::npos) << d.body;
    EXPECT_EQ(d.body.find("Auto-reply"), std::string::npos) << d.body;
    EXPECT_EQ(d.body.find("Hello Ann"), std::string::npos) << d.body;
  }
}

TEST_F(BotEndToEnd, TheBotHandsOverThroughTheApiWithANote) {
  start(kSecret);
  customer("b1", "+4930555002", "I need to change my contract");
  auto m = bot_message("I need to change my contract");
  ASSERT_TRUE(m);
  auto data = parse(m->body)->getObject("data");
  const int64_t conv_id = data->getObject("conversation")->getValue<int64_t>("id");
  const std::string handover = data->getObject("reply")->getValue<std::string>("handover");

  auto to_bot = call("POST", handover, bot_token_, R"({"queue":"faq"})");
  EXPECT_EQ(to_bot.status, 400) << to_bot.body;
  auto r = call("POST", handover, bot_token_, R"({"note":"contract change, verified"})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto conv = parse(r.body);
  EXPECT_EQ(conv->getValue<std::string>("queue"), "support");
  EXPECT_EQ(conv->getValue<std::string>("assignee"), "ann");

  auto notice = bot_->wait_for(
      [](const Delivery& d) { return d.event == "conversation.handover" && d.signature_ok; });
  ASSERT_TRUE(notice);
  auto h = parse(notice->body)->getObject("data");
  EXPECT_EQ(h->getValue<int64_t>("conversation_id"), conv_id);
  EXPECT_EQ(h->getValue<std::string>("by"), "bot:faq");
  EXPECT_EQ(h->getValue<std::string>("note"), "contract change, verified");
  EXPECT_EQ(call("POST", handover, bot_token_).status, 403);  // no longer its conversation
  EXPECT_EQ(call("POST", handover, admin_).status, 409);      // no longer with a bot

  // The note is on the conversation's timeline, as a system note: newest first, above the
  // customer's message; never sent, not a first response, not unread.
  const int64_t contact =
      data->getObject("conversation")->getObject("contact")->getValue<int64_t>("id");
  auto timeline = call("GET", "/v1/contacts/" + std::to_string(contact) + "/timeline", admin_);
  ASSERT_EQ(timeline.status, 200) << timeline.body;
  auto items = parse(timeline.body)->getArray("items");
  ASSERT_EQ(items->size(), 2u) << timeline.body;
  auto note = items->getObject(0);
  EXPECT_EQ(note->getValue<std::string>("sender_kind"), "system");
  EXPECT_EQ(note->getValue<std::string>("content_type"), "note");
  EXPECT_EQ(note->getValue<int64_t>("conversation_id"), conv_id);
  const std::string text = note->getValue<std::string>("text");
  EXPECT_NE(text.find("contract change, verified"), std::string::npos) << text;
  EXPECT_NE(text.find("to support (assigned to ann)"), std::string::npos) << text;
  auto details = parse(note->getValue<std::string>("payload_json"));
  EXPECT_EQ(details->getValue<std::string>("kind"), "handover");
  EXPECT_EQ(details->getValue<std::string>("actor"), "bot:faq");
  EXPECT_EQ(items->getObject(1)->getValue<std::string>("sender_kind"), "customer");
  auto after = parse(call("GET", "/v1/conversations/" + std::to_string(conv_id), admin_).body);
  EXPECT_EQ(after->getValue<int64_t>("unread_count"), 1);
  EXPECT_EQ(after->getValue<int64_t>("first_response_at_ms"), 0);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM outbox"), "0");
  EXPECT_EQ(scalar("SELECT COALESCE(SUM(outbound), 0) FROM instance_counters"), "0");
}

TEST_F(BotEndToEnd, ABotThatCannotVerifyTheSignatureGetsTheSameDeliveryAgain) {
  start("the-bot-has-an-old-secret");
  customer("r1", "+4930555003", "Hello bot");
  // Rejected (503): the host retries with backoff, same delivery id and body.
  auto first_try = bot_->wait_for([](const Delivery& d) { return d.answered == 503; });
  ASSERT_TRUE(first_try);
  std::optional<Delivery> retried;
  for (int i = 0; i < 600 && !retried; ++i) {
    auto all = bot_->deliveries();
    if (all.size() >= 2) retried = all[1];
    if (!retried) std::this_thread::sleep_for(50ms);
  }
  ASSERT_TRUE(retried) << "no retry";
  EXPECT_EQ(retried->delivery_id, first_try->delivery_id);
  EXPECT_EQ(retried->body, first_try->body);
  EXPECT_FALSE(retried->signature_ok);

  bot_->set_secret(kSecret);  // the operator fixes the bot
  auto ok = bot_message("Hello bot");
  ASSERT_TRUE(ok) << "never delivered after the fix";
  EXPECT_EQ(ok->delivery_id, first_try->delivery_id);
  EXPECT_EQ(wait_scalar("SELECT state FROM webhook_deliveries WHERE delivery_id = '" +
                            ok->delivery_id + "'",
                        "delivered"),
            "delivered");
  EXPECT_GE(std::stoi(scalar("SELECT attempts FROM webhook_deliveries WHERE delivery_id = '" +
                             ok->delivery_id + "'")),
            3);
  // The secret never appears in the host's log.
  EXPECT_EQ(host_->err().find(kSecret), std::string::npos);
  EXPECT_EQ(host_->out().find(kSecret), std::string::npos);
}

}  // namespace
