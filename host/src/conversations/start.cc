// Business-initiated conversations: the contact and conversation a message to a customer who may
// never have written goes to, decided by the same rules as inbound messages (address.h,
// ingest_resolver.h).
#include <tuple>

#include "conversations/ingest_resolver.h"
#include "conversations/service.h"

namespace sb::conversations {
namespace {

constexpr int kReferenceAttempts = 16;

// Identities that name no reachable address: kept-as-is garbage and the per-instance "no sender".
bool reachable(const IdentityKey& key) {
  return !key.kind.starts_with(kUnparsedPrefix) && key.kind != kUnknownSenderKind;
}

// A contact's address for the instance: one first seen there, else its oldest phone number, else
// its oldest e-mail address (identities are oldest first). Channel-specific kinds seen elsewhere
// mean nothing on this instance.
std::optional<IdentityKey> address_for(const std::vector<store::Identity>& identities,
                                       std::string_view instance_id) {
  for (std::string_view pass : {std::string_view(), kPhoneKind, kEmailKind}) {
    for (const auto& i : identities) {
      IdentityKey key{i.kind, i.address};
      if (!reachable(key)) continue;
      if (pass.empty() ? i.instance_id == instance_id : i.kind == pass) return key;
    }
  }
  return std::nullopt;
}

}  // namespace

sb::Result<StartPlan> ConversationService::plan_start(const StartTarget& target,
                                                      std::string_view instance_id) {
  StartPlan plan;
  if (!target.address.empty()) {
    plan.identity = identity_for(target.address, target.kind, instance_id, default_region_);
    if (!reachable(plan.identity)) {
      return invalid_argument("\"" + target.address + "\" is not a phone number or e-mail address");
    }
    auto contact = model_.find_contact(plan.identity.kind, plan.identity.address);
    if (!contact) return contact.status();
    if (*contact) plan.contact_id = (*contact)->id;
  } else {
    auto current = current_contact(target.contact_id);
    if (!current) return current.status();
    auto identities = model_.identities(*current);
    if (!identities) return identities.status();
    auto key = address_for(*identities, instance_id);
    if (!key) {
      return failed_precondition("contact " + std::to_string(*current) +
                                 " has no address on this channel, no phone number and no "
                                 "e-mail address");
    }
    plan.identity = std::move(*key);
    plan.contact_id = *current;
  }
  if (plan.contact_id == 0) return plan;
  auto convs = model_.conversations_of(plan.contact_id);
  if (!convs) return convs.status();
  // The one an inbound message would join: the latest by its last message (ties: the newest).
  const store::Conversation* latest = nullptr;
  for (const auto& c : *convs) {
    if (c.instance_id != instance_id) continue;
    if (!latest ||
        std::tie(c.last_message_at_ms, c.id) > std::tie(latest->last_message_at_ms, latest->id)) {
      latest = &c;
    }
  }
  if (latest && latest->status != store::ConversationStatus::kResolved) {
    plan.conversation = *latest;
  }
  return plan;
}

sb::Result<Started> ConversationService::start_conversation(const IdentityKey& identity,
                                                            std::string_view instance_id,
                                                            std::string_view name) {
  if (name.size() > kMaxDisplayName) {
    return invalid_argument("name is longer than " + std::to_string(kMaxDisplayName) + " bytes");
  }
  Started out;
  int64_t conversation_id = 0;
  Status st = model_.in_transaction([&](store::ModelTxn& txn) -> Status {
    const int64_t now = clock_();
    auto found = txn.find_identity(identity.kind, identity.address);
    if (!found) return found.status();
    int64_t contact_id = 0;
    if (*found) {
      contact_id = (*found)->contact_id;
      if (auto s = txn.fill_display_name(contact_id, name, now); !s) return s;
    } else {
      auto created = txn.create_contact(name, now);
      if (!created) return created.status();
      contact_id = *created;
      auto added = txn.add_identity(contact_id, identity.kind, identity.address, instance_id, now);
      if (!added) return added.status();
      out.new_contact = true;
    }
    // Any of the instance's business numbers: the reply leaves from the conversation's own.
    auto latest = txn.latest_conversation(contact_id, instance_id, "");
    if (!latest) return latest.status();
    if (*latest && (*latest)->status != store::ConversationStatus::kResolved) {
      conversation_id = (*latest)->id;
      return {};
    }
    std::string reference;
    auto opened = open_with_reference(txn, contact_id, instance_id, "", random_, kReferenceAttempts,
                                      reference, now);
    if (!opened) return opened.status();
    conversation_id = *opened;
    out.new_conversation = true;
    return {};
  });
  if (!st) return st;
  auto conv = model_.get_conversation(conversation_id);
  if (!conv) return conv.status();
  if (!*conv) return internal_error("the started conversation vanished");
  out.conversation = std::move(**conv);
  return out;
}

sb::Status ConversationService::undo_start(const Started& started) {
  if (!started.new_conversation) return {};  // a new contact always comes with one
  return model_.in_transaction([&](store::ModelTxn& txn) -> Status {
    auto r = txn.discard_unused(started.conversation.id,
                                started.new_contact ? started.conversation.contact_id : 0);
    return r.status();
  });
}

}  // namespace sb::conversations
