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

namespace {

std::vector<InboundResult> outcomes_only(const std::vector<InsertOutcome>& outcomes) {
  std::vector<InboundResult> out;
  out.reserve(outcomes.size());
  for (auto o : outcomes) out.push_back({o, 0, {}});
  return out;
}

}  // namespace

Result<std::vector<InboundResult>> Store::insert_inbound_resolved(
    std::span<const InboundMessage> batch) {
  auto outcomes = insert_inbound(batch);
  if (!outcomes) return outcomes.status();
  return outcomes_only(*outcomes);
}

Result<std::vector<std::vector<InboundResult>>> Store::insert_inbound_resolved_groups(
    std::span<const std::span<const InboundMessage>> groups) {
  auto outcomes = insert_inbound_groups(groups);
  if (!outcomes) return outcomes.status();
  std::vector<std::vector<InboundResult>> out;
  out.reserve(outcomes->size());
  for (const auto& g : *outcomes) out.push_back(outcomes_only(g));
  return out;
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
