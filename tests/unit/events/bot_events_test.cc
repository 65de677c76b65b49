// Bot deliveries through the event log: rows only for the bot's URL, per-URL attempts, payload.
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "events/bot_events.h"
#include "events/webhooks.h"
#include "events_fixture.h"
#include "http/server.h"

namespace sb::events::test {
namespace {

using namespace std::chrono_literals;

struct Sink {
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> hits;  // event, body
  int status = 200;
  std::unique_ptr<http::Server> server;
  Sink() {
    auto router = std::make_shared<http::Router>();
    router->add("POST", "/bot", [this](const http::Request& r) {
      std::lock_guard lock(mu);
      hits.emplace_back(std::string(r.header("X-Switchboard-Event")), r.body);
      http::Response resp;
      resp.status = status;
      return resp;
    });
    server = std::make_unique<http::Server>(http::ServerOptions{}, router);
    EXPECT_TRUE(server->start());
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server->port()) + "/bot"; }
};

int64_t count(EventLog& log, const std::string& where) {
  auto lock = log.lock();
  auto q = log.db().prepare("SELECT COUNT(*) FROM webhook_deliveries WHERE " + where);
  EXPECT_TRUE(q);
  EXPECT_EQ((*q)->step(), SQLITE_ROW);
  return (*q)->int64(0);
}

TEST_F(EventsTest, BotMessagesGoOnlyToTheBotAndHandoversAlsoToSubscribers) {
  auto log = open_log({{"http://127.0.0.1:9/crm", {}}});  // a subscriber of every type
  store::InboundMessage in;
  in.instance_id = "lb";
  in.from = "+4930111";
  in.content_type = "text";
  in.text = "Where is \"my\" parcel?";
  BotMessage m;
  m.bot_url = "http://127.0.0.1:9/bot";
  m.conversation.id = 12;
  m.conversation.contact_id = 5;
  m.conversation.instance_id = "lb";
  m.conversation.reference = "SB-ABCDE-F";
  m.conversation.queue = "faq";
  m.contact_name = "Ada";
  m.message = &in;
  m.message_id = 77;
  m.api_base_url = "http://127.0.0.1:8080";
  publish_bot_message(*log, m);
  EXPECT_EQ(count(*log, "url = 'http://127.0.0.1:9/bot'"), 1);
  EXPECT_EQ(count(*log, "url = 'http://127.0.0.1:9/crm'"), 0);

  auto data = Poco::JSON::Parser().parse(bot_message_json(m)).extract<Poco::JSON::Object::Ptr>();
  auto conv = data->getObject("conversation");
  EXPECT_EQ(conv->getValue<int64_t>("id"), 12);
  EXPECT_EQ(conv->getValue<std::string>("reference"), "SB-ABCDE-F");
  EXPECT_EQ(conv->getValue<std::string>("queue"), "faq");
  EXPECT_EQ(conv->getObject("contact")->getValue<std::string>("name"), "Ada");
  EXPECT_EQ(data->getObject("message")->getValue<std::string>("text"), in.text);
  EXPECT_EQ(data->getObject("reply")->getValue<std::string>("handover"),
            "/v1/conversations/12/handover");

  publish_handover(*log, {12, "faq", "support", std::string("ann"), "customer", "", "agent",
                          "http://127.0.0.1:9/bot"});
  EXPECT_EQ(count(*log, "url = 'http://127.0.0.1:9/bot'"), 2);
  EXPECT_EQ(count(*log, "url = 'http://127.0.0.1:9/crm'"), 1);
  auto events = log->after(0, 10);
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].type, "bot.message");
  EXPECT_EQ((*events)[1].type, "conversation.handover");
  EXPECT_NE((*events)[1].data_json.find(R"("keyword":"agent")"), std::string::npos);
}

TEST_F(EventsTest, APerUrlMaxAttemptsOverridesTheDispatchersDefault) {
  Sink bot;
  bot.status = 503;
  Webhook hook{bot.url(), "bot-secret", {}};
  hook.max_attempts = 2;
  auto log = open_log();  // the bot subscribes to nothing
  const std::string urls[] = {bot.url()};
  ASSERT_TRUE(log->append("bot.message", "{}", urls));
  WebhookOptions o;
  o.base_backoff = 0ms;
  o.max_attempts = 10;
  WebhookDispatcher d(log, {hook}, o);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(d.run_once());
  std::lock_guard lock(bot.mu);
  EXPECT_EQ(bot.hits.size(), 2u);
  EXPECT_EQ(bot.hits.at(0).first, "bot.message");
  EXPECT_EQ(count(*log, "state = 'failed' AND attempts = 2"), 1);
}

}  // namespace
}  // namespace sb::events::test
