// Which conversations an agent may see and act on: those assigned to it and those in one of its
// queues. The REST API (can_see) and the agent's event stream (events/agent_filter.h) both decide
// by this one rule; supervisors and admins see everything.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "store/model.h"

namespace sb::api {

inline bool agent_sees(std::string_view agent_id, const std::vector<std::string>& agent_queues,
                       const store::Conversation& c) {
  if (c.assignee && *c.assignee == agent_id) return true;
  return c.queue &&
         std::find(agent_queues.begin(), agent_queues.end(), *c.queue) != agent_queues.end();
}

}  // namespace sb::api
