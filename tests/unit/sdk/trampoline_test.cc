// SB_PLUGIN's entry and trampolines, driven through the C entry by the fake host: exceptions never
// cross the boundary, they become SB_ERR_INTERNAL with their message.
#include "probe_channel.hpp"

#include <switchboard/testing/fake_host.hpp>

#include <gtest/gtest.h>

namespace sw = switchboard;
using sw::testing::FakeHost;
using sw::testing::Outbound;

namespace {

Outbound text(std::string t, int64_t id = 1) {
  Outbound m;
  m.message_id = id;
  m.to = "+4915112345678";
  m.text = std::move(t);
  return m;
}

class Trampolines : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fake.create<probe::ProbeChannel>("probe-1", "{}"));
    ASSERT_TRUE(fake.start());
  }
  FakeHost fake;
};

}  // namespace

TEST(ProbeEntry, IsTheExportedEntryAndDescribesThePlugin) {
  const sb_plugin_entry* e = sb_plugin_entry_v1();
  ASSERT_EQ(e, sw::plugin_entry<probe::ProbeChannel>());
  EXPECT_EQ(e->struct_size, sizeof(sb_plugin_entry));
  EXPECT_EQ(e->abi_major, SB_ABI_MAJOR);
  EXPECT_EQ(e->abi_minor_required, 0);
  EXPECT_EQ(sw::view(e->id), "probe");
  EXPECT_EQ(sw::view(e->version), "0.0.1");
  EXPECT_EQ(sw::view(e->channel_kind), "test");
  EXPECT_EQ(e->capabilities, SB_CAP_SEND_TEXT);
  ASSERT_NE(e->vtable, nullptr);
  EXPECT_EQ(e->vtable->struct_size, sizeof(sb_channel_vtable));
  EXPECT_NE(e->vtable->config_schema, nullptr);  // the class has the static hook
  EXPECT_NE(e->vtable->validate_config, nullptr);
}

TEST_F(Trampolines, SendThatThrowsBecomesInternalWithTheMessage) {
  auto r = fake.send(text("throw"));
  EXPECT_EQ(r.status, SB_ERR_INTERNAL);
  EXPECT_EQ(r.error.message, "provider exploded");
  EXPECT_TRUE(r.provider_id.empty());
  // The instance is still usable.
  auto ok = fake.send(text("hello"));
  EXPECT_EQ(ok.status, SB_OK);
  EXPECT_EQ(ok.provider_id, "p-hello");
}

TEST_F(Trampolines, NonStdExceptionBecomesUnknownException) {
  auto r = fake.send(text("throw-int"));
  EXPECT_EQ(r.status, SB_ERR_INTERNAL);
  EXPECT_EQ(r.error.message, "unknown exception");
  auto inv = fake.invoke("throw-int", "{}");
  EXPECT_EQ(inv.status, SB_ERR_INTERNAL);
  EXPECT_EQ(inv.error.message, "unknown exception");
}

TEST_F(Trampolines, ErrorWithASuccessStatusIsCoercedToInternal) {
  auto r = fake.send(text("fail-ok-status"));
  EXPECT_EQ(r.status, SB_ERR_INTERNAL);
  EXPECT_EQ(r.error.message, "an error with a success status");
}

TEST_F(Trampolines, PendingSendCompletesThroughTheHost) {
  auto r = fake.send(text("pending", 77));
  EXPECT_EQ(r.status, SB_PENDING);
  EXPECT_TRUE(fake.completed_sends().empty());
  fake.run_posted();
  ASSERT_EQ(fake.completed_sends().size(), 1u);
  EXPECT_EQ(fake.completed_sends()[0].message_id, 77);
  EXPECT_EQ(fake.completed_sends()[0].status, SB_OK);
  EXPECT_EQ(fake.completed_sends()[0].provider_message_id, "late-77");
}

TEST_F(Trampolines, ThrowingTimerTaskIsLoggedNotPropagated) {
  ASSERT_EQ(fake.send(text("timer-throws")).status, SB_OK);
  EXPECT_EQ(fake.advance_and_run(std::chrono::milliseconds(1)), 1u);
  EXPECT_TRUE(fake.logged("tick exploded"));
}

