#include "store/store.h"

#include "store/validate.h"

namespace sb::store {

Result<std::vector<std::vector<InsertOutcome>>> Store::insert_inbound_groups(
    std::span<const std::span<const InboundMessage>> groups) {
  std::vector<InboundMessage> all;
  for (auto g : groups) all.insert(all.end(), g.begin(), g.end());
  auto outcomes = insert_inbound(all);
  if (!outcomes) return outcomes.status();
  std::vector<std::vector<InsertOutcome>> split;
  size_t at = 0;
  for (auto g : groups) {
    split.emplace_back(outcomes->begin() + static_cast<ptrdiff_t>(at),
                       outcomes->begin() + static_cast<ptrdiff_t>(at + g.size()));
    at += g.size();
  }
  return split;
}

Status validate_inbound(std::span<const InboundMessage> batch) {
  for (size_t i = 0; i < batch.size(); ++i) {
    if (batch[i].instance_id.empty()) {
      return invalid_argument("inbound message " + std::to_string(i) + ": instance_id is empty");
    }
    if (batch[i].provider_message_id.empty()) {
      return invalid_argument("inbound message " + std::to_string(i) +
                              ": provider_message_id is empty");
    }
  }
  return {};
}

}  // namespace sb::store
