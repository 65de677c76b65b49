// `switchboard whatsapp`: arguments become the right REST calls (path, JSON body, token handling),
// answers become readable text or the raw JSON, and errors give the API's message and an exit code.
// The daemon is a fake transport answering canned JSON per "METHOD path".
#include <gtest/gtest.h>

#include <Poco/JSON/Parser.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "app/cli.h"
#include "app/whatsapp_cli.h"

namespace sb::app {
namespace {

constexpr const char* kChannels =
    R"({"items":[{"id":"wa-1","plugin":"whatsapp"},{"id":"lb-1","plugin":"loopback"}]})";
constexpr const char* kNumber =
    R"({"phone_number_id":"777","display_phone_number":"16315551234","verified_name":"Lucky Shrub",)"
    R"("name_status":"APPROVED","new_display_name":"Lucky Shrub Garden","new_name_status":"REJECTED",)"
    R"("name_rejection_reason":"NAME_FORMAT_UNACCEPTABLE","code_verification_status":"VERIFIED",)"
    R"("status":"CONNECTED","registered":true,"quality_rating":"GREEN","messaging_tier":"TIER_1K",)"
    R"("throughput_level":"STANDARD","throughput_mps":80,"oba_status":"PENDING","is_official":false,)"
    R"("updated_at_ms":1765000000123})";

class WhatsAppCliTest : public ::testing::Test {
 protected:
  WhatsAppCliTest() {
    env.getenv = [this](const std::string& name) -> std::optional<std::string> {
      auto it = vars.find(name);
      if (it == vars.end()) return std::nullopt;
      return it->second;
    };
    env.connect = [this](const std::string& url, const std::string& token) -> Result<ApiTransport> {
      connected_url = url;
      connected_token = token;
      return ApiTransport([this](const ApiRequest& r) -> Result<ApiReply> {
        requests.push_back(r);
        if (unreachable) return unavailable("cannot reach the switchboard API at " + connected_url);
        auto it = answers.find(r.method + " " + r.path);
        if (it == answers.end()) {
          return ApiReply{404, R"({"error":{"code":"not_found","message":"no route"}})"};
        }
        return it->second;
      });
    };
    env.new_idempotency_key = [] { return std::string("key-1"); };
    env.sleep = [this](std::chrono::milliseconds d) { slept += d; };
    vars["SB_TOKEN"] = "secret-token-value";
    answers["GET /v1/channels"] = {200, kChannels};
  }

  int run(std::vector<std::string> args) {
    args.insert(args.begin(), "whatsapp");
    out.str("");
    err.str("");
    return whatsapp_command(args, out, err, env);
  }

  // The JSON body of the last request to `path`.
  Poco::JSON::Object::Ptr body_of(const std::string& path) {
    for (auto it = requests.rbegin(); it != requests.rend(); ++it) {
      if (it->path == path) {
        return Poco::JSON::Parser().parse(it->body).extract<Poco::JSON::Object::Ptr>();
      }
    }
    ADD_FAILURE() << "no request to " << path;
    return new Poco::JSON::Object;
  }

