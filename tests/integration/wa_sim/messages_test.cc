// Sending rules of docs/whatsapp-cloud-api.md: §3.2 response, the 24-hour window (131047),
// templates outside the window, throughput (130429), pair rate (131056), fault injection, content
// limits, mark as read.
#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>

#include "harness.h"

namespace wasim_test {
namespace {

std::string text(const std::string& to, const std::string& body = "hello") {
  return R"({"messaging_product":"whatsapp","to":")" + to + R"(","type":"text","text":{"body":")" +
         body + "\"}}";
}

std::string inbound(const std::string& pn, const std::string& from) {
  return R"({"phone_number_id":")" + pn + R"(","from":")" + from +
         R"(","type":"text","text":{"body":"hi"}})";
}

// An approved one-parameter UTILITY template "order_update" (review immediate).
void approvedTemplate(const SimProcess& sim, const World& w) {
  sim.control("POST", "/config", R"({"review_delay_ms":0})");
  auto r = sim.graph("POST", "/" + w.waba + "/message_templates",
                     R"({"name":"order_update","language":"en_US","category":"utility",
      "components":[{"type":"body","text":"Order {{1}} shipped",
                     "example":{"body_text":[["4412"]]}}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.json->getValue<std::string>("status"), "APPROVED");
}

std::string templateSend(const std::string& to, int params) {
  std::string list;
  for (int i = 0; i < params; ++i)
    list += std::string(i ? "," : "") + R"({"type":"text","text":"X"})";
  return R"({"messaging_product":"whatsapp","to":")" + to +
         R"(","type":"template","template":{"name":"order_update","language":{"code":"en_US"},
      "components":[{"type":"body","parameters":[)" +
         list + "]}]}}";
}

TEST(WaSimMessages, SuccessResponseMatchesReference) {
  SimProcess sim;
  World w = makeWorld(sim);
  sim.control("POST", "/inbound", inbound(w.number, "16505551234"));
  auto r = sim.graph("POST", "/" + w.number + "/messages", text("+1 (650) 555-1234"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json->getValue<std::string>("messaging_product"), "whatsapp");
  auto contact = r.json->getArray("contacts")->getObject(0);
  EXPECT_EQ(contact->getValue<std::string>("input"), "+1 (650) 555-1234");
  EXPECT_EQ(contact->getValue<std::string>("wa_id"), "16505551234");
  auto id = r.json->getArray("messages")->getObject(0)->getValue<std::string>("id");
  EXPECT_TRUE(id.starts_with("wamid."));
  EXPECT_LE(id.size(), 128u);
}

TEST(WaSimMessages, NoPlusPrependsBusinessCountryCode) {
  SimProcess sim;
  World w = makeWorld(sim);
  sim.control("POST", "/config", R"({"csw_sync_error":false})");
  auto r = sim.graph("POST", "/" + w.number + "/messages", text("(631) 555-1234"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json->getArray("contacts")->getObject(0)->getValue<std::string>("wa_id"),
            "16315551234");
}

TEST(WaSimMessages, WindowClosedGives131047SyncAndTemplateStillAllowed) {
  SimProcess sim;
  World w = makeWorld(sim);
  approvedTemplate(sim, w);
  sim.control("POST", "/config", R"({"csw_sync_error":true})");
  auto closed = sim.graph("POST", "/" + w.number + "/messages", text("16505551234"));
  EXPECT_EQ(closed.status, 400);
  EXPECT_EQ(closed.code(), 131047);
  auto tmpl = sim.graph("POST", "/" + w.number + "/messages", templateSend("16505551234", 1));
  ASSERT_EQ(tmpl.status, 200) << tmpl.body;
  EXPECT_EQ(tmpl.json->getArray("messages")->getObject(0)->getValue<std::string>("message_status"),
            "accepted");

  sim.control("POST", "/inbound", inbound(w.number, "16505551234"));
  EXPECT_EQ(sim.graph("POST", "/" + w.number + "/messages", text("16505551234")).status, 200);
  sim.control("POST", "/clock/advance", R"({"seconds":86340})");  // 23h59m
  EXPECT_EQ(sim.graph("POST", "/" + w.number + "/messages", text("16505551234")).status, 200);
  sim.control("POST", "/clock/advance", R"({"seconds":61})");  // past 24h since the user wrote
  EXPECT_EQ(sim.graph("POST", "/" + w.number + "/messages", text("16505551234")).code(), 131047);
}

TEST(WaSimMessages, WindowClosedDefaultIsFailedStatusWebhook) {
  WebhookReceiver hook;
  SimProcess sim({"--webhook-url", hook.url(), "--app-secret", "s"});
  World w = makeWorld(sim);
  auto r = sim.graph("POST", "/" + w.number + "/messages", text("16505551234"));
  ASSERT_EQ(r.status, 200);
  ASSERT_TRUE(hook.waitFor([](const auto& d) { return !statusesOf(d).empty(); }));
  auto st = statusesOf(hook.deliveries()).front();
  EXPECT_EQ(st->getValue<std::string>("status"), "failed");
  EXPECT_FALSE(st->has("pricing"));
  EXPECT_EQ(st->getArray("errors")->getObject(0)->getValue<int>("code"), 131047);
}

TEST(WaSimMessages, TemplateParameterCountChecked) {
  SimProcess sim;
  World w = makeWorld(sim);
  approvedTemplate(sim, w);
  auto none = sim.graph("POST", "/" + w.number + "/messages", templateSend("16505551234", 0));
  EXPECT_EQ(none.code(), 132000);
  EXPECT_EQ(none.status, 400);
  EXPECT_EQ(sim.graph("POST", "/" + w.number + "/messages", templateSend("16505551234", 2)).code(),
            132000);
  auto unknown = sim.graph("POST", "/" + w.number + "/messages",
                           R"({"messaging_product":"whatsapp","to":"16505551234","type":"template",
      "template":{"name":"nope","language":{"code":"en_US"}}})");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.code(), 132001);
}

TEST(WaSimMessages, ThroughputLimitGives130429) {
  SimProcess sim;
  World w = makeWorld(sim, R"("mps":1)");
  sim.control("POST", "/config", R"({"csw_sync_error":false})");
  int limited = 0;
  for (int i = 0; i < 6; ++i) {
    auto r =
        sim.graph("POST", "/" + w.number + "/messages", text("1650555" + std::to_string(1000 + i)));
    if (r.code() == 130429) ++limited;
  }
  EXPECT_GE(limited, 3);  // 1 token, refilling at 1/s while six requests go out
}

TEST(WaSimMessages, PairRateLimitGives131056) {
  SimProcess sim;
  World w = makeWorld(sim);
  sim.control("POST", "/config", R"({"pair_burst":3})");
  sim.control("POST", "/inbound", inbound(w.number, "16505551234"));
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(sim.graph("POST", "/" + w.number + "/messages", text("16505551234")).status, 200);
  auto r = sim.graph("POST", "/" + w.number + "/messages", text("16505551234"));
  EXPECT_EQ(r.code(), 131056);
  EXPECT_EQ(sim.graph("POST", "/" + w.number + "/messages", text("16505559999")).code(), 0)
      << "another user is not affected";
  sim.control("POST", "/clock/advance", R"({"seconds":6})");
  EXPECT_EQ(sim.graph("POST", "/" + w.number + "/messages", text("16505551234")).status, 200);
}

TEST(WaSimMessages, InjectedFaults429And5xxThenRecovery) {
  SimProcess sim;
  World w = makeWorld(sim);
  sim.control("POST", "/inbound", inbound(w.number, "16505551234"));
  ASSERT_EQ(
      sim.control("POST", "/faults", R"({"path":"*/messages","count":2,"status":429})").status,
      200);
  sim.control("POST", "/faults", R"({"path":"*/messages","count":1,"status":503})");
  for (int i = 0; i < 2; ++i) {
    auto r = sim.graph("POST", "/" + w.number + "/messages", text("16505551234"));
    EXPECT_EQ(r.status, 429);
    EXPECT_EQ(r.code(), 130429);
  }
  auto unavailable = sim.graph("POST", "/" + w.number + "/messages", text("16505551234"));
  EXPECT_EQ(unavailable.status, 503);
  EXPECT_EQ(sim.graph("GET", "/" + w.number).status, 200) << "pattern limits the fault";
  EXPECT_EQ(sim.graph("POST", "/" + w.number + "/messages", text("16505551234")).status, 200);
}

TEST(WaSimMessages, DelayFaultSlowsTheResponse) {
  SimProcess sim;
  World w = makeWorld(sim);
  sim.control("POST", "/faults", R"({"path":"/v*/1065*","count":1,"delay_ms":400})");
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(sim.graph("GET", "/" + w.number).status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(400));
}

TEST(WaSimMessages, ContentLimitsEnforced) {
  SimProcess sim;
  World w = makeWorld(sim);
  sim.control("POST", "/inbound", inbound(w.number, "16505551234"));
  auto send = [&](const std::string& body) {
    return sim.graph("POST", "/" + w.number + "/messages", body);
  };
  EXPECT_EQ(send(text("16505551234", std::string(4097, 'a'))).code(), 131009);
  EXPECT_EQ(send(R"({"to":"16505551234","text":{"body":"x"}})").code(), 100);
  EXPECT_EQ(send(R"({"messaging_product":"whatsapp","text":{"body":"x"}})").code(), 131008);
  EXPECT_EQ(
      send(R"({"messaging_product":"whatsapp","to":"15550783881","text":{"body":"x"}})").code(),
      131021);
  EXPECT_EQ(send(R"({"messaging_product":"whatsapp","to":"16505551234","type":"image",
      "image":{"link":"https://x.example/a.jpg","id":"1"}})")
                .code(),
            131009);
  EXPECT_EQ(send(R"({"messaging_product":"whatsapp","to":"16505551234","type":"audio",
      "audio":{"link":"https://x.example/a.ogg","caption":"no"}})")
                .code(),
            131009);
  EXPECT_EQ(send(R"({"messaging_product":"whatsapp","to":"16505551234","type":"image",
      "image":{"link":"https://x.example/a.jpg","caption":"ok"}})")
                .status,
            200);
  const std::string four_buttons = R"({"messaging_product":"whatsapp","to":"16505551234",
      "type":"interactive","interactive":{"type":"button","body":{"text":"Pick"},"action":{"buttons":[
      {"type":"reply","reply":{"id":"a","title":"A"}},{"type":"reply","reply":{"id":"b","title":"B"}},
      {"type":"reply","reply":{"id":"c","title":"C"}},{"type":"reply","reply":{"id":"d","title":"D"}}]}}})";
  EXPECT_EQ(send(four_buttons).code(), 131009);
  const std::string list = R"({"messaging_product":"whatsapp","to":"16505551234",
      "type":"interactive","interactive":{"type":"list","body":{"text":"Pick a slot"},
      "action":{"button":"Slots","sections":[{"title":"Morning","rows":[
      {"id":"m9","title":"09:00","description":"Front desk"}]}]}}})";
  EXPECT_EQ(send(list).status, 200);
}

