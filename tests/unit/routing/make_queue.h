// QueueConfig values for tests without spelling out every field.
#pragma once

#include <string>
#include <vector>

#include "routing/config.h"

namespace sb::routing::testing {

inline QueueConfig make_queue(std::string id, Strategy strategy = Strategy::kLeastBusy,
                              std::vector<std::string> skills = {}) {
  QueueConfig q;
  q.name = id;
  q.id = std::move(id);
  q.strategy = strategy;
  q.skills = std::move(skills);
  return q;
}

}  // namespace sb::routing::testing
