// Rows the router reads and writes: agents (the REST API's v4 tables `agents` and `agent_queues`)
// and, in schema v5, the assignment log, each queue's round-robin position and the last time an
// auto-reply of a kind went to a conversation.
// The policy (which queue, which agent, which reply) lives in host/src/routing; the store keeps
// the rows consistent and makes the capacity check and the assignment one transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/store.h"

namespace sb::store {

enum class Presence { kOffline = 0, kAway = 1, kOnline = 2 };
std::string_view to_string(Presence presence);
std::optional<Presence> parse_presence(std::string_view text);

struct Agent {
  std::string id;  // what conversations.assignee holds
  std::string display_name;
  std::vector<std::string> skills;  // sorted, unique
  int64_t max_concurrent = 1;       // open + pending conversations at once
  Presence presence = Presence::kOffline;
  // Queue membership (agent_queues, kept by the REST API), sorted. Read only here.
  std::vector<std::string> queues;
  int64_t created_at_ms = 0, updated_at_ms = 0;
};

// An agent's open + pending conversations and when it was last given one (0 = never).
struct AgentLoad {
  std::string agent_id;
  int64_t active = 0;
  int64_t last_assigned_at_ms = 0;
};

// One row of the assignment log; agent_id empty = put (back) into the queue unassigned.
struct AssignmentRecord {
  int64_t id = 0, conversation_id = 0;
  std::string agent_id, queue, reason, actor;
  int64_t at_ms = 0;
};

struct AssignRequest {
  int64_t conversation_id = 0;
  std::string agent_id;  // empty = leave unassigned, waiting in `queue`
  std::string queue;
  std::string reason;  // "round_robin", "least_busy", "sticky", "supervisor", "waiting", ...
  std::string actor;   // who decided: "router" or a supervisor's name
  // The agent's capacity: the assignment happens only while its active count is below this.
  // Negative = no check (a supervisor's decision overrides capacity).
  int64_t max_active = -1;
  int64_t now_ms = 0;
};

// A conversation waiting in a queue without an assignee, oldest first.
struct WaitingConversation {
  int64_t conversation_id = 0, contact_id = 0;
  std::string instance_id;
  int64_t opened_at_ms = 0;
};

// A row of the queues table (schema v4): the one list of queues agents join, the REST API lists
// and routing uses. Those the routing configuration declares are written at start; the others
// were created through the API.
struct QueueRow {
  std::string id, name;
  std::string strategy;  // round_robin | least_busy | sticky
};

// An inbound message stored (and resolved) whose routing has not committed yet (schema v10).
struct PendingRouting {
  int64_t message_id = 0;
  uint32_t message_flags = 0;    // SB_INBOUND_*
  InboundResolution resolution;  // as the resolver decided; reference left empty
  int64_t created_at_ms = 0;
};

class RoutingStore {
 public:
  virtual ~RoutingStore() = default;

  // Creates or updates the agent's row (presence included; queue membership is left alone);
  // kInvalidArgument for an empty id, an empty skill or one with control characters, or a
  // negative capacity.
  virtual Status put_agent(const Agent& agent, int64_t now_ms) = 0;
  virtual Result<std::optional<Agent>> get_agent(std::string_view agent_id) = 0;
  virtual Result<std::vector<Agent>> agents() = 0;  // by id
  virtual Status set_presence(std::string_view agent_id, Presence presence, int64_t now_ms) = 0;
  // Every agent, by id, with zero for those without conversations.
  virtual Result<std::vector<AgentLoad>> agent_loads() = 0;

  // Sets the conversation's assignee and queue and logs it, in one transaction. Returns false
  // (and changes nothing) when the agent is at max_active or the conversation is resolved.
  // kNotFound for an unknown conversation.
  virtual Result<bool> assign(const AssignRequest& request) = 0;
  virtual Result<std::vector<WaitingConversation>> waiting(std::string_view queue, int limit) = 0;
  // The agent most recently assigned any conversation the contact now owns (merges followed).
  virtual Result<std::optional<std::string>> last_agent_of_contact(int64_t contact_id) = 0;
  virtual Result<std::vector<AssignmentRecord>> assignments_of(int64_t conversation_id) = 0;

  virtual Result<std::optional<std::string>> round_robin_position(std::string_view queue) = 0;
  virtual Status set_round_robin_position(std::string_view queue, std::string_view agent_id,
                                          int64_t now_ms) = 0;

  // Records that an auto-reply of `kind` goes to the conversation now, unless one went out less
  // than `period_ms` ago: returns whether the caller may send it. One transaction, so two routers
  // never both send.
  virtual Result<bool> claim_auto_reply(int64_t conversation_id, std::string_view kind,
                                        int64_t period_ms, int64_t now_ms) = 0;

  // claim_auto_reply for the reply to inbound message `message_id`. While the message is pending
  // routing, a kind it claimed before is claimed again (true), so routing replayed after a crash
  // between the claim and the outbox enqueue still queues the reply, which the outbox dedupes
  // by its idempotency key.
  virtual Result<bool> claim_auto_reply_for(int64_t message_id, int64_t conversation_id,
                                            std::string_view kind, int64_t period_ms,
                                            int64_t now_ms) = 0;

  // Creates the configuration's queues that are missing and updates the name and strategy of
  // those that exist (agents' memberships stay), in one transaction.
  virtual Status put_config_queues(const std::vector<QueueRow>& queues, int64_t now_ms) = 0;
  virtual Result<std::vector<QueueRow>> queues() = 0;  // by id

  // Messages pending routing, oldest first, at most `limit`.
  virtual Result<std::vector<PendingRouting>> pending_routing(int limit) = 0;
  // The message's routing committed: its marker (and claims memo) goes. Ok when absent.
  virtual Status routing_done(int64_t message_id) = 0;
};

}  // namespace sb::store
