// `switchboard whatsapp ...` as an operator runs it: the real binary as a client of the real daemon
// (whatsapp plugin) talking to the real wa-sim. Onboarding a number and a template's whole life
// (create, Meta's review webhook, preview, send to a customer, delete) use only CLI invocations;
// the simulator's control API plays Meta's side (the SMS code, the name review).
#include "wa_api_fixture.h"

namespace waapi {
namespace {

struct CliRun {
  int code = -1;
  std::string out, err;
};

class WhatsAppCliTest : public WhatsAppApi {
 protected:
  // Runs `switchboard whatsapp <args> --url ... --token ...` and waits for it.
  CliRun cli(std::vector<std::string> args, bool with_credentials = true) {
    const fs::path out_dir = dir_ / ("wacli-" + std::to_string(++runs_));
    fs::create_directories(out_dir);
    args.insert(args.begin(), "whatsapp");
    if (with_credentials) {
      args.insert(args.end(),
                  {"--url", "http://127.0.0.1:" + std::to_string(host_port_), "--token", admin_});
    }
    sbtest::Process p(args, out_dir);
    CliRun r;
    r.code = p.wait(60s).value_or(-1);
    r.out = p.out();
    r.err = p.err();
    return r;
  }

  // `numbers show --json` of one number.
  JsonPtr number(const std::string& pnid) {
    CliRun r = cli({"numbers", "show", "--number", pnid, "--json"});
    EXPECT_EQ(r.code, 0) << r.err;
    return parse(r.out);
  }

