// SQL for the model (store/model.h) on one connection. It takes no lock and opens no transaction:
// SqliteStore does both, so the same code serves the inbound transaction and the ModelStore calls.
// Internal to sb_store.
#pragma once

#include "store/model.h"
#include "store/sqlite_db.h"

namespace sb::store {

// The columns read_message_row() expects, in order. A macro because statements are cached by their
// literal text and literals concatenate only at compile time.
#define SB_STORE_MESSAGE_COLUMNS                                                       \
  " m.id, m.instance_id, m.direction, m.provider_message_id, m.from_addr, m.to_addr, " \
  "m.content_type, m.text, m.payload_json, m.raw, m.idempotency_key, m.status, "       \
  "m.created_at_ms, m.updated_at_ms, m.contact_id, m.conversation_id, "                \
  "m.reply_to_provider_id, m.from_kind "
inline constexpr int kMessageColumnCount = 18;

// Reads the current row of a statement that selects SB_STORE_MESSAGE_COLUMNS first.
MessageRecord read_message_row(const sqlite::Stmt& q);

// A conversations row whose first 14 columns are, in order: id, contact_id, instance_id, reference,
// status, assignee, queue, opened_at_ms, pending_at_ms, resolved_at_ms, first_response_at_ms,
// last_message_at_ms, created_at_ms, updated_at_ms.
Conversation read_conversation_row(const sqlite::Stmt& q);

class SqliteModel final : public ModelTxn {
 public:
  explicit SqliteModel(sqlite::Db& db) : db_(db) {}

  // ModelTxn
  Result<std::optional<Identity>> find_identity(std::string_view kind,
                                                std::string_view address) override;
  Result<int64_t> create_contact(std::string_view display_name, int64_t now_ms) override;
  Result<int64_t> add_identity(int64_t contact_id, std::string_view kind, std::string_view address,
                               std::string_view instance_id, int64_t now_ms) override;
  Status fill_display_name(int64_t contact_id, std::string_view name, int64_t now_ms) override;
  Result<std::optional<Conversation>> latest_conversation(
      int64_t contact_id, std::string_view instance_id, std::string_view business_address) override;
  Result<std::optional<Conversation>> conversation_by_reference(
      std::string_view reference) override;
  Result<int64_t> create_conversation(int64_t contact_id, std::string_view instance_id,
                                      std::string_view business_address, std::string_view reference,
                                      int64_t now_ms) override;
  Status reopen_conversation(int64_t conversation_id, bool reopened, int64_t now_ms) override;
  Status link_message(int64_t message_id, int64_t conversation_id, int64_t now_ms) override;
  Result<bool> discard_unused(int64_t conversation_id, int64_t contact_id) override;

  // The resolution a duplicate reports: the first copy's id and links.
  Result<InboundResult> existing_inbound(std::string_view instance_id,
                                         std::string_view provider_message_id);

  // Reads and writes behind ModelStore (the caller holds the lock and, for writes, a transaction).
  Result<std::optional<Contact>> get_contact(int64_t contact_id);
  Result<std::vector<Identity>> identities(int64_t contact_id);
  Status rename_contact(int64_t contact_id, std::string_view display_name, int64_t now_ms);
  Result<std::optional<Conversation>> get_conversation(int64_t conversation_id);
  Result<std::vector<Conversation>> conversations_of(int64_t contact_id);
  Status set_conversation_status(int64_t conversation_id, ConversationStatus status,
                                 int64_t now_ms);
  Status assign_conversation(int64_t conversation_id, const std::optional<std::string>& assignee,
                             const std::optional<std::string>& queue, int64_t now_ms);
  Status link_outbound(int64_t message_id, int64_t conversation_id, OutboundSender sender,
                       int64_t now_ms);
  Result<int64_t> add_note(int64_t conversation_id, std::string_view text,
                           std::string_view payload_json, int64_t now_ms);
  Result<int64_t> merge_contacts(int64_t survivor_id, int64_t merged_id, std::string_view actor,
                                 std::string_view reason, int64_t now_ms);
  Status unmerge(int64_t merge_id, std::string_view actor, int64_t now_ms);
  Result<std::optional<MergeRecord>> get_merge(int64_t merge_id);
  Result<std::vector<MergeRecord>> merges_of(int64_t contact_id);
  Result<TimelinePage> timeline(int64_t contact_id, std::string_view cursor, int limit,
                                const ConversationScope& scope);
  Result<std::vector<SearchHit>> search(const SearchQuery& query);

 private:
  Status run(std::string_view what, sqlite::Stmt& q);  // steps a statement without rows
  Result<std::optional<Conversation>> one_conversation(sqlite::Stmt& q);
  Status move_recorded(int64_t merge_id, std::string_view kind, int64_t to_contact);
  Result<std::optional<MergeRecord>> read_merge(sqlite::Stmt& q);

  sqlite::Db& db_;
};

}  // namespace sb::store
