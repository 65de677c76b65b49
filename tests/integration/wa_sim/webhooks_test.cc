// Webhook delivery: HMAC signature over exact bytes, status sequence and pricing, retries,
// duplicates, batching, loopback-only URLs and override routing with the GET handshake.
#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Stringifier.h>

#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "harness.h"

namespace wasim_test {
namespace {

constexpr const char* kSecret = "app-secret-123";

std::string inbound(const std::string& pn, const std::string& from, const std::string& body) {
  return R"({"phone_number_id":")" + pn + R"(","from":")" + from +
         R"(","name":"Sheena","type":"text","text":{"body":")" + body + "\"}}";
}

std::string text(const std::string& to) {
  return R"({"messaging_product":"whatsapp","to":")" + to +
         R"(","type":"text","text":{"body":"hello"},"biz_opaque_callback_data":"ticket-123"})";
}

TEST(WaSimWebhooks, SignatureVerifiesOverExactBytes) {
  WebhookReceiver hook;
  SimProcess sim({"--webhook-url", hook.url(), "--app-secret", kSecret});
  World w = makeWorld(sim);
  sim.control("POST", "/config", R"({"meta_escaping":true})");
  sim.control("POST", "/inbound", inbound(w.number, "16505551234", "äöå a/b"));
  ASSERT_TRUE(hook.waitForCount(1));
  const Delivery d = hook.deliveries().front();
  EXPECT_EQ(d.content_type, "application/json");
  EXPECT_EQ(d.signature, "sha256=" + hmacHex(kSecret, d.body));
  EXPECT_NE(d.body.find("\\u00e4\\u00f6\\u00e5 a\\/b"), std::string::npos) << d.body;
  EXPECT_NE(d.signature, "sha256=" + hmacHex("wrong-secret", d.body));

  // Re-serialising the parsed payload changes the bytes, so its HMAC no longer matches: the
  // pitfall the escaping option exists to catch.
  std::ostringstream reserialised;
  Poco::JSON::Stringifier::stringify(parse(d.body), reserialised);
  EXPECT_NE(d.signature, "sha256=" + hmacHex(kSecret, reserialised.str()));

  auto payload = parse(d.body);
  EXPECT_EQ(payload->getValue<std::string>("object"), "whatsapp_business_account");
  auto value = changesOf({d}).front().second;
  EXPECT_EQ(value->getObject("metadata")->getValue<std::string>("phone_number_id"), w.number);
  EXPECT_EQ(value->getObject("metadata")->getValue<std::string>("display_phone_number"),
            "15550783881");
  auto contact = value->getArray("contacts")->getObject(0);
  EXPECT_EQ(contact->getObject("profile")->getValue<std::string>("name"), "Sheena");
  auto msg = value->getArray("messages")->getObject(0);
  EXPECT_EQ(msg->getObject("text")->getValue<std::string>("body"), "äöå a/b");
  EXPECT_TRUE(msg->get("timestamp").isString());
}

TEST(WaSimWebhooks, StatusSequenceWithPricing) {
  WebhookReceiver hook;
  SimProcess sim({"--webhook-url", hook.url(), "--app-secret", kSecret});
  World w = makeWorld(sim);
  sim.control("POST", "/config", R"({"delivered_delay_ms":300,"read_delay_ms":600})");
  sim.control("POST", "/inbound", inbound(w.number, "16505551234", "hi"));
  auto r = sim.graph("POST", "/" + w.number + "/messages", text("16505551234"));
  ASSERT_EQ(r.status, 200);
  const auto wamid = r.json->getArray("messages")->getObject(0)->getValue<std::string>("id");
  ASSERT_TRUE(hook.waitFor([](const auto& d) { return statusesOf(d).size() >= 3; }));
  auto st = statusesOf(hook.deliveries());
  ASSERT_EQ(st.size(), 3u);
  const std::vector<std::string> want = {"sent", "delivered", "read"};
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(st[i]->getValue<std::string>("status"), want[i]);
    EXPECT_EQ(st[i]->getValue<std::string>("id"), wamid);
    EXPECT_EQ(st[i]->getValue<std::string>("recipient_id"), "16505551234");
    EXPECT_EQ(st[i]->getValue<std::string>("biz_opaque_callback_data"), "ticket-123");
    EXPECT_TRUE(st[i]->get("timestamp").isString());
    EXPECT_FALSE(st[i]->has("conversation")) << "webhook v24+: no conversation object";
  }
  ASSERT_TRUE(st[0]->has("pricing"));
  auto pricing = st[0]->getObject("pricing");
  EXPECT_EQ(pricing->getValue<std::string>("pricing_model"), "PMP");
  EXPECT_EQ(pricing->getValue<std::string>("type"), "free_customer_service");
  EXPECT_EQ(pricing->getValue<std::string>("category"), "service");
  EXPECT_FALSE(pricing->getValue<bool>("billable"));
  EXPECT_TRUE(st[1]->has("pricing"));
  EXPECT_FALSE(st[2]->has("pricing")) << "pricing only on sent and one of delivered/read";
}