  int runs_ = 0;
};

#define EXPECT_IN(needle, haystack) \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos) << (haystack)

TEST_F(WhatsAppCliTest, OnboardsANumberWithTheCliOnly) {
  CliRun listed = cli({"numbers", "list"});
  ASSERT_EQ(listed.code, 0) << listed.err;
  EXPECT_IN(kNumber, listed.out);
  EXPECT_EQ(listed.out.find(admin_), npos);

  CliRun added = cli({"numbers", "add", "--cc", "1", "--phone", "631-555-1234", "--name",
                      "Lucky Shrub", "--json"});
  ASSERT_EQ(added.code, 0) << added.err;
  JsonPtr answer = parse(added.out);
  ASSERT_TRUE(answer->has("number")) << added.out;
  const std::string pnid = str(answer->getObject("number"), "phone_number_id");
  ASSERT_FALSE(pnid.empty()) << added.out;

  CliRun requested = cli({"numbers", "request-code", "--number", pnid, "--method", "SMS"});
  ASSERT_EQ(requested.code, 0) << requested.err;
  EXPECT_IN("CODE_REQUESTED", requested.out);
  const std::string code = str(parse(sim("GET", "/_sim/numbers/" + pnid + "/code").body), "code");
  ASSERT_EQ(code.size(), 6u);

  // A wrong code: exit 1 with Meta's refusal relayed by the API; the state does not move.
  const std::string wrong = code == "000000" ? "111111" : "000000";
  CliRun refused = cli({"numbers", "verify-code", "--number", pnid, "--code", wrong});
  EXPECT_EQ(refused.code, 1) << refused.out;
  EXPECT_IN("error: ", refused.err);
  EXPECT_IN("verification code is incorrect", refused.err);
  EXPECT_EQ(refused.err.find("SB_ERR_"), npos) << refused.err;
  // --verbose adds the API's error code and HTTP status.
  CliRun verbose = cli({"numbers", "verify-code", "--number", pnid, "--code", wrong, "--verbose"});
  EXPECT_IN("HTTP 4", verbose.err);
  EXPECT_EQ(str(number(pnid), "code_verification_status"), "CODE_REQUESTED");
  // A usage error never reaches the daemon.
  EXPECT_EQ(cli({"numbers", "verify-code", "--number", pnid}).code, 64);

  CliRun verified = cli({"numbers", "verify-code", "--number", pnid, "--code", code});
  ASSERT_EQ(verified.code, 0) << verified.err;
  EXPECT_IN("VERIFIED", verified.out);
  // The plugin's refusal reaches the operator with the field named.
  CliRun short_pin = cli({"numbers", "set-pin", "--number", pnid, "--pin", "2468"});
  EXPECT_EQ(short_pin.code, 1);
  EXPECT_EQ(short_pin.err, "error: pin: exactly 6 digits\n");  // no internals without --verbose
  EXPECT_EQ(str(number(pnid), "is_pin_enabled"), "");
  ASSERT_EQ(cli({"numbers", "set-pin", "--number", pnid, "--pin", "246810"}).code, 0);
  CliRun registered = cli({"numbers", "register", "--number", pnid, "--pin", "246810"});
  ASSERT_EQ(registered.code, 0) << registered.err;
  EXPECT_IN("CONNECTED, registered: yes", registered.out);

  CliRun renamed =
      cli({"numbers", "display-name", "--number", pnid, "--name", "Lucky Shrub Garden"});
  ASSERT_EQ(renamed.code, 0) << renamed.err;
  EXPECT_IN("Lucky Shrub Garden (PENDING_REVIEW)", renamed.out);
  ASSERT_EQ(
      sim("POST", "/_sim/numbers/" + pnid + "/name_review", R"({"decision":"APPROVED"})").status,
      200);
  ASSERT_TRUE(eventually([&] { return str(number(pnid), "new_name_status") == "APPROVED"; }, 20s));
  ASSERT_EQ(cli({"numbers", "register", "--number", pnid, "--pin", "246810"}).code, 0);

  CliRun refreshed = cli({"numbers", "refresh", "--number", pnid});
  ASSERT_EQ(refreshed.code, 0) << refreshed.err;
  CliRun shown = cli({"numbers", "show", "--number", pnid});
  ASSERT_EQ(shown.code, 0) << shown.err;
  for (const char* want :
       {"+16315551234", "Lucky Shrub Garden (APPROVED)", "VERIFIED", "CONNECTED, registered: yes",
        "quality:", "messaging tier:", "throughput:", "official account:"}) {
    EXPECT_IN(want, shown.out);
  }

  CliRun both = cli({"numbers", "list"});
  ASSERT_EQ(both.code, 0) << both.err;
  EXPECT_IN(kNumber, both.out);
  EXPECT_IN(pnid, both.out);

  ASSERT_EQ(cli({"numbers", "deregister", "--number", pnid}).code, 0);
  EXPECT_EQ(str(number(pnid), "status"), "DISCONNECTED");
}

TEST_F(WhatsAppCliTest, TemplateIsCreatedApprovedPreviewedAndSentWithTheCliOnly) {
  const std::string conversation = customer_writes("4915112345678", "where is my order?");
  ASSERT_FALSE(conversation.empty());

  CliRun created =
      cli({"templates", "create", "--name", "order_update", "--language", "en_US", "--category",
           "utility", "--body", "Hi {{1}}, your order {{2}} has shipped.", "--example", "Ann",
           "--example", "A-1", "--footer", "Lucky Shrub"});
  ASSERT_EQ(created.code, 0) << created.err;
  EXPECT_IN("order_update", created.out);

  // Only the review webhook tells the plugin the template is approved.
  CliRun approved =
      cli({"templates", "wait", "order_update", "--language", "en_US", "--timeout", "30"});
  ASSERT_EQ(approved.code, 0) << approved.err;
  EXPECT_IN("APPROVED", approved.out);
  CliRun listed = cli({"templates", "list"});
  ASSERT_EQ(listed.code, 0) << listed.err;
  EXPECT_IN("order_update", listed.out);
  EXPECT_IN("APPROVED", listed.out);

  CliRun preview = cli({"templates", "preview", "order_update", "--language", "en_US", "--param",
                        "Zoe", "--param", "B-4711"});
  ASSERT_EQ(preview.code, 0) << preview.err;
  EXPECT_IN("Hi Zoe, your order B-4711 has shipped.", preview.out);
  EXPECT_IN("sendable: yes", preview.out);

  CliRun sent = cli({"templates", "send", "order_update", "--language", "en_US", "--to",
                     "+4915112345678", "--param", "Zoe", "--param", "B-4711", "--json"});
  ASSERT_EQ(sent.code, 0) << sent.err;
  JsonPtr message = parse(sent.out);
  ASSERT_TRUE(message->has("id")) << sent.out;
  const std::string id = std::to_string(message->getValue<int64_t>("id"));
  EXPECT_EQ(db_->scalar("SELECT conversation_id FROM messages WHERE id = ?", id), conversation);
  EXPECT_NE(wait_status(id, "sent delivered read"), "failed");
  auto sends = sim_sends("B-4711");
  ASSERT_EQ(sends.size(), 1u);
  EXPECT_EQ(str(sends[0], "wa_id"), "4915112345678");

  // Nobody of that number wrote to the instance: the template starts a conversation with them.
  CliRun nobody = cli({"templates", "send", "order_update", "--language", "en_US", "--to",
                       "+4917000000000", "--param", "Nia", "--param", "C-9000"});
  ASSERT_EQ(nobody.code, 0) << nobody.err;
  EXPECT_IN("in conversation", nobody.out);
  EXPECT_IN("(SB-", nobody.out);
  ASSERT_TRUE(eventually([&] { return sim_sends("C-9000").size() == 1u; }, 15s));
  EXPECT_EQ(str(sim_sends("C-9000")[0], "wa_id"), "4917000000000");
  const std::string started =
      db_->scalar("SELECT conversation_id FROM messages WHERE payload_json LIKE '%C-9000%'");
  EXPECT_FALSE(started.empty());
  EXPECT_NE(started, conversation);

  // A template WhatsApp does not have, once the WABA's templates were synced: the channel's
  // can_send refuses it before anything is written, so the CLI fails with the reason and neither
  // the known customer's conversation nor a new number gets a contact, conversation, message,
  // outbox row or event, and nothing reaches Meta.
  ASSERT_EQ(cli({"templates", "sync"}).code, 0);
  // (Delivery reports of the earlier sends may still add status events meanwhile.)
  auto counts = [&] {
    std::string all;
    for (const char* from : {"contacts", "identities", "conversations", "messages", "outbox",
                             "events WHERE type IN ('conversation.created', 'message.created')"}) {
      all += std::string(from) + ": " + db_->scalar(std::string("SELECT COUNT(*) FROM ") + from) +
             "\n";
    }
    return all;
  };
  const std::string before = counts();
  const size_t meta_before = sim_sends("no_such_template").size();
  for (const char* to : {"+4915112345678", "+4917111111111"}) {
    CliRun unknown =
        cli({"templates", "send", "no_such_template", "--language", "en_US", "--to", to});
    EXPECT_EQ(unknown.code, 1) << unknown.out << unknown.err;
    EXPECT_IN("template no_such_template (en_US) in WABA", unknown.err);
    EXPECT_IN("is unknown", unknown.err);
    EXPECT_EQ(unknown.out.find("queued"), npos) << unknown.out;
  }
  EXPECT_EQ(counts(), before);
  EXPECT_EQ(sim_sends("no_such_template").size(), meta_before);

  ASSERT_EQ(cli({"templates", "delete", "order_update", "--language", "en_US"}).code, 0);
  CliRun after = cli({"templates", "list", "--json"});
  ASSERT_EQ(after.code, 0) << after.err;
  EXPECT_EQ(after.out.find("order_update"), npos) << after.out;
}

TEST_F(WhatsAppCliTest, CredentialsComeFromTheEnvironmentAndBadOnesFail) {
  setenv("SB_URL", ("http://127.0.0.1:" + std::to_string(host_port_)).c_str(), 1);
  setenv("SB_TOKEN", admin_.c_str(), 1);
  CliRun from_env = cli({"numbers", "list"}, /*with_credentials=*/false);
  EXPECT_EQ(from_env.code, 0) << from_env.err;
  EXPECT_IN(kNumber, from_env.out);

  setenv("SB_TOKEN", "not-a-token", 1);
  CliRun bad = cli({"numbers", "list"}, false);
  EXPECT_EQ(bad.code, 1);
  EXPECT_IN("is the token right", bad.err);
  EXPECT_EQ(bad.err.find("not-a-token"), npos);

  const std::string agent = make_token("agent", "agent-1");
  setenv("SB_TOKEN", agent.c_str(), 1);
  CliRun weak = cli({"numbers", "list", "--instance", "wa-1"}, false);
  EXPECT_EQ(weak.code, 1);
  EXPECT_IN("need an admin token", weak.err);

  setenv("SB_URL", "http://127.0.0.1:1", 1);
  EXPECT_EQ(cli({"numbers", "list"}, false).code, 69);
  unsetenv("SB_URL");
  unsetenv("SB_TOKEN");
}

}  // namespace
}  // namespace waapi