  WaCliEnv env;
  std::map<std::string, std::string> vars;
  std::map<std::string, ApiReply> answers;
  std::vector<ApiRequest> requests;
  std::string connected_url, connected_token;
  bool unreachable = false;
  std::chrono::milliseconds slept{0};
  std::ostringstream out, err;
};

TEST_F(WhatsAppCliTest, OnboardingCommandsBecomeChannelOpsOfTheOnlyWhatsAppInstance) {
  answers["POST /v1/channels/wa-1/ops/request_code"] = {
      200, std::string(R"({"ok":true,"number":)") + kNumber + "}"};
  ASSERT_EQ(
      run({"numbers", "request-code", "--number", "777", "--method", "voice", "--language=de"}),
      kExitOk)
      << err.str();
  auto in = body_of("/v1/channels/wa-1/ops/request_code");
  EXPECT_EQ(in->getValue<std::string>("phone_number_id"), "777");
  EXPECT_EQ(in->getValue<std::string>("code_method"), "VOICE");
  EXPECT_EQ(in->getValue<std::string>("language"), "de");
  EXPECT_EQ(connected_url, "http://127.0.0.1:8080");
  EXPECT_EQ(connected_token, "secret-token-value");
  EXPECT_EQ(out.str().find("secret-token-value"), std::string::npos);
  EXPECT_NE(out.str().find("verification:"), std::string::npos) << out.str();

  answers["POST /v1/channels/wa-1/ops/add_number"] = {
      200, std::string(R"({"ok":true,"number":)") + kNumber + "}"};
  ASSERT_EQ(run({"numbers", "add", "--cc", "+1", "--phone", "631 555 1234", "--name", "Lucky"}),
            kExitOk);
  in = body_of("/v1/channels/wa-1/ops/add_number");
  EXPECT_EQ(in->getValue<std::string>("cc"), "1");
  EXPECT_EQ(in->getValue<std::string>("phone_number"), "631 555 1234");
  EXPECT_EQ(in->getValue<std::string>("verified_name"), "Lucky");
  ASSERT_EQ(run({"numbers", "add", "--phone-number-id", "888", "--waba-id", "42"}), kExitOk);
  in = body_of("/v1/channels/wa-1/ops/add_number");
  EXPECT_EQ(in->getValue<std::string>("phone_number_id"), "888");
  EXPECT_EQ(in->getValue<std::string>("waba_id"), "42");
  EXPECT_FALSE(in->has("cc"));
  EXPECT_FALSE(in->has("token"));
  // --token-ref names the instance secret holding the number's token (--token is the admin one).
  ASSERT_EQ(run({"numbers", "add", "--phone-number-id", "889", "--waba-id", "43", "--token-ref",
                 "brand_b_token"}),
            kExitOk)
      << err.str();
  in = body_of("/v1/channels/wa-1/ops/add_number");
  EXPECT_EQ(in->getValue<std::string>("waba_id"), "43");
  EXPECT_EQ(in->getValue<std::string>("token"), "brand_b_token");
  EXPECT_EQ(connected_token, "secret-token-value");

  answers["POST /v1/channels/wa-2/ops/request_official_account"] = {200,
                                                                    R"({"ok":true,"number":{}})"};
  ASSERT_EQ(run({"--instance", "wa-2", "numbers", "request-official", "--website",
                 "https://shrub.example", "--country", "US", "--language", "en", "--link",
                 "https://a.example", "--link", "https://b.example"}),
            kExitOk)
      << err.str();
  in = body_of("/v1/channels/wa-2/ops/request_official_account");
  EXPECT_EQ(in->getArray("supporting_links")->size(), 2u);
  EXPECT_EQ(in->getValue<std::string>("primary_country_of_operation"), "US");
}

TEST_F(WhatsAppCliTest, UrlComesFromTheFlagTheEnvironmentOrTheConfigsPort) {
  answers["POST /v1/channels/wa-1/ops/list_numbers"] = {200, R"({"numbers":[]})"};
  vars["SB_URL"] = "http://127.0.0.1:9999";
  ASSERT_EQ(run({"numbers", "list"}), kExitOk) << err.str();
  EXPECT_EQ(connected_url, "http://127.0.0.1:9999");
  ASSERT_EQ(run({"numbers", "list", "--url", "http://127.0.0.1:7777", "--token", "t2"}), kExitOk);
  EXPECT_EQ(connected_url, "http://127.0.0.1:7777");
  EXPECT_EQ(connected_token, "t2");

  vars.erase("SB_URL");
  const auto cfg = std::filesystem::temp_directory_path() /
                   ("sb-wacli-" + std::to_string(::getpid()) + ".jsonc");
  std::ofstream(cfg) << R"({"data_dir": "data", "http": {"host": "0.0.0.0", "port": 18123},
    "instances": []})";
  EXPECT_EQ(run({"numbers", "list", "--config", cfg.string()}), kExitOk) << err.str();
  EXPECT_EQ(connected_url, "http://127.0.0.1:18123");
  std::filesystem::remove(cfg);
}

