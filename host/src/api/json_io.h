// JSON in and out of the API: parsing request bodies with field-level errors, error answers with
// a machine-readable code, and the model's objects as JSON.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "core/status.h"
#include "http/router.h"
#include "store/model.h"
#include "store/store.h"

namespace sb::api {

using JsonObject = Poco::JSON::Object::Ptr;

// {"error":{"code","message"[,"field"]}}.
http::Response error_response(int status, std::string_view code, std::string_view message,
                              std::string_view field = {});
// 400 invalid_field naming the field.
http::Response field_error(std::string_view field, std::string_view message);
// The HTTP status and code for a Status from the store or the service.
http::Response status_response(const Status& status);
http::Response json_response(int status, const Poco::JSON::Object& body);

// The body as a JSON object, or the answer to give instead (413 payload_too_large,
// 400 malformed_json, 400 invalid_body when it is not an object). An empty body reads as {}.
std::variant<JsonObject, http::Response> parse_object_body(const http::Request& request,
                                                           size_t max_bytes);

// Typed access to a body's fields; the first problem is kept and answered by error().
class FieldReader {
 public:
  // prefix names a nested object in errors ("to." gives field "to.address").
  explicit FieldReader(JsonObject object, std::string prefix = {})
      : object_(std::move(object)), prefix_(std::move(prefix)) {}

  void only(std::initializer_list<std::string_view> allowed);  // unknown fields are errors
  bool has(std::string_view name) const;
  bool is_null(std::string_view name) const;  // present and null
  std::optional<std::string> string(std::string_view name, bool required, size_t max_bytes,
                                    bool allow_empty = false);
  std::optional<int64_t> integer(std::string_view name, bool required, int64_t min, int64_t max);
  std::optional<std::vector<std::string>> strings(std::string_view name, size_t max_items,
                                                  size_t max_bytes);
  // An object or array field, re-serialised.
  std::optional<std::string> json_text(std::string_view name);

  bool ok() const { return field_.empty(); }
  http::Response error() const { return field_error(field_, problem_); }

 private:
  void fail(std::string_view field, std::string message);
  JsonObject object_;
  std::string prefix_, field_, problem_;
};

// A query parameter as an integer; nullopt with `bad` set when present but not one.
std::optional<int64_t> query_int(const http::Request& request, std::string_view name, bool& bad);

Poco::JSON::Object to_json(const store::Contact& contact);
Poco::JSON::Object to_json(const store::Identity& identity);
Poco::JSON::Object to_json(const store::Conversation& conversation);
Poco::JSON::Object to_json(const store::MessageRecord& message);
Poco::JSON::Object to_json(const store::MergeRecord& merge);
Poco::JSON::Object to_json(const store::StatusEvent& event);
std::string_view to_string(store::DeliveryStatus status);
std::optional<store::ConversationStatus> parse_conversation_status(std::string_view text);

}  // namespace sb::api
