// The echo example, loaded from its built library (dlopen + sb_plugin_entry_v1) into the fake host.
#include <switchboard/json.hpp>
#include <switchboard/testing/fake_host.hpp>

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace sw = switchboard;
namespace json = switchboard::json;
using std::chrono::milliseconds;
using sw::testing::FakeHost;
using sw::testing::Outbound;
using sw::testing::WebhookCall;

namespace {

const sb_plugin_entry* echo_entry() {
  static const auto entry = sw::testing::open_plugin_library(SB_ECHO_PLUGIN_PATH);
  return entry ? entry.value() : nullptr;
}

Outbound message(int64_t id, std::string to, std::string text) {
  Outbound m;
  m.message_id = id;
  m.to = std::move(to);
  m.from = "+4930111111";
  m.text = std::move(text);
  m.thread_key = "t-1";
  return m;
}

class Echo : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(echo_entry(), nullptr);
    ASSERT_TRUE(fake.load(echo_entry()));
    boot(R"({"delay_ms": 200, "prefix": "echo: "})");
  }
  void boot(std::string_view config) {
    sw::Status created = fake.create("echo-1", config);
    ASSERT_TRUE(created) << created.error().message;
    sw::Status started = fake.start();
    ASSERT_TRUE(started) << started.error().message;
  }
  WebhookCall inbound_post(std::string body) {
    WebhookCall c;
    c.path = "/inbound";
    c.body = std::move(body);
    return c;
  }
  FakeHost fake;
};

}  // namespace

TEST_F(Echo, EntryMatchesItsManifest) {
  const sb_plugin_entry* e = fake.entry();
  EXPECT_EQ(sw::view(e->id), "echo");
  EXPECT_EQ(sw::view(e->channel_kind), "echo");
  EXPECT_EQ(sw::view(e->version), "1.0.0");
  EXPECT_EQ(e->capabilities & (SB_CAP_SEND_TEXT | SB_CAP_RECEIVE | SB_CAP_DELIVERY_REPORTS),
            SB_CAP_SEND_TEXT | SB_CAP_RECEIVE | SB_CAP_DELIVERY_REPORTS);
}

TEST_F(Echo, ManifestBesideTheLibraryAgreesWithTheEntry) {
  std::string path = SB_ECHO_PLUGIN_PATH;
  std::string dir = path.substr(0, path.rfind('/'));
  std::ifstream in(dir + "/manifest.json");
  ASSERT_TRUE(in) << dir;
  std::stringstream text;
  text << in.rdbuf();
  auto m = json::parse(text.str());
  ASSERT_TRUE(m) << text.str();
  const sb_plugin_entry* e = fake.entry();
  EXPECT_EQ(m->find("id")->as_string(), sw::view(e->id));
  EXPECT_EQ(m->find("library")->as_string(), path.substr(path.rfind('/') + 1));
  EXPECT_EQ(m->find("abi_major")->as_int(), e->abi_major);
  EXPECT_EQ(m->find("abi_minor_required")->as_int(), e->abi_minor_required);
  EXPECT_EQ(m->find("version")->as_string(), sw::view(e->version));
  EXPECT_EQ(m->find("channel_kind")->as_string(), sw::view(e->channel_kind));
  EXPECT_EQ(m->find("description")->as_string(), sw::view(e->description));
}

TEST_F(Echo, SendAnswersUniqueProviderIds) {
  auto a = fake.send(message(1, "+4915112345678", "hi"));
  auto b = fake.send(message(2, "+4915112345678", "again"));
  EXPECT_EQ(a.status, SB_OK);
  EXPECT_EQ(a.provider_id, "echo-1");
  EXPECT_EQ(b.provider_id, "echo-2");
}

TEST_F(Echo, ReplyArrivesAfterTheConfiguredDelay) {
  ASSERT_EQ(fake.send(message(5, "+4915112345678", "hello")).status, SB_OK);
  fake.advance_and_run(milliseconds(199));
  EXPECT_TRUE(fake.inbound().empty());
  fake.advance_and_run(milliseconds(1));
  ASSERT_EQ(fake.inbound().size(), 1u);
  const auto in = fake.inbound().at(0);  // a copy: inbound() returns one
  EXPECT_EQ(in.provider_message_id, "echo-1-reply");
  EXPECT_EQ(in.from, "+4915112345678");
  EXPECT_EQ(in.from_kind, "phone");
  EXPECT_EQ(in.to, "+4930111111");
  EXPECT_EQ(in.text, "echo: hello");
  EXPECT_EQ(in.reply_to_provider_id, "echo-1");
  EXPECT_EQ(in.thread_key, "t-1");
  EXPECT_EQ(in.sent_at_ms, fake.now_ms());
}

