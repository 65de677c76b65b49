// The unified core's data model in the store: contacts, their identities, conversations, merges,
// a contact's timeline and full-text search (schema v2). The policy (how an address is normalised,
// when a conversation re-opens) lives in host/src/conversations; the store only keeps the rows
// consistent, each call in one transaction.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/store.h"

namespace sb::store {

struct Contact {
  int64_t id = 0;
  std::string display_name;
  int64_t merged_into = 0;  // the survivor while this contact is merged away, else 0
  int64_t created_at_ms = 0, updated_at_ms = 0;
};

// (kind, address) is unique: one address belongs to exactly one contact.
struct Identity {
  int64_t id = 0, contact_id = 0;
  std::string kind, address;
  std::string instance_id;  // where it was first seen
  int64_t created_at_ms = 0;
};

enum class ConversationStatus { kOpen = 1, kPending = 2, kResolved = 3 };
std::string_view to_string(ConversationStatus status);

struct Conversation {
  int64_t id = 0, contact_id = 0;
  std::string instance_id, reference;
  ConversationStatus status = ConversationStatus::kOpen;
  std::optional<std::string> assignee, queue;  // for routing; unset until assigned
  int64_t opened_at_ms = 0;                    // created or last re-opened
  int64_t pending_at_ms = 0, resolved_at_ms = 0, first_response_at_ms = 0;  // 0 = never
  int64_t last_message_at_ms = 0, created_at_ms = 0, updated_at_ms = 0;
  // Our address on the channel the customer wrote to (schema v8); '' = any (older rows).
  std::string business_address;
};

// Who wrote an outbound message. First response time measures people (or an integration acting
// for them through the API), so the host's own auto-replies (welcome, away, keyword) do not count.
enum class OutboundSender { kAgent = 1, kAutomatic = 2 };

struct MergeRecord {
  int64_t id = 0, survivor_id = 0, merged_id = 0;
  std::string actor, reason;
  int64_t merged_at_ms = 0;
  int64_t unmerged_at_ms = 0;  // 0 while in effect
  std::string unmerged_by;
  int64_t moved_identities = 0, moved_conversations = 0, moved_messages = 0;
};

// Which conversations' messages a read may return: all (nullopt), or only messages on these
// conversations (an agent's visible ones; messages on no conversation are then left out too).
using ConversationScope = std::optional<std::vector<int64_t>>;

// Newest first. next_cursor is empty on the last page.
struct TimelinePage {
  std::vector<MessageRecord> messages;
  std::string next_cursor;
};

// Every word of `text` must occur (prefix matches are not implied). Zero/empty filters are off;
// the time range is [from_ms, to_ms) on the message's created_at_ms.
struct SearchQuery {
  std::string text;
  int64_t contact_id = 0;
  std::string instance_id;
  int64_t from_ms = 0, to_ms = 0;
  int limit = 50;
};

struct SearchHit {
  MessageRecord message;
  std::string snippet;  // matches wrapped in [ ]
};

// Row operations the inbound resolver uses inside the insert transaction. They see the
// transaction's own writes; an error status makes the caller roll everything back.
class ModelTxn {
 public:
  virtual ~ModelTxn() = default;
  virtual Result<std::optional<Identity>> find_identity(std::string_view kind,
                                                        std::string_view address) = 0;
  virtual Result<int64_t> create_contact(std::string_view display_name, int64_t now_ms) = 0;
  virtual Result<int64_t> add_identity(int64_t contact_id, std::string_view kind,
                                       std::string_view address, std::string_view instance_id,
                                       int64_t now_ms) = 0;
  // Sets the display name only when the contact has none yet.
  virtual Status fill_display_name(int64_t contact_id, std::string_view name, int64_t now_ms) = 0;
  // The one with the most recent message (ties: the newest) on that business address (or on '',
  // a conversation from before addresses were kept, or one a business started); an empty
  // business_address matches every address.
  virtual Result<std::optional<Conversation>> latest_conversation(
      int64_t contact_id, std::string_view instance_id, std::string_view business_address) = 0;
  virtual Result<std::optional<Conversation>> conversation_by_reference(
      std::string_view reference) = 0;
  // kAlreadyExists when the reference is taken (the caller draws another).
  virtual Result<int64_t> create_conversation(int64_t contact_id, std::string_view instance_id,
                                              std::string_view business_address,
                                              std::string_view reference, int64_t now_ms) = 0;
  // Back to open; `reopened` re-stamps opened_at_ms and clears resolved_at_ms.
  virtual Status reopen_conversation(int64_t conversation_id, bool reopened, int64_t now_ms) = 0;
  // Sets the message's contact and conversation and the conversation's last_message_at_ms.
  virtual Status link_message(int64_t message_id, int64_t conversation_id, int64_t now_ms) = 0;
  // Takes back what a business-initiated start created when its message could not be queued:
  // the conversation (0 = none) while no message, assignment, auto-reply or pending routing
  // refers to it, then the contact (0 = none) and its identities while no conversation or
  // message is theirs and no merge names them. Returns whether the conversation went; a message
  // that arrived in between keeps everything.
  virtual Result<bool> discard_unused(int64_t conversation_id, int64_t contact_id) = 0;
};

// Decides, for each newly stored inbound message, its contact and conversation. Runs on the
// store's writer with its lock held: use only `txn`, never the Store itself.
class InboundResolver {
 public:
  virtual ~InboundResolver() = default;
  virtual Result<InboundResolution> resolve(ModelTxn& txn, const InboundMessage& message,
                                            int64_t message_id) = 0;
};

class ModelStore {
 public:
  virtual ~ModelStore() = default;