TEST_F(WhatsAppCliTest, NumbersAreShownWithTheirFullState) {
  answers["POST /v1/channels/wa-1/ops/get_number"] = {200, kNumber};
  ASSERT_EQ(run({"numbers", "show"}), kExitOk) << err.str();
  const std::string text = out.str();
  for (const char* want :
       {"+16315551234", "Lucky Shrub (APPROVED)", "Lucky Shrub Garden (REJECTED)",
        "NAME_FORMAT_UNACCEPTABLE", "VERIFIED", "CONNECTED, registered: yes", "GREEN", "TIER_1K",
        "STANDARD (80 msg/s)", "PENDING, official: no", "2025-12-06T05:46:40Z"}) {
    EXPECT_NE(text.find(want), std::string::npos) << want << " in\n" << text;
  }
  EXPECT_FALSE(body_of("/v1/channels/wa-1/ops/get_number")->has("phone_number_id"));

  answers["POST /v1/channels/wa-1/ops/list_numbers"] = {
      200,
      std::string(R"({"waba_id":"1","numbers":[)") + kNumber + R"(,{"phone_number_id":"888"}]})"};
  ASSERT_EQ(run({"numbers", "list"}), kExitOk);
  std::istringstream lines(out.str());
  std::string header, first, second;
  std::getline(lines, header);
  std::getline(lines, first);
  std::getline(lines, second);
  EXPECT_EQ(header.find("PHONE NUMBER ID"), 0u) << out.str();
  EXPECT_NE(header.find("THROUGHPUT"), std::string::npos);
  EXPECT_NE(first.find("TIER_1K"), std::string::npos) << out.str();
  EXPECT_EQ(second.find("888"), 0u) << out.str();
  // Columns line up: the second column starts at the same place in every row.
  EXPECT_EQ(header.find("  NUMBER  ") + 2, first.find("+1631"));

  ASSERT_EQ(run({"numbers", "list", "--json"}), kExitOk);
  EXPECT_EQ(out.str(), answers["POST /v1/channels/wa-1/ops/list_numbers"].body + "\n");
}

TEST_F(WhatsAppCliTest, ApiErrorsExitNonZeroWithTheMessageAndField) {
  answers["POST /v1/channels/wa-1/ops/set_pin"] = {
      400,
      R"({"error":{"code":"invalid_argument","message":"pin: exactly 6 digits","field":"pin"}})"};
  EXPECT_EQ(run({"numbers", "set-pin", "--pin", "12"}), kExitFailure);
  EXPECT_EQ(err.str(), "error: pin: exactly 6 digits\n");
  EXPECT_EQ(run({"-v", "numbers", "set-pin", "--pin", "12"}), kExitFailure);
  EXPECT_EQ(err.str(), "error: invalid_argument: pin: exactly 6 digits (field: pin) [HTTP 400]\n");

  answers["GET /v1/channels"] = {401, R"({"error":{"code":"unauthorized","message":"bad token"}})"};
  EXPECT_EQ(run({"numbers", "list"}), kExitFailure);
  EXPECT_NE(err.str().find("bad token"), std::string::npos) << err.str();
  EXPECT_EQ(err.str().find("secret-token-value"), std::string::npos);

  unreachable = true;
  EXPECT_EQ(run({"numbers", "list"}), kExitUnavailable);
  EXPECT_NE(err.str().find("cannot reach"), std::string::npos) << err.str();
}

