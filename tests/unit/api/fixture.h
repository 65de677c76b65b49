// A real SQLite store in a temp dir with the ingest resolver, the API routes on a Router called
// in-process, tokens of every role, fake channels and a send hook that records what it sent.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include "api/api.h"
#include "api/api_store.h"
#include "auth/token.h"
#include "conversations/ingest_resolver.h"
#include "conversations/service.h"
#include "store/store.h"

namespace sb::api::testing {

class FakeChannels : public Channels {
 public:
  std::vector<ChannelInfo> list() override {
    ChannelInfo c;
    c.id = "wa1";
    c.plugin_id = "fake";
    c.kind = "whatsapp";
    c.state = "running";
    c.capabilities = {"send_text", "templates"};
    c.health_state = 2;
    c.health_json = R"({"templates":3})";
    return {c};
  }
  bool exists(std::string_view id) override { return id == "wa1"; }
  Result<CanSendInfo> can_send(std::string_view id, std::string_view to, std::string_view,
                               std::string_view content_type, int64_t last_inbound) override {
    if (id != "wa1") return not_found("no channel");
    last_to = std::string(to);
    last_inbound_at_ms = last_inbound;
    if (content_type == "template" || window_open) return CanSendInfo{true, "free_text", 0, ""};
    return CanSendInfo{false, "template_only", 0, "outside the 24-hour window"};
  }
  Result<std::string> invoke(std::string_view id, std::string_view op,
                             std::string_view json_in) override {
    if (id != "wa1") return not_found("no channel");
    if (op != "echo") return not_found("no op " + std::string(op));
    return std::string(R"({"got":)") + std::string(json_in) + "}";
  }
  std::string last_to;
  int64_t last_inbound_at_ms = -1;
  bool window_open = false;  // free text allowed too
};

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() / ("sb_api_" + std::to_string(::getpid()) + "_" +
                                                     info->test_suite_name() + "_" + info->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store::StoreOptions options;
    conversations::ResolverOptions ro;
    ro.default_region = "DE";
    options.inbound_resolver = std::make_shared<conversations::IngestResolver>(ro);
    auto s = store::open_sqlite_store(dir_ / "sb.db", options);
    ASSERT_TRUE(s.is_ok()) << s.status().message();
    store_ = std::move(s).value();
    auto a = ApiStore::open(dir_ / "sb.db");
    ASSERT_TRUE(a.is_ok()) << a.status().message();
    api_store_ = std::move(a).value();
    service_ = std::make_unique<conversations::ConversationService>(
        *store_->model(), conversations::system_clock_ms, "DE");

    ApiDeps deps;
    deps.api_store = api_store_.get();
    deps.store = store_.get();
    deps.conversations = service_.get();
    deps.channels = &channels_;
    deps.options.page_size = 2;  // small, so paging is exercised
    deps.send = [this](const store::OutboundMessage& m) -> Result<SendAccepted> {
      const bool seen = sent_by_key_.contains(m.idempotency_key);
      auto id = store_->insert_outbound(m);
      if (!id) return id.status();
      if (!seen) {
        sent_by_key_[m.idempotency_key] = *id;
        sent_.push_back(m);
      }
      return SendAccepted{*id, seen};
    };
    deps.on_event = [this](std::string_view type, const std::string& data) {
      events_.emplace_back(std::string(type), data);
    };
    install_api_routes(router_, std::move(deps));

    admin_ = token("root", auth::Role::kAdmin);
    supervisor_ = token("sue", auth::Role::kSupervisor);
    agent_ = token("alice", auth::Role::kAgent);
    other_agent_ = token("bob", auth::Role::kAgent);
  }
  void TearDown() override {
    service_.reset();
    api_store_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string token(const std::string& name, auth::Role role) {
    const std::string t = auth::generate_token();
    EXPECT_TRUE(api_store_->create_token(name, role, auth::hash_token(t)).is_ok());
    return t;
  }

  http::Response call(const std::string& method, const std::string& target,
                      const std::string& token, const std::string& body = "",
                      std::vector<std::pair<std::string, std::string>> headers = {}) {
    http::Request r;
    r.method = method;
    const auto q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) r.query = target.substr(q + 1);
    r.body = body;
    r.headers = std::move(headers);
    if (!token.empty()) r.headers.emplace_back("Authorization", "Bearer " + token);
    return router_.dispatch(r);
  }

  static Poco::JSON::Object::Ptr json(const http::Response& r) {
    return Poco::JSON::Parser().parse(r.body).extract<Poco::JSON::Object::Ptr>();
  }
  static std::string error_code(const http::Response& r) {
    return json(r)->getObject("error")->getValue<std::string>("code");
  }

  // An inbound message from `from` on wa1, resolved to a contact and conversation.
  store::InboundResult inbound(const std::string& id, const std::string& from,
                               const std::string& text = "hello", const std::string& name = "") {
    store::InboundMessage m;
    m.instance_id = "wa1";
    m.provider_message_id = id;
    m.from = from;
    m.from_kind = "phone";
    m.from_name = name;
    m.to = "+4930123456";
    m.content_type = "text";
    m.text = text;
    auto r = store_->insert_inbound_resolved(std::span<const store::InboundMessage>(&m, 1));
    EXPECT_TRUE(r.is_ok()) << r.status().message();
    return r.value().at(0);
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<ApiStore> api_store_;
  std::unique_ptr<conversations::ConversationService> service_;
  FakeChannels channels_;
  http::Router router_;
  std::string admin_, supervisor_, agent_, other_agent_;
  std::map<std::string, int64_t> sent_by_key_;
  std::vector<store::OutboundMessage> sent_;
  std::vector<std::pair<std::string, std::string>> events_;  // (type, data) as published
};

}  // namespace sb::api::testing
