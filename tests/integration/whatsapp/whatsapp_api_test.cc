// WhatsApp end to end through the host's REST API: onboarding and templates as channel ops, sends
// through the durable outbox, the 24-hour window, retries after Graph faults and status webhooks,
// all against the real wa-sim.
#include <algorithm>
#include <ctime>
#include <vector>

#include "wa_api_fixture.h"

namespace waapi {
namespace {

constexpr const char* kTemplate = R"({"name":"order_update","language":"en_US",
  "category":"UTILITY","components":[{"type":"BODY",
  "text":"Hi {{1}}, your order {{2}} has shipped.","example":{"body_text":[["Ann","A-1"]]}}]})";
constexpr const char* kTemplateSend = R"({"content_type":"template","payload":{
  "name":"order_update","language":"en_US","components":[{"type":"body","parameters":[
  {"type":"text","text":"Zoe"},{"type":"text","text":"B-4711"}]}]}})";

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::vector<JsonPtr> history(const JsonPtr& message) {
  std::vector<JsonPtr> out;
  auto arr = message->getArray("status_history");
  for (size_t i = 0; arr && i < arr->size(); ++i) {
    out.push_back(arr->getObject(static_cast<unsigned>(i)));
  }
  return out;
}

std::string describe(const std::vector<JsonPtr>& events) {
  std::string s;
  for (const auto& e : events) {
    s += str(e, "status") + "/" + str(e, "error_code") + "/" + str(e, "error_text") + "; ";
  }
  return s;
}

class WhatsAppApiTest : public WhatsAppApi {
 protected:
  // Creates kTemplate and waits until the review webhook told the plugin it is APPROVED.
  void create_approved_template() {
    Reply created = op("template_create", kTemplate);
    ASSERT_EQ(created.status, 200) << created.body;
    std::string seen;
    ASSERT_TRUE(eventually(
        [&] {
          seen = op("template_get", R"({"name":"order_update","language":"en_US"})").body;
          return seen.find(R"("status":"APPROVED")") != npos;
        },
        10s))
        << seen;
  }

  // The simulated clock set 25 hours back: the message's timestamp is over a day old on arrival.
  std::string customer_writes_a_day_ago(const std::string& from, const std::string& text) {
    const int64_t then_s = now_ms() / 1000 - 25 * 3600;
    EXPECT_EQ(
        sim("POST", "/_sim/clock/set", R"({"epoch_s":)" + std::to_string(then_s) + "}").status,
        200);
    return customer_writes(from, text);
  }

  // The number's state from an onboarding op's answer: `{"ok","number"}` from the ops that change
  // it, the state itself from get_number.
  static JsonPtr number_of(const Reply& r) {
    EXPECT_EQ(r.status, 200) << r.body;
    JsonPtr o = parse(r.body);
    if (o->has("number")) o = o->getObject("number");
    EXPECT_FALSE(str(o, "phone_number_id").empty()) << r.body;
    return o ? o : JsonPtr(new Poco::JSON::Object);
  }

  JsonPtr can_send(const std::string& conversation, const std::string& type = "text") {
    Reply r = api("GET", "/v1/conversations/" + conversation + "/can-send?content_type=" + type);
    EXPECT_EQ(r.status, 200) << r.body;
    return parse(r.body);
  }
};

