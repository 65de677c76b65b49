// Shared by the route files: the dependencies, id parsing and an agent's visibility rules.
#pragma once

#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "api/api.h"
#include "api/api_router.h"
#include "api/json_io.h"

namespace sb::api {

using Deps = std::shared_ptr<const ApiDeps>;

// A positive decimal id, or nullopt.
std::optional<int64_t> parse_id(std::string_view text);
http::Response bad_id(std::string_view what);

// A query parameter of free text (a search): nullopt when it is at most `max` bytes without
// control characters (NUL, CR, LF, tab, DEL...), else 400 invalid_field naming the parameter.
// Such text is only ever bound as a value, but a NUL cuts it short in SQLite's LIKE and FTS5.
std::optional<http::Response> check_query_text(std::string_view name, std::string_view value,
                                               size_t max);
// 400 invalid_field naming the first query parameter not in `known`: a filter the route does not
// have is refused rather than silently ignored (the whole listing would come back).
std::optional<http::Response> refuse_unknown_query(const http::Request& request,
                                                   std::initializer_list<std::string_view> known);

// Agents see a conversation assigned to them or in one of their queues; other roles see all.
Result<bool> can_see(const ApiDeps& deps, const Principal& who, const store::Conversation& c);
// The conversation by path id, or the answer (404, 403) to give instead.
std::variant<store::Conversation, http::Response> visible_conversation(const ApiDeps& deps,
                                                                       const Call& call,
                                                                       std::string_view id);
// The contact's conversations the caller may read messages of: all (nullopt) for supervisors and
// admins, else those can_see admits.
Result<store::ConversationScope> visible_scope(const ApiDeps& deps, const Principal& who,
                                               int64_t contact_id);
// Agents may read a contact that has a conversation they can see.
std::optional<http::Response> check_contact_visible(const ApiDeps& deps, const Principal& who,
                                                    int64_t contact_id);

// Publishes a committed change on the event stream (deps.on_event may be empty).
void emit(const ApiDeps& deps, std::string_view type, const Poco::JSON::Object& data);
// conversation.assigned after a conversation moved from `previous` to `agent` in `queue`; the
// previous agent is named so its (filtered) event stream hears of it too.
void emit_assigned(const ApiDeps& deps, int64_t conversation_id,
                   const std::optional<std::string>& agent, const std::optional<std::string>& queue,
                   const std::optional<std::string>& previous, std::string_view by);

// What a send would be: the channel instance, the addresses, the content type, when the
// customer last wrote (0 = never) and the structured content the send would carry (empty for
// none, e.g. for a "may I send text?" question).
struct SendQuery {
  std::string instance_id, to, from, content_type;
  int64_t last_inbound_at_ms = 0;
  std::string payload_json;
};
// A plugin's error as the runtime words it ("invoke <op>: SB_ERR_<X>: <text>") without the
// runtime's prefix: the plugin's own text, for the API's error message. Other text as it is.
std::string plugin_text(std::string_view message);

// The channel's can_send answer (a channel without can_send answers allowed, mode "unknown").
// An error (the channel is not running, its can_send failed) is returned, logged at warning.
Result<CanSendInfo> ask_can_send(const ApiDeps& deps, const SendQuery& q);
// 503 unavailable for a can_send that failed: nothing may be written on a guess.
http::Response can_send_failed(const SendQuery& q, const Status& status);
// nullopt when the channel allows it; else 422 cannot_send naming `field` (the request's content
// type), with the channel's reason and, for template_only, the hint to send a template; 503
// unavailable (can_send_failed) when the channel could not answer.
std::optional<http::Response> refuse_unless_sendable(const ApiDeps& deps, const SendQuery& q,
                                                     const std::string& field);

void add_contact_routes(ApiRouter& router, Deps deps);
void add_conversation_routes(ApiRouter& router, Deps deps);
void add_start_routes(ApiRouter& router, Deps deps);    // POST /v1/conversations
void add_message_routes(ApiRouter& router, Deps deps);  // messages and search
void add_admin_routes(ApiRouter& router, Deps deps);    // agents, queues, channels
void add_cost_routes(ApiRouter& router, Deps deps);     // reports/costs
void add_clock_routes(ApiRouter& router, Deps deps);    // admin/clock (testing only)
void add_media_routes(ApiRouter& router, Deps deps);    // messages/{id}/attachments/{index}
void add_read_routes(ApiRouter& router, Deps deps);     // conversations/{id}/read
void add_upload_routes(ApiRouter& router, Deps deps);   // channels/{id}/media

// The message by path id if the caller may read it (agents: only in conversations they see),
// else the answer (404, 403) to give instead.
std::variant<store::MessageRecord, http::Response> visible_message(const ApiDeps& deps,
                                                                   const Call& call,
                                                                   std::string_view id);
// A conversation as the API shows it, with its read position and unread count.
Result<Poco::JSON::Object> conversation_json(const ApiDeps& deps, const store::Conversation& c);

}  // namespace sb::api