  virtual Result<std::optional<Contact>> get_contact(int64_t contact_id) = 0;
  virtual Result<std::optional<Contact>> find_contact(std::string_view kind,
                                                      std::string_view address) = 0;
  virtual Result<std::vector<Identity>> identities(int64_t contact_id) = 0;  // oldest first
  virtual Status rename_contact(int64_t contact_id, std::string_view display_name,
                                int64_t now_ms) = 0;

  virtual Result<std::optional<Conversation>> get_conversation(int64_t conversation_id) = 0;
  virtual Result<std::optional<Conversation>> find_conversation(std::string_view reference) = 0;
  virtual Result<std::vector<Conversation>> conversations_of(int64_t contact_id) = 0;  // by id
  // Stamps pending_at_ms / resolved_at_ms; moving to open re-stamps opened_at_ms.
  virtual Status set_conversation_status(int64_t conversation_id, ConversationStatus status,
                                         int64_t now_ms) = 0;
  // nullopt clears the column.
  virtual Status assign_conversation(int64_t conversation_id,
                                     const std::optional<std::string>& assignee,
                                     const std::optional<std::string>& queue, int64_t now_ms) = 0;
  // Puts an outbound message into a conversation; the first one an agent wrote stamps
  // first_response_at_ms (an automatic message never does).
  virtual Status link_outbound(int64_t message_id, int64_t conversation_id, OutboundSender sender,
                               int64_t now_ms) = 0;

  // A note on the conversation's timeline (e.g. a bot handover's): a message row of the
  // conversation's channel and contact with sender kind "system" and content type "note", status
  // delivered. It is never sent (no outbox row, no provider id), never a first response, never
  // unread, and does not move the conversation's last message time. Returns its id.
  virtual Result<int64_t> add_note(int64_t conversation_id, std::string_view text,
                                   std::string_view payload_json, int64_t now_ms) = 0;

  // Moves merged_id's identities, conversations and messages to survivor_id and records each
  // moved row, so unmerge can put exactly those back. Returns the merge id.
  virtual Result<int64_t> merge_contacts(int64_t survivor_id, int64_t merged_id,
                                         std::string_view actor, std::string_view reason,
                                         int64_t now_ms) = 0;
  // Moves the recorded rows back; what arrived after the merge stays with the survivor, except
  // messages inside a conversation that goes back (a conversation has one contact).
  virtual Status unmerge(int64_t merge_id, std::string_view actor, int64_t now_ms) = 0;
  virtual Result<std::optional<MergeRecord>> get_merge(int64_t merge_id) = 0;
  virtual Result<std::vector<MergeRecord>> merges_of(int64_t contact_id) = 0;  // either side

  // Runs f on the row operations the inbound resolver uses, in one write transaction: committed
  // when f succeeds, rolled back otherwise. A business-initiated conversation finds or creates
  // its contact and conversation this way, atomically with respect to inbound messages.
  virtual Status in_transaction(const std::function<Status(ModelTxn&)>& f) = 0;

  // cursor is empty for the first page, else a next_cursor from an earlier page. scope limits the
  // page to messages of those conversations (pages stay full: the filter is in the query).
  virtual Result<TimelinePage> timeline(int64_t contact_id, std::string_view cursor, int limit,
                                        const ConversationScope& scope) = 0;
  virtual Result<std::vector<SearchHit>> search(const SearchQuery& query) = 0;
};

}  // namespace sb::store