TEST_F(WhatsAppCliTest, ATemplateRefusedByThePluginNamesTheRealFieldAndNoInternals) {
  // What the API answers for the plugin's invalid template (see op_error in the API).
  answers["POST /v1/channels/wa-1/ops/template_create"] = {
      400, R"({"error":{"code":"invalid_argument","message":"components[1].text: must not be )"
           R"(empty","field":"components[1].text"}})"};
  EXPECT_EQ(run({"templates", "create", "--name", "order_update", "--language", "en_US",
                 "--category", "UTILITY", "--body", "x"}),
            kExitFailure);
  EXPECT_EQ(err.str(), "error: components[1].text: must not be empty\n");
  for (const char* internal : {"SB_ERR_", "invoke", "HTTP", "invalid_argument", "(field: "}) {
    EXPECT_EQ(err.str().find(internal), std::string::npos) << internal;
  }
  EXPECT_EQ(run({"templates", "create", "--name", "order_update", "--language", "en_US",
                 "--category", "UTILITY", "--body", "x", "--verbose"}),
            kExitFailure);
  EXPECT_NE(err.str().find("[HTTP 400]"), std::string::npos) << err.str();
}

TEST_F(WhatsAppCliTest, UsageErrorsNeverCallTheDaemon) {
  EXPECT_EQ(run({}), kExitUsage);
  EXPECT_EQ(run({"numbers"}), kExitUsage);
  EXPECT_EQ(run({"numbers", "frobnicate"}), kExitUsage);
  EXPECT_EQ(run({"numbers", "verify-code"}), kExitUsage);
  EXPECT_NE(err.str().find("--code is required"), std::string::npos) << err.str();
  EXPECT_EQ(run({"numbers", "request-code", "--method", "FAX"}), kExitUsage);
  EXPECT_EQ(run({"numbers", "add", "--phone-number-id", "1", "--cc", "1"}), kExitUsage);
  EXPECT_EQ(run({"numbers", "show", "--bogus", "1"}), kExitUsage);
  EXPECT_EQ(run({"numbers", "show", "--number"}), kExitUsage);
  EXPECT_EQ(run({"templates", "show", "order_update"}), kExitUsage);  // no --language
  EXPECT_EQ(run({"templates", "create", "--name", "x"}), kExitUsage);
  EXPECT_EQ(run({"templates", "send", "order_update", "--language", "en_US"}), kExitUsage);
  vars.erase("SB_TOKEN");
  EXPECT_EQ(run({"numbers", "list"}), kExitUsage);
  EXPECT_NE(err.str().find("SB_TOKEN"), std::string::npos);
  EXPECT_TRUE(requests.empty());
}

TEST_F(WhatsAppCliTest, SeveralWhatsAppInstancesNeedInstance) {
  answers["GET /v1/channels"] = {
      200, R"({"items":[{"id":"wa-1","plugin":"whatsapp"},{"id":"wa-2","plugin":"whatsapp"}]})"};
  EXPECT_EQ(run({"numbers", "list"}), kExitUsage);
  EXPECT_NE(err.str().find("wa-1, wa-2"), std::string::npos) << err.str();
}

