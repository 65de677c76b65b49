// /v1/messages/{id} and /v1/search.
#include <Poco/JSON/Array.h>

#include "api/routes_common.h"

namespace sb::api {
namespace {

using auth::Role;

http::Response get_message(const ApiDeps& deps, const Call& call) {
  auto found = visible_message(deps, call, call.params[0]);
  if (auto* r = std::get_if<http::Response>(&found)) return std::move(*r);
  const auto& message = std::get<store::MessageRecord>(found);
  auto history = deps.store->status_history(message.id);
  if (!history) return status_response(history.status());
  Poco::JSON::Object body = to_json(message);
  Poco::JSON::Array events;
  for (const auto& e : *history) events.add(to_json(e));
  body.set("status_history", events);
  return json_response(200, body);
}

http::Response search(const ApiDeps& deps, const Call& call) {
  if (auto r = refuse_unknown_query(call.request, {"q", "channel", "contact", "from", "to"})) {
    return std::move(*r);
  }
  store::SearchQuery q;
  q.text = call.request.query_param("q").value_or("");
  if (q.text.empty()) return field_error("q", "is required");
  if (auto r = check_query_text("q", q.text, conversations::kMaxSearchText)) return std::move(*r);
  q.instance_id = call.request.query_param("channel").value_or("");
  if (auto r = check_query_text("channel", q.instance_id, 128)) return std::move(*r);
  bool bad = false;
  q.contact_id = query_int(call.request, "contact", bad).value_or(0);
  if (bad || q.contact_id < 0) return field_error("contact", "must be a contact id");
  q.from_ms = query_int(call.request, "from", bad).value_or(0);
  if (bad || q.from_ms < 0) return field_error("from", "must be Unix milliseconds");
  q.to_ms = query_int(call.request, "to", bad).value_or(0);
  if (bad || q.to_ms < 0) return field_error("to", "must be Unix milliseconds");
  if (q.to_ms != 0 && q.to_ms < q.from_ms) return field_error("to", "is before from");
  q.limit = deps.options.page_size;
  auto hits = deps.conversations->search(q);
  if (!hits) {
    if (hits.status().code() == Code::kInvalidArgument) {
      return field_error("q", hits.status().message());
    }
    return status_response(hits.status());
  }
  Poco::JSON::Array items;
  for (const auto& h : *hits) {
    Poco::JSON::Object o = to_json(h.message);
    o.set("snippet", h.snippet);
    items.add(o);
  }
  Poco::JSON::Object body;
  body.set("items", items);
  return json_response(200, body);
}

}  // namespace

std::variant<store::MessageRecord, http::Response> visible_message(const ApiDeps& deps,
                                                                   const Call& call,
                                                                   std::string_view id_text) {
  auto id = parse_id(id_text);
  if (!id) return bad_id("message");
  auto message = deps.store->get_message(*id);
  if (!message) return status_response(message.status());
  if (!message->has_value()) return bad_id("message");
  if (call.who.is_agent()) {
    // An agent reads messages of the conversations it can see, nothing else.
    const int64_t conv_id = (*message)->conversation_id;
    auto conv = conv_id ? deps.conversations->conversation(conv_id)
                        : Result<std::optional<store::Conversation>>(std::nullopt);
    if (!conv) return status_response(conv.status());
    auto visible = conv->has_value() ? can_see(deps, call.who, **conv) : Result<bool>(false);
    if (!visible) return status_response(visible.status());
    if (!*visible) return error_response(403, "forbidden", "the message is not in your queues");
  }
  return std::move(**message);
}

void add_message_routes(ApiRouter& router, Deps deps) {
  router.add("GET", "/v1/messages/{}", Role::kAgent,
             [deps](const Call& call) { return get_message(*deps, call); });
  router.add("GET", "/v1/search", Role::kSupervisor,
             [deps](const Call& call) { return search(*deps, call); });
}

}  // namespace sb::api
