// What an agent's GET /v1/events stream shows: events about conversations the agent may see
// (api/visibility.h: assigned to it or in one of its queues), the messages and delivery statuses
// of those conversations, and events naming the agent itself (an assignment to it, or away from
// it). Visibility is decided when the stream reads the event, from the conversation's current
// queue and assignee and the agent's current queues, the same answer the REST API gives at that
// moment; the agent's queues and each conversation are read once per batch.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/api_store.h"
#include "core/status.h"
#include "events/sse.h"
#include "store/model.h"
#include "store/store.h"

namespace sb::events {

// Where the filter reads the current state (the API's tables and the store in the host).
struct AgentLookups {
  std::function<Result<std::vector<std::string>>(const std::string& agent_id)> queues_of;
  std::function<Result<std::optional<store::Conversation>>(int64_t conversation_id)> conversation;
  // The conversation a message is on; 0 when unknown or not on one.
  std::function<Result<int64_t>(int64_t message_id)> conversation_of_message;
};

class AgentEventFilter final : public EventFilter {
 public:
  AgentEventFilter(std::string agent_id, AgentLookups lookups);
  Result<std::vector<bool>> visible(const std::vector<Event>& batch) override;

 private:
  std::string agent_id_;
  AgentLookups lookups_;
};

// The lookups over the host's API tables and store; both must outlive the filter.
AgentLookups agent_lookups(api::ApiStore& api_store, store::Store& store);

}  // namespace sb::events
