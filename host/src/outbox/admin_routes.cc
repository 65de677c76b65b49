#include "outbox/admin_routes.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <charconv>
#include <memory>
#include <sstream>

#include "config/jsonc.h"

namespace sb::outbox {
namespace {

constexpr size_t kMaxBody = 64 * 1024;

// Compares every byte whatever the first mismatch, so timing tells nothing about the token.
bool same_secret(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); ++i) diff |= a[i] ^ b[i % (b.empty() ? 1 : b.size())];
  return diff == 0 && !b.empty();
}

int http_status(Code code) {
  switch (code) {
    case Code::kInvalidArgument:
      return 400;
    case Code::kNotFound:
      return 404;
    case Code::kFailedPrecondition:
    case Code::kAlreadyExists:
      return 409;
    case Code::kUnavailable:
      return 503;
    default:
      return 500;
  }
}

http::Response from_status(const Status& s) {
  return http::json_error(http_status(s.code()), code_name(s.code()), s.message());
}

std::optional<int64_t> id_param(const http::Request& req, std::string_view name) {
  auto v = req.query_param(name);
  if (!v) return std::nullopt;
  int64_t id = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), id);
  if (ec != std::errc() || end != v->data() + v->size() || id <= 0) return std::nullopt;
  return id;
}

Poco::JSON::Object::Ptr row_json(const store::OutboxRow& row) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
  o->set("id", row.message.id);
  o->set("instance_id", row.message.instance_id);
  o->set("to", row.message.to);
  o->set("state", std::string(store::to_string(row.state)));
  o->set("status", static_cast<int>(row.message.status));
  o->set("attempts", row.attempts);
  o->set("provider_message_id", row.message.provider_message_id);
  o->set("next_attempt_at_ms", row.next_attempt_at_ms);
  o->set("last_error_code", row.last_error_code);
  o->set("last_error_text", row.last_error_text);
  return o;
}

http::Response stringify(int status, const Poco::JSON::Object::Ptr& o) {
  http::Response r;
  r.status = status;
  std::ostringstream out;
  o->stringify(out);
  r.body = out.str();
  return r;
}

http::Response enqueue(Outbox& outbox, const http::Request& req) {
  if (req.body.size() > kMaxBody) return http::json_error(413, "too_large", "body over 64 KiB");
  store::OutboundMessage m;
  // The project's parser: UTF-8 only, and no integer wrapped past 2^64 into a short string.
  auto body = config::parse_json(req.body);
  if (!body)
    return http::json_error(400, "invalid_argument", "bad JSON: " + body.status().message());
  if (body->type() != typeid(Poco::JSON::Object::Ptr)) {
    return http::json_error(400, "invalid_argument", "body must be an object");
  }
  try {
    auto o = body->extract<Poco::JSON::Object::Ptr>();
    auto text = [&](const char* key) { return o->optValue<std::string>(key, ""); };
    m.instance_id = text("instance_id");
    m.to = text("to");
    m.text = text("text");
    m.content_type = text("content_type");
    if (m.content_type.empty()) m.content_type = "text";
    m.from = text("from");
    m.payload_json = text("payload_json");
    m.idempotency_key = text("idempotency_key");
  } catch (const std::exception& e) {
    return http::json_error(400, "invalid_argument", std::string("bad JSON: ") + e.what());
  }
  auto r = outbox.enqueue(m);
  if (!r) return from_status(r.status());
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
  o->set("message_id", r->message_id);
  o->set("duplicate", r->duplicate);
  return stringify(202, o);
}

}  // namespace

void install_admin_routes(http::Router& router, Outbox& outbox, std::string token) {
  // Every handler checks the token first; nothing about the request is read before that.
  auto guarded = [token = std::make_shared<const std::string>(std::move(token))](
                     std::function<http::Response(const http::Request&)> inner) {
    return [token, inner = std::move(inner)](const http::Request& req) {
      const std::string_view auth = req.header("Authorization");
      constexpr std::string_view kBearer = "Bearer ";
      if (auth.substr(0, kBearer.size()) != kBearer ||
          !same_secret(auth.substr(kBearer.size()), *token)) {
        // The same code and challenge as the REST API's own 401s.
        auto r = http::json_error(401, "unauthorized", "admin bearer token required");
        r.headers.emplace_back("WWW-Authenticate", auth.empty() ? R"(Bearer realm="switchboard")"
                                                                : R"(Bearer realm="switchboard", )"
                                                                  R"(error="invalid_token")");
        return r;
      }
      return inner(req);
    };
  };
  Outbox* ob = &outbox;
  router.add("POST", "/admin/outbox/messages",
             guarded([ob](const http::Request& req) { return enqueue(*ob, req); }));
  router.add("GET", "/admin/outbox/message", guarded([ob](const http::Request& req) {
               auto id = id_param(req, "id");
               if (!id) return http::json_error(400, "invalid_argument", "id: positive integer");
               auto row = ob->get(*id);
               if (!row) return from_status(row.status());
               if (!*row) return http::json_error(404, "not_found", "no outbox message");
               return stringify(200, row_json(**row));
             }));
  router.add("GET", "/admin/outbox/reconcile", guarded([ob](const http::Request& req) {
               auto instance = req.query_param("instance");
               if (!instance || instance->empty()) {
                 return http::json_error(400, "invalid_argument", "instance: required");
               }
               auto rows = ob->list_reconciliation(*instance);
               if (!rows) return from_status(rows.status());
               Poco::JSON::Array::Ptr arr = new Poco::JSON::Array;
               for (const auto& r : *rows) arr->add(row_json(r));
               Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
               o->set("messages", arr);
               return stringify(200, o);
             }));
  router.add("POST", "/admin/outbox/retry", guarded([ob](const http::Request& req) {
               auto id = id_param(req, "id");
               if (!id) return http::json_error(400, "invalid_argument", "id: positive integer");
               if (Status s = ob->retry_now(*id); !s) return from_status(s);
               Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
               o->set("result", "queued");
               return stringify(200, o);
             }));
}

}  // namespace sb::outbox