TEST_F(WhatsAppApiTest, OnboardsANumberThroughChannelOps) {
  Reply added = op("add_number", R"({"cc":"1","phone_number":"6315551234",)"
                                 R"("verified_name":"Lucky Shrub"})");
  ASSERT_EQ(added.status, 200) << added.body;
  const std::string pnid = str(number_of(added), "phone_number_id");
  ASSERT_FALSE(pnid.empty()) << added.body;
  const std::string who = R"({"phone_number_id":")" + pnid + R"(")";

  Reply requested = op("request_code", who + R"(,"code_method":"SMS","language":"en"})");
  ASSERT_EQ(requested.status, 200) << requested.body;
  const std::string code = str(parse(sim("GET", "/_sim/numbers/" + pnid + "/code").body), "code");
  ASSERT_EQ(code.size(), 6u);

  const std::string wrong = code == "000000" ? "111111" : "000000";
  Reply refused = op("verify_code", who + R"(,"code":")" + wrong + R"("})");
  EXPECT_GE(refused.status, 400) << refused.body;
  EXPECT_LT(refused.status, 500) << refused.body;
  EXPECT_NE(refused.body.find("\"error\""), npos) << refused.body;
  EXPECT_EQ(str(number_of(op("get_number", who + "}")), "code_verification_status"),
            "CODE_REQUESTED");

  Reply verified = op("verify_code", who + R"(,"code":")" + code + R"("})");
  ASSERT_EQ(verified.status, 200) << verified.body;
  EXPECT_EQ(str(number_of(verified), "code_verification_status"), "VERIFIED");
  ASSERT_EQ(op("set_pin", who + R"(,"pin":"246810"})").status, 200);
  Reply registered = op("register", who + R"(,"pin":"246810"})");
  ASSERT_EQ(registered.status, 200) << registered.body;
  EXPECT_EQ(str(number_of(registered), "status"), "CONNECTED");

  Reply renamed = op("set_display_name", who + R"(,"display_name":"Lucky Shrub Garden"})");
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(str(number_of(renamed), "new_name_status"), "PENDING_REVIEW");
  ASSERT_EQ(
      sim("POST", "/_sim/numbers/" + pnid + "/name_review", R"({"decision":"APPROVED"})").status,
      200);
  // Only the phone_number_name_update webhook tells the plugin about the decision.
  std::string state;
  ASSERT_TRUE(eventually(
      [&] {
        state = op("get_number", who + "}").body;
        return str(parse(state), "new_name_status") == "APPROVED";
      },
      10s))
      << state;

  // The approved name applies on the next registration.
  Reply again = op("register", who + R"(,"pin":"246810"})");
  ASSERT_EQ(again.status, 200) << again.body;
  Reply refreshed = op("refresh", who + "}");
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  JsonPtr number = number_of(op("get_number", who + "}"));
  EXPECT_EQ(str(number, "code_verification_status"), "VERIFIED");
  EXPECT_EQ(str(number, "status"), "CONNECTED");
  EXPECT_TRUE(number->getValue<bool>("registered"));
  EXPECT_EQ(str(number, "name_status"), "APPROVED");
  EXPECT_EQ(str(number, "verified_name"), "Lucky Shrub Garden");
}

TEST_F(WhatsAppApiTest, ApprovedTemplateIsSentWithItsParameters) {
  const std::string conversation = customer_writes("4915112345678", "where is my order");
  ASSERT_FALSE(conversation.empty());
  // A template nobody created, once the WABA's templates were synced: the channel's can_send
  // knows WhatsApp would refuse it (132001), so the send is refused before anything is written.
  ASSERT_EQ(op("template_sync", "{}").status, 200);
  const std::string refused = refused_send(conversation, kTemplateSend, "tpl-0");
  EXPECT_NE(refused.find("template order_update (en_US) in WABA"), npos) << refused;
  EXPECT_NE(refused.find("is unknown"), npos) << refused;
  EXPECT_TRUE(sim_sends("order_update").empty());
  create_approved_template();

  const std::string id = send(conversation, kTemplateSend, "tpl-1");
  ASSERT_FALSE(id.empty());
  EXPECT_NE(wait_status(id, "sent delivered read"), "failed") << describe(history(message(id)));
  auto sends = sim_sends("order_update");
  ASSERT_EQ(sends.size(), 1u);
  EXPECT_EQ(str(sends[0], "type"), "template");
  JsonPtr tpl = sends[0]->getObject("request")->getObject("template");
  ASSERT_TRUE(tpl);
  std::ostringstream components;
  tpl->getArray("components")->stringify(components);
  EXPECT_NE(components.str().find("Zoe"), npos) << components.str();
  EXPECT_NE(components.str().find("B-4711"), npos) << components.str();
  EXPECT_EQ(str(sends[0], "wa_id"), "4915112345678");

  // The same key again is the same message, never a second send.
  Reply repeat =
      api("POST", "/v1/conversations/" + conversation + "/messages", kTemplateSend, "tpl-1");
  EXPECT_EQ(repeat.status, 200) << repeat.body;
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(sim_sends("order_update").size(), 1u);
}

