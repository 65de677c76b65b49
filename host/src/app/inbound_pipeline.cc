#include "app/inbound_pipeline.h"

#include "app/bot_glue.h"
#include "events/publish.h"
#include "log/log.h"
#include "store/outbox_store.h"
#include "store/routing_store.h"

namespace sb::app {
namespace {

// The message as the channel delivered it, from its stored row and the marker's flags.
store::InboundMessage stored_inbound(const store::MessageRecord& r, uint32_t flags) {
  store::InboundMessage m;
  m.instance_id = r.instance_id;
  m.provider_message_id = r.provider_message_id;
  m.from = r.from;
  m.from_kind = r.from_kind;
  m.to = r.to;
  m.content_type = r.content_type;
  m.text = r.text;
  m.payload_json = r.payload_json;
  m.raw = r.raw;
  m.reply_to_provider_id = r.reply_to_provider_id;
  m.flags = flags;
  return m;
}

// Queues one auto-reply; returns false when it could not be queued.
bool queue_reply(const InboundDeps& deps, const store::OutboundMessage& reply,
                 const store::InboundResult& result) {
  auto logger = log::logger("routing");
  Result<int64_t> id = internal_error("no outbox");
  bool duplicate = false;
  if (deps.pipeline.outbox != nullptr) {
    auto r = deps.pipeline.outbox->enqueue(reply);
    if (r) duplicate = r->duplicate;
    id = r ? Result<int64_t>(r->message_id) : Result<int64_t>(r.status());
  } else if (store::OutboxStore* early = deps.store.outbox(); early != nullptr) {
    // Committed with its queued outbox row; Outbox::start() sends it.
    auto r = early->outbox_enqueue(reply, deps.now_ms());
    if (r) duplicate = r->duplicate;
    id = r ? Result<int64_t>(r->message_id) : Result<int64_t>(r.status());
  }
  if (!id) {
    logger->error("auto-reply for message {} not queued: {}", result.message_id,
                  id.status().message());
    return false;
  }
  // An auto-reply is on the conversation but is not its first response.
  if (Status s = deps.conversations.link_outbound(*id, result.resolution.conversation_id,
                                                  store::OutboundSender::kAutomatic);
      !s) {
    logger->warn("auto-reply {} not linked to its conversation: {}", *id, s.message());
  }
  // A replay finding the reply already queued (its idempotency key) announced it before.
  if (!duplicate) {
    events::publish_outbound(deps.events, *id, result.resolution.conversation_id, reply.instance_id,
                             "auto-reply");
  }
  return true;
}

}  // namespace

void process_inbound_locked(const InboundDeps& deps, const store::InboundMessage& message,
                            const store::InboundResult& result) {
  InboundPipeline& pipeline = deps.pipeline;
  auto logger = log::logger("routing");
  if (!pipeline.router) {
    events::publish_inbound(deps.events, message, result);
    return;
  }
  auto decision = pipeline.router->route(message, result);
  // Published once routing committed, so an agent's filtered event stream already finds the
  // conversation in its queue when it reads these.
  events::publish_inbound(deps.events, message, result);
  if (!decision) {
    // The marker stays: the next start routes the message again.
    logger->error("routing message {} failed: {}", result.message_id, decision.status().message());
    return;
  }
  after_routing(deps.events, *deps.store.model(), pipeline.router->config(), message, result,
                *decision, pipeline.api_base_url);
  if (!decision->queue.empty() && decision->reason != "kept") {
    events::publish_assigned(deps.events, result.resolution.conversation_id, decision->assignee,
                             decision->queue, "routing:" + decision->reason);
  }
  bool queued_all = true;
  for (const store::OutboundMessage& reply : decision->replies) {
    queued_all = queue_reply(deps, reply, result) && queued_all;
  }
  if (!queued_all || result.outcome != store::InsertOutcome::kStored) return;
  if (Status s = deps.store.routing()->routing_done(result.message_id); !s) {
    logger->warn("message {} routed but still marked pending: {}", result.message_id, s.message());
  }
}

Result<int> replay_pending_routing(const InboundDeps& deps) {
  store::RoutingStore* routing = deps.store.routing();
  if (routing == nullptr || deps.store.model() == nullptr) return 0;
  auto logger = log::logger("routing");
  std::lock_guard lock(deps.pipeline.mu);
  int replayed = 0;
  // In batches: a long outage may leave many, and each one clears its marker as it goes.
  for (;;) {
    auto pending = routing->pending_routing(256);
    if (!pending) return pending.status();
    if (pending->empty()) break;
    for (const store::PendingRouting& p : *pending) {
      auto record = deps.store.get_message(p.message_id);
      if (!record) return record.status();
      store::InboundResult result;
      result.outcome = store::InsertOutcome::kStored;
      result.message_id = p.message_id;
      result.resolution = p.resolution;
      if (*record && (*record)->conversation_id != 0) {
        // A merge since may have moved the message to another conversation.
        result.resolution.conversation_id = (*record)->conversation_id;
        result.resolution.contact_id = (*record)->contact_id;
      }
      if (*record) {
        process_inbound_locked(deps, stored_inbound(**record, p.message_flags), result);
        ++replayed;
      }
      // Cleared even when routing failed again, so one bad message cannot block start-up
      // forever; the failure is in the log.
      if (Status s = routing->routing_done(p.message_id); !s) return s;
    }
  }
  if (replayed > 0) logger->info("routing: replayed {} message(s) a crash left unrouted", replayed);
  return replayed;
}

}  // namespace sb::app