TEST_F(Trampolines, CanSendWritesResultAndReason) {
  auto closed = fake.can_send("+4915112345678", "text", 0);
  EXPECT_EQ(closed.status, SB_OK);
  EXPECT_FALSE(closed.allowed);
  EXPECT_EQ(closed.mode, SB_SEND_MODE_TEMPLATE_ONLY);
  EXPECT_EQ(closed.reason, "window closed");
  auto open = fake.can_send("+4915112345678", "text", 1'000);
  EXPECT_TRUE(open.allowed);
  EXPECT_EQ(open.expires_at_ms, 1'000 + 86'400'000);
  auto boom = fake.can_send("throw");
  EXPECT_EQ(boom.status, SB_ERR_INTERNAL);
  EXPECT_EQ(boom.reason, "can_send exploded");
}

TEST_F(Trampolines, InvokeAnswersAndDefaultsToUnsupported) {
  auto echo = fake.invoke("echo", R"({"a":1})");
  EXPECT_EQ(echo.status, SB_OK);
  EXPECT_EQ(echo.json, R"({"a":1})");
  auto unknown = fake.invoke("frobnicate");
  EXPECT_EQ(unknown.status, SB_ERR_UNSUPPORTED);
  EXPECT_EQ(unknown.error.message, "unknown operation: frobnicate");
}

TEST_F(Trampolines, HealthReportsStateAndDetails) {
  auto h = fake.health();
  EXPECT_EQ(h.state, SB_STATE_DEGRADED);
  EXPECT_EQ(h.details_json, R"({"why":"probe"})");
}

TEST_F(Trampolines, ThrowingWebhookHandlerIsInternalAndLogged) {
  sw::testing::WebhookCall call;
  call.path = "/hook";
  call.body = "throw";
  auto r = fake.webhook(call);
  EXPECT_EQ(r.rc, SB_ERR_INTERNAL);
  EXPECT_TRUE(fake.logged("webhook exploded"));
  call.body = "fine";
  EXPECT_EQ(fake.webhook(call).rc, SB_OK);
  call.path = "/other";  // never registered: the host answers 404 without calling the plugin
  EXPECT_EQ(fake.webhook(call).http_status, 404);
}

TEST(ProbeLifecycle, ThrowingConstructorFailsCreate) {
  FakeHost fake;
  sw::Status s = fake.create<probe::ProbeChannel>("probe-1", "throw");
  EXPECT_EQ(s.code(), SB_ERR_INTERNAL);
  EXPECT_EQ(s.error().message, "constructor exploded");
  EXPECT_FALSE(fake.has_instance());
}

TEST(ProbeLifecycle, ThrowingStartFailsStart) {
  FakeHost fake;
  ASSERT_TRUE(fake.create<probe::ProbeChannel>("probe-1", "start-throws"));
  sw::Status s = fake.start();
  EXPECT_EQ(s.code(), SB_ERR_INTERNAL);
  EXPECT_EQ(s.error().message, "start exploded");
}

TEST(ProbeLifecycle, ThrowingHealthIsInternal) {
  FakeHost fake;
  ASSERT_TRUE(fake.create<probe::ProbeChannel>("probe-1", "health-throws"));
  EXPECT_EQ(fake.health().state, SB_ERR_INTERNAL);
  EXPECT_TRUE(fake.logged("health exploded"));
}

TEST(ProbeLifecycle, ValidateConfigHookThroughTheVtable) {
  FakeHost fake;
  ASSERT_TRUE(fake.load<probe::ProbeChannel>());
  EXPECT_TRUE(fake.validate_config("{}"));
  sw::Status bad = fake.validate_config("bad");
  EXPECT_EQ(bad.code(), SB_ERR_INVALID_ARG);
  EXPECT_EQ(bad.error().message, "field: bad");
  sw::Status boom = fake.validate_config("throw");
  EXPECT_EQ(boom.code(), SB_ERR_INTERNAL);
  EXPECT_EQ(boom.error().message, "validator exploded");
  EXPECT_EQ(fake.config_schema(), R"({"type":"object"})");
}

TEST(ProbeLifecycle, WebhookRoutesOnlyDuringCreateOrStart) {
  FakeHost fake;
  ASSERT_TRUE(fake.create<probe::ProbeChannel>("probe-1", "{}"));
  ASSERT_TRUE(fake.start());
  EXPECT_EQ(fake.webhook_routes(), std::vector<std::string>{"/hook"});
  sw::Host late(&fake.api(), fake.ctx());
  EXPECT_EQ(late.register_webhook("/late"), SB_ERR_STATE);
}