TEST_F(WhatsAppCliTest, TemplateCreatedFromFlagsHasTheCreateForm) {
  answers["POST /v1/channels/wa-1/ops/template_create"] = {
      200,
      R"({"ok":true,"template":{"id":"5","name":"order_update","language":"en_US",)"
      R"("status":"PENDING","category":"UTILITY","components":[{"type":"BODY","text":"Hi {{1}}"}]}})"};
  ASSERT_EQ(run({"templates",        "create",
                 "--name",           "order_update",
                 "--language",       "en_US",
                 "--category",       "utility",
                 "--header",         "Order {{1}}",
                 "--header-example", "A-1",
                 "--body",           "Hi {{1}}, order {{2}} shipped.",
                 "--example",        "Ann",
                 "--example",        "A-1",
                 "--footer",         "Lucky Shrub",
                 "--quick-reply",    "Thanks",
                 "--url-button",     "Track=https://shrub.example/t/{{1}}"}),
            kExitOk)
      << err.str();
  auto t = body_of("/v1/channels/wa-1/ops/template_create");
  EXPECT_EQ(t->getValue<std::string>("category"), "UTILITY");
  auto comps = t->getArray("components");
  ASSERT_EQ(comps->size(), 4u);
  EXPECT_EQ(comps->getObject(0)->getValue<std::string>("type"), "HEADER");
  auto body = comps->getObject(1);
  EXPECT_EQ(body->getValue<std::string>("text"), "Hi {{1}}, order {{2}} shipped.");
  EXPECT_EQ(body->getObject("example")->getArray("body_text")->getArray(0)->size(), 2u);
  auto buttons = comps->getObject(3)->getArray("buttons");
  ASSERT_EQ(buttons->size(), 2u);
  EXPECT_EQ(buttons->getObject(1)->getValue<std::string>("url"), "https://shrub.example/t/{{1}}");
  EXPECT_NE(out.str().find("status:"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("body: Hi {{1}}"), std::string::npos) << out.str();
}

TEST_F(WhatsAppCliTest, TemplateFromAFileIsSentAsItIs) {
  answers["POST /v1/channels/wa-1/ops/template_create"] = {200, R"({"ok":true,"template":{}})"};
  const auto file = std::filesystem::temp_directory_path() /
                    ("sb-wacli-tpl-" + std::to_string(::getpid()) + ".json");
  std::ofstream(file) << R"({"name":"hello","language":"en","category":"MARKETING",
    "components":[{"type":"BODY","text":"Hello"}]})";
  ASSERT_EQ(run({"templates", "create", "--file", file.string()}), kExitOk) << err.str();
  EXPECT_EQ(body_of("/v1/channels/wa-1/ops/template_create")->getValue<std::string>("name"),
            "hello");
  // Into another WABA: the template is wrapped with the WABA and the secret of its token.
  ASSERT_EQ(run({"templates", "create", "--file", file.string(), "--waba-id", "43", "--token-ref",
                 "brand_b_token"}),
            kExitOk)
      << err.str();
  auto wrapped = body_of("/v1/channels/wa-1/ops/template_create");
  EXPECT_EQ(wrapped->getValue<std::string>("waba_id"), "43");
  EXPECT_EQ(wrapped->getValue<std::string>("token"), "brand_b_token");
  EXPECT_EQ(wrapped->getObject("template")->getValue<std::string>("name"), "hello");
  answers["POST /v1/channels/wa-1/ops/template_sync"] = {200, R"({"ok":true,"templates":1})"};
  ASSERT_EQ(run({"templates", "sync", "--waba-id", "43"}), kExitOk) << err.str();
  EXPECT_EQ(body_of("/v1/channels/wa-1/ops/template_sync")->getValue<std::string>("waba_id"), "43");
  std::ofstream(file) << "not json";
  EXPECT_EQ(run({"templates", "create", "--file", file.string()}), kExitUsage);
  std::filesystem::remove(file);
}

