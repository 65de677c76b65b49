// /v1/conversations: listing, assignment, status, sending and can-send.
#include <Poco/JSON/Array.h>

#include <cstdint>
#include <variant>

#include "api/routes_common.h"
#include "contacts/reference.h"
#include "conversations/address.h"

namespace sb::api {
namespace {

using auth::Role;

constexpr size_t kMaxIdField = 128;
constexpr size_t kMaxIdempotencyKey = 200;
constexpr size_t kMaxContentType = 64;
constexpr size_t kMaxAddress = 320;  // the longest e-mail address (RFC 5321 path limits)

Poco::JSON::Object empty_page() {
  Poco::JSON::Object body;
  body.set("items", Poco::JSON::Array());
  body.set("next_cursor", std::string());
  return body;
}

// ?phone= or ?email=: the contact holding that address (normalised like an inbound sender's);
// false when nobody holds it, so the listing is empty.
std::variant<bool, http::Response> filter_by_address(const ApiDeps& deps, const Call& call,
                                                     std::string_view kind,
                                                     ConversationFilter& filter) {
  const std::string name(kind);
  auto raw = call.request.query_param(name);
  if (!raw) return true;
  if (auto r = check_query_text(name, *raw, kMaxAddress)) return std::move(*r);
  auto contact = deps.conversations->find_contact_strict(*raw, kind);
  if (!contact) {
    if (contact.status().code() == Code::kInvalidArgument) {
      return field_error(name, contact.status().message());
    }
    return status_response(contact.status());
  }
  if (!contact->has_value()) return false;
  if (filter.contact_id != 0 && filter.contact_id != (*contact)->id) return false;
  filter.contact_id = (*contact)->id;
  return true;
}

http::Response list_conversations(const ApiDeps& deps, const Call& call) {
  if (auto r = refuse_unknown_query(
          call.request, {"status", "queue", "assignee", "cursor", "reference", "phone", "email"})) {
    return std::move(*r);
  }
  ConversationFilter filter;
  filter.limit = deps.options.page_size;
  if (auto s = call.request.query_param("status"); s && !s->empty()) {
    filter.status = parse_conversation_status(*s);
    if (!filter.status) return field_error("status", "must be open, pending or resolved");
  }
  filter.queue = call.request.query_param("queue").value_or("");
  filter.assignee = call.request.query_param("assignee").value_or("");
  if (filter.queue.size() > kMaxIdField) return field_error("queue", "is too long");
  if (filter.assignee.size() > kMaxIdField) return field_error("assignee", "is too long");
  if (auto ref = call.request.query_param("reference")) {
    if (auto r = check_query_text("reference", *ref, kMaxIdField)) return std::move(*r);
    auto canonical = contacts::parse_reference(*ref);
    if (!canonical) {
      return field_error("reference", "is not a reference number (SB- and 6 characters)");
    }
    filter.reference = std::move(*canonical);
  }
  for (std::string_view kind : {conversations::kPhoneKind, conversations::kEmailKind}) {
    auto found = filter_by_address(deps, call, kind, filter);
    if (auto* r = std::get_if<http::Response>(&found)) return std::move(*r);
    if (!std::get<bool>(found)) return json_response(200, empty_page());
  }
  if (auto cursor = call.request.query_param("cursor"); cursor && !cursor->empty()) {
    auto id = parse_id(*cursor);
    if (!id) return field_error("cursor", "is not a cursor this API gave out");
    filter.after_id = *id;
  }
  if (call.who.is_agent()) filter.visible_to_agent = call.who.name;
  auto convs = deps.api_store->conversations(filter);
  if (!convs) return status_response(convs.status());
  Poco::JSON::Array items;
  for (const auto& c : *convs) {
    auto item = conversation_json(deps, c);
    if (!item) return status_response(item.status());
    items.add(*item);
  }
  Poco::JSON::Object body;
  body.set("items", items);
  const bool full = static_cast<int>(convs->size()) == filter.limit;
  body.set("next_cursor", full ? std::to_string(convs->back().id) : std::string());
  return json_response(200, body);
}

http::Response get_conversation(const ApiDeps& deps, const Call& call) {
  auto conv = visible_conversation(deps, call, call.params[0]);
  if (auto* r = std::get_if<http::Response>(&conv)) return std::move(*r);
  auto body = conversation_json(deps, std::get<store::Conversation>(conv));
  if (!body) return status_response(body.status());
  return json_response(200, *body);
}

http::Response reread(const ApiDeps& deps, int64_t id) {
  auto conv = deps.conversations->conversation(id);
  if (!conv) return status_response(conv.status());
  if (!conv->has_value()) return bad_id("conversation");
  auto body = conversation_json(deps, **conv);
  if (!body) return status_response(body.status());
  return json_response(200, *body);
}

// {agent: id|null, queue?: id|null}. Supervisors assign anyone anywhere; an agent may only take a
// conversation it can see for itself.
http::Response assign(const ApiDeps& deps, const Call& call) {
  auto found = visible_conversation(deps, call, call.params[0]);
  if (auto* r = std::get_if<http::Response>(&found)) return std::move(*r);
  const store::Conversation& conv = std::get<store::Conversation>(found);
  auto parsed = parse_object_body(call.request, deps.options.max_body_bytes);
  if (auto* r = std::get_if<http::Response>(&parsed)) return std::move(*r);
  FieldReader f(std::get<JsonObject>(parsed));
  f.only({"agent", "queue"});
  if (!f.has("agent")) return field_error("agent", "is required (null unassigns)");
  auto agent = f.string("agent", false, kMaxIdField);
  auto queue = f.string("queue", false, kMaxIdField);
  if (!f.ok()) return f.error();

  if (call.who.is_agent()) {
    if (!agent || *agent != call.who.name) {
      return error_response(403, "forbidden", "an agent may only assign a conversation to itself");
    }
    if (f.has("queue")) return error_response(403, "forbidden", "agents cannot move queues");
  }
  if (agent) {
    auto a = deps.api_store->agent(*agent);
    if (!a) return status_response(a.status());
    if (!a->has_value()) return field_error("agent", "no agent \"" + *agent + "\"");
  }
  if (queue) {
    auto q = deps.api_store->queue(*queue);
    if (!q) return status_response(q.status());
    if (!q->has_value()) return field_error("queue", "no queue \"" + *queue + "\"");
  }
  const std::optional<std::string> new_queue = f.has("queue") ? queue : conv.queue;
  if (Status s = deps.conversations->assign(conv.id, agent, new_queue); !s) {
    return status_response(s);
  }
  emit_assigned(deps, conv.id, agent, new_queue, conv.assignee, call.who.name);
  return reread(deps, conv.id);
}

http::Response set_status(const ApiDeps& deps, const Call& call, store::ConversationStatus status) {
  auto found = visible_conversation(deps, call, call.params[0]);
  if (auto* r = std::get_if<http::Response>(&found)) return std::move(*r);
  auto parsed = parse_object_body(call.request, deps.options.max_body_bytes);
  if (auto* r = std::get_if<http::Response>(&parsed)) return std::move(*r);
  FieldReader f(std::get<JsonObject>(parsed));
  f.only({});
  if (!f.ok()) return f.error();
  const int64_t id = std::get<store::Conversation>(found).id;
  if (Status s = deps.conversations->set_status(id, status); !s) return status_response(s);
  Poco::JSON::Object event;
  event.set("conversation_id", id);
  event.set("status", std::string(store::to_string(status)));
  event.set("by", call.who.name);
  emit(deps, "conversation.status", event);
  return reread(deps, id);
}

// The same key on the same conversation names the same message; a different body under a used
// key is a client bug, answered 409 rather than silently returning the first message.
bool same_content(const store::MessageRecord& m, const store::OutboundMessage& o) {
  return m.text == o.text && m.content_type == o.content_type && m.payload_json == o.payload_json &&
         m.reply_to_provider_id == o.reply_to_provider_id;
}

// reply_to names a message of this conversation by the host's id; the channel needs the
// provider's id of it (a WhatsApp wamid) to quote or react to it.
std::variant<std::string, http::Response> reply_target(const ApiDeps& deps, int64_t conversation,
                                                       int64_t message_id) {
  auto target = deps.store->get_message(message_id);
  if (!target) return status_response(target.status());
  if (!target->has_value() || (*target)->conversation_id != conversation) {
    return field_error("reply_to",
                       "no message " + std::to_string(message_id) + " in this conversation");
  }
  if ((*target)->provider_message_id.empty()) {
    return field_error(
        "reply_to", "message " + std::to_string(message_id) + " has no provider id yet (not sent)");
  }
  return (*target)->provider_message_id;
}

http::Response send_message(const ApiDeps& deps, const Call& call) {
  auto found = visible_conversation(deps, call, call.params[0]);
  if (auto* r = std::get_if<http::Response>(&found)) return std::move(*r);
  const store::Conversation& conv = std::get<store::Conversation>(found);
  const std::string key(call.request.header("Idempotency-Key"));
  if (key.empty()) {
    return error_response(400, "missing_idempotency_key", "an Idempotency-Key header is required",
                          "Idempotency-Key");
  }
  if (key.size() > kMaxIdempotencyKey) {
    return error_response(400, "invalid_field", "Idempotency-Key: is too long", "Idempotency-Key");
  }
  auto parsed = parse_object_body(call.request, deps.options.max_body_bytes);
  if (auto* r = std::get_if<http::Response>(&parsed)) return std::move(*r);
  FieldReader f(std::get<JsonObject>(parsed));
  f.only({"text", "content_type", "payload", "reply_to"});
  auto content_type = f.string("content_type", false, kMaxContentType);
  const bool is_text = !content_type || *content_type == "text";
  auto text = f.string("text", is_text, deps.options.max_text_bytes, !is_text);
  auto payload = f.json_text("payload");
  auto reply_to = f.integer("reply_to", false, 1, INT64_MAX);
  if (!f.ok()) return f.error();
  std::string reply_to_provider_id;
  if (reply_to) {
    auto target = reply_target(deps, conv.id, *reply_to);
    if (auto* r = std::get_if<http::Response>(&target)) return std::move(*r);
    reply_to_provider_id = std::get<std::string>(target);
  }
  if (!deps.send) return error_response(503, "unavailable", "sending is not configured");

  auto to = deps.api_store->recipient(conv.id);
  if (!to) return status_response(to.status());
  if (!to->has_value()) {
    return error_response(409, "no_recipient", "the conversation has no address to reply to");
  }
  store::OutboundMessage out;
  out.instance_id = conv.instance_id;
  out.to = (*to)->to;
  out.from = (*to)->from;
  out.content_type = content_type.value_or("text");
  out.text = text.value_or("");
  out.payload_json = payload.value_or("");
  out.reply_to_provider_id = reply_to_provider_id;
  out.idempotency_key = "api:" + std::to_string(conv.id) + ":" + key;
  out.sender_kind = call.who.is_bot() ? "bot" : "agent";

  // A retry of a message already accepted answers with it below even if the channel would refuse
  // now (the window closed since); only a new message asks the channel, before anything is
  // written, so a refusal leaves no message and no outbox row behind.
  auto earlier = deps.api_store->outbound_by_key(conv.instance_id, out.idempotency_key);
  if (!earlier) return status_response(earlier.status());
  if (!earlier->has_value()) {
    if (auto refused = refuse_unless_sendable(deps,
                                              {conv.instance_id, out.to, out.from, out.content_type,
                                               (*to)->last_inbound_at_ms, out.payload_json},
                                              "content_type")) {
      return std::move(*refused);
    }
  }

  auto accepted = deps.send(out);
  if (!accepted) return status_response(accepted.status());
  auto message = deps.store->get_message(accepted->message_id);
  if (!message) return status_response(message.status());
  if (!message->has_value()) return error_response(500, "internal", "the sent message vanished");
  if (accepted->duplicate && !same_content(**message, out)) {
    return error_response(409, "idempotency_conflict",
                          "this Idempotency-Key was used for a different message",
                          "Idempotency-Key");
  }
  // A retry whose first attempt died between queueing and linking (a crash) links it now.
  if (!accepted->duplicate || (*message)->conversation_id == 0) {
    if (Status s = deps.conversations->link_outbound(accepted->message_id, conv.id,
                                                     store::OutboundSender::kAgent);
        !s) {
      return status_response(s);
    }
    message = deps.store->get_message(accepted->message_id);
    if (!message || !message->has_value()) return status_response(message.status());
    Poco::JSON::Object event;
    event.set("message_id", accepted->message_id);
    event.set("conversation_id", conv.id);
    event.set("instance_id", conv.instance_id);
    event.set("direction", "outbound");
    event.set("by", call.who.name);
    event.set("sender_kind", out.sender_kind);
    emit(deps, "message.created", event);
  }
  Poco::JSON::Object body = to_json(**message);
  body.set("duplicate", accepted->duplicate);
  return json_response(accepted->duplicate ? 200 : 202, body);
}

constexpr size_t kMaxNote = 2000;

// {queue?, note?}: from the bot to humans. The hook routes, assigns and publishes the events.
http::Response handover(const ApiDeps& deps, const Call& call) {
  auto found = visible_conversation(deps, call, call.params[0]);
  if (auto* r = std::get_if<http::Response>(&found)) return std::move(*r);
  const int64_t id = std::get<store::Conversation>(found).id;
  auto parsed = parse_object_body(call.request, deps.options.max_body_bytes);
  if (auto* r = std::get_if<http::Response>(&parsed)) return std::move(*r);
  FieldReader f(std::get<JsonObject>(parsed));
  f.only({"queue", "note"});
  auto queue = f.string("queue", false, kMaxIdField);
  auto note = f.string("note", false, kMaxNote);
  if (!f.ok()) return f.error();
  if (!deps.handover) {  // no routing, so no bot queue: nothing can be with a bot
    return error_response(409, "not_with_bot", "no bot queues are configured");
  }
  const std::string actor = (call.who.is_bot() ? "bot:" : "") + call.who.name;
  auto done = deps.handover(id, queue, actor, note.value_or(""));
  if (!done) {
    const Status& s = done.status();
    if (s.code() == Code::kInvalidArgument) return field_error("queue", s.message());
    if (s.code() == Code::kFailedPrecondition) {
      return error_response(409, "not_with_bot", s.message());
    }
    return status_response(s);
  }
  return reread(deps, id);
}

http::Response can_send(const ApiDeps& deps, const Call& call) {
  auto found = visible_conversation(deps, call, call.params[0]);
  if (auto* r = std::get_if<http::Response>(&found)) return std::move(*r);
  const store::Conversation& conv = std::get<store::Conversation>(found);
  const std::string content_type = call.request.query_param("content_type").value_or("text");
  if (content_type.empty() || content_type.size() > kMaxContentType) {
    return field_error("content_type", "must be 1 to 64 bytes");
  }
  if (deps.channels == nullptr) return error_response(503, "unavailable", "no channels");
  auto to = deps.api_store->recipient(conv.id);
  if (!to) return status_response(to.status());
  if (!to->has_value()) {
    return error_response(409, "no_recipient", "the conversation has no address to reply to");
  }
  // The same question the send route asks before queueing, and the same 503 when it fails.
  const SendQuery query{conv.instance_id,          (*to)->to, (*to)->from, content_type,
                        (*to)->last_inbound_at_ms, ""};
  auto asked = ask_can_send(deps, query);
  if (!asked) return can_send_failed(query, asked.status());
  const CanSendInfo& answer = *asked;
  Poco::JSON::Object body;
  body.set("channel", conv.instance_id);
  body.set("content_type", content_type);
  body.set("allowed", answer.allowed);
  body.set("mode", answer.mode);
  body.set("expires_at_ms", answer.expires_at_ms);
  body.set("reason", answer.reason);
  return json_response(200, body);
}

}  // namespace

void add_conversation_routes(ApiRouter& router, Deps deps) {
  auto bind = [deps](http::Response (*fn)(const ApiDeps&, const Call&)) {
    return [deps, fn](const Call& call) { return fn(*deps, call); };
  };
  router.add("GET", "/v1/conversations", Role::kAgent, bind(list_conversations));
  router.add("GET", "/v1/conversations/{}", Role::kAgent, bind(get_conversation), true);
  router.add("POST", "/v1/conversations/{}/assign", Role::kAgent, bind(assign));
  router.add(
      "POST", "/v1/conversations/{}/resolve", Role::kAgent,
      [deps](const Call& call) {
        return set_status(*deps, call, store::ConversationStatus::kResolved);
      },
      true);
  router.add("POST", "/v1/conversations/{}/reopen", Role::kAgent, [deps](const Call& call) {
    return set_status(*deps, call, store::ConversationStatus::kOpen);
  });
  router.add("POST", "/v1/conversations/{}/messages", Role::kAgent, bind(send_message), true);
  router.add("POST", "/v1/conversations/{}/handover", Role::kSupervisor, bind(handover), true);
  router.add("GET", "/v1/conversations/{}/can-send", Role::kAgent, bind(can_send), true);
}

}  // namespace sb::api
