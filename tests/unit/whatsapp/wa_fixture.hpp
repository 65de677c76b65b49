// Shared set-up: the built whatsapp.so in a FakeHost with secrets set, and a scripted Graph API
// (routes by method + path; every call recorded by FakeHost).
#pragma once

#include "signature.hpp"

#include <switchboard/json.hpp>
#include <switchboard/testing/fake_host.hpp>

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace watest {

namespace sw = switchboard;
namespace json = switchboard::json;
using sw::testing::FakeHost;
using sw::testing::HttpCall;
using sw::testing::HttpReply;
using sw::testing::Outbound;
using sw::testing::WebhookCall;
using sw::testing::WebhookReply;

inline constexpr const char* kBase = "http://127.0.0.1:9";
inline constexpr const char* kPnid = "106540352242922";
inline constexpr const char* kDisplay = "15550783881";
inline constexpr const char* kWaba = "102290129340398";
inline constexpr const char* kAppSecret = "app-secret-xyz";
inline constexpr const char* kToken = "EAAG-token-123";

inline const sb_plugin_entry* whatsapp_entry() {
  static const auto entry = sw::testing::open_plugin_library(SB_WHATSAPP_PLUGIN_PATH);
  return entry ? entry.value() : nullptr;
}

inline json::Value parse(std::string_view text) {
  std::optional<json::Value> v = json::parse(text);
  EXPECT_TRUE(v.has_value()) << "not JSON: " << text;
  return v.value_or(json::Value());
}

inline std::string path_of(const HttpCall& c) {
  std::string rest = c.url.substr(std::string(kBase).size());
  return rest.substr(0, rest.find('?'));
}

inline std::string graph_error(int64_t code, std::string_view title) {
  return R"({"error":{"message":"(#)" + std::to_string(code) + ") " + std::string(title) +
         R"(","type":"OAuthException","code":)" + std::to_string(code) +
         R"(,"error_data":{"messaging_product":"whatsapp","details":"details here"},)"
         R"("fbtrace_id":"Abc"}})";
}

class WhatsApp : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(whatsapp_entry(), nullptr) << SB_WHATSAPP_PLUGIN_PATH;
    ASSERT_TRUE(fake.load(whatsapp_entry()));
    fake.set_secret("access_token", kToken);
    fake.set_secret("app_secret", kAppSecret);
    fake.set_secret("verify_token", "verify-me");
    fake.set_http_handler([this](const HttpCall& c) { return route(c); });
    boot(config());
  }

  virtual std::string config() const {
    return std::string(R"({"graph_base_url":")") + kBase +
           R"(","api_version":"v21.0","waba_id":")" + kWaba +
           R"(","numbers":[{"phone_number_id":")" + kPnid +
           R"(","display_phone_number":"+1 555-078-3881"}],"default_country":"49",)"
           R"("template_sync_interval_s":0})";
  }

  void boot(std::string_view cfg) {
    sw::Status created = fake.create("wa-1", cfg);
    ASSERT_TRUE(created) << created.error().message;
    sw::Status started = fake.start();
    ASSERT_TRUE(started) << started.error().message;
  }

  // Scripts the Graph answer for "METHOD /path" (path without version, e.g. "/123/messages").
  void on(std::string method, std::string path, int32_t status, std::string body) {
    routes[method + " /v21.0" + path] = HttpReply{status, {}, std::move(body), SB_OK, {}};
  }

  HttpReply route(const HttpCall& c) {
    auto it = routes.find(c.method + " " + path_of(c));
    if (it != routes.end()) return it->second;
    return HttpReply{400, {}, graph_error(100, "Unknown path " + path_of(c)), SB_OK, {}};
  }

  WebhookReply post_signed(const std::string& body, std::string secret = kAppSecret) {
    WebhookCall call;
    call.method = "POST";
    call.path = "/";
    call.headers = "Content-Type: application/json\r\nX-Hub-Signature-256: sha256=" +
                   wa::hmac_sha256_hex(secret, body) + "\r\n";
    call.body = body;
    return fake.webhook(call);
  }

  // A "messages" delivery for our number holding `messages_json` (an array's contents).
  static std::string inbound_payload(const std::string& messages_json,
                                     const std::string& wa_id = "16505551234") {
    return std::string(R"({"object":"whatsapp_business_account","entry":[{"id":")") + kWaba +
           R"(","changes":[{"field":"messages","value":{"messaging_product":"whatsapp",)"
           R"("metadata":{"display_phone_number":")" +
           kDisplay + R"(","phone_number_id":")" + kPnid +
           R"("},"contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":")" + wa_id +
           R"("}],"messages":[)" + messages_json + "]}}]}]}";
  }

  static std::string statuses_payload(const std::string& statuses_json) {
    return std::string(R"({"object":"whatsapp_business_account","entry":[{"id":")") + kWaba +
           R"(","changes":[{"field":"messages","value":{"messaging_product":"whatsapp",)"
           R"("metadata":{"display_phone_number":")" +
           kDisplay + R"(","phone_number_id":")" + kPnid + R"("},"statuses":[)" + statuses_json +
           "]}}]}]}";
  }

  static std::string account_payload(const std::string& field, const std::string& value) {
    return std::string(R"({"object":"whatsapp_business_account","entry":[{"id":")") + kWaba +
           R"(","time":1739321024,"changes":[{"field":")" + field + R"(","value":)" + value +
           "}]}]}";
  }

  // A customer message that opens the window for wa_id at the fake clock's time.
  void customer_writes(const std::string& wa_id = "16505551234",
                       const std::string& id = "wamid.IN1") {
    std::string ts = std::to_string(fake.now_ms() / 1000);
    WebhookReply r = post_signed(inbound_payload(R"({"from":")" + wa_id + R"(","id":")" + id +
                                                     R"(","timestamp":")" + ts +
                                                     R"(","type":"text","text":{"body":"hi"}})",
                                                 wa_id));
    ASSERT_EQ(r.http_status, 200) << r.body;
  }

  std::vector<HttpCall> calls_to(std::string_view path) const {
    std::vector<HttpCall> out;
    for (const auto& c : fake.http_calls()) {
      if (path_of(c) == path) out.push_back(c);
    }
    return out;
  }

  FakeHost fake;
  std::map<std::string, HttpReply> routes;
};

}  // namespace watest