// A business-initiated conversation: a number that never wrote has no window, so free text is
// refused by the API (the plugin's can_send) before anything reaches Meta, and an approved
// template opens the conversation and is delivered.
TEST_F(WhatsAppApiTest, ATemplateStartsAConversationWithANumberThatNeverWrote) {
  create_approved_template();
  const std::string text = R"({"instance_id":"wa-1","to":{"address":"+49 170 1234567"},)"
                           R"("message":{"text":"Your parcel is on its way"}})";
  Reply refused = api("POST", "/v1/conversations", text, "start-1");
  ASSERT_EQ(refused.status, 422) << refused.body;
  JsonPtr error = parse(refused.body)->getObject("error");
  ASSERT_TRUE(error);
  EXPECT_EQ(str(error, "code"), "cannot_send");
  EXPECT_EQ(str(error, "field"), "message.content_type");
  EXPECT_NE(str(error, "message").find("24-hour customer service window"), npos) << refused.body;
  EXPECT_NE(str(error, "message").find("template"), npos) << refused.body;
  EXPECT_EQ(db_->scalar("SELECT COUNT(*) FROM conversations"), "0");

  const std::string start = std::string(R"({"instance_id":"wa-1","to":{"address":"+49 170 )"
                                        R"(1234567"},"message":)") +
                            kTemplateSend + "}";
  Reply started = api("POST", "/v1/conversations", start, "start-2");
  ASSERT_EQ(started.status, 201) << started.body;
  JsonPtr body = parse(started.body);
  const std::string id = std::to_string(body->getObject("message")->getValue<int64_t>("id"));
  const int64_t conversation = body->getObject("conversation")->getValue<int64_t>("id");
  EXPECT_EQ(str(body->getObject("message"), "to"), "+491701234567");
  EXPECT_NE(wait_status(id, "sent delivered read"), "failed") << describe(history(message(id)));
  auto sends = sim_sends("order_update");
  ASSERT_EQ(sends.size(), 1u);
  EXPECT_EQ(str(sends[0], "type"), "template");
  EXPECT_EQ(str(sends[0], "wa_id"), "491701234567");
  EXPECT_TRUE(sim_sends("Your parcel").empty());

  // A retry is the same message, never a second send; the customer's answer joins the
  // conversation the template opened, and free text is allowed from then on.
  Reply again = api("POST", "/v1/conversations", start, "start-2");
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(std::to_string(parse(again.body)->getObject("message")->getValue<int64_t>("id")), id);
  EXPECT_EQ(customer_writes("491701234567", "great, thanks"), std::to_string(conversation));
  Reply now_text = api("POST", "/v1/conversations", text, "start-3");
  ASSERT_EQ(now_text.status, 201) << now_text.body;
  EXPECT_EQ(parse(now_text.body)->getObject("conversation")->getValue<int64_t>("id"), conversation);
  const std::string reply =
      std::to_string(parse(now_text.body)->getObject("message")->getValue<int64_t>("id"));
  EXPECT_NE(wait_status(reply, "sent delivered read"), "failed")
      << describe(history(message(reply)));
  EXPECT_EQ(sim_sends("Your parcel").size(), 1u);
  EXPECT_EQ(sim_sends("order_update").size(), 1u);
}

