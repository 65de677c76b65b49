#include "api/api.h"

#include <Poco/URI.h>

#include <algorithm>

#include "api/routes_common.h"
#include "api/visibility.h"
#include "core/text_input.h"

namespace sb::api {

MediaDownload Channels::download_media(std::string_view instance_id, std::string_view, size_t) {
  MediaDownload d;
  d.http_status = 501;
  d.error_code = "not_implemented";
  d.error_message = "channel \"" + std::string(instance_id) + "\" cannot download media";
  return d;
}

std::optional<int64_t> parse_id(std::string_view text) {
  auto v = parse_integer(text, 1);
  if (!v) return std::nullopt;
  return *v;
}

http::Response bad_id(std::string_view what) {
  return error_response(404, "not_found", "no " + std::string(what) + " with that id");
}

std::optional<http::Response> check_query_text(std::string_view name, std::string_view value,
                                               size_t max) {
  if (value.size() > max) {
    return field_error(name, "is longer than " + std::to_string(max) + " bytes");
  }
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return field_error(name, "must not contain control characters");
  }
  return std::nullopt;
}

std::optional<http::Response> refuse_unknown_query(const http::Request& request,
                                                   std::initializer_list<std::string_view> known) {
  std::string_view rest = request.query;
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    std::string name;
    Poco::URI::decode(std::string(pair.substr(0, pair.find('='))), name);
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      // The name goes into the error as JSON text; keep it printable and short.
      std::string shown;
      for (char c : name.substr(0, 64)) {
        const auto u = static_cast<unsigned char>(c);
        shown += (u < 0x20 || u == 0x7f) ? '?' : c;
      }
      return field_error(shown, "is not a query parameter of this route");
    }
  }
  return std::nullopt;
}

Result<bool> can_see(const ApiDeps& deps, const Principal& who, const store::Conversation& c) {
  if (who.is_bot()) {
    // Only while the conversation is with this bot: a handover, an agent taking it or a resolve
    // ends the bot's access.
    return c.queue && *c.queue == who.name && !c.assignee &&
           c.status != store::ConversationStatus::kResolved && deps.is_bot_queue &&
           deps.is_bot_queue(who.name);
  }
  if (!who.is_agent()) return true;
  if (c.assignee && *c.assignee == who.name) return true;  // no queue lookup needed
  if (!c.queue) return false;
  auto queues = deps.api_store->agent_queue_ids(who.name);
  if (!queues) return queues.status();
  return agent_sees(who.name, *queues, c);
}

std::variant<store::Conversation, http::Response> visible_conversation(const ApiDeps& deps,
                                                                       const Call& call,
                                                                       std::string_view id) {
  auto conv_id = parse_id(id);
  if (!conv_id) return bad_id("conversation");
  auto conv = deps.conversations->conversation(*conv_id);
  if (!conv) return status_response(conv.status());
  if (!conv->has_value()) return bad_id("conversation");
  auto visible = can_see(deps, call.who, **conv);
  if (!visible) return status_response(visible.status());
  if (!*visible) {
    return error_response(403, "forbidden",
                          call.who.is_bot()
                              ? "the conversation is not with this bot"
                              : "the conversation is neither assigned to you nor in your queues");
  }
  return std::move(**conv);
}

Result<store::ConversationScope> visible_scope(const ApiDeps& deps, const Principal& who,
                                               int64_t contact_id) {
  if (!who.is_agent() && !who.is_bot()) return store::ConversationScope();
  auto convs = deps.conversations->conversations_of(contact_id);
  if (!convs) return convs.status();
  std::vector<int64_t> ids;
  for (const auto& c : *convs) {
    auto visible = can_see(deps, who, c);
    if (!visible) return visible.status();
    if (*visible) ids.push_back(c.id);
  }
  return store::ConversationScope(std::move(ids));
}

std::optional<http::Response> check_contact_visible(const ApiDeps& deps, const Principal& who,
                                                    int64_t contact_id) {
  auto scope = visible_scope(deps, who, contact_id);
  if (!scope) return status_response(scope.status());
  if (*scope && (*scope)->empty()) {
    return error_response(403, "forbidden", "none of the contact's conversations is yours");
  }
  return std::nullopt;
}

void install_api_routes(http::Router& router, ApiDeps deps) {
  auto shared = std::make_shared<const ApiDeps>(std::move(deps));
  auto api = std::make_shared<ApiRouter>(*shared->api_store);
  add_contact_routes(*api, shared);
  add_conversation_routes(*api, shared);
  add_start_routes(*api, shared);
  add_message_routes(*api, shared);
  add_admin_routes(*api, shared);
  add_cost_routes(*api, shared);
  add_read_routes(*api, shared);
  add_upload_routes(*api, shared);
  add_media_routes(*api, shared);
  if (shared->clock != nullptr && shared->clock->controllable()) add_clock_routes(*api, shared);
  // The route table is complete here and only read from now on, so sharing it across the
  // server's threads is safe.
  router.add_prefix("*", "/v1/",
                    [api, shared](const http::Request& request) { return api->dispatch(request); });
  router.add("GET", "/openapi.json", [](const http::Request&) {
    http::Response r;
    r.body = std::string(openapi_document());
    return r;
  });
}

}  // namespace sb::api
