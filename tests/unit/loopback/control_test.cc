// The entry, configuration, can_send windows, pushed delivery statuses, invoke and health.
#include "loopback_fixture.hpp"

#include <chrono>

namespace lbtest {
namespace {

using std::chrono::milliseconds;
using ControlTest = Loopback;

TEST_F(ControlTest, EntryMatchesItsManifestAndRoutesAreRegistered) {
  const sb_plugin_entry* e = fake.entry();
  EXPECT_EQ(sw::view(e->id), "loopback");
  EXPECT_EQ(sw::view(e->channel_kind), "loopback");
  EXPECT_NE(e->capabilities & SB_CAP_WEBHOOKS, 0u);
  EXPECT_NE(e->capabilities & SB_CAP_DELIVERY_REPORTS, 0u);
  std::vector<std::string> routes = fake.webhook_routes();
  for (const char* r : {"/inbound", "/sent", "/faults", "/status", "/window"}) {
    EXPECT_NE(std::find(routes.begin(), routes.end(), r), routes.end()) << r;
  }
}

TEST_F(ControlTest, ConfigErrorsNameTheField) {
  struct Case {
    std::string config, message_start;
  };
  const Case cases[] = {
      {R"({"address_kind":"fax"})", "address_kind: "},
      {R"({"delivery":{"delay_ms":-5}})", "delivery.delay_ms: "},
      {R"({"delivery":{"auto":"yes"}})", "delivery.auto: "},
      {R"({"delivery":{"later":1}})", "delivery.later: unknown field"},
      {R"({"delivery":[]})", "delivery: must be a JSON object"},
      {R"({"max_recorded":0})", "max_recorded: "},
      {R"({"speed":1})", "speed: unknown field"},
      {R"({"send_journal":"relative/sends.jsonl"})", "send_journal: must be an absolute path"},
      {R"({"send_journal":""})", "send_journal: must be an absolute path"},
      {R"([1])", "config: "},
  };
  for (const Case& c : cases) {
    sw::Status s = fake.validate_config(c.config);
    EXPECT_EQ(s.code(), SB_ERR_INVALID_ARG) << c.config;
    EXPECT_EQ(s.error().message.rfind(c.message_start, 0), 0u)
        << c.config << " -> " << s.error().message;
  }
  EXPECT_TRUE(fake.validate_config(""));
  EXPECT_TRUE(fake.validate_config(
      R"({"address_kind":"loopback_id","delivery":{"auto":true,"delay_ms":0,"read":true},)"
      R"("max_recorded":5})"));
}

TEST_F(ControlTest, SchemaIsJsonListingEveryField) {
  std::optional<std::string> schema = fake.config_schema();
  ASSERT_TRUE(schema);
  json::Value v = parse(*schema);
  const json::Value* props = v.find("properties");
  ASSERT_NE(props, nullptr);
  for (const char* f : {"address_kind", "delivery", "max_recorded", "send_journal"}) {
    EXPECT_NE(props->find(f), nullptr) << f;
  }
}

TEST_F(ControlTest, BadConfigFailsStartAndHealth) {
  fake.destroy();
  ASSERT_TRUE(fake.create("lb-1", R"({"max_recorded":"many"})"));
  EXPECT_EQ(fake.start().code(), SB_ERR_INVALID_ARG);
  EXPECT_EQ(fake.health().state, SB_STATE_FAILED);
}

TEST_F(ControlTest, CanSendDefaultsToFreeText) {
  auto a = fake.can_send("+491", "text");
  EXPECT_EQ(a.status, SB_OK);
  EXPECT_TRUE(a.allowed);
  EXPECT_EQ(a.mode, SB_SEND_MODE_FREE_TEXT);
  EXPECT_EQ(a.expires_at_ms, 0);
}

TEST_F(ControlTest, TemplateOnlyAllowsTemplatesAndSendEnforcesIt) {
  ASSERT_EQ(post("/window", R"({"mode":"template_only","reason":"outside 24h"})").http_status, 200);
  auto text = fake.can_send("+491", "text");
  EXPECT_FALSE(text.allowed);
  EXPECT_EQ(text.mode, SB_SEND_MODE_TEMPLATE_ONLY);
  EXPECT_EQ(text.reason, "outside 24h");
  EXPECT_TRUE(fake.can_send("+491", "template").allowed);

  auto refused = fake.send(message(1, "+491"));
  EXPECT_EQ(refused.status, SB_ERR_REJECTED);
  EXPECT_EQ(refused.error.provider_code, "window");
  Outbound tpl = message(2, "+491");
  tpl.content_type = "template";
  EXPECT_EQ(fake.send(tpl).status, SB_OK);
}

TEST_F(ControlTest, BlockedPerRecipientAndNotEnforced) {
  ASSERT_EQ(post("/window", R"({"mode":"blocked","to":"+492","enforce":false})").http_status, 200);
  auto blocked = fake.can_send("+492", "template");
  EXPECT_FALSE(blocked.allowed);
  EXPECT_EQ(blocked.mode, SB_SEND_MODE_BLOCKED);
  EXPECT_FALSE(blocked.reason.empty());
  EXPECT_TRUE(fake.can_send("+491", "text").allowed);
  EXPECT_EQ(fake.send(message(1, "+492")).status, SB_OK);  // enforce=false: the provider lets it go
  EXPECT_EQ(call("DELETE", "/window").http_status, 200);
  EXPECT_TRUE(fake.can_send("+492", "text").allowed);
}

TEST_F(ControlTest, WindowExpiresIntoItsAfterMode) {
  const int64_t end = fake.now_ms() + 1000;
  ASSERT_EQ(post("/window", R"({"mode":"free_text","after":"template_only","expires_at_ms":)" +
                                std::to_string(end) + "}")
                .http_status,
            200);
  auto open = fake.can_send("+491", "text");
  EXPECT_TRUE(open.allowed);
  EXPECT_EQ(open.expires_at_ms, end);
  fake.advance(milliseconds(1000));
  auto closed = fake.can_send("+491", "text");
  EXPECT_FALSE(closed.allowed);
  EXPECT_EQ(closed.mode, SB_SEND_MODE_TEMPLATE_ONLY);
  EXPECT_EQ(closed.expires_at_ms, 0);
}

TEST_F(ControlTest, BadWindowNamesTheField) {
  EXPECT_EQ(error_field(post("/window", R"({"mode":"open"})")), "mode");
  EXPECT_EQ(error_field(post("/window", R"({"reason":"x"})")), "mode");
  EXPECT_EQ(error_field(post("/window", R"({"mode":"blocked","after":"never"})")), "after");
  EXPECT_EQ(error_field(post("/window", R"({"mode":"blocked","expires_at_ms":-1})")),
            "expires_at_ms");
  EXPECT_TRUE(fake.can_send("+491", "text").allowed);
}

TEST_F(ControlTest, StatusPushesReportsOutOfOrderAndDuplicated) {
  for (const char* body :
       {R"({"provider_id":"lb-1","status":"read"})",
        R"({"provider_id":"lb-1","status":"delivered","timestamp_ms":77})",
        R"({"message_id":12,"status":"delivered"})",
        R"({"message_id":12,"provider_id":"lb-2","status":"failed",)"
        R"("error_code":"131049","error_text":"not delivered","extra":{"a":1}})"}) {
    WebhookReply r = post("/status", body);
    EXPECT_EQ(r.http_status, 200) << body << " -> " << r.body;
  }
  auto d = fake.deliveries();
  ASSERT_EQ(d.size(), 4u);
  EXPECT_EQ(d[0].status, SB_DELIVERY_READ);
  EXPECT_EQ(d[0].provider_message_id, "lb-1");
  EXPECT_EQ(d[0].message_id, 0);
  EXPECT_EQ(d[0].timestamp_ms, fake.now_ms());
  EXPECT_EQ(d[1].status, SB_DELIVERY_DELIVERED);
  EXPECT_EQ(d[1].timestamp_ms, 77);
  EXPECT_EQ(d[2].message_id, 12);
  EXPECT_EQ(d[3].status, SB_DELIVERY_FAILED);
  EXPECT_EQ(d[3].error_code, "131049");
  EXPECT_EQ(d[3].error_text, "not delivered");
  EXPECT_EQ(d[3].extra_json, R"({"a":1})");
}

TEST_F(ControlTest, StatusErrors) {
  EXPECT_EQ(error_field(post("/status", R"({"status":"read"})")), "provider_id");
  EXPECT_EQ(error_field(post("/status", R"({"provider_id":"lb-1","status":"seen"})")), "status");
  EXPECT_EQ(error_field(post("/status", R"({"message_id":0,"status":"read"})")), "message_id");
  fake.api().report_delivery = [](sb_host_ctx*, const sb_delivery_report*) -> int32_t {
    return SB_ERR_NOT_FOUND;
  };
  EXPECT_EQ(post("/status", R"({"provider_id":"lb-404","status":"read"})").http_status, 404);
}

TEST_F(ControlTest, InvokeOperations) {
  auto queued = fake.invoke("faults", R"({"next":[{"kind":"auth"}]})");
  ASSERT_EQ(queued.status, SB_OK) << queued.error.message;
  EXPECT_EQ(queued.json, R"({"queued":1})");
  EXPECT_EQ(fake.send(message(1, "+491")).status, SB_ERR_AUTH);
  EXPECT_EQ(fake.send(message(2, "+491")).status, SB_OK);

  auto all = fake.invoke("sent");
  ASSERT_EQ(all.status, SB_OK);
  EXPECT_EQ(parse(all.json).items().size(), 2u);
  EXPECT_EQ(all.json, parse(call("GET", "/sent", {}, "since=0").body).dump());
  EXPECT_EQ(parse(fake.invoke("sent", R"({"since":1})").json).items().size(), 1u);

  fake.invoke("faults", R"({"next":[{"kind":"auth"}]})");
  fake.invoke("window", R"({"mode":"blocked"})");
  auto reset = fake.invoke("reset", "");
  ASSERT_EQ(reset.status, SB_OK);
  EXPECT_TRUE(parse(fake.invoke("sent").json).items().empty());
  auto after = fake.send(message(3, "+491"));  // no fault, no window left
  EXPECT_EQ(after.status, SB_OK);
  EXPECT_EQ(after.provider_id, "lb-3");  // the counter is never reset

  EXPECT_EQ(fake.invoke("explode").status, SB_ERR_UNSUPPORTED);
  auto bad = fake.invoke("faults", R"({"next":[{"kind":"nope"}]})");
  EXPECT_EQ(bad.status, SB_ERR_INVALID_ARG);
  EXPECT_EQ(bad.error.message.rfind("next[0].kind: ", 0), 0u) << bad.error.message;
  EXPECT_EQ(fake.invoke("sent", "not json").status, SB_ERR_INVALID_ARG);
}

TEST_F(ControlTest, HealthReportsCounters) {
  fake.invoke("faults", R"({"next":[{"kind":"transient"}]})");
  fake.send(message(1, "+491"));
  fake.send(message(2, "+491"));
  post("/inbound", R"({"id":"h-1","from":"+491","text":"t"})");
  auto h = fake.health();
  EXPECT_EQ(h.state, SB_STATE_RUNNING);
  json::Value v = parse(h.details_json);
  EXPECT_TRUE(v.find("running")->as_bool());
  EXPECT_EQ(v.find("sends")->as_int(), 2);
  EXPECT_EQ(v.find("accepted")->as_int(), 1);
  EXPECT_EQ(v.find("failed")->as_int(), 1);
  EXPECT_EQ(v.find("inbound_stored")->as_int(), 1);
  EXPECT_EQ(v.find("next_seq")->as_int(), 3);
  fake.stop();
  EXPECT_EQ(fake.health().state, SB_STATE_STOPPED);
}

}  // namespace
}  // namespace lbtest