// The plugin's own expiry compares the customer message's timestamp + 24 h with the host clock,
// which a black-box test cannot move. So the window is closed the two ways Meta's world can close
// it: Meta answers 131047 once its clock is past the window (the plugin then believes it closed),
// and a customer message whose timestamp is already over 24 h old (next test).
TEST_F(WhatsAppApiTest, CustomerMessageOpensTheWindowAndMetasRefusalClosesIt) {
  create_approved_template();
  const std::string conversation = customer_writes("4915112345678", "hello there");
  ASSERT_FALSE(conversation.empty());

  JsonPtr open = can_send(conversation);
  EXPECT_EQ(str(open, "mode"), "free_text");
  EXPECT_TRUE(open->getValue<bool>("allowed"));
  const int64_t expires = open->getValue<int64_t>("expires_at_ms");
  EXPECT_GT(expires, now_ms() + 23 * 3600'000LL);
  EXPECT_LT(expires, now_ms() + 25 * 3600'000LL);

  const std::string inside = send(conversation, R"({"text":"We are on it"})", "win-1");
  EXPECT_NE(wait_status(inside, "sent delivered read failed"), "failed")
      << describe(history(message(inside)));
  EXPECT_EQ(sim_sends("We are on it").size(), 1u);

  ASSERT_EQ(sim("POST", "/_sim/config", R"({"csw_sync_error":true})").status, 200);
  ASSERT_EQ(sim("POST", "/_sim/clock/advance", R"({"seconds":90000})").status, 200);
  const std::string late = send(conversation, R"({"text":"Sorry for the wait"})", "win-2");
  ASSERT_EQ(wait_status(late, "failed sent delivered read"), "failed");
  auto events = history(message(late));
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(str(events.back(), "error_code"), "131047") << describe(events);
  EXPECT_TRUE(sim_sends("Sorry for the wait").empty());

  JsonPtr closed = can_send(conversation);
  EXPECT_EQ(str(closed, "mode"), "template_only");
  EXPECT_FALSE(closed->getValue<bool>("allowed"));
  EXPECT_NE(str(closed, "reason").find("template"), npos) << str(closed, "reason");
  EXPECT_TRUE(can_send(conversation, "template")->getValue<bool>("allowed"));

  // Refused by the host now, before the outbox: nothing stored, Meta never sees it.
  const std::string refused = refused_send(conversation, R"({"text":"Hello?"})", "win-3");
  EXPECT_NE(refused.find("template"), npos) << refused;
  EXPECT_TRUE(sim_sends("Hello?").empty());

  const std::string tpl = send(conversation, kTemplateSend, "win-4");
  EXPECT_NE(wait_status(tpl, "sent delivered read failed"), "failed")
      << describe(history(message(tpl)));
  EXPECT_EQ(sim_sends("B-4711").size(), 1u);
}

// The plugin starts the window at the customer message's own timestamp, so a message that took
// over a day to arrive (Meta retries webhooks for days) leaves it closed: the host refuses free
// text with 422 before anything is stored or sent.
TEST_F(WhatsAppApiTest, FreeTextAfterACustomerMessageOlderThanADayIsRefused) {
  create_approved_template();
  const std::string conversation = customer_writes_a_day_ago("4917700000001", "old news");
  ASSERT_FALSE(conversation.empty());

  const size_t sends_before = sim_send_count();
  const std::string refused = refused_send(conversation, R"({"text":"Too late"})", "old-1");
  EXPECT_NE(refused.find("template"), npos) << refused;
  EXPECT_TRUE(sim_sends("Too late").empty());
  EXPECT_EQ(sim_send_count(), sends_before) << "wa-sim saw nothing";

  const std::string tpl = send(conversation, kTemplateSend, "old-2");
  EXPECT_NE(wait_status(tpl, "sent delivered read failed"), "failed")
      << describe(history(message(tpl)));
  EXPECT_EQ(sim_sends("B-4711").size(), 1u);
}

// can-send must agree with the send path: the window runs from when the customer wrote (the
// message's own time), not from when a late webhook delivery reached the host.
TEST_F(WhatsAppApiTest, CanSendReportsTheWindowOfAnOldCustomerMessageAsClosed) {
  const std::string conversation = customer_writes_a_day_ago("4917700000001", "old news");
  ASSERT_FALSE(conversation.empty());
  JsonPtr answer = can_send(conversation);
  EXPECT_EQ(str(answer, "mode"), "template_only");
  EXPECT_FALSE(answer->getValue<bool>("allowed"));
  EXPECT_TRUE(can_send(conversation, "template")->getValue<bool>("allowed"));
}

TEST_F(WhatsAppApiTest, OutboxRetriesThroughRateLimitAndServerErrorUntilSent) {
  const std::string conversation = customer_writes("4915112345678", "anyone?");
  ASSERT_FALSE(conversation.empty());
  ASSERT_EQ(sim("POST", "/_sim/faults", R"({"path":"*/messages","count":1,"status":429})").status,
            200);
  ASSERT_EQ(sim("POST", "/_sim/faults", R"({"path":"*/messages","count":1,"status":503})").status,
            200);

  const std::string id = send(conversation, R"({"text":"Third time lucky"})", "retry-1");
  const std::string status = wait_status(id, "sent delivered read failed", 20s);
  auto events = history(message(id));
  ASSERT_NE(status, "failed") << describe(events);
  ASSERT_FALSE(status.empty()) << describe(events);

  auto code_at = [&](const std::string& code) {
    return std::find_if(events.begin(), events.end(),
                        [&](const JsonPtr& e) { return str(e, "error_code") == code; });
  };
  auto rate_limited = code_at("130429");
  auto server_error = code_at("2");
  auto sent = std::find_if(events.begin(), events.end(),
                           [](const JsonPtr& e) { return str(e, "status") == "sent"; });
  ASSERT_NE(rate_limited, events.end()) << describe(events);
  ASSERT_NE(server_error, events.end()) << describe(events);
  ASSERT_NE(sent, events.end()) << describe(events);
  EXPECT_LT(rate_limited, server_error) << describe(events);
  EXPECT_LT(server_error, sent) << describe(events);
  EXPECT_EQ(sim_sends("Third time lucky").size(), 1u);
}

TEST_F(WhatsAppApiTest, ShuffledStatusWebhooksOnlyMoveAMessageForward) {
  ASSERT_EQ(sim("POST", "/_sim/config",
                R"({"shuffle":true,"shuffle_window_ms":300,"duplicate_probability":0.5})")
                .status,
            200);
  const std::string conversation = customer_writes("4915112345678", "hi");
  ASSERT_FALSE(conversation.empty());
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back(send(conversation, R"({"text":"update )" + std::to_string(i) + R"("})",
                       "status-" + std::to_string(i)));
  }
  // Watched while the reports arrive in shuffled order: each message's status only moves forward.
  const std::vector<std::string> order = {"queued", "sent", "delivered", "read"};
  auto rank = [&](const std::string& s) { return std::find(order.begin(), order.end(), s); };
  std::vector<std::string> seen(ids.size(), "queued");
  ASSERT_TRUE(eventually(
      [&] {
        bool all_read = true;
        for (size_t i = 0; i < ids.size(); ++i) {
          const std::string now = str(message(ids[i]), "status");
          EXPECT_NE(rank(now), order.end()) << now;
          EXPECT_GE(rank(now), rank(seen[i])) << seen[i] << " -> " << now;
          seen[i] = now;
          all_read = all_read && now == "read";
        }
        return all_read;
      },
      15s));
  // Late or duplicated sent/delivered reports must not pull a read message back.
  const auto settle = std::chrono::steady_clock::now() + 1s;
  while (std::chrono::steady_clock::now() < settle) {
    for (const auto& id : ids) ASSERT_EQ(str(message(id), "status"), "read");
    std::this_thread::sleep_for(100ms);
  }
  for (int i = 0; i < 3; ++i) {
    auto sends = sim_sends("update " + std::to_string(i));
    ASSERT_EQ(sends.size(), 1u);
    std::ostringstream emitted;
    sends[0]->getArray("statuses")->stringify(emitted);
    EXPECT_NE(emitted.str().find("delivered"), npos) << emitted.str();
    EXPECT_NE(emitted.str().find("read"), npos) << emitted.str();
    auto events = history(message(ids[static_cast<size_t>(i)]));
    EXPECT_TRUE(std::any_of(events.begin(), events.end(), [](const JsonPtr& e) {
      return str(e, "status") == "sent";
    })) << describe(events);
  }
}

// Meta's pricing on the status webhooks, priced by the configured rate card, is what the cost
// report adds up: a billable utility template to a German number at the card's rate, and a free
// customer-service reply at 0.
TEST_F(WhatsAppApiTest, CostReportMatchesTheRateCard) {
  create_approved_template();
  // Free: a text inside the customer-service window.
  const std::string open = customer_writes("4915112345678", "hi");
  ASSERT_FALSE(open.empty());
  const std::string reply = send(open, R"({"text":"Happy to help"})", "cost-free");
  ASSERT_EQ(wait_status(reply, "delivered read failed"), "delivered")
      << describe(history(message(reply)));

  // Billable: a template outside the window (the customer wrote 25 h ago; the sim's clock is
  // then set back to now, so Meta's side sees the window closed too).
  const std::string closed = customer_writes_a_day_ago("4917700000001", "old news");
  ASSERT_FALSE(closed.empty());
  ASSERT_EQ(sim("POST", "/_sim/clock/set", R"({"epoch_s":)" + std::to_string(now_ms() / 1000) + "}")
                .status,
            200);
  const std::string tpl = send(closed, kTemplateSend, "cost-billable");
  ASSERT_EQ(wait_status(tpl, "delivered read failed"), "delivered")
      << describe(history(message(tpl)));

  // What Meta (the sim) said each one costs.
  auto pricing_of = [&](const std::string& wa_id) {
    for (const JsonPtr& m : sim_sends("")) {
      if (str(m, "wa_id") == wa_id)
        return std::make_pair(str(m, "category"), str(m, "pricing_type"));
    }
    return std::make_pair(std::string(), std::string());
  };
  EXPECT_EQ(pricing_of("4915112345678").first, "service");
  EXPECT_EQ(pricing_of("4917700000001"),
            std::make_pair(std::string("utility"), std::string("regular")));

  const auto day = [](int64_t ms) {
    const std::time_t t = static_cast<std::time_t>(ms / 1000);
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", std::gmtime(&t));
    return std::string(buf);
  };
  const std::string query = "/v1/reports/costs?from=" + day(now_ms() - 2 * 86'400'000LL) +
                            "&to=" + day(now_ms() + 86'400'000LL) + "&group_by=category";
  double utility = -1, service = -1;
  int64_t utility_billable = -1, service_billable = -1;
  for (int i = 0; i < 100 && (utility < 0 || service < 0); ++i) {
    Reply r = api("GET", query);
    ASSERT_EQ(r.status, 200) << r.body;
    JsonPtr report = parse(r.body);
    auto groups = report->getArray("groups");
    for (size_t g = 0; groups && g < groups->size(); ++g) {
      JsonPtr group = groups->getObject(static_cast<unsigned>(g));
      if (str(group, "category") == "utility") {
        utility = group->getValue<double>("amount");
        utility_billable = group->getValue<int64_t>("billable");
      } else if (str(group, "category") == "service") {
        service = group->getValue<double>("amount");
        service_billable = group->getValue<int64_t>("billable");
      }
    }
    if (utility < 0 || service < 0) std::this_thread::sleep_for(100ms);
  }
  EXPECT_NEAR(utility, 0.0456, 1e-9);
  EXPECT_EQ(utility_billable, 1);
  EXPECT_NEAR(service, 0.0, 1e-9);
  EXPECT_EQ(service_billable, 0);

  // Supervisors and admins read costs; agents do not.
  const std::string agent = make_token("agent", "cost-agent");
  EXPECT_EQ(http(host_port_, "GET", query, "", agent).status, 403);
}

}  // namespace
}  // namespace waapi
