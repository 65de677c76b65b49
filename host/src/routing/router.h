// The routing entry point. After an inbound message is stored and resolved to a conversation, the
// router decides its queue (rules, first match wins), its agent (the queue's strategy, within each
// agent's capacity and only while online) and the auto-replies to send (welcome, away, keyword
// answer), and persists the assignment. A conversation no agent can take waits in its queue and
// is assigned by rebalance(), which the caller runs when capacity frees: presence changes, a
// resolve, a supervisor's reassignment.
//
// Thread-safe: decisions are serialized by a mutex, and the store re-checks capacity in the same
// transaction as the assignment, so two hosts on one database never overfill an agent either.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "conversations/clock.h"
#include "core/status.h"
#include "routing/config.h"
#include "routing/text.h"
#include "store/model.h"
#include "store/routing_store.h"
#include "store/store.h"

namespace sb::routing {

// An assignment the router made outside route() (whose Decision carries its own): conversations
// handed out by rebalance() (also inside set_presence and reassign) and reassign()'s own move.
struct Assignment {
  int64_t conversation_id = 0;
  std::optional<std::string> agent;  // nullopt: back into the queue
  std::string queue;
  std::string by;      // "routing:rebalance", or reassign()'s actor
  std::string reason;  // as in the assignment log: "least_busy", "supervisor", ...
};

struct RouterOptions {
  conversations::Clock clock = conversations::system_clock_ms;
  // The message language the rules see; the default guesses from common words.
  std::function<std::string(std::string_view text)> language_of = guess_language;
  std::string actor = "router";  // recorded in the assignment log
  // Told of every Assignment once it committed, so the host can publish conversation.assigned;
  // called with the router's lock held (it must not call back into the router). May be empty.
  std::function<void(const Assignment&)> on_assigned;
};

// A conversation leaving its bot queue for humans.
struct Handover {
  int64_t conversation_id = 0;
  std::string from_queue, to_queue;     // the bot queue; the human queue
  std::optional<std::string> assignee;  // nullopt: waiting in to_queue
  std::string reason;                   // the strategy's reason, or "waiting"
  std::string keyword;                  // the customer's keyword; empty for an API handover
};

struct Decision {
  std::string queue;                    // empty when nothing was routed (duplicate, resolved)
  std::optional<std::string> assignee;  // nullopt: waiting in the queue, or with its bot
  // How: "kept" (already assigned or already with the bot), "sticky", "round_robin",
  // "least_busy", "waiting", "bot" (just placed in a bot queue).
  std::string reason;
  // Non-empty: the conversation is with this bot queue's bot and the message goes to it. Never
  // set for automated or system messages (loop protection) nor for a handover keyword.
  std::string bot_queue = {};
  // Set when the customer's message named a handover keyword: the conversation left its bot
  // queue; queue/assignee/reason above describe where it went.
  std::optional<Handover> handover;
  // Hand these to the outbox; each has a stable idempotency key ("auto:<kind>:<message id>").
  std::vector<store::OutboundMessage> replies;
};

// Auto-reply kinds as recorded in routing_auto_replies.
inline constexpr std::string_view kWelcome = "welcome";
inline constexpr std::string_view kAway = "away";

class Router {
 public:
  // Writes the config's queues into the store's queue list (created, or name and strategy
  // updated) and takes the queues created through the REST API as human queues (strategy from
  // their row; no skills, hours, auto-replies or bot), which the default queue and rules may
  // name. kInvalidArgument for a config that does not validate, kFailedPrecondition for a store
  // without the model or routing tables. `store` must outlive the router.
  static sb::Result<std::unique_ptr<Router>> create(RoutingConfig config, store::Store& store,
                                                    RouterOptions options = {});

  // Re-reads the queues created through the REST API (after one was created, changed or
  // deleted), so their conversations are routed and handed out at once.
  sb::Status reload_queues();

  // `result` is what insert_inbound_resolved returned for `message`. A duplicate, or a message
  // without a conversation, routes nothing.
  sb::Result<Decision> route(const store::InboundMessage& message,
                             const store::InboundResult& result);

  // Assigns waiting conversations, oldest first per queue, while agents have room. Returns the
  // conversation ids it assigned.
  sb::Result<std::vector<int64_t>> rebalance();

  // Stores the presence; an agent coming online takes waiting conversations at once.
  sb::Status set_presence(std::string_view agent_id, store::Presence presence);

  // A supervisor moves a conversation to `agent_id` regardless of its capacity (the agent must
  // exist), or back into its queue with nullopt. Freed capacity is given out at once.
  sb::Status reassign(int64_t conversation_id, const std::optional<std::string>& agent_id,
                      std::string_view actor);

  // Moves a conversation that is with a bot (in a bot queue, unassigned, not resolved) to
  // `queue` (default: the bot's handover queue; must be a human queue) and assigns it with that
  // queue's strategy, else it waits there. kNotFound: no conversation; kFailedPrecondition: not
  // with a bot; kInvalidArgument: the queue is unknown or a bot queue. The handover (and
  // `note`, the bot's words for the agent) is recorded on the conversation's timeline.
  sb::Result<Handover> handover(int64_t conversation_id, const std::optional<std::string>& queue,
                                std::string_view actor, std::string_view note = {});

  // A canned response rendered for a conversation ({{contact.name}}, {{conversation.reference}},
  // {{queue.name}}, {{agent.name}}); kNotFound for an unknown id or conversation.
  sb::Result<std::string> canned(std::string_view id, int64_t conversation_id);

  const RoutingConfig& config() const { return config_; }

 private:
  Router(RoutingConfig config, store::ModelStore& model, store::RoutingStore& routing,
         RouterOptions options);

  struct Pick {
    std::optional<std::string> agent;
    std::string reason;
  };
  // Tries the queue's eligible agents in the strategy's order until one takes the conversation.
  sb::Result<Pick> assign_from_queue(const store::Conversation& conversation,
                                     const QueueConfig& queue, int64_t now);
  sb::Result<std::vector<int64_t>> rebalance_locked();
  // Moves the conversation and records the handover note on its timeline (record_handover).
  sb::Result<Handover> handover_locked(const store::Conversation& conversation,
                                       std::string_view from_queue, const QueueConfig& to,
                                       std::string_view actor, std::string_view keyword,
                                       std::string_view note, int64_t now);
  void record_handover(const Handover& h, std::string_view actor, std::string_view note,
                       int64_t now);
  // route() for a conversation whose queue is a bot queue: keep it with the bot (filling
  // d.bot_queue), or hand it over on a keyword. Returns the queue whose auto-replies apply.
  sb::Result<const QueueConfig*> route_to_bot(const store::InboundMessage& message,
                                              store::Conversation& conversation,
                                              const QueueConfig& queue, bool stored_assignee,
                                              int64_t now, Decision& d);
  sb::Result<Placeholders> placeholders(const store::Conversation& conversation,
                                        const QueueConfig* queue, int64_t now);
  sb::Result<std::vector<store::OutboundMessage>> auto_replies(
      const store::InboundMessage& message, const store::InboundResult& result,
      const store::Conversation& conversation, const QueueConfig& queue, int64_t now);

  // A configured queue, else one created through the API, else null. Called with mu_ held.
  const QueueConfig* queue_locked(std::string_view id) const;

  RoutingConfig config_;                 // never changes: bot_of(config()) needs no lock
  std::vector<QueueConfig> api_queues_;  // guarded by mu_
  store::ModelStore& model_;
  store::RoutingStore& routing_;
  RouterOptions options_;
  std::mutex mu_;
};

}  // namespace sb::routing
