#include "api/json_io.h"

#include <sstream>

#include <Poco/JSON/Stringifier.h>

#include "config/jsonc.h"
#include "core/text_input.h"

namespace sb::api {
namespace {

std::string stringify(const Poco::Dynamic::Var& v) {
  std::ostringstream out;
  Poco::JSON::Stringifier::stringify(v, out);
  return out.str();
}

}  // namespace

http::Response error_response(int status, std::string_view code, std::string_view message,
                              std::string_view field) {
  Poco::JSON::Object err;
  err.set("code", std::string(code));
  err.set("message", std::string(message));
  if (!field.empty()) err.set("field", std::string(field));
  Poco::JSON::Object body;
  body.set("error", err);
  return json_response(status, body);
}

http::Response field_error(std::string_view field, std::string_view message) {
  return error_response(400, "invalid_field", std::string(field) + ": " + std::string(message),
                        field);
}

http::Response status_response(const Status& status) {
  switch (status.code()) {
    case Code::kInvalidArgument:
      return error_response(400, "invalid_argument", status.message());
    case Code::kNotFound:
      return error_response(404, "not_found", status.message());
    case Code::kAlreadyExists:
      return error_response(409, "already_exists", status.message());
    case Code::kFailedPrecondition:
      return error_response(409, "failed_precondition", status.message());
    case Code::kPermissionDenied:
      return error_response(403, "forbidden", status.message());
    case Code::kUnauthenticated:
      return error_response(401, "unauthorized", status.message());
    case Code::kResourceExhausted:
      return error_response(429, "resource_exhausted", status.message());
    case Code::kUnavailable:
      return error_response(503, "unavailable", status.message());
    case Code::kOk:
    case Code::kInternal:
      break;
  }
  return error_response(500, "internal", status.message());
}

http::Response json_response(int status, const Poco::JSON::Object& body) {
  http::Response r;
  r.status = status;
  std::ostringstream out;
  body.stringify(out);
  r.body = out.str();
  return r;
}

std::variant<JsonObject, http::Response> parse_object_body(const http::Request& request,
                                                           size_t max_bytes) {
  if (request.body.size() > max_bytes) {
    return error_response(413, "payload_too_large",
                          "request body exceeds " + std::to_string(max_bytes) + " bytes");
  }
  if (request.body.find_first_not_of(" \t\r\n") == std::string::npos) {
    return JsonObject(new Poco::JSON::Object);
  }
  // The project's strict parser, not Poco's: Poco 1.11 wraps integers past 2^64 and lets
  // invalid UTF-8 through, and neither may reach a route.
  std::string field;
  auto v = config::parse_json(request.body, &field);
  if (!v) {
    if (!field.empty()) return error_response(400, "invalid_field", v.status().message(), field);
    return error_response(400, "malformed_json",
                          "the body is not valid JSON: " + v.status().message());
  }
  if (v->type() != typeid(Poco::JSON::Object::Ptr)) {
    return error_response(400, "invalid_body", "the body must be a JSON object");
  }
  return v->extract<Poco::JSON::Object::Ptr>();
}

void FieldReader::fail(std::string_view field, std::string message) {
  if (!field_.empty()) return;
  field_ = prefix_ + std::string(field);
  problem_ = std::move(message);
}

void FieldReader::only(std::initializer_list<std::string_view> allowed) {
  for (const auto& [name, value] : *object_) {
    bool known = false;
    for (auto a : allowed) known = known || a == name;
    if (!known) fail(name, "unknown field");
  }
}

bool FieldReader::has(std::string_view name) const {
  return object_->has(std::string(name));
}

bool FieldReader::is_null(std::string_view name) const {
  return has(name) && object_->isNull(std::string(name));
}

std::optional<std::string> FieldReader::string(std::string_view name, bool required,
                                               size_t max_bytes, bool allow_empty) {
  const std::string key(name);
  if (!object_->has(key) || object_->isNull(key)) {
    if (required) fail(name, "is required");
    return std::nullopt;
  }
  const Poco::Dynamic::Var v = object_->get(key);
  if (!v.isString()) {
    fail(name, "must be a string");
    return std::nullopt;
  }
  std::string s = v.extract<std::string>();
  if (s.empty() && !allow_empty) {
    fail(name, "must not be empty");
    return std::nullopt;
  }
  if (s.size() > max_bytes) {
    fail(name, "must be at most " + std::to_string(max_bytes) + " bytes");
    return std::nullopt;
  }
  return s;
}

std::optional<int64_t> FieldReader::integer(std::string_view name, bool required, int64_t min,
                                            int64_t max) {
  const std::string key(name);
  if (!object_->has(key) || object_->isNull(key)) {
    if (required) fail(name, "is required");
    return std::nullopt;
  }
  // parse_object_body keeps every whole number that fits 64 bits as an Int64 and refuses the
  // rest; anything else here (a fraction, 1e3, "7", true) is not an integer.
  const Poco::Dynamic::Var v = object_->get(key);
  if (v.type() != typeid(Poco::Int64)) {
    fail(name, "must be an integer");
    return std::nullopt;
  }
  const int64_t n = v.extract<Poco::Int64>();
  if (n < min || n > max) {
    fail(name, integer_range_error(min, max).message());
    return std::nullopt;
  }
  return n;
}

std::optional<std::vector<std::string>> FieldReader::strings(std::string_view name,
                                                             size_t max_items, size_t max_bytes) {
  const std::string key(name);
  if (!object_->has(key)) return std::nullopt;
  auto arr = object_->getArray(key);
  if (!arr) {
    fail(name, "must be an array of strings");
    return std::nullopt;
  }
  if (arr->size() > max_items) {
    fail(name, "must have at most " + std::to_string(max_items) + " items");
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < arr->size(); ++i) {
    const Poco::Dynamic::Var v = arr->get(static_cast<unsigned>(i));
    if (!v.isString() || v.extract<std::string>().empty() ||
        v.extract<std::string>().size() > max_bytes) {
      fail(name, "item " + std::to_string(i) + " must be a non-empty string of at most " +
                     std::to_string(max_bytes) + " bytes");
      return std::nullopt;
    }
    out.push_back(v.extract<std::string>());
  }
  return out;
}

std::optional<std::string> FieldReader::json_text(std::string_view name) {
  const std::string key(name);
  if (!object_->has(key) || object_->isNull(key)) return std::nullopt;
  if (!object_->isObject(key) && !object_->isArray(key)) {
    fail(name, "must be an object or an array");
    return std::nullopt;
  }
  return stringify(object_->get(key));
}

std::optional<int64_t> query_int(const http::Request& request, std::string_view name, bool& bad) {
  auto v = request.query_param(name);
  if (!v || v->empty()) return std::nullopt;
  auto n = parse_integer(*v);
  if (n) return *n;
  bad = true;
  return std::nullopt;
}

std::string_view to_string(store::DeliveryStatus status) {
  switch (status) {
    case store::DeliveryStatus::kQueued:
      return "queued";
    case store::DeliveryStatus::kSent:
      return "sent";
    case store::DeliveryStatus::kDelivered:
      return "delivered";
    case store::DeliveryStatus::kRead:
      return "read";
    case store::DeliveryStatus::kFailed:
      return "failed";
  }
  return "unknown";
}

std::optional<store::ConversationStatus> parse_conversation_status(std::string_view text) {
  if (text == "open") return store::ConversationStatus::kOpen;
  if (text == "pending") return store::ConversationStatus::kPending;
  if (text == "resolved") return store::ConversationStatus::kResolved;
  return std::nullopt;
}

Poco::JSON::Object to_json(const store::Contact& c) {
  Poco::JSON::Object o;
  o.set("id", c.id);
  o.set("display_name", c.display_name);
  if (c.merged_into != 0) {
    o.set("merged_into", c.merged_into);
  } else {
    o.set("merged_into", Poco::Dynamic::Var());
  }
  o.set("created_at_ms", c.created_at_ms);
  o.set("updated_at_ms", c.updated_at_ms);
  return o;
}

Poco::JSON::Object to_json(const store::Identity& i) {
  Poco::JSON::Object o;
  o.set("id", i.id);
  o.set("kind", i.kind);
  o.set("address", i.address);
  o.set("instance_id", i.instance_id);
  o.set("created_at_ms", i.created_at_ms);
  return o;
}

Poco::JSON::Object to_json(const store::Conversation& c) {
  Poco::JSON::Object o;
  o.set("id", c.id);
  o.set("contact_id", c.contact_id);
  o.set("channel", c.instance_id);
  o.set("business_address", c.business_address);
  o.set("reference", c.reference);
  o.set("status", std::string(store::to_string(c.status)));
  o.set("assignee", c.assignee ? Poco::Dynamic::Var(*c.assignee) : Poco::Dynamic::Var());
  o.set("queue", c.queue ? Poco::Dynamic::Var(*c.queue) : Poco::Dynamic::Var());
  o.set("opened_at_ms", c.opened_at_ms);
  o.set("pending_at_ms", c.pending_at_ms);
  o.set("resolved_at_ms", c.resolved_at_ms);
  o.set("first_response_at_ms", c.first_response_at_ms);
  o.set("last_message_at_ms", c.last_message_at_ms);
  o.set("created_at_ms", c.created_at_ms);
  o.set("updated_at_ms", c.updated_at_ms);
  return o;
}

Poco::JSON::Object to_json(const store::MessageRecord& m) {
  Poco::JSON::Object o;
  o.set("id", m.id);
  o.set("channel", m.instance_id);
  o.set("direction", m.direction == store::Direction::kInbound ? "inbound" : "outbound");
  o.set("provider_message_id", m.provider_message_id);
  o.set("from", m.from);
  o.set("to", m.to);
  o.set("content_type", m.content_type);
  o.set("text", m.text);
  o.set("payload_json", m.payload_json);
  o.set("reply_to_provider_id", m.reply_to_provider_id);
  // customer | agent | bot | auto; "" for outbound rows from before sender kinds were kept.
  o.set("sender_kind",
        m.direction == store::Direction::kInbound ? std::string("customer") : m.from_kind);
  o.set("status", std::string(to_string(m.status)));
  o.set("contact_id", m.contact_id);
  o.set("conversation_id", m.conversation_id);
  o.set("created_at_ms", m.created_at_ms);
  o.set("updated_at_ms", m.updated_at_ms);
  return o;
}

Poco::JSON::Object to_json(const store::MergeRecord& m) {
  Poco::JSON::Object o;
  o.set("id", m.id);
  o.set("survivor_id", m.survivor_id);
  o.set("merged_id", m.merged_id);
  o.set("actor", m.actor);
  o.set("reason", m.reason);
  o.set("merged_at_ms", m.merged_at_ms);
  o.set("unmerged_at_ms", m.unmerged_at_ms);
  o.set("unmerged_by", m.unmerged_by);
  o.set("moved_identities", m.moved_identities);
  o.set("moved_conversations", m.moved_conversations);
  o.set("moved_messages", m.moved_messages);
  return o;
}

Poco::JSON::Object to_json(const store::StatusEvent& e) {
  Poco::JSON::Object o;
  o.set("status", std::string(to_string(e.status)));
  o.set("timestamp_ms", e.timestamp_ms);
  o.set("error_code", e.error_code);
  o.set("error_text", e.error_text);
  o.set("extra_json", e.extra_json);
  return o;
}

}  // namespace sb::api