TEST(WaSimMessages, ReactionsAndMarkAsRead) {
  SimProcess sim;
  World w = makeWorld(sim);
  auto in = sim.control("POST", "/inbound", inbound(w.number, "16505551234"));
  const auto wamid = in.json->getValue<std::string>("id");
  auto react = [&](const std::string& target) {
    return sim.graph("POST", "/" + w.number + "/messages",
                     R"({"messaging_product":"whatsapp","to":"16505551234","type":"reaction",
        "reaction":{"message_id":")" +
                         target + R"(","emoji":"👍"}})");
  };
  EXPECT_EQ(react(wamid).status, 200);
  EXPECT_EQ(react("wamid.unknown").code(), 131009);
  auto read = sim.graph("POST", "/" + w.number + "/messages",
                        R"({"messaging_product":"whatsapp","status":"read","message_id":")" +
                            wamid + R"(","typing_indicator":{"type":"text"}})");
  EXPECT_EQ(read.status, 200);
  EXPECT_TRUE(read.json->getValue<bool>("success"));
  EXPECT_EQ(sim.graph("POST", "/" + w.number + "/messages",
                      R"({"messaging_product":"whatsapp","status":"read","message_id":"wamid.x"})")
                .code(),
            100);
}

TEST(WaSimMessages, MediaUploadLookupAndDownload) {
  SimProcess sim;
  World w = makeWorld(sim);
  const std::string boundary = "XyZ";
  const std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"messaging_product\"\r\n\r\n"
      "whatsapp\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
      "filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\nPNGDATA\r\n--XyZ--\r\n";
  auto up = sim.call("POST", "/v21.0/" + w.number + "/media", body, "T",
                     "multipart/form-data; boundary=" + boundary);
  ASSERT_EQ(up.status, 200) << up.body;
  const auto id = up.json->getValue<std::string>("id");
  auto info = sim.graph("GET", "/" + id);
  ASSERT_EQ(info.status, 200);
  EXPECT_EQ(info.json->getValue<std::string>("mime_type"), "image/png");
  EXPECT_EQ(info.json->getValue<std::string>("file_size"), "7");
  const auto url = info.json->getValue<std::string>("url");
  const auto path = url.substr(url.find("/_media/"));
  EXPECT_EQ(sim.call("GET", path, "", "").status, 401) << "download needs the Bearer token";
  auto dl = sim.call("GET", path, "", "T");
  EXPECT_EQ(dl.status, 200);
  EXPECT_EQ(dl.body, "PNGDATA");
  sim.control("POST", "/clock/advance", R"({"seconds":301})");
  EXPECT_EQ(sim.call("GET", path, "", "T").status, 404) << "URLs expire after 5 minutes";
}

}  // namespace
}  // namespace wasim_test
