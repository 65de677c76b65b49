// /v1/contacts and /v1/merges.
#include <Poco/JSON/Array.h>

#include "api/routes_common.h"

namespace sb::api {
namespace {

using auth::Role;

http::Response list_contacts(const ApiDeps& deps, const Call& call) {
  if (auto r = refuse_unknown_query(call.request, {"q", "cursor"})) return std::move(*r);
  const std::string q = call.request.query_param("q").value_or("");
  if (auto r = check_query_text("q", q, conversations::kMaxSearchText)) return std::move(*r);
  int64_t after = 0;
  if (auto cursor = call.request.query_param("cursor"); cursor && !cursor->empty()) {
    auto id = parse_id(*cursor);
    if (!id) return field_error("cursor", "is not a cursor this API gave out");
    after = *id;
  }
  auto contacts = deps.api_store->contacts(q, after, deps.options.page_size);
  if (!contacts) return status_response(contacts.status());
  Poco::JSON::Array items;
  for (const auto& c : *contacts) items.add(to_json(c));
  Poco::JSON::Object body;
  body.set("items", items);
  const bool full = static_cast<int>(contacts->size()) == deps.options.page_size;
  body.set("next_cursor", full ? std::to_string(contacts->back().id) : std::string());
  return json_response(200, body);
}

http::Response get_contact(const ApiDeps& deps, const Call& call) {
  auto id = parse_id(call.params[0]);
  if (!id) return bad_id("contact");
  auto contact = deps.conversations->contact(*id);
  if (!contact) return status_response(contact.status());
  if (!contact->has_value()) return bad_id("contact");
  if (auto denied = check_contact_visible(deps, call.who, *id)) return *denied;
  auto identities = deps.conversations->identities(*id);
  if (!identities) return status_response(identities.status());
  auto convs = deps.conversations->conversations_of(*id);
  if (!convs) return status_response(convs.status());
  Poco::JSON::Object body = to_json(**contact);
  Poco::JSON::Array ids, cs;
  for (const auto& i : *identities) ids.add(to_json(i));
  for (const auto& c : *convs) {
    auto visible = can_see(deps, call.who, c);
    if (visible && *visible) cs.add(to_json(c));
  }
  body.set("identities", ids);
  body.set("conversations", cs);
  return json_response(200, body);
}

http::Response timeline(const ApiDeps& deps, const Call& call) {
  auto id = parse_id(call.params[0]);
  if (!id) return bad_id("contact");
  auto contact = deps.conversations->contact(*id);
  if (!contact) return status_response(contact.status());
  if (!contact->has_value()) return bad_id("contact");
  if (auto denied = check_contact_visible(deps, call.who, *id)) return *denied;
  if (auto r = refuse_unknown_query(call.request, {"cursor"})) return std::move(*r);
  // A merged-away contact's timeline is its survivor's; an agent sees in it only the messages of
  // conversations it can see, as GET /v1/messages/{id} would answer for each.
  auto current = deps.conversations->current_contact(*id);
  if (!current) return status_response(current.status());
  auto scope = visible_scope(deps, call.who, *current);
  if (!scope) return status_response(scope.status());
  const std::string cursor = call.request.query_param("cursor").value_or("");
  auto page = deps.conversations->timeline(*id, cursor, deps.options.page_size, *scope);
  if (!page) {
    if (page.status().code() == Code::kInvalidArgument) {
      return field_error("cursor", page.status().message());
    }
    return status_response(page.status());
  }
  Poco::JSON::Array items;
  for (const auto& m : page->messages) items.add(to_json(m));
  Poco::JSON::Object body;
  body.set("items", items);
  body.set("next_cursor", page->next_cursor);
  return json_response(200, body);
}

http::Response merge(const ApiDeps& deps, const Call& call) {
  auto id = parse_id(call.params[0]);
  if (!id) return bad_id("contact");
  auto parsed = parse_object_body(call.request, deps.options.max_body_bytes);
  if (auto* r = std::get_if<http::Response>(&parsed)) return std::move(*r);
  FieldReader f(std::get<JsonObject>(parsed));
  f.only({"other_id", "reason"});
  auto other = f.integer("other_id", true, 1, INT64_MAX);
  auto reason = f.string("reason", true, conversations::kMaxReason);
  if (!f.ok()) return f.error();
  if (*other == *id) return field_error("other_id", "must differ from the surviving contact");
  auto merge_id = deps.conversations->merge(*id, *other, call.who.name, *reason);
  if (!merge_id) return status_response(merge_id.status());
  auto record = deps.conversations->merge_record(*merge_id);
  if (!record || !record->has_value()) {
    Poco::JSON::Object body;
    body.set("id", *merge_id);
    return json_response(201, body);
  }
  return json_response(201, to_json(**record));
}

http::Response unmerge(const ApiDeps& deps, const Call& call) {
  auto id = parse_id(call.params[0]);
  if (!id) return bad_id("merge");
  auto parsed = parse_object_body(call.request, deps.options.max_body_bytes);
  if (auto* r = std::get_if<http::Response>(&parsed)) return std::move(*r);
  FieldReader f(std::get<JsonObject>(parsed));
  f.only({});
  if (!f.ok()) return f.error();
  auto record = deps.conversations->merge_record(*id);
  if (!record) return status_response(record.status());
  if (!record->has_value()) return bad_id("merge");
  if (Status s = deps.conversations->unmerge(*id, call.who.name); !s) return status_response(s);
  record = deps.conversations->merge_record(*id);
  if (!record) return status_response(record.status());
  return json_response(200, to_json(**record));
}

}  // namespace

void add_contact_routes(ApiRouter& router, Deps deps) {
  auto bind = [deps](http::Response (*fn)(const ApiDeps&, const Call&)) {
    return [deps, fn](const Call& call) { return fn(*deps, call); };
  };
  router.add("GET", "/v1/contacts", Role::kSupervisor, bind(list_contacts));
  router.add("GET", "/v1/contacts/{}", Role::kAgent, bind(get_contact));
  router.add("GET", "/v1/contacts/{}/timeline", Role::kAgent, bind(timeline));
  router.add("POST", "/v1/contacts/{}/merge", Role::kSupervisor, bind(merge));
  router.add("POST", "/v1/merges/{}/unmerge", Role::kSupervisor, bind(unmerge));
}

}  // namespace sb::api
