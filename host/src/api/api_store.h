// The REST API's own tables (schema v4: tokens, agents, queues) and the list queries the API needs
// beyond store/model.h (contact and conversation listings with filters, a conversation's
// recipient). It keeps its own SQLite connection to the store's file: WAL lets it read beside the
// store's writer, and every write here is one short statement or transaction.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/credential_watch.h"
#include "auth/token.h"
#include "core/status.h"
#include "store/model.h"
#include "store/sqlite_db.h"

namespace sb::api {

struct TokenRecord {
  int64_t id = 0;
  std::string name;
  auth::Role role = auth::Role::kAgent;
  std::string token_hash;
  int64_t created_at_ms = 0, last_used_at_ms = 0, revoked_at_ms = 0;  // 0 = never
};

struct Agent {
  std::string id, name;
  std::string skills_json = "[]";  // a JSON array of strings
  int64_t max_concurrent = 5;
  std::string presence = "offline";  // online | away | offline
  std::vector<std::string> queues;   // queue ids, sorted
  int64_t created_at_ms = 0, updated_at_ms = 0;
};

struct Queue {
  std::string id, name;
  std::string strategy = "round_robin";  // round_robin | least_busy | sticky
  int64_t created_at_ms = 0, updated_at_ms = 0;
};

// Zero/empty filters are off. visible_to_agent (non-empty) keeps conversations assigned to that
// agent or in one of its queues. Ordered by id; after_id pages.
struct ConversationFilter {
  std::optional<store::ConversationStatus> status;
  std::string queue, assignee, visible_to_agent;
  std::string reference;   // canonical (contacts::parse_reference)
  int64_t contact_id = 0;  // the customer's

  int64_t after_id = 0;
  int limit = 50;
};

// Where a reply in a conversation goes: the customer's address and our address on the channel,
// from its latest inbound message (else the contact's identity first seen on the instance).
struct Recipient {
  std::string to, from;
  int64_t last_inbound_at_ms = 0;  // 0 = none
};

// How far a conversation has been read (schema v8; all zero when nobody read it yet).
struct ReadPosition {
  int64_t last_read_message_id = 0;  // the newest inbound message an agent has read
  std::string read_by;
  int64_t read_at_ms = 0;
  int64_t receipt_message_id = 0;  // the newest one the channel was asked to mark read
  int64_t receipt_at_ms = 0;
  int64_t unread_count = 0;  // inbound messages after last_read_message_id
};

class ApiStore {
 public:
  using Clock = std::function<int64_t()>;
  // The database must already be at schema v4 or later (open_sqlite_store migrates it).
  static Result<std::unique_ptr<ApiStore>> open(const std::filesystem::path& db_file,
                                                Clock now_ms = {});

  Result<TokenRecord> create_token(std::string_view name, auth::Role role,
                                   std::string_view token_hash);
  // A live (not revoked) token by hash.
  Result<std::optional<TokenRecord>> find_token(std::string_view token_hash);
  Status touch_token(int64_t token_id);
  Result<std::vector<TokenRecord>> tokens();
  // kNotFound when absent; revoking twice keeps the first time. Ends the token's open event
  // streams (credentials()).
  Status revoke_token(int64_t token_id);
  // Live connections holding a token (event streams). Anything that revokes a token or changes
  // what it grants (role, the account behind it) signals it here.
  auth::CredentialWatch& credentials() { return credentials_; }

  Result<std::vector<Agent>> agents();
  Result<std::optional<Agent>> agent(std::string_view id);
  // create: kAlreadyExists when the id is taken; else kNotFound when absent. Queues must exist
  // (kInvalidArgument naming the first unknown one).
  Status put_agent(const Agent& agent, bool create);
  Status delete_agent(std::string_view id);
  Result<std::vector<std::string>> agent_queue_ids(std::string_view agent_id);

  Result<std::vector<Queue>> queues();
  Result<std::optional<Queue>> queue(std::string_view id);
  Status put_queue(const Queue& queue, bool create);
  Status delete_queue(std::string_view id);

  // Contacts not merged away whose name or an identity address contains q (all when empty).
  Result<std::vector<store::Contact>> contacts(std::string_view q, int64_t after_id, int limit);
  Result<std::vector<store::Conversation>> conversations(const ConversationFilter& filter);
  Result<std::optional<Recipient>> recipient(int64_t conversation_id);
  // The outbound message queued on the instance under this idempotency key, if any.
  Result<std::optional<int64_t>> outbound_by_key(std::string_view instance_id,
                                                 std::string_view idempotency_key);

  // Read positions (read_positions.cc). An inbound message of the conversation: the given one, or
  // the latest when message_id is 0; nullopt when there is none.
  Result<std::optional<store::MessageRecord>> inbound_message(int64_t conversation_id,
                                                              int64_t message_id);
  Result<ReadPosition> read_position(int64_t conversation_id);
  // Moves the read position forward to message_id, never back; whether it moved.
  Result<bool> advance_read(int64_t conversation_id, int64_t message_id, std::string_view by);
  // Claims the read receipt for message_id: true for exactly one caller while the receipt trails
  // it, so two agents reading at once send one receipt. `previous` receives the old position for
  // release_receipt, which undoes a claim whose receipt failed (it is then retried later).
  Result<bool> claim_receipt(int64_t conversation_id, int64_t message_id, int64_t& previous);
  Status release_receipt(int64_t conversation_id, int64_t message_id, int64_t previous);

 private:
  ApiStore(Clock clock) : now_ms_(std::move(clock)) {}
  Result<std::optional<Agent>> agent_locked(std::string_view id);
  Status set_agent_queues_locked(const Agent& agent);

  Clock now_ms_;
  auth::CredentialWatch credentials_;
  std::mutex mu_;  // the connection is opened NOMUTEX: one caller at a time
  store::sqlite::Db db_;
};

}  // namespace sb::api
