// Issue 4's black-box test of the 24-hour customer service window: the host runs with the
// controllable test clock ("testing": {"controllable_clock": true}) and wa-sim with its simulated
// clock; both are moved a day ahead, and the plugin's can_send must then make the host refuse free
// text before the outbox (nothing stored, Meta never sees it) while templates still go out.
#include "wa_api_fixture.h"

namespace waapi {
namespace {

constexpr int64_t kDayAndAMinuteMs = 24LL * 3600'000 + 60'000;

constexpr const char* kTemplate = R"({"name":"order_update","language":"en_US",
  "category":"UTILITY","components":[{"type":"BODY",
  "text":"Hi {{1}}, your order {{2}} has shipped.","example":{"body_text":[["Ann","A-1"]]}}]})";
constexpr const char* kTemplateSend = R"({"content_type":"template","payload":{
  "name":"order_update","language":"en_US","components":[{"type":"body","parameters":[
  {"type":"text","text":"Zoe"},{"type":"text","text":"C-0815"}]}]}})";

class WindowClockTest : public WhatsAppApi {
 protected:
  WindowClockTest() { extra_config_ = R"( "testing": {"controllable_clock": true},)"; }

  JsonPtr can_send(const std::string& conversation, const std::string& type = "text") {
    Reply r = api("GET", "/v1/conversations/" + conversation + "/can-send?content_type=" + type);
    EXPECT_EQ(r.status, 200) << r.body;
    return parse(r.body);
  }
  int64_t host_now() {
    Reply r = api("GET", "/v1/admin/clock");
    EXPECT_EQ(r.status, 200) << r.body;
    JsonPtr o = parse(r.body);
    return o->has("now_ms") ? o->getValue<int64_t>("now_ms") : 0;
  }
  // The last status-history entry of a message: "status/error_code/error_text".
  std::string last_event(const std::string& id) {
    auto arr = message(id)->getArray("status_history");
    if (!arr || arr->size() == 0) return "";
    JsonPtr e = arr->getObject(static_cast<unsigned>(arr->size() - 1));
    return str(e, "status") + "/" + str(e, "error_code") + "/" + str(e, "error_text");
  }
};

TEST_F(WindowClockTest, FreeTextIsRefusedByTheHostADayAfterTheCustomerWroteTemplatesStillGo) {
  Reply created = op("template_create", kTemplate);
  ASSERT_EQ(created.status, 200) << created.body;
  ASSERT_TRUE(eventually(
      [&] {
        return op("template_get", R"({"name":"order_update","language":"en_US"})")
                   .body.find(R"("status":"APPROVED")") != npos;
      },
      10s));

  const std::string conversation = customer_writes("4915112345678", "my parcel?");
  ASSERT_FALSE(conversation.empty());

  // Inside the window: free text allowed until about a day from now, and it is sent.
  const int64_t before = host_now();
  JsonPtr open = can_send(conversation);
  EXPECT_EQ(str(open, "mode"), "free_text");
  EXPECT_TRUE(open->getValue<bool>("allowed"));
  const int64_t expires = open->getValue<int64_t>("expires_at_ms");
  EXPECT_GT(expires, before + 23 * 3600'000LL);
  EXPECT_LE(expires, before + 24 * 3600'000LL + 60'000);
  const std::string inside = send(conversation, R"({"text":"Looking into it"})", "clk-1");
  EXPECT_NE(wait_status(inside, "sent delivered read failed"), "failed") << last_event(inside);
  EXPECT_EQ(sim_sends("Looking into it").size(), 1u);

  // A day and a minute later on both clocks.
  ASSERT_EQ(sim("POST", "/_sim/clock/advance", R"({"ms":)" + std::to_string(kDayAndAMinuteMs) + "}")
                .status,
            200);
  Reply moved =
      api("POST", "/v1/admin/clock", R"({"advance_ms":)" + std::to_string(kDayAndAMinuteMs) + "}");
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(parse(moved.body)->getValue<int64_t>("offset_ms"), kDayAndAMinuteMs);
  EXPECT_GE(host_now(), expires);

  JsonPtr closed = can_send(conversation);
  EXPECT_EQ(str(closed, "mode"), "template_only");
  EXPECT_FALSE(closed->getValue<bool>("allowed"));
  EXPECT_EQ(closed->getValue<int64_t>("expires_at_ms"), 0);
  EXPECT_NE(str(closed, "reason").find("24-hour"), npos) << str(closed, "reason");
  EXPECT_NE(str(closed, "reason").find("template"), npos) << str(closed, "reason");
  JsonPtr tpl_allowed = can_send(conversation, "template");
  EXPECT_TRUE(tpl_allowed->getValue<bool>("allowed"));
  EXPECT_EQ(str(tpl_allowed, "mode"), "template_only");

  // Free text: refused by the host with the channel's reason and the template hint before the
  // outbox (nothing stored); wa-sim (which would accept the request and fail it later by
  // webhook) never received it.
  const size_t sends_before = sim_send_count();
  const std::string refused = refused_send(conversation, R"({"text":"Still there?"})", "clk-2");
  EXPECT_NE(refused.find("24-hour"), npos) << refused;
  EXPECT_NE(refused.find("content_type \"template\""), npos) << refused;
  EXPECT_TRUE(sim_sends("Still there?").empty());
  EXPECT_EQ(sim_send_count(), sends_before);

  // A template is accepted and sent.
  const std::string tpl = send(conversation, kTemplateSend, "clk-3");
  EXPECT_NE(wait_status(tpl, "sent delivered read failed"), "failed") << last_event(tpl);
  EXPECT_EQ(sim_sends("C-0815").size(), 1u);
}

TEST_F(WindowClockTest, TheClockOnlyMovesForwardAndOnlyForAdmins) {
  const int64_t start = host_now();
  EXPECT_EQ(api("POST", "/v1/admin/clock", R"({"advance_ms":-5})").status, 400);
  EXPECT_EQ(api("POST", "/v1/admin/clock", R"({"advance_ms":0})").status, 400);
  const std::string agent = make_token("agent", "clock-agent");
  EXPECT_EQ(http(host_port_, "POST", "/v1/admin/clock", R"({"advance_ms":1000})", agent).status,
            403);
  Reply r = api("POST", "/v1/admin/clock", R"({"advance_ms":3600000})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_GE(parse(r.body)->getValue<int64_t>("now_ms"), start + 3600'000);
}

}  // namespace
}  // namespace waapi
