// The conversation service the REST API and routing use: contacts, conversation status and
// assignment, merge/un-merge, a contact's timeline and message search. It adds the clock, input
// limits and merge-following to the store's model (store/model.h); every call is one transaction.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "conversations/address.h"
#include "conversations/clock.h"
#include "store/model.h"

namespace sb::conversations {

inline constexpr size_t kMaxDisplayName = 256;
inline constexpr size_t kMaxActor = 256;
inline constexpr size_t kMaxReason = 1024;
inline constexpr size_t kMaxSearchText = 512;

// Who a business-initiated conversation is with: an address (normalised like an inbound sender's;
// the kind is guessed when empty: '@' e-mail, else phone) or an existing contact by id.
struct StartTarget {
  std::string address, kind;
  int64_t contact_id = 0;  // used when address is empty
  std::string name;        // names a contact that has no name yet; may be empty
};

// Where it would go, decided before anything is written: the identity it reaches, that identity's
// contact (0 = none yet) and the conversation a message would join (the contact's latest on the
// instance when it is open or pending; none when resolved or absent: a new one opens).
struct StartPlan {
  IdentityKey identity;
  int64_t contact_id = 0;
  std::optional<store::Conversation> conversation;
};

struct Started {
  store::Conversation conversation;
  bool new_contact = false, new_conversation = false;
};

class ConversationService {
 public:
  // `model` is store->model(); it must outlive the service. `random` draws reference numbers
  // (default: the kernel CSPRNG).
  explicit ConversationService(store::ModelStore& model, Clock clock = system_clock_ms,
                               std::string default_region = {},
                               std::function<uint64_t()> random = {});

  // kInvalidArgument: the address is not a phone number or e-mail address (nor a channel kind);
  // kNotFound: no such contact; kFailedPrecondition: the contact has no address on this
  // instance, no phone number and no e-mail address.
  sb::Result<StartPlan> plan_start(const StartTarget& target, std::string_view instance_id);
  // Finds or creates the identity's contact (one contact across channels, as inbound does) and
  // joins its open or pending conversation on the instance or opens a new one with a reference
  // number, in one transaction.
  sb::Result<Started> start_conversation(const IdentityKey& identity, std::string_view instance_id,
                                         std::string_view name = {});
  // Takes back what start_conversation created (the conversation, and the contact with its
  // identity when it was new) when the message it was for could not be queued, in one
  // transaction; nothing that found use in between (a customer's message) goes.
  sb::Status undo_start(const Started& started);

  sb::Result<std::optional<store::Contact>> contact(int64_t contact_id);
  // The contact an address belongs to, normalised like inbound senders (address.h).
  sb::Result<std::optional<store::Contact>> find_contact(std::string_view address,
                                                         std::string_view kind,
                                                         std::string_view instance_id = {});
  // The contact holding a phone number (kind "phone": E.164, parsed with the default region) or an
  // e-mail address (kind "email": lower-cased), normalised exactly as inbound senders are;
  // kInvalidArgument when the address does not parse as one.
  sb::Result<std::optional<store::Contact>> find_contact_strict(std::string_view address,
                                                                std::string_view kind);
  sb::Result<std::vector<store::Identity>> identities(int64_t contact_id);
  sb::Status rename_contact(int64_t contact_id, std::string_view display_name);
  // The contact that now holds a merged contact's data (itself when not merged).
  sb::Result<int64_t> current_contact(int64_t contact_id);

  sb::Result<std::optional<store::Conversation>> conversation(int64_t conversation_id);
  sb::Result<std::optional<store::Conversation>> find_by_reference(std::string_view typed);
  sb::Result<std::vector<store::Conversation>> conversations_of(int64_t contact_id);
  sb::Status set_status(int64_t conversation_id, store::ConversationStatus status);
  sb::Status assign(int64_t conversation_id, const std::optional<std::string>& assignee,
                    const std::optional<std::string>& queue);
  // Only an agent's message stamps the conversation's first response (store/model.h).
  sb::Status link_outbound(int64_t message_id, int64_t conversation_id,
                           store::OutboundSender sender);

  sb::Result<int64_t> merge(int64_t survivor_id, int64_t merged_id, std::string_view actor,
                            std::string_view reason);
  sb::Status unmerge(int64_t merge_id, std::string_view actor);
  sb::Result<std::optional<store::MergeRecord>> merge_record(int64_t merge_id);

  // A merged-away contact's timeline is its survivor's: the timeline became one.
  sb::Result<store::TimelinePage> timeline(int64_t contact_id, std::string_view cursor = {},
                                           int limit = 50,
                                           const store::ConversationScope& scope = std::nullopt);
  sb::Result<std::vector<store::SearchHit>> search(store::SearchQuery query);

 private:
  store::ModelStore& model_;
  Clock clock_;
  std::string default_region_;
  std::function<uint64_t()> random_;
};

}  // namespace sb::conversations
