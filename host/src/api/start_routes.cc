// POST /v1/conversations: a business-initiated conversation (an order notification, a reminder, a
// call-back). The customer is resolved like an inbound sender (conversations/start.cc), the
// channel's can_send is asked before anything is written, and the message goes through the same
// send hook (the durable outbox) as replies do.
#include <algorithm>
#include <cstdint>

#include "api/routes_common.h"
#include "api/visibility.h"
#include "log/log.h"

namespace sb::api {
namespace {

using auth::Role;

constexpr size_t kMaxIdField = 128;
constexpr size_t kMaxIdempotencyKey = 200;
constexpr size_t kMaxContentType = 64;
constexpr size_t kMaxAddress = 320;  // the longest e-mail address
constexpr size_t kMaxName = 256;
// The outbox's idempotency keys are per instance; this prefix keeps a start's keys apart from a
// reply's ("api:<conversation>:<key>"), which are scoped to a conversation that does not exist yet.
constexpr std::string_view kKeyPrefix = "api-start:";

// The request, validated.
struct StartRequest {
  std::string instance_id, key;
  conversations::StartTarget target;
  std::optional<std::string> queue, assignee;
  store::OutboundMessage message;  // content only; the addresses come later
};

// A nested object field, or the answer to give when it is missing or not an object.
std::variant<JsonObject, http::Response> object_field(const JsonObject& body,
                                                      const std::string& name) {
  if (!body->has(name) || body->isNull(name)) return field_error(name, "is required");
  if (!body->isObject(name)) return field_error(name, "must be an object");
  return body->getObject(name);
}

std::variant<StartRequest, http::Response> parse_request(const ApiDeps& deps, const Call& call) {
  StartRequest req;
  req.key = std::string(call.request.header("Idempotency-Key"));
  if (req.key.empty()) {
    return error_response(400, "missing_idempotency_key", "an Idempotency-Key header is required",
                          "Idempotency-Key");
  }
  if (req.key.size() > kMaxIdempotencyKey) {
    return error_response(400, "invalid_field", "Idempotency-Key: is too long", "Idempotency-Key");
  }
  auto parsed = parse_object_body(call.request, deps.options.max_body_bytes);
  if (auto* r = std::get_if<http::Response>(&parsed)) return std::move(*r);
  const JsonObject body = std::get<JsonObject>(parsed);
  FieldReader f(body);
  f.only({"instance_id", "to", "queue", "assignee", "message"});
  auto instance = f.string("instance_id", true, kMaxIdField);
  req.queue = f.string("queue", false, kMaxIdField);
  req.assignee = f.string("assignee", false, kMaxIdField);
  if (!f.ok()) return f.error();
  req.instance_id = *instance;

  auto to = object_field(body, "to");
  if (auto* r = std::get_if<http::Response>(&to)) return std::move(*r);
  FieldReader t(std::get<JsonObject>(to), "to.");
  t.only({"address", "kind", "contact_id", "name"});
  auto address = t.string("address", false, kMaxAddress);
  auto kind = t.string("kind", false, kMaxIdField);
  auto contact_id = t.integer("contact_id", false, 1, INT64_MAX);
  auto name = t.string("name", false, kMaxName);
  if (!t.ok()) return t.error();
  if (address.has_value() == contact_id.has_value()) {
    return field_error("to", "give exactly one of address and contact_id");
  }
  if (kind && !address) return field_error("to.kind", "only goes with to.address");
  req.target.address = address.value_or("");
  req.target.kind = kind.value_or("");
  req.target.contact_id = contact_id.value_or(0);
  req.target.name = name.value_or("");

  auto message = object_field(body, "message");
  if (auto* r = std::get_if<http::Response>(&message)) return std::move(*r);
  FieldReader m(std::get<JsonObject>(message), "message.");
  m.only({"text", "content_type", "payload"});
  auto content_type = m.string("content_type", false, kMaxContentType);
  const bool is_text = !content_type || *content_type == "text";
  auto text = m.string("text", is_text, deps.options.max_text_bytes, !is_text);
  auto payload = m.json_text("payload");
  if (!m.ok()) return m.error();
  if (!is_text && !payload && !text) {
    return field_error("message.payload", "is required for content_type " + *content_type);
  }
  req.message.instance_id = req.instance_id;
  req.message.content_type = content_type.value_or("text");
  req.message.text = text.value_or("");
  req.message.payload_json = payload.value_or("");
  req.message.idempotency_key = std::string(kKeyPrefix) + req.key;
  return req;
}

// Who may start what: agents only for themselves and into their own queues; supervisors and
// admins name any existing agent and queue.
std::optional<http::Response> check_assignment(const ApiDeps& deps, const Call& call,
                                               const StartRequest& req,
                                               std::vector<std::string>& agent_queues) {
  if (call.who.is_agent()) {
    if (req.assignee && *req.assignee != call.who.name) {
      return error_response(403, "forbidden", "an agent may only start conversations for itself",
                            "assignee");
    }
    auto queues = deps.api_store->agent_queue_ids(call.who.name);
    if (!queues) return status_response(queues.status());
    agent_queues = std::move(*queues);
    if (req.queue &&
        std::find(agent_queues.begin(), agent_queues.end(), *req.queue) == agent_queues.end()) {
      return error_response(403, "forbidden", "queue \"" + *req.queue + "\" is not one of yours",
                            "queue");
    }
  }
  if (req.assignee) {
    auto a = deps.api_store->agent(*req.assignee);
    if (!a) return status_response(a.status());
    if (!a->has_value()) return field_error("assignee", "no agent \"" + *req.assignee + "\"");
  }
  if (req.queue) {
    auto q = deps.api_store->queue(*req.queue);
    if (!q) return status_response(q.status());
    if (!q->has_value()) return field_error("queue", "no queue \"" + *req.queue + "\"");
  }
  return std::nullopt;
}

// An agent joins an existing conversation only when it is its own, in its queues or nobody's
// yet: it must not take over a colleague's customer by writing to them.
bool agent_may_join(const Call& call, const std::vector<std::string>& agent_queues,
                    const store::Conversation& c) {
  if (!call.who.is_agent()) return true;
  return (!c.assignee && !c.queue) || agent_sees(call.who.name, agent_queues, c);
}

http::Response answer(const ApiDeps& deps, int64_t conversation_id, int64_t message_id,
                      bool duplicate) {
  auto conv = deps.conversations->conversation(conversation_id);
  if (!conv) return status_response(conv.status());
  if (!conv->has_value()) return error_response(500, "internal", "the conversation vanished");
  auto message = deps.store->get_message(message_id);
  if (!message) return status_response(message.status());
  if (!message->has_value()) return error_response(500, "internal", "the message vanished");
  Poco::JSON::Object body;
  body.set("conversation", to_json(**conv));
  body.set("message", to_json(**message));
  body.set("duplicate", duplicate);
  return json_response(duplicate ? 200 : 201, body);
}

// The same key names the same message to the same customer; anything else under a used key is a
// client bug, answered 409 rather than silently returning the first message.
bool same_request(const store::MessageRecord& m, const store::OutboundMessage& o,
                  int64_t contact_id) {
  return m.text == o.text && m.content_type == o.content_type && m.payload_json == o.payload_json &&
         (m.contact_id == 0 || m.contact_id == contact_id);
}

http::Response conflict() {
  return error_response(409, "idempotency_conflict",
                        "this Idempotency-Key was used for a different message or recipient",
                        "Idempotency-Key");
}

http::Response plan_error(const Status& s, const StartRequest& req) {
  const std::string field = req.target.address.empty() ? "to.contact_id" : "to.address";
  switch (s.code()) {
    case Code::kInvalidArgument:
      return field_error(field, s.message());
    case Code::kNotFound:
      return field_error(field, "no contact with id " + std::to_string(req.target.contact_id));
    case Code::kFailedPrecondition:
      return error_response(409, "no_recipient", s.message(), field);
    default:
      return status_response(s);
  }
}

http::Response start_conversation(const ApiDeps& deps, const Call& call) {
  auto parsed = parse_request(deps, call);
  if (auto* r = std::get_if<http::Response>(&parsed)) return std::move(*r);
  StartRequest& req = std::get<StartRequest>(parsed);
  if (deps.channels == nullptr || !deps.send) {
    return error_response(503, "unavailable", "sending is not configured");
  }
  if (!deps.channels->exists(req.instance_id)) {
    return field_error("instance_id", "no channel instance \"" + req.instance_id + "\"");
  }
  std::vector<std::string> agent_queues;
  if (auto r = check_assignment(deps, call, req, agent_queues)) return std::move(*r);
  if (call.who.is_agent() && req.target.contact_id != 0) {
    if (auto r = check_contact_visible(deps, call.who, req.target.contact_id)) return std::move(*r);
  }

  auto plan = deps.conversations->plan_start(req.target, req.instance_id);
  if (!plan) return plan_error(plan.status(), req);

  // A retry of a request that got as far as queueing answers with what it made, without asking
  // the channel again (its window may have closed since).
  auto earlier = deps.api_store->outbound_by_key(req.instance_id, req.message.idempotency_key);
  if (!earlier) return status_response(earlier.status());
  if (earlier->has_value()) {
    auto m = deps.store->get_message(**earlier);
    if (!m) return status_response(m.status());
    if (m->has_value() && (*m)->conversation_id != 0) {
      if (!same_request(**m, req.message, plan->contact_id)) return conflict();
      auto conv = deps.conversations->conversation((*m)->conversation_id);
      if (!conv) return status_response(conv.status());
      if (conv->has_value() && !agent_may_join(call, agent_queues, **conv)) {
        return error_response(403, "forbidden", "the conversation is someone else's");
      }
      return answer(deps, (*m)->conversation_id, **earlier, true);
    }
  }

  // The channel decides first, exactly as it would for a reply in this conversation.
  store::OutboundMessage& out = req.message;
  out.to = plan->identity.address;
  int64_t last_inbound_at_ms = 0;
  if (plan->conversation) {
    if (!agent_may_join(call, agent_queues, *plan->conversation)) {
      return error_response(403, "forbidden",
                            "the customer's open conversation " +
                                std::to_string(plan->conversation->id) + " is someone else's");
    }
    auto to = deps.api_store->recipient(plan->conversation->id);
    if (!to) return status_response(to.status());
    if (to->has_value()) {
      out.to = (*to)->to;
      out.from = (*to)->from;
      last_inbound_at_ms = (*to)->last_inbound_at_ms;
    }
  }
  if (auto refused = refuse_unless_sendable(deps,
                                            {req.instance_id, out.to, out.from, out.content_type,
                                             last_inbound_at_ms, out.payload_json},
                                            "message.content_type")) {
    return std::move(*refused);
  }

  auto started =
      deps.conversations->start_conversation(plan->identity, req.instance_id, req.target.name);
  if (!started) return status_response(started.status());
  const store::Conversation& conv = started->conversation;
  // The transaction may have found a conversation the plan did not (a message arrived between).
  if (!started->new_conversation && !agent_may_join(call, agent_queues, conv)) {
    return error_response(
        403, "forbidden",
        "the customer's open conversation " + std::to_string(conv.id) + " is someone else's");
  }
  // Until its message is queued, a new conversation (and contact) is taken back on any failure,
  // so a refused start leaves no empty conversation behind; its event follows the queueing.
  auto undo = [&](http::Response r) {
    if (Status s = deps.conversations->undo_start(*started); !s) {
      log::logger("api")->warn("conversation {} outlives its failed start: {}", conv.id,
                               s.message());
    }
    return r;
  };
  auto accepted = deps.send(out);
  if (!accepted) return undo(status_response(accepted.status()));
  auto message = deps.store->get_message(accepted->message_id);
  if (!message) return undo(status_response(message.status()));
  if (!message->has_value()) {
    return undo(error_response(500, "internal", "the sent message vanished"));
  }
  if (accepted->duplicate) {
    // A concurrent request with the same key got there first.
    if (!same_request(**message, out, conv.contact_id)) return undo(conflict());
    if ((*message)->conversation_id != 0) {
      return undo(answer(deps, (*message)->conversation_id, accepted->message_id, true));
    }
  }
  if (started->new_conversation) {
    Poco::JSON::Object event;
    event.set("conversation_id", conv.id);
    event.set("contact_id", conv.contact_id);
    event.set("instance_id", conv.instance_id);
    event.set("by", call.who.name);
    emit(deps, "conversation.created", event);
  }

  // The caller owns what it started: an agent itself, else whoever the request names.
  std::optional<std::string> assignee = conv.assignee;
  if (call.who.is_agent()) {
    assignee = call.who.name;
  } else if (req.assignee) {
    assignee = req.assignee;
  }
  const std::optional<std::string> queue = req.queue ? req.queue : conv.queue;
  if (assignee != conv.assignee || queue != conv.queue) {
    if (Status s = deps.conversations->assign(conv.id, assignee, queue); !s) {
      return status_response(s);
    }
    emit_assigned(deps, conv.id, assignee, queue, conv.assignee, call.who.name);
  }

  if (Status s = deps.conversations->link_outbound(accepted->message_id, conv.id,
                                                   store::OutboundSender::kAgent);
      !s) {
    return status_response(s);
  }
  Poco::JSON::Object event;
  event.set("message_id", accepted->message_id);
  event.set("conversation_id", conv.id);
  event.set("instance_id", conv.instance_id);
  event.set("direction", "outbound");
  event.set("by", call.who.name);
  emit(deps, "message.created", event);
  return answer(deps, conv.id, accepted->message_id, false);
}

}  // namespace

void add_start_routes(ApiRouter& router, Deps deps) {
  router.add("POST", "/v1/conversations", Role::kAgent,
             [deps](const Call& call) { return start_conversation(*deps, call); });
}

}  // namespace sb::api
