// What `switchboard serve` does with each new inbound message once it committed: route it, queue
// its auto-replies, publish its events, hand it to a bot, and clear its routing_pending marker
// (schema v10). The same steps replay, at start-up, the messages a crash left pending.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "conversations/service.h"
#include "core/status.h"
#include "events/event_log.h"
#include "outbox/outbox.h"
#include "routing/router.h"
#include "store/store.h"

namespace sb::app {

// Routing and auto-replies run after each new inbound message is committed (off the plugin's
// strand). The outbox exists only once the runtime does, so replies decided before it starts are
// committed with their queued outbox rows, which its start dispatches; the mutex closes the gap.
struct InboundPipeline {
  std::mutex mu;
  std::unique_ptr<routing::Router> router;  // null: the host does not route
  outbox::Outbox* outbox = nullptr;
  std::string api_base_url;  // for bot.message payloads; set once the server listens
};

struct InboundDeps {
  InboundPipeline& pipeline;
  store::Store& store;
  conversations::ConversationService& conversations;
  events::EventLog& events;
  std::function<int64_t()> now_ms;
};

// One committed inbound message. The caller holds pipeline.mu. The marker is cleared only once
// the routing and every auto-reply committed; a failure leaves it for the next start.
void process_inbound_locked(const InboundDeps& deps, const store::InboundMessage& message,
                            const store::InboundResult& result);

// Replays the messages still pending routing, oldest first, under pipeline.mu, publishing what
// the live path publishes. Run before channels take new messages. Returns how many it replayed.
Result<int> replay_pending_routing(const InboundDeps& deps);

}  // namespace sb::app