TEST(WaSimWebhooks, NonWhatsAppUserFailsWith131026AndBlockedStaysSent) {
  WebhookReceiver hook;
  SimProcess sim({"--webhook-url", hook.url(), "--app-secret", kSecret});
  World w = makeWorld(sim);
  sim.control("POST", "/config", R"({"delivered_delay_ms":50,"read_delay_ms":60})");
  sim.control("POST", "/users", R"({"wa_id":"16505550001","state":"not_whatsapp"})");
  sim.control("POST", "/users", R"({"wa_id":"16505550002","state":"blocked"})");
  for (auto user : {"16505550001", "16505550002"}) {
    sim.control("POST", "/inbound", inbound(w.number, user, "hi"));
    ASSERT_EQ(sim.graph("POST", "/" + w.number + "/messages", text(user)).status, 200);
  }
  ASSERT_TRUE(hook.waitFor([](const auto& d) { return statusesOf(d).size() >= 2; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  std::map<std::string, std::vector<std::string>> by_user;
  for (const auto& s : statusesOf(hook.deliveries()))
    by_user[s->getValue<std::string>("recipient_id")].push_back(s->getValue<std::string>("status"));
  EXPECT_EQ(by_user["16505550001"], std::vector<std::string>{"failed"});
  EXPECT_EQ(by_user["16505550002"], std::vector<std::string>{"sent"});
}

TEST(WaSimWebhooks, RetriesWithBackoffAfterReceiverErrors) {
  WebhookReceiver hook;
  hook.failNext(2, 500);
  SimProcess sim({"--webhook-url", hook.url(), "--app-secret", kSecret});
  World w = makeWorld(sim);
  sim.control("POST", "/config", R"({"retry_base_ms":100})");
  sim.control("POST", "/inbound", inbound(w.number, "16505551234", "retry me"));
  ASSERT_TRUE(hook.waitForCount(1));
  auto log = waitForLog(sim, 3);
  ASSERT_EQ(log->size(), 3u);
  EXPECT_EQ(log->getObject(0)->getValue<int>("http_status"), 500);
  EXPECT_EQ(log->getObject(0)->getValue<std::string>("outcome"), "retrying");
  EXPECT_EQ(log->getObject(2)->getValue<int>("attempt"), 3);
  EXPECT_EQ(log->getObject(2)->getValue<std::string>("outcome"), "delivered");
  EXPECT_EQ(log->getObject(0)->getValue<std::string>("body"),
            log->getObject(2)->getValue<std::string>("body"))
      << "a retry resends the same bytes";
  EXPECT_GE(
      log->getObject(1)->getValue<int64_t>("at_ms") - log->getObject(0)->getValue<int64_t>("at_ms"),
      100);
}

TEST(WaSimWebhooks, RetriesStopAtTheHorizon) {
  WebhookReceiver hook;
  hook.failNext(100, 503);
  SimProcess sim({"--webhook-url", hook.url(), "--app-secret", kSecret});
  World w = makeWorld(sim);
  sim.control("POST", "/config", R"({"retry_base_ms":50,"retry_horizon_ms":300})");
  sim.control("POST", "/inbound", inbound(w.number, "16505551234", "x"));
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  auto log = sim.control("GET", "/webhooks").json->getArray("data");
  ASSERT_GE(log->size(), 2u);
  EXPECT_EQ(
      log->getObject(static_cast<unsigned>(log->size() - 1))->getValue<std::string>("outcome"),
      "dropped");
  EXPECT_LE(log->size(), 5u);
}

TEST(WaSimWebhooks, DuplicateDeliveriesCarrySameBytes) {
  WebhookReceiver hook;
  SimProcess sim({"--webhook-url", hook.url(), "--app-secret", kSecret});
  World w = makeWorld(sim);
  sim.control("POST", "/config", R"({"duplicate_probability":1.0})");
  sim.control("POST", "/inbound", inbound(w.number, "16505551234", "dup"));
  ASSERT_TRUE(hook.waitForCount(2));
  auto d = hook.deliveries();
  EXPECT_EQ(d[0].body, d[1].body);
  EXPECT_EQ(d[0].signature, d[1].signature);
  auto log = waitForLog(sim, 2);
  ASSERT_GE(log->size(), 2u);
  EXPECT_TRUE(log->getObject(1)->getValue<bool>("duplicate"));
}

TEST(WaSimWebhooks, BatchingPutsSeveralChangesInOnePost) {
  WebhookReceiver hook;
  SimProcess sim({"--webhook-url", hook.url(), "--app-secret", kSecret});
  World w = makeWorld(sim);
  sim.control("POST", "/config", R"({"batch_max":10,"batch_window_ms":300})");
  for (int i = 0; i < 4; ++i)
    sim.control("POST", "/inbound", inbound(w.number, "1650555000" + std::to_string(i), "b"));
  ASSERT_TRUE(hook.waitFor([](const auto& d) { return changesOf(d).size() >= 4; }));
  auto d = hook.deliveries();
  EXPECT_LT(d.size(), 4u);
  EXPECT_EQ(changesOf(d).size(), 4u);
  for (const auto& del : d) EXPECT_EQ(del.signature, "sha256=" + hmacHex(kSecret, del.body));
}

TEST(WaSimWebhooks, ShuffleCanReorderStatuses) {
  WebhookReceiver hook;
  SimProcess sim({"--webhook-url", hook.url(), "--app-secret", kSecret, "--seed", "7"});
  World w = makeWorld(sim);
  sim.control(
      "POST", "/config",
      R"({"shuffle":true,"shuffle_window_ms":400,"delivered_delay_ms":0,"read_delay_ms":0})");
  const int n = 6;
  for (int i = 0; i < n; ++i) {
    const std::string user = "1650555100" + std::to_string(i);
    sim.control("POST", "/inbound", inbound(w.number, user, "s"));
    sim.graph("POST", "/" + w.number + "/messages", text(user));
  }
  ASSERT_TRUE(hook.waitFor([](const auto& d) { return statusesOf(d).size() >= 3 * n; }));
  int out_of_order = 0;
  std::map<std::string, int> rank;
  for (const auto& s : statusesOf(hook.deliveries())) {
    const int r = s->getValue<std::string>("status") == "sent"        ? 0
                  : s->getValue<std::string>("status") == "delivered" ? 1
                                                                      : 2;
    auto& last = rank[s->getValue<std::string>("id")];
    if (r < last) ++out_of_order;
    last = std::max(last, r);
  }
  EXPECT_GT(out_of_order, 0) << "with shuffling some status arrives before an earlier one";
}

TEST(WaSimWebhooks, OnlyLoopbackUrlsAccepted) {
  EXPECT_THROW(SimProcess({"--webhook-url", "http://example.com/hook"}), std::runtime_error);
  SimProcess sim;
  World w = makeWorld(sim);
  EXPECT_EQ(sim.control("POST", "/config", R"({"webhook_url":"http://10.0.0.1:80/x"})").code(),
            100);
  EXPECT_EQ(sim.graph("POST", "/" + w.waba + "/subscribed_apps",
                      R"({"override_callback_uri":"https://example.com/h","verify_token":"vt"})")
                .code(),
            100);
}

TEST(WaSimWebhooks, OverrideRoutingAfterHandshake) {
  WebhookReceiver app, waba_hook("waba-token"), number_hook("num-token");
  SimProcess sim({"--webhook-url", app.url(), "--app-secret", kSecret});
  World w = makeWorld(sim);
  EXPECT_EQ(
      sim.graph("POST", "/" + w.waba + "/subscribed_apps",
                R"({"override_callback_uri":")" + waba_hook.url() + R"(","verify_token":"wrong"})")
          .code(),
      100)
      << "the handshake fails with a wrong verify token";
  ASSERT_EQ(sim.graph("POST", "/" + w.waba + "/subscribed_apps",
                      R"({"override_callback_uri":")" + waba_hook.url() +
                          R"(","verify_token":"waba-token"})")
                .status,
            200);
  sim.control("POST", "/inbound", inbound(w.number, "16505551234", "to waba"));
  ASSERT_TRUE(waba_hook.waitForCount(1));
  ASSERT_EQ(sim.graph("POST", "/" + w.number,
                      R"({"webhook_configuration":{"override_callback_uri":")" + number_hook.url() +
                          R"(","verify_token":"num-token"}})")
                .status,
            200);
  sim.control("POST", "/inbound", inbound(w.number, "16505551234", "to number"));
  ASSERT_TRUE(number_hook.waitForCount(1));
  EXPECT_EQ(app.deliveries().size(), 0u);
  EXPECT_EQ(waba_hook.deliveries().size(), 1u);
}

}  // namespace
}  // namespace wasim_test

