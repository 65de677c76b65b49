#include "conversations/service.h"

#include "contacts/reference.h"
#include "conversations/address.h"
#include "conversations/ingest_resolver.h"

namespace sb::conversations {
namespace {

constexpr int kMaxMergeHops = 64;  // a chain longer than this is a cycle, i.e. corruption

sb::Status check_text(std::string_view what, std::string_view value, size_t max, bool required) {
  if (required && value.empty()) return invalid_argument(std::string(what) + " is empty");
  if (value.size() > max) {
    return {Code::kResourceExhausted,
            std::string(what) + " is longer than " + std::to_string(max) + " bytes"};
  }
  return {};
}

}  // namespace

ConversationService::ConversationService(store::ModelStore& model, Clock clock,
                                         std::string default_region,
                                         std::function<uint64_t()> random)
    : model_(model),
      clock_(clock ? std::move(clock) : Clock(system_clock_ms)),
      default_region_(std::move(default_region)),
      random_(random ? std::move(random) : std::function<uint64_t()>(csprng_u64)) {}

sb::Result<std::optional<store::Contact>> ConversationService::contact(int64_t contact_id) {
  return model_.get_contact(contact_id);
}

sb::Result<std::optional<store::Contact>> ConversationService::find_contact(
    std::string_view address, std::string_view kind, std::string_view instance_id) {
  const IdentityKey key = identity_for(address, kind, instance_id, default_region_);
  return model_.find_contact(key.kind, key.address);
}

sb::Result<std::optional<store::Contact>> ConversationService::find_contact_strict(
    std::string_view address, std::string_view kind) {
  const IdentityKey key = identity_for(address, kind, {}, default_region_);
  if (key.kind != kind || (key.kind != kPhoneKind && key.kind != kEmailKind)) {
    return invalid_argument(kind == kEmailKind ? "is not an e-mail address"
                                               : "is not a phone number");
  }
  return model_.find_contact(key.kind, key.address);
}

sb::Result<std::vector<store::Identity>> ConversationService::identities(int64_t contact_id) {
  return model_.identities(contact_id);
}

sb::Status ConversationService::rename_contact(int64_t contact_id, std::string_view name) {
  if (auto st = check_text("display name", name, kMaxDisplayName, true); !st) return st;
  return model_.rename_contact(contact_id, name, clock_());
}

sb::Result<int64_t> ConversationService::current_contact(int64_t contact_id) {
  int64_t id = contact_id;
  for (int hop = 0; hop < kMaxMergeHops; ++hop) {
    auto c = model_.get_contact(id);
    if (!c) return c.status();
    if (!*c) return not_found("no contact with id " + std::to_string(id));
    if ((*c)->merged_into == 0) return id;
    id = (*c)->merged_into;
  }
  return internal_error("merge chain of contact " + std::to_string(contact_id) + " loops");
}

sb::Result<std::optional<store::Conversation>> ConversationService::conversation(int64_t id) {
  return model_.get_conversation(id);
}

sb::Result<std::optional<store::Conversation>> ConversationService::find_by_reference(
    std::string_view typed) {
  const auto reference = contacts::parse_reference(typed);
  if (!reference) return invalid_argument("not a valid reference number");
  return model_.find_conversation(*reference);
}

sb::Result<std::vector<store::Conversation>> ConversationService::conversations_of(
    int64_t contact_id) {
  return model_.conversations_of(contact_id);
}

sb::Status ConversationService::set_status(int64_t conversation_id,
                                           store::ConversationStatus status) {
  return model_.set_conversation_status(conversation_id, status, clock_());
}

sb::Status ConversationService::assign(int64_t conversation_id,
                                       const std::optional<std::string>& assignee,
                                       const std::optional<std::string>& queue) {
  if (assignee) {
    if (auto st = check_text("assignee", *assignee, kMaxActor, true); !st) return st;
  }
  if (queue) {
    if (auto st = check_text("queue", *queue, kMaxActor, true); !st) return st;
  }
  return model_.assign_conversation(conversation_id, assignee, queue, clock_());
}

sb::Status ConversationService::link_outbound(int64_t message_id, int64_t conversation_id,
                                              store::OutboundSender sender) {
  return model_.link_outbound(message_id, conversation_id, sender, clock_());
}

sb::Result<int64_t> ConversationService::merge(int64_t survivor_id, int64_t merged_id,
                                               std::string_view actor, std::string_view reason) {
  if (auto st = check_text("actor", actor, kMaxActor, true); !st) return st;
  if (auto st = check_text("reason", reason, kMaxReason, false); !st) return st;
  return model_.merge_contacts(survivor_id, merged_id, actor, reason, clock_());
}

sb::Status ConversationService::unmerge(int64_t merge_id, std::string_view actor) {
  if (auto st = check_text("actor", actor, kMaxActor, true); !st) return st;
  return model_.unmerge(merge_id, actor, clock_());
}

sb::Result<std::optional<store::MergeRecord>> ConversationService::merge_record(int64_t id) {
  return model_.get_merge(id);
}

sb::Result<store::TimelinePage> ConversationService::timeline(
    int64_t contact_id, std::string_view cursor, int limit, const store::ConversationScope& scope) {
  auto current = current_contact(contact_id);
  if (!current) return current.status();
  return model_.timeline(*current, cursor, limit, scope);
}

sb::Result<std::vector<store::SearchHit>> ConversationService::search(store::SearchQuery query) {
  if (auto st = check_text("search text", query.text, kMaxSearchText, true); !st) return st;
  if (query.to_ms != 0 && query.to_ms < query.from_ms) {
    return invalid_argument("search range ends before it starts");
  }
  if (query.contact_id != 0) {
    auto current = current_contact(query.contact_id);
    if (!current) return current.status();
    query.contact_id = *current;
  }
  return model_.search(query);
}

}  // namespace sb::conversations
