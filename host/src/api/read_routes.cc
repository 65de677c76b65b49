// POST /v1/conversations/{id}/read: an agent has read the conversation up to an inbound message.
// The read position is the host's record (unread counts, the console); the read receipt to the
// customer is a direct channel call ("mark_read"), not an outbox message: a receipt is not a
// message (no row, no cost, nothing in the timeline), Meta treats it idempotently, and one lost
// to a crash is harmless. It is claimed in the store before the call, so it goes out at most once
// per read position even when two agents read at once; a failed call releases the claim and the
// next read of the conversation tries again.
#include <Poco/JSON/Stringifier.h>

#include <sstream>

#include "api/routes_common.h"

namespace sb::api {
namespace {

using auth::Role;

void set_read(Poco::JSON::Object& o, const ReadPosition& p) {
  o.set("unread_count", p.unread_count);
  if (p.last_read_message_id == 0) {
    o.set("read", Poco::Dynamic::Var());
    return;
  }
  Poco::JSON::Object read;
  read.set("last_read_message_id", p.last_read_message_id);
  read.set("read_by", p.read_by);
  read.set("read_at_ms", p.read_at_ms);
  read.set("receipt_message_id", p.receipt_message_id);
  read.set("receipt_at_ms", p.receipt_at_ms);
  o.set("read", read);
}

struct Receipt {
  std::string status;  // sent | already_sent | unsupported | failed
  std::string error;
};

// Asks the channel to mark `message` read for the customer, unless that was already done for it
// or a later message.
Result<Receipt> send_receipt(const ApiDeps& deps, const store::Conversation& conv,
                             const store::MessageRecord& message) {
  if (deps.channels == nullptr || !deps.channels->read_receipts(conv.instance_id)) {
    return Receipt{"unsupported", ""};
  }
  int64_t previous = 0;
  auto claimed = deps.api_store->claim_receipt(conv.id, message.id, previous);
  if (!claimed) return claimed.status();
  if (!*claimed) return Receipt{"already_sent", ""};
  Poco::JSON::Object in;
  in.set("message_id", message.provider_message_id);
  in.set("from", message.to);  // our number the customer wrote to
  std::ostringstream json;
  Poco::JSON::Stringifier::condense(in, json);
  auto answer = deps.channels->invoke(conv.instance_id, "mark_read", json.str());
  if (answer) return Receipt{"sent", ""};
  if (Status s = deps.api_store->release_receipt(conv.id, message.id, previous); !s) return s;
  return Receipt{"failed", answer.status().message()};
}

http::Response mark_read(const ApiDeps& deps, const Call& call) {
  auto found = visible_conversation(deps, call, call.params[0]);
  if (auto* r = std::get_if<http::Response>(&found)) return std::move(*r);
  const store::Conversation& conv = std::get<store::Conversation>(found);
  auto parsed = parse_object_body(call.request, deps.options.max_body_bytes);
  if (auto* r = std::get_if<http::Response>(&parsed)) return std::move(*r);
  FieldReader f(std::get<JsonObject>(parsed));
  f.only({"message_id"});
  auto wanted = f.integer("message_id", false, 1, INT64_MAX);
  if (!f.ok()) return f.error();

  auto message = deps.api_store->inbound_message(conv.id, wanted.value_or(0));
  if (!message) return status_response(message.status());
  if (!message->has_value()) {
    if (wanted) return field_error("message_id", "no inbound message with this id here");
    return error_response(409, "nothing_to_read", "the conversation has no inbound message");
  }
  auto moved = deps.api_store->advance_read(conv.id, (*message)->id, call.who.name);
  if (!moved) return status_response(moved.status());
  // The receipt names the newest message read, which a concurrent read may have moved past ours.
  auto position = deps.api_store->read_position(conv.id);
  if (!position) return status_response(position.status());
  store::MessageRecord target = **message;
  if (position->last_read_message_id != target.id) {
    auto newest = deps.api_store->inbound_message(conv.id, position->last_read_message_id);
    if (!newest) return status_response(newest.status());
    if (newest->has_value()) target = **newest;
  }
  auto receipt = send_receipt(deps, conv, target);
  if (!receipt) return status_response(receipt.status());
  position = deps.api_store->read_position(conv.id);
  if (!position) return status_response(position.status());

  if (*moved && deps.on_event) {
    Poco::JSON::Object event;
    event.set("conversation_id", conv.id);
    event.set("instance_id", conv.instance_id);
    event.set("message_id", position->last_read_message_id);
    event.set("unread_count", position->unread_count);
    event.set("receipt", receipt->status);
    event.set("by", call.who.name);
    std::ostringstream out;
    Poco::JSON::Stringifier::condense(event, out);
    deps.on_event("conversation.read", out.str());
  }
  Poco::JSON::Object body = to_json(conv);
  set_read(body, *position);
  Poco::JSON::Object r;
  r.set("status", receipt->status);
  if (!receipt->error.empty()) r.set("error", receipt->error);
  body.set("receipt", r);
  return json_response(200, body);
}

}  // namespace

Result<Poco::JSON::Object> conversation_json(const ApiDeps& deps, const store::Conversation& c) {
  Poco::JSON::Object o = to_json(c);
  auto position = deps.api_store->read_position(c.id);
  if (!position) return position.status();
  set_read(o, *position);
  return o;
}

void add_read_routes(ApiRouter& router, Deps deps) {
  router.add("POST", "/v1/conversations/{}/read", Role::kAgent,
             [deps](const Call& call) { return mark_read(*deps, call); });
}

}  // namespace sb::api