TEST_F(Echo, ReportsSentThenDelivered) {
  ASSERT_EQ(fake.send(message(9, "agent@example.org", "x")).status, SB_OK);
  EXPECT_TRUE(fake.deliveries().empty());  // "sent" follows send, once the host knows the id
  fake.run_posted();
  ASSERT_EQ(fake.deliveries().size(), 1u);
  EXPECT_EQ(fake.deliveries()[0].status, SB_DELIVERY_SENT);
  EXPECT_EQ(fake.deliveries()[0].message_id, 9);
  EXPECT_EQ(fake.deliveries()[0].provider_message_id, "echo-1");
  fake.advance_and_run(milliseconds(200));
  ASSERT_EQ(fake.deliveries().size(), 2u);
  EXPECT_EQ(fake.deliveries()[1].status, SB_DELIVERY_DELIVERED);
  EXPECT_EQ(fake.deliveries()[1].timestamp_ms, fake.now_ms());
  EXPECT_EQ(fake.inbound().at(0).from_kind, "email");
}

TEST_F(Echo, CounterSurvivesARestart) {
  fake.send(message(1, "u1", "a"));
  fake.send(message(2, "u1", "b"));
  EXPECT_EQ(fake.kv().at("next_id"), "3");
  fake.destroy();
  boot("{}");
  EXPECT_EQ(fake.send(message(3, "u1", "c")).provider_id, "echo-3");
}

TEST_F(Echo, CorruptCounterFailsStart) {
  fake.destroy();
  fake.kv_set("next_id", "12abc");
  ASSERT_TRUE(fake.create("echo-1", "{}"));
  sw::Status s = fake.start();
  EXPECT_EQ(s.code(), SB_ERR_INTERNAL);
  EXPECT_NE(s.error().message.find("corrupt"), std::string::npos);
}

TEST_F(Echo, FailedCounterWriteFailsTheSendAsTransient) {
  fake.api().kv_put = [](sb_host_ctx*, const char*, size_t, const char*, size_t) -> int32_t {
    return SB_ERR_TRANSIENT;
  };
  auto r = fake.send(message(1, "u1", "a"));
  EXPECT_EQ(r.status, SB_ERR_TRANSIENT);
  EXPECT_TRUE(r.error.retryable);
  EXPECT_TRUE(r.provider_id.empty());
  EXPECT_EQ(fake.pending_timers(), 0u);
}

TEST_F(Echo, StopCancelsPendingEchoes) {
  fake.send(message(1, "u1", "a"));
  EXPECT_EQ(fake.pending_timers(), 1u);
  fake.stop();
  EXPECT_EQ(fake.pending_timers(), 0u);
  fake.advance_and_run(milliseconds(1000));
  EXPECT_TRUE(fake.inbound().empty());
  ASSERT_EQ(fake.states().size(), 1u);  // RUNNING from start; the host owns it after stop
  EXPECT_EQ(fake.states()[0].state, SB_STATE_RUNNING);
  EXPECT_TRUE(fake.logged("stopped"));
}

TEST_F(Echo, OnlyTextIsSent) {
  Outbound m = message(1, "u1", "");
  m.content_type = "image";
  auto r = fake.send(m);
  EXPECT_EQ(r.status, SB_ERR_UNSUPPORTED);
  EXPECT_NE(r.error.message.find("text only"), std::string::npos);
  EXPECT_FALSE(fake.can_send("u1", "image").allowed);
  auto ok = fake.can_send("u1", "text");
  EXPECT_TRUE(ok.allowed);
  EXPECT_EQ(ok.mode, SB_SEND_MODE_FREE_TEXT);
  EXPECT_EQ(fake.send(message(2, "", "x")).status, SB_ERR_INVALID_ARG);
}

