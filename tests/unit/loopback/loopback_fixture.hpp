// Shared set-up: the built loopback.so in a FakeHost, plus short-hands for its control routes.
#pragma once

#include <switchboard/json.hpp>
#include <switchboard/testing/fake_host.hpp>

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>

namespace lbtest {

namespace sw = switchboard;
namespace json = switchboard::json;
using sw::testing::FakeHost;
using sw::testing::Outbound;
using sw::testing::WebhookCall;
using sw::testing::WebhookReply;

inline const sb_plugin_entry* loopback_entry() {
  static const auto entry = sw::testing::open_plugin_library(SB_LOOPBACK_PLUGIN_PATH);
  return entry ? entry.value() : nullptr;
}

inline Outbound message(int64_t id, std::string to, std::string text = "hello") {
  Outbound m;
  m.message_id = id;
  m.idempotency_key = "key-" + std::to_string(id);
  m.to = std::move(to);
  m.from = "+4930111111";
  m.text = std::move(text);
  return m;
}

inline json::Value parse(std::string_view text) {
  std::optional<json::Value> v = json::parse(text);
  EXPECT_TRUE(v.has_value()) << "not JSON: " << text;
  return v.value_or(json::Value());
}

class Loopback : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(loopback_entry(), nullptr) << SB_LOOPBACK_PLUGIN_PATH;
    ASSERT_TRUE(fake.load(loopback_entry()));
    boot(config());
  }
  // Subclasses override for another configuration.
  virtual std::string config() const { return R"({"delivery": {"auto": false}})"; }

  void boot(std::string_view cfg) {
    sw::Status created = fake.create("lb-1", cfg);
    ASSERT_TRUE(created) << created.error().message;
    sw::Status started = fake.start();
    ASSERT_TRUE(started) << started.error().message;
  }

  WebhookReply call(std::string method, std::string path, std::string body = {},
                    std::string query = {}) {
    WebhookCall c;
    c.method = std::move(method);
    c.path = std::move(path);
    c.body = std::move(body);
    c.query = std::move(query);
    return fake.webhook(c);
  }
  WebhookReply post(std::string path, std::string body) {
    return call("POST", std::move(path), std::move(body));
  }
  // GET /sent?since=N as parsed JSON.
  json::Value sent(uint64_t since = 0) {
    WebhookReply r = call("GET", "/sent", {}, "since=" + std::to_string(since));
    EXPECT_EQ(r.http_status, 200) << r.body;
    return parse(r.body);
  }
  void program(std::string faults_json) {
    WebhookReply r = post("/faults", std::move(faults_json));
    ASSERT_EQ(r.http_status, 200) << r.body;
  }

  FakeHost fake;
};

// The "field" of a 400 answer.
inline std::string error_field(const WebhookReply& r) {
  json::Value v = parse(r.body);
  const json::Value* e = v.find("error");
  const json::Value* f = e != nullptr ? e->find("field") : nullptr;
  return f != nullptr ? f->as_string() : "";
}

}  // namespace lbtest
