// Config file, reset, manual statuses, value.errors webhooks and the messaging limit.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <map>

#include "harness.h"

namespace wasim_test {
namespace {

std::string inbound(const std::string& pn, const std::string& from) {
  return R"({"phone_number_id":")" + pn + R"(","from":")" + from + R"(","text":{"body":"hi"}})";
}

std::string text(const std::string& to) {
  return R"({"messaging_product":"whatsapp","to":")" + to + R"(","text":{"body":"x"}})";
}

TEST(WaSimControl, ConfigFileFixturesTokensAndSettingsSurviveReset) {
  const std::string path = "/tmp/wa-sim-config-" + std::to_string(getpid()) + ".json";
  {
    std::ofstream out(path);
    out << R"({"tokens":[{"token":"cfg-token"}],
      "settings":{"csw_sync_error":true,"review_delay_ms":0},
      "wabas":[{"id":"102290129340398","name":"Cfg","numbers":[{"id":"2001","cc":"44",
                "phone_number":"7700900123"}]}]})";
  }
  SimProcess sim({"--config", path});
  unlink(path.c_str());
  auto check = [&] {
    auto r = sim.call("GET", "/v21.0/2001?fields=status,display_phone_number", "", "cfg-token");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json->getValue<std::string>("status"), "CONNECTED");
    EXPECT_EQ(r.json->getValue<std::string>("display_phone_number"), "+44 7700900123");
    EXPECT_EQ(sim.call("POST", "/v21.0/2001/messages", text("447700900999"), "cfg-token").code(),
              131047)
        << "csw_sync_error from the config file";
  };
  check();
  sim.control("POST", "/wabas", R"({"id":"555"})");
  ASSERT_EQ(sim.control("POST", "/reset").status, 200);
  EXPECT_EQ(sim.graph("GET", "/555").code(), 100) << "state made after start is gone";
  check();
}

TEST(WaSimControl, BadConfigRefusedAtStartup) {
  EXPECT_THROW(SimProcess({"--config", "/nonexistent/wa-sim.json"}), std::runtime_error);
  EXPECT_THROW(SimProcess({"--bogus"}), std::runtime_error);
}

TEST(WaSimControl, ManualStatusesInAnyOrder) {
  WebhookReceiver hook;
  SimProcess sim({"--webhook-url", hook.url(), "--app-secret", "s"});
  World w = makeWorld(sim);
  sim.control("POST", "/config", R"({"delivered_delay_ms":-1,"read_delay_ms":-1})");
  sim.control("POST", "/inbound", inbound(w.number, "16505551234"));
  auto r = sim.graph("POST", "/" + w.number + "/messages", text("16505551234"));
  const auto id = r.json->getArray("messages")->getObject(0)->getValue<std::string>("id");
  ASSERT_TRUE(hook.waitFor([](const auto& d) { return statusesOf(d).size() == 1; }));
  ASSERT_EQ(
      sim.control("POST", "/messages/status", R"({"status":"read","id":")" + id + "\"}").status,
      200);
  ASSERT_TRUE(hook.waitFor([](const auto& d) { return statusesOf(d).size() == 2; }))
      << "delivery is parallel and unordered, so wait before emitting the next status";
  auto failed = sim.control("POST", "/messages/status",
                            R"({"status":"failed","code":131026,"id":")" + id + "\"}");
  ASSERT_EQ(failed.status, 200) << failed.body;
  ASSERT_TRUE(hook.waitFor([](const auto& d) { return statusesOf(d).size() == 3; }));
  auto st = statusesOf(hook.deliveries());
  EXPECT_EQ(st[1]->getValue<std::string>("status"), "read");
  EXPECT_EQ(st[2]->getValue<std::string>("status"), "failed");
  EXPECT_EQ(st[2]->getArray("errors")->getObject(0)->getValue<int>("code"), 131026);
  auto sent = sim.control("GET", "/messages").json->getArray("data")->getObject(0);
  EXPECT_EQ(sent->getArray("statuses")->size(), 3u);
}