TEST_F(WhatsAppCliTest, TemplateSendStartsOrJoinsTheCustomersConversationOnTheInstance) {
  answers["POST /v1/conversations"] = {
      201, R"({"conversation":{"id":12,"reference":"SB-7K3Q9X"},)"
           R"("message":{"id":77,"status":"queued","conversation_id":12},"duplicate":false})"};
  answers["GET /v1/messages/77"] = {200, R"({"id":77,"status":"sent","status_history":[]})"};
  answers["GET /v1/messages/78"] = {200, R"({"id":78,"status":"delivered","status_history":[]})"};
  ASSERT_EQ(run({"templates", "send", "order_update", "--language", "en_US", "--to",
                 "+49 151 12345678", "--param", "Zoe", "--param", "B-4711"}),
            kExitOk)
      << err.str();
  EXPECT_EQ(requests.at(requests.size() - 2).idempotency_key, "key-1");
  EXPECT_EQ(requests.back().path, "/v1/messages/77");  // then it waited for WhatsApp's answer
  // The number goes as given: the API normalises it as it does inbound senders.
  auto start = body_of("/v1/conversations");
  EXPECT_EQ(start->getValue<std::string>("instance_id"), "wa-1");
  EXPECT_EQ(start->getObject("to")->getValue<std::string>("address"), "+49 151 12345678");
  auto sent = start->getObject("message");
  EXPECT_EQ(sent->getValue<std::string>("content_type"), "template");
  auto payload = sent->getObject("payload");
  EXPECT_EQ(payload->getValue<std::string>("name"), "order_update");
  auto params = payload->getArray("components")->getObject(0)->getArray("parameters");
  ASSERT_EQ(params->size(), 2u);
  EXPECT_EQ(params->getObject(1)->getValue<std::string>("text"), "B-4711");
  EXPECT_NE(out.str().find("message 77 in conversation 12 (SB-7K3Q9X)"), std::string::npos)
      << out.str();

  // --json prints the message, as a send in a given conversation does.
  out.str("");
  ASSERT_EQ(run({"templates", "send", "order_update", "--language", "en_US", "--to",
                 "+4915112345678", "--json"}),
            kExitOk)
      << err.str();
  auto printed = Poco::JSON::Parser().parse(out.str()).extract<Poco::JSON::Object::Ptr>();
  EXPECT_EQ(printed->getValue<int64_t>("id"), 77);
  EXPECT_FALSE(printed->getValue<bool>("duplicate"));

  // --conversation sends in that one.
  answers["POST /v1/conversations/11/messages"] = {202, R"({"id":78,"status":"queued"})"};
  ASSERT_EQ(
      run({"templates", "send", "order_update", "--language", "en_US", "--conversation", "11"}),
      kExitOk)
      << err.str();
  EXPECT_EQ(body_of("/v1/conversations/11/messages")->getValue<std::string>("content_type"),
            "template");

  // The API's refusal reaches the operator with its reason.
  answers["POST /v1/conversations"] = {
      422, R"({"error":{"code":"cannot_send","message":"outside the 24-hour window",)"
           R"("field":"message.content_type"}})"};
  EXPECT_EQ(
      run({"templates", "send", "order_update", "--language", "en_US", "--to", "+4917000000000"}),
      kExitFailure);
  EXPECT_NE(err.str().find("outside the 24-hour window"), std::string::npos) << err.str();
  EXPECT_EQ(run({"templates", "send", "order_update", "--language", "en_US", "--to", "12"}),
            kExitUsage);
}

