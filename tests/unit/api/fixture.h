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
  // A template whose payload names "no_such_template" is one the channel knows does not exist.
  Result<CanSendInfo> can_send(std::string_view id, std::string_view to, std::string_view,
                               std::string_view content_type, int64_t last_inbound,
                               std::string_view payload_json) override {
    if (id != "wa1") return not_found("no channel");
    ++can_send_calls;
    last_to = std::string(to);
    last_inbound_at_ms = last_inbound;
    last_payload = std::string(payload_json);
    if (!can_send_error.is_ok()) return can_send_error;
    if (no_can_send) return CanSendInfo{true, "unknown", 0, "channel \"wa1\" has no can_send"};
    if (content_type == "template" &&
        payload_json.find("\"no_such_template\"") != std::string_view::npos) {
      return CanSendInfo{false, window_open ? "free_text" : "template_only", 0,
                         "template no_such_template (en_US) is not known in WABA 1"};
    }
    if (content_type == "template" || window_open) return CanSendInfo{true, "free_text", 0, ""};
    return CanSendInfo{false, "template_only", 0, "outside the 24-hour window"};
  }
  Result<std::string> invoke(std::string_view id, std::string_view op,
                             std::string_view json_in) override {
    if (id != "wa1") return not_found("no channel");
    if (op == "mark_read") {
      mark_read_calls.emplace_back(json_in);
      if (!mark_read_error.is_ok()) return mark_read_error;
      return std::string(R"({"ok":true})");
    }
    if (op == "media_upload") {
      media_uploads.emplace_back(json_in);
      return std::string(R"({"media_id":"4711","bytes":3})");
    }
    if (op == "fail") return op_failure;
    if (op != "echo") return not_found("no op " + std::string(op));
    return std::string(R"({"got":)") + std::string(json_in) + "}";
  }
  // Media ids: "img-1" is a PNG-like file, "gone" the provider's refusal, "slow" a timeout;
  // anything else the channel cannot download.
  MediaDownload download_media(std::string_view id, std::string_view media_id,
                               size_t max_bytes) override {
    last_media_id = std::string(media_id);
    last_max_bytes = max_bytes;
    MediaDownload d;
    if (id != "wa1") {
      d.http_status = 404;
      d.error_code = "not_found";
      return d;
    }
    if (media_id == "img-1") {
      d.mime_type = media_mime;
      d.sha256 = std::string(64, 'a');
      d.bytes = std::string("\x89PNG\r\n\x1a\n\0binary", 15);
      return d;
    }
    if (media_id == "gone") {
      d.http_status = 502;
      d.error_code = "bad_gateway";
      d.error_message = "the provider refused the download: media expired";
      return d;
    }
    if (media_id == "slow") {
      d.http_status = 504;
      d.error_code = "gateway_timeout";
      d.error_message = "the provider did not answer";
      return d;
    }
    return Channels::download_media(id, media_id, max_bytes);
  }
  bool read_receipts(std::string_view id) override { return id == "wa1" && receipts; }
  bool receipts = false;
  Status mark_read_error;
  std::vector<std::string> mark_read_calls, media_uploads;
  std::string last_to, last_payload;
  int64_t last_inbound_at_ms = -1;
  std::string last_media_id, media_mime = "image/png";
  size_t last_max_bytes = 0;
  bool window_open = true;   // free text allowed too (else only templates)
  Status can_send_error;     // when set, can_send fails with it (not running, plugin error)
  bool no_can_send = false;  // answers as RuntimeChannels does for a plugin without can_send
  Status op_failure = internal_error("invoke fail: SB_ERR_INTERNAL");  // what op "fail" returns
  int can_send_calls = 0;
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
      if (!send_error_.is_ok()) return send_error_;
      const bool seen = sent_by_key_.contains(m.idempotency_key);
      auto id = store_->insert_outbound(m);
      if (!id) return id.status();
      if (!seen) {
        sent_by_key_[m.idempotency_key] = *id;
        sent_.push_back(m);
      }
      return SendAccepted{*id, seen};
    };
    // One bot queue, "faq-bot", handing over to "support" (the router's part is faked here;
    // tests/unit/routing covers it).
    deps.is_bot_queue = [](std::string_view q) { return q == "faq-bot"; };
    deps.handover = [this](int64_t id, const std::optional<std::string>& queue,
                           const std::string& actor,
                           const std::string& note) -> Result<HandoverOutcome> {
      auto c = service_->conversation(id);
      if (!c) return c.status();
      if (!c->has_value() || (*c)->queue != "faq-bot" || (*c)->assignee) {
        return failed_precondition("the conversation is not with a bot");
      }
      const std::string to = queue.value_or("support");
      if (to == "faq-bot" || to == "nowhere") return invalid_argument("no human queue " + to);
      if (Status s = service_->assign(id, std::nullopt, to); !s) return s;
      handovers_.push_back({id, to, actor, note});
      return HandoverOutcome{"faq-bot", to, std::nullopt};
    };
    deps.on_event = [this](std::string_view type, const std::string& data) {
      events_.emplace_back(std::string(type), data);
    };
    customize(deps);
    install_api_routes(router_, std::move(deps));

    admin_ = token("root", auth::Role::kAdmin);
    supervisor_ = token("sue", auth::Role::kSupervisor);
    agent_ = token("alice", auth::Role::kAgent);
    other_agent_ = token("bob", auth::Role::kAgent);
  }
  // A suite's changes to the dependencies before the routes are installed.
  virtual void customize(ApiDeps&) {}

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

  // An inbound message from `from` (a phone number unless from_kind says otherwise) on wa1,
  // resolved to a contact and conversation.
  store::InboundResult inbound(const std::string& id, const std::string& from,
                               const std::string& text = "hello", const std::string& name = "",
                               const std::string& to = "+4930123456",
                               const std::string& from_kind = "phone") {
    store::InboundMessage m;
    m.instance_id = "wa1";
    m.provider_message_id = id;
    m.from = from;
    m.from_kind = from_kind;
    m.from_name = name;
    m.to = to;
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
  Status send_error_;  // when set, the send hook (the outbox) fails with it
  std::vector<std::pair<std::string, std::string>> events_;  // (type, data) from on_event
  struct HandoverCall {
    int64_t conversation_id;
    std::string to, actor, note;
  };
  std::vector<HandoverCall> handovers_;
};

}  // namespace sb::api::testing