TEST(WaSimControl, ThroughputErrorMirroredAsValueErrors) {
  WebhookReceiver hook;
  SimProcess sim({"--webhook-url", hook.url(), "--app-secret", "s"});
  World w = makeWorld(sim, R"("mps":1)");
  sim.control("POST", "/config", R"({"mirror_throughput_errors":true,"sent_delay_ms":100000})");
  sim.graph("POST", "/" + w.number + "/messages", text("16505551234"));
  ASSERT_EQ(sim.graph("POST", "/" + w.number + "/messages", text("16505551234")).code(), 130429);
  ASSERT_TRUE(hook.waitForCount(1));
  auto value = changesOf(hook.deliveries()).front().second;
  EXPECT_EQ(value->getArray("errors")->getObject(0)->getValue<int>("code"), 130429);
}

TEST(WaSimControl, MessagingLimitCountsUniqueUsersOutsideTheWindow) {
  WebhookReceiver hook;
  SimProcess sim({"--webhook-url", hook.url(), "--app-secret", "s"});
  World w = makeWorld(sim);
  sim.control("POST", "/config", R"({"review_delay_ms":0})");
  sim.control("POST", "/wabas/" + w.waba + "/capability", R"({"messaging_limit":"TIER_50"})");
  ASSERT_EQ(sim.graph("POST", "/" + w.waba + "/message_templates",
                      R"({"name":"hello","language":"en","category":"MARKETING",
          "components":[{"type":"BODY","text":"Hello there"}]})")
                .status,
            200);
  const std::string send = R"({"messaging_product":"whatsapp","type":"template",
      "template":{"name":"hello","language":{"code":"en"}},"to":")";
  for (int i = 0; i < 51; ++i)
    ASSERT_EQ(sim.graph("POST", "/" + w.number + "/messages",
                        send + "1650555" + std::to_string(2000 + i) + "\"}")
                  .status,
              200);
  auto failed = [](const auto& d) {
    for (const auto& s : statusesOf(d))
      if (s->template getValue<std::string>("status") == "failed") return true;
    return false;
  };
  ASSERT_TRUE(hook.waitFor(failed));
  int failures = 0;
  for (const auto& s : statusesOf(hook.deliveries())) {
    if (s->getValue<std::string>("status") != "failed") continue;
    ++failures;
    EXPECT_EQ(s->getValue<std::string>("recipient_id"), "16505552050");
    EXPECT_EQ(s->getArray("errors")->getObject(0)->getValue<int>("code"), 131048);
  }
  EXPECT_EQ(failures, 1);
  auto capability = [](const auto& d) {
    for (const auto& [field, v] : changesOf(d))
      if (field == "business_capability_update") return true;
    return false;
  };
  EXPECT_TRUE(hook.waitFor(capability));
}

}  // namespace
}  // namespace wasim_test