namespace wasim_test {
namespace {

// Configuring the app callback runs Meta's GET handshake: verified only when the receiver echoes
// the challenge for the configured verify token.
TEST(WaSimWebhooks, ConfiguringTheAppCallbackRunsTheHandshake) {
  WebhookReceiver receiver("app-token");
  SimProcess sim({"--app-secret", kSecret});
  auto wrong = sim.control("POST", "/config",
                           R"({"webhook_url":")" + receiver.url() + R"(","verify_token":"nope"})");
  ASSERT_EQ(wrong.status, 200) << wrong.body;
  ASSERT_FALSE(wrong.json.isNull());
  EXPECT_FALSE(wrong.json->getValue<bool>("webhook_verified"));
  auto right = sim.control("POST", "/config", R"({"verify_token":"app-token"})");
  ASSERT_EQ(right.status, 200) << right.body;
  EXPECT_TRUE(right.json->getValue<bool>("webhook_verified"));
  EXPECT_EQ(receiver.deliveries().size(), 0u) << "a handshake is a GET, not a delivery";
  // Another setting leaves the verification as it was; a dead URL is not verified.
  EXPECT_TRUE(sim.control("POST", "/config", R"({"default_mps":20})")
                  .json->getValue<bool>("webhook_verified"));
  EXPECT_FALSE(sim.control("POST", "/config", R"({"webhook_url":"http://127.0.0.1:1/none"})")
                   .json->getValue<bool>("webhook_verified"));
}

TEST(WaSimWebhooks, UtilityTemplateOutsideWindowIsBilledWithConversationBeforeV24) {
  WebhookReceiver hook;
  SimProcess sim({"--webhook-url", hook.url(), "--app-secret", kSecret});
  World w = makeWorld(sim);
  sim.control(
      "POST", "/config",
      R"({"review_delay_ms":0,"webhook_major":23,"delivered_delay_ms":100,"read_delay_ms":-1})");
  ASSERT_EQ(sim.graph("POST", "/" + w.waba + "/message_templates",
                      R"({"name":"ship","language":"en","category":"UTILITY",
          "components":[{"type":"BODY","text":"Shipped"}]})")
                .status,
            200);
  auto r = sim.graph("POST", "/" + w.number + "/messages",
                     R"({"messaging_product":"whatsapp","to":"16505551234","type":"template",
          "template":{"name":"ship","language":{"code":"en"}}})");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_TRUE(hook.waitFor([](const auto& d) { return statusesOf(d).size() >= 2; }));
  auto st = statusesOf(hook.deliveries());
  for (const auto& s : st) {
    auto pricing = s->getObject("pricing");
    ASSERT_TRUE(pricing);
    EXPECT_EQ(pricing->getValue<std::string>("type"), "regular");
    EXPECT_EQ(pricing->getValue<std::string>("category"), "utility");
    EXPECT_TRUE(pricing->getValue<bool>("billable"));
    auto conv = s->getObject("conversation");
    ASSERT_TRUE(conv) << "webhook versions before v24 carry conversation";
    EXPECT_EQ(conv->getObject("origin")->getValue<std::string>("type"), "utility");
    EXPECT_EQ(conv->has("expiration_timestamp"), s->getValue<std::string>("status") == "sent");
  }
}

}  // namespace
}  // namespace wasim_test