TEST_F(WhatsAppCliTest, TemplateSendWaitsForTheOutcomeAndFailsWithTheProvidersReason) {
  answers["POST /v1/conversations"] = {
      201, R"({"conversation":{"id":12,"reference":"SB-7K3Q9X"},)"
           R"("message":{"id":77,"status":"queued","conversation_id":12},"duplicate":false})"};
  answers["GET /v1/messages/77"] = {
      200, R"({"id":77,"status":"failed","status_history":[{"status":"queued","error_code":"",)"
           R"("error_text":""},{"status":"failed","error_code":"132001","error_text":)"
           R"("Template name does not exist in the translation"}]})"};
  EXPECT_EQ(run({"templates", "send", "no_such", "--language", "en_US", "--to", "+4915112345678"}),
            kExitFailure);
  EXPECT_NE(err.str().find("message 77 failed: Template name does not exist in the translation "
                           "(132001)"),
            std::string::npos)
      << err.str();
  EXPECT_EQ(requests.back().path, "/v1/messages/77");

  // Still queued when the wait ends: no failure, but said so; the polls are bounded.
  answers["GET /v1/messages/77"] = {200, R"({"id":77,"status":"queued","status_history":[]})"};
  requests.clear();
  slept = std::chrono::milliseconds(0);
  EXPECT_EQ(run({"templates", "send", "order_update", "--language", "en_US", "--to",
                 "+4915112345678", "--wait", "2"}),
            kExitOk);
  EXPECT_NE(err.str().find("still queued after 2 s"), std::string::npos) << err.str();
  EXPECT_EQ(slept, std::chrono::milliseconds(2000));
  EXPECT_LE(requests.size(), 12u);

  // --wait 0 does not ask at all.
  requests.clear();
  EXPECT_EQ(run({"templates", "send", "order_update", "--language", "en_US", "--to",
                 "+4915112345678", "--wait", "0"}),
            kExitOk);
  EXPECT_EQ(requests.back().path, "/v1/conversations");
  EXPECT_EQ(run({"templates", "send", "order_update", "--language", "en_US", "--to",
                 "+4915112345678", "--wait", "x"}),
            kExitUsage);
  // Numbers are read from their text: past 32 or 64 bits is refused, never wrapped.
  for (const char* hostile : {"4294967297", "18446744073709551617", "-1", "601", "1e2"}) {
    requests.clear();
    EXPECT_EQ(run({"templates", "send", "order_update", "--language", "en_US", "--to",
                   "+4915112345678", "--wait", hostile}),
              kExitUsage)
        << hostile;
    EXPECT_TRUE(requests.empty()) << hostile;
  }
  for (const char* hostile : {"4294967297", "18446744073709551617", "-1", "0", "86401", "1e2"}) {
    requests.clear();
    EXPECT_EQ(
        run({"templates", "wait", "order_update", "--language", "en_US", "--timeout", hostile}),
        kExitUsage)
        << hostile;
    EXPECT_TRUE(requests.empty()) << hostile;
  }
}

TEST_F(WhatsAppCliTest, HelpDocumentsTheCommands) {
  ASSERT_EQ(run({"--help"}), kExitOk);
  for (const char* want :
       {"numbers add", "request-code", "verify-code", "set-pin", "register", "deregister",
        "display-name", "request-official", "refresh", "templates create", "templates send",
        "templates preview", "--json", "SB_TOKEN", "SB_URL"}) {
    EXPECT_NE(out.str().find(want), std::string::npos) << want;
  }
  std::ostringstream main_out, main_err;
  ASSERT_EQ(run_cli({"--help"}, main_out, main_err), kExitOk);
  EXPECT_NE(main_out.str().find("whatsapp"), std::string::npos);
}

}  // namespace
}  // namespace sb::app

namespace sb::app {
namespace {

TEST(ApiClientTest, OnlyPlainHttpUrlsAndTransportFailuresAreStatuses) {
  EXPECT_FALSE(http_transport("https://127.0.0.1:8443", "t"));
  EXPECT_FALSE(http_transport("ftp://127.0.0.1", "t"));
  EXPECT_FALSE(http_transport("http://", "t"));
  auto t = http_transport("http://127.0.0.1:1/prefix/", "t");  // nothing listens on port 1
  ASSERT_TRUE(t);
  auto r = (*t)({"GET", "/v1/channels", "", ""});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), Code::kUnavailable);
  EXPECT_NE(r.status().message().find("127.0.0.1:1"), std::string::npos);
}

TEST(ApiClientTest, ErrorTextIsTheMessageAndFieldWithInternalsOnlyWhenVerbose) {
  const ApiReply named{400, R"({"error":{"code":"invalid_field","message":"name: too long",)"
                            R"("field":"name"}})"};
  EXPECT_EQ(api_error_text(named), "name: too long");
  EXPECT_EQ(api_error_text(named, true), "invalid_field: name: too long (field: name) [HTTP 400]");
  const ApiReply unnamed{422, R"({"error":{"code":"cannot_send","message":"outside the window",)"
                              R"("field":"message.content_type"}})"};
  EXPECT_EQ(api_error_text(unnamed), "outside the window (field: message.content_type)");
  EXPECT_EQ(api_error_text({502, "<html>bad gateway</html>"}),
            "HTTP 502: <html>bad gateway</html>");
}

}  // namespace
}  // namespace sb::app