namespace wasim_test {
namespace {

TEST(WaSimControl, HandshakeAgainstTheAppCallback) {
  WebhookReceiver hook("right-token");
  SimProcess sim({"--webhook-url", hook.url(), "--verify-token", "right-token"});
  auto ok = sim.control("POST", "/webhooks/verify");
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_TRUE(ok.json->getValue<bool>("verified"));
  auto bad = sim.control("POST", "/webhooks/verify", R"({"verify_token":"wrong"})");
  EXPECT_FALSE(bad.json->getValue<bool>("verified"));
}

TEST(WaSimControl, IdentityKeyHashMismatchFails137000) {
  WebhookReceiver hook;
  SimProcess sim({"--webhook-url", hook.url(), "--app-secret", "s"});
  World w = makeWorld(sim);
  ASSERT_EQ(sim.graph("POST", "/" + w.number + "/settings",
                      R"({"user_identity_change":{"enable_identity_key_check":true}})")
                .status,
            200);
  sim.control("POST", "/users", R"({"wa_id":"16505551234","identity_key_hash":"new-hash"})");
  sim.control("POST", "/inbound", inbound(w.number, "16505551234"));
  ASSERT_TRUE(hook.waitForCount(1));
  auto contact = changesOf(hook.deliveries()).front().second->getArray("contacts")->getObject(0);
  EXPECT_EQ(contact->getValue<std::string>("identity_key_hash"), "new-hash");
  auto r = sim.graph("POST", "/" + w.number + "/messages",
                     R"({"messaging_product":"whatsapp","to":"16505551234","text":{"body":"x"},
          "recipient_identity_key_hash":"old-hash"})");
  ASSERT_EQ(r.status, 200);
  auto failed = [](const auto& d) {
    for (const auto& s : statusesOf(d))
      if (s->template getValue<std::string>("status") == "failed") return true;
    return false;
  };
  ASSERT_TRUE(hook.waitFor(failed));
  for (const auto& s : statusesOf(hook.deliveries()))
    if (s->getValue<std::string>("status") == "failed") {
      EXPECT_EQ(s->getArray("errors")->getObject(0)->getValue<int>("code"), 137000);
    }
}

}  // namespace
}  // namespace wasim_test

namespace wasim_test {
namespace {

TEST(WaSimControl, MarketingFailuresAndThroughputUpgrade) {
  WebhookReceiver hook;
  SimProcess sim({"--webhook-url", hook.url(), "--app-secret", "s"});
  World w = makeWorld(sim);
  sim.control("POST", "/config", R"({"review_delay_ms":0})");
  ASSERT_EQ(sim.graph("POST", "/" + w.waba + "/message_templates",
                      R"({"name":"sale","language":"en","category":"MARKETING",
          "components":[{"type":"BODY","text":"Sale today"}]})")
                .status,
            200);
  sim.control("POST", "/users", R"({"wa_id":"16505550001","marketing_opt_out":true})");
  sim.control("POST", "/users", R"({"wa_id":"16505550002","marketing_capped":true})");
  const std::string send = R"({"messaging_product":"whatsapp","type":"template",
      "template":{"name":"sale","language":{"code":"en"}},"to":")";
  for (auto to : {"16505550001", "16505550002"})
    ASSERT_EQ(sim.graph("POST", "/" + w.number + "/messages", send + to + "\"}").status, 200);
  sim.control("POST", "/numbers/" + w.number + "/quality", R"({"spam_limited":true})");
  ASSERT_EQ(sim.graph("POST", "/" + w.number + "/messages", send + "16505550003\"}").status, 200);
  auto failures = [](const auto& d) {
    std::map<std::string, int> out;
    for (const auto& s : statusesOf(d))
      if (s->template getValue<std::string>("status") == "failed")
        out[s->template getValue<std::string>("recipient_id")] =
            s->getArray("errors")->getObject(0)->template getValue<int>("code");
    return out;
  };
  ASSERT_TRUE(hook.waitFor([&](const auto& d) { return failures(d).size() == 3; }));
  auto got = failures(hook.deliveries());
  EXPECT_EQ(got["16505550001"], 131050);
  EXPECT_EQ(got["16505550002"], 131049);
  EXPECT_EQ(got["16505550003"], 131048);

  sim.control("POST", "/numbers/" + w.number + "/quality",
              R"({"throughput":"HIGH","upgrade_ms":60000})");
  auto busy = sim.graph("POST", "/" + w.number + "/messages", send + "16505550004\"}");
  EXPECT_EQ(busy.code(), 131057);
  EXPECT_EQ(busy.status, 500);
  sim.control("POST", "/clock/advance", R"({"seconds":61})");
  EXPECT_EQ(sim.graph("POST", "/" + w.number + "/messages", send + "16505550004\"}").status, 200);
}

}  // namespace
}  // namespace wasim_test