TEST_F(Echo, ValidateConfigNamesEveryBadField) {
  EXPECT_TRUE(fake.validate_config(R"({"delay_ms": 0, "prefix": ""})"));
  EXPECT_TRUE(fake.validate_config(""));
  sw::Status s = fake.validate_config(R"({"delay_ms": -5, "prefix": 7, "colour": "red"})");
  EXPECT_EQ(s.code(), SB_ERR_INVALID_ARG);
  const std::string& msg = s.error().message;
  EXPECT_NE(msg.find("delay_ms:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("prefix:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("colour: unknown field"), std::string::npos) << msg;
  EXPECT_EQ(fake.validate_config(R"({"delay_ms": 1.5})").code(), SB_ERR_INVALID_ARG);
  sw::Status not_json = fake.validate_config("{delay_ms: 1}");
  EXPECT_NE(not_json.error().message.find("not JSON"), std::string::npos);
}

TEST_F(Echo, SchemaIsJsonAndDescribesTheFields) {
  auto schema = fake.config_schema();
  ASSERT_TRUE(schema);
  auto doc = json::parse(*schema);
  ASSERT_TRUE(doc);
  const json::Value* props = doc->find("properties");
  ASSERT_NE(props, nullptr);
  EXPECT_NE(props->find("delay_ms"), nullptr);
  EXPECT_NE(props->find("prefix"), nullptr);
}

TEST_F(Echo, InvalidConfigGivenToCreateFailsStart) {
  fake.destroy();
  ASSERT_TRUE(fake.create("echo-1", R"({"delay_ms": "soon"})"));
  EXPECT_EQ(fake.start().code(), SB_ERR_INVALID_ARG);
  EXPECT_EQ(fake.health().state, SB_STATE_FAILED);
}

TEST_F(Echo, WebhookInjectsInboundAndDedupes) {
  EXPECT_EQ(fake.webhook_routes(), std::vector<std::string>{"/inbound"});
  auto r = fake.webhook(inbound_post(R"({"from":"+4917000000","text":"hey","id":"ext-1"})"));
  EXPECT_EQ(r.rc, SB_OK);
  EXPECT_EQ(r.http_status, 200);
  EXPECT_EQ(r.body, R"({"status":"stored"})");
  ASSERT_EQ(fake.inbound().size(), 1u);
  EXPECT_EQ(fake.inbound()[0].provider_message_id, "ext-1");
  EXPECT_EQ(fake.inbound()[0].text, "hey");
  EXPECT_EQ(fake.inbound()[0].from_kind, "phone");
  EXPECT_EQ(fake.inbound()[0].to, "echo-1");
  auto again = fake.webhook(inbound_post(R"({"from":"+4917000000","text":"hey","id":"ext-1"})"));
  EXPECT_EQ(again.body, R"({"status":"duplicate"})");
  EXPECT_EQ(fake.inbound().size(), 1u);
}

TEST_F(Echo, WebhookRejectsBadRequests) {
  auto bad_json = fake.webhook(inbound_post("{nope"));
  EXPECT_EQ(bad_json.http_status, 400);
  EXPECT_NE(bad_json.body.find("bad JSON"), std::string::npos);
  auto missing = fake.webhook(inbound_post(R"({"text":5})"));
  EXPECT_EQ(missing.http_status, 400);
  EXPECT_NE(missing.body.find("from:"), std::string::npos);
  EXPECT_NE(missing.body.find("id:"), std::string::npos);
  EXPECT_NE(missing.body.find("text:"), std::string::npos);
  WebhookCall get = inbound_post("");
  get.method = "GET";
  EXPECT_EQ(fake.webhook(get).http_status, 405);
  auto big = fake.webhook(inbound_post(std::string(64 * 1024 + 1, ' ')));
  EXPECT_EQ(big.http_status, 413);
  EXPECT_TRUE(fake.inbound().empty());
}

TEST_F(Echo, InvokeStatsAndSetPrefix) {
  fake.send(message(1, "u1", "a"));
  auto stats = fake.invoke("stats");
  ASSERT_EQ(stats.status, SB_OK);
  auto doc = json::parse(stats.json);
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->find("sent")->as_int(), 1);
  EXPECT_EQ(doc->find("pending")->as_int(), 1);
  EXPECT_EQ(doc->find("next_id")->as_int(), 2);

  EXPECT_EQ(fake.invoke("set_prefix", R"({"prefix":"re: "})").status, SB_OK);
  EXPECT_EQ(fake.invoke("set_prefix", R"({"prefix":1})").status, SB_ERR_INVALID_ARG);
  fake.advance_and_run(milliseconds(200));
  EXPECT_EQ(fake.inbound().at(0).text, "re: a");
  EXPECT_EQ(fake.invoke("nope").status, SB_ERR_UNSUPPORTED);
}

TEST_F(Echo, HealthCountsEchoes) {
  fake.send(message(1, "u1", "a"));
  fake.advance_and_run(milliseconds(200));
  auto h = fake.health();
  EXPECT_EQ(h.state, SB_STATE_RUNNING);
  auto doc = json::parse(h.details_json);
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->find("echoed")->as_int(), 1);
  EXPECT_EQ(doc->find("pending")->as_int(), 0);
}
