#include <stdlib.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "events/webhooks.h"
#include "events_fixture.h"
#include "http/server.h"

namespace sb::events::test {
namespace {

using namespace std::chrono_literals;

// A receiver on 127.0.0.1 that records every request and answers from a script (then 200).
struct Receiver {
  struct Hit {
    std::string event, delivery, timestamp, signature, body;
  };
  std::mutex mu;
  std::vector<Hit> hits;
  std::vector<int> script;
  std::unique_ptr<http::Server> server;

  Receiver() {
    auto router = std::make_shared<http::Router>();
    router->add("POST", "/hook", [this](const http::Request& r) {
      std::lock_guard lock(mu);
      hits.push_back({std::string(r.header("X-Switchboard-Event")),
                      std::string(r.header("X-Switchboard-Delivery")),
                      std::string(r.header("X-Switchboard-Timestamp")),
                      std::string(r.header("X-Switchboard-Signature")), r.body});
      http::Response resp;
      resp.status = hits.size() <= script.size() ? script[hits.size() - 1] : 200;
      resp.body = "{}";
      return resp;
    });
    server = std::make_unique<http::Server>(http::ServerOptions{}, router);
    EXPECT_TRUE(server->start());
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server->port()) + "/hook"; }
  std::vector<Hit> snapshot() {
    std::lock_guard lock(mu);
    return hits;
  }
};

WebhookOptions fast() {
  WebhookOptions o;
  o.base_backoff = 0ms;  // due again at once, so run_once drives every retry
  o.timeout = 2s;
  o.max_attempts = 3;
  return o;
}

TEST(WebhookSignature, IsHmacSha256OfTimestampDotBody) {
  // Computed independently: python3 hmac.new(b"key", b'1700000000.{"a":1}', sha256).
  EXPECT_EQ(webhook_signature("key", "1700000000", R"({"a":1})"),
            "sha256=a438e398bfafc57e4396bb7fc2304422f0f768e965d073ca313cb52e22e6ad03");
  EXPECT_NE(webhook_signature("key", "1700000001", R"({"a":1})"),
            webhook_signature("key", "1700000000", R"({"a":1})"));
  EXPECT_NE(webhook_signature("other", "1700000000", R"({"a":1})"),
            webhook_signature("key", "1700000000", R"({"a":1})"));
}

TEST(WebhookConfig, ParsesResolvesSecretsAndNamesBadFields) {
  ::setenv("SB_TEST_HOOK_SECRET", "s3cret", 1);
  auto hooks = parse_webhooks(
      R"([{"url":"http://127.0.0.1:9/h","secret":"env:SB_TEST_HOOK_SECRET","events":["message.status"]}])");
  ASSERT_TRUE(hooks) << hooks.status().message();
  ASSERT_EQ(hooks->size(), 1u);
  EXPECT_EQ((*hooks)[0].secret, "s3cret");
  EXPECT_EQ((*hooks)[0].events, std::vector<std::string>{"message.status"});

  auto bad_type =
      parse_webhooks(R"([{"url":"http://127.0.0.1:9/h","secret":"literal:x","events":["nope"]}])");
  ASSERT_FALSE(bad_type);
  EXPECT_NE(bad_type.status().message().find("webhooks[0].events"), std::string::npos);
  auto no_secret = parse_webhooks(R"([{"url":"http://127.0.0.1:9/h"}])");
  ASSERT_FALSE(no_secret);
  EXPECT_NE(no_secret.status().message().find("secret"), std::string::npos);
  auto missing_env =
      parse_webhooks(R"([{"url":"http://127.0.0.1:9/h","secret":"env:SB_TEST_NOT_SET_X"}])");
  EXPECT_FALSE(missing_env);
  EXPECT_FALSE(parse_webhooks(R"([{"url":"ftp://x/h","secret":"literal:x"}])"));
  EXPECT_FALSE(
      parse_webhooks(R"([{"url":"http://127.0.0.1:9/h","secret":"literal:x","extra":1}])"));
}

TEST_F(EventsTest, DeliveryIsSignedAndVerifiableByTheReceiver) {
  Receiver rx;
  std::vector<Webhook> hooks{{rx.url(), "topsecret", {}}};
  auto log = open_log(subscriptions(hooks));
  auto id = log->append("conversation.assigned", R"({"conversation_id":5,"agent_id":"ann"})");
  ASSERT_TRUE(id);
  WebhookDispatcher d(log, hooks, fast());
  auto n = d.run_once();
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 1);
  auto hits = rx.snapshot();
  ASSERT_EQ(hits.size(), 1u);
  const auto& h = hits[0];
  EXPECT_EQ(h.event, "conversation.assigned");
  EXPECT_FALSE(h.delivery.empty());
  EXPECT_EQ(h.signature, webhook_signature("topsecret", h.timestamp, h.body));
  EXPECT_NE(h.signature, webhook_signature("wrong", h.timestamp, h.body));
  EXPECT_NEAR(std::stoll(h.timestamp), log->now_ms() / 1000, 5);
  EXPECT_NE(h.body.find("\"id\":" + std::to_string(*id)), std::string::npos);
  EXPECT_NE(h.body.find(R"("data":{"conversation_id":5,"agent_id":"ann"})"), std::string::npos);
  // Delivered: nothing due any more.
  auto again = d.run_once();
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 0);
  EXPECT_EQ(rx.snapshot().size(), 1u);
}

TEST_F(EventsTest, RetryAfter500KeepsTheDeliveryIdAndSurvivesRestart) {
  Receiver rx;
  rx.script = {500, 503};
  std::vector<Webhook> hooks{{rx.url(), "k", {"message.status"}}};
  {
    auto log = open_log(subscriptions(hooks));
    ASSERT_TRUE(log->append("message.created", "{}"));  // not subscribed
    ASSERT_TRUE(log->append("message.status", R"({"status":"read"})"));
    WebhookDispatcher d(log, hooks, fast());
    ASSERT_TRUE(d.run_once());  // 500
  }
  // A new process: the pending row is still there and is retried with the same delivery id.
  auto log = open_log(subscriptions(hooks));
  WebhookDispatcher d(log, hooks, fast());
  ASSERT_TRUE(d.run_once());  // 503
  ASSERT_TRUE(d.run_once());  // 200
  auto hits = rx.snapshot();
  ASSERT_EQ(hits.size(), 3u);
  EXPECT_EQ(hits[0].delivery, hits[1].delivery);
  EXPECT_EQ(hits[1].delivery, hits[2].delivery);
  for (const auto& h : hits) EXPECT_EQ(h.signature, webhook_signature("k", h.timestamp, h.body));

  auto lock = log->lock();
  auto q = log->db().prepare("SELECT state, attempts, last_status FROM webhook_deliveries");
  ASSERT_TRUE(q);
  ASSERT_EQ((*q)->step(), SQLITE_ROW);
  EXPECT_EQ((*q)->text(0), "delivered");
  EXPECT_EQ((*q)->int64(1), 3);
  EXPECT_EQ((*q)->int64(2), 200);
}

TEST_F(EventsTest, ClientErrorsAreFinalAndRetriesStopAtMaxAttempts) {
  Receiver rx;
  rx.script = {400, 500, 500, 500};
  std::vector<Webhook> hooks{{rx.url(), "k", {}}};
  auto log = open_log(subscriptions(hooks));
  ASSERT_TRUE(log->append("message.created", "{}"));
  WebhookDispatcher d(log, hooks, fast());
  ASSERT_TRUE(d.run_once());  // 400: failed for good
  EXPECT_EQ(*d.run_once(), 0);

  ASSERT_TRUE(log->append("message.created", "{}"));
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(d.run_once());
  EXPECT_EQ(rx.snapshot().size(), 4u);  // 1 + max_attempts (3)
}

TEST_F(EventsTest, BackoffGrowsExponentiallyAfterAnUnreachableReceiver) {
  std::vector<Webhook> hooks{{"http://127.0.0.1:1/closed", "k", {}}};
  int64_t now = 1'000'000;
  auto opened = EventLog::open(db_, subscriptions(hooks), [&] { return now; });
  ASSERT_TRUE(opened);
  std::shared_ptr<EventLog> log = std::move(opened).value();
  ASSERT_TRUE(log->append("message.created", "{}"));
  WebhookOptions o = fast();
  o.base_backoff = 1000ms;
  o.max_attempts = 10;
  WebhookDispatcher d(log, hooks, o);
  EXPECT_EQ(*d.run_once(), 1);  // refused: next in 1 s
  now += 999;
  EXPECT_EQ(*d.run_once(), 0);
  now += 1;
  EXPECT_EQ(*d.run_once(), 1);  // next in 2 s
  now += 1999;
  EXPECT_EQ(*d.run_once(), 0);
  now += 1;
  EXPECT_EQ(*d.run_once(), 1);
}

TEST_F(EventsTest, DispatcherThreadDeliversLiveEvents) {
  Receiver rx;
  std::vector<Webhook> hooks{{rx.url(), "k", {}}};
  auto log = open_log(subscriptions(hooks));
  WebhookDispatcher d(log, hooks, fast());
  d.start();
  ASSERT_TRUE(log->append("message.created", "{}"));
  for (int i = 0; i < 200 && rx.snapshot().empty(); ++i) std::this_thread::sleep_for(10ms);
  d.stop();
  EXPECT_EQ(rx.snapshot().size(), 1u);
}

}  // namespace
}  // namespace sb::events::test
