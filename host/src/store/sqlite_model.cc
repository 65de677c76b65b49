// Contacts, identities, conversations and message links: the rows the inbound resolver touches.
#include "store/sqlite_model.h"

#include <string>

namespace sb::store {
namespace {

using sqlite::Stmt;

#define SB_CONVERSATION_COLUMNS                                                              \
  " id, contact_id, instance_id, reference, status, assignee, queue, opened_at_ms, "         \
  "pending_at_ms, resolved_at_ms, first_response_at_ms, last_message_at_ms, created_at_ms, " \
  "updated_at_ms, COALESCE((SELECT a.business_address FROM conversation_addresses a "        \
  "WHERE a.conversation_id = conversations.id), '') "

Contact read_contact(const Stmt& q) {
  return {q.int64(0), q.text(1), q.int64(2), q.int64(3), q.int64(4)};
}

}  // namespace

Conversation read_conversation_row(const sqlite::Stmt& q) {
  Conversation c;
  c.id = q.int64(0);
  c.contact_id = q.int64(1);
  c.instance_id = q.text(2);
  c.reference = q.text(3);
  c.status = static_cast<ConversationStatus>(q.int64(4));
  if (!q.is_null(5)) c.assignee = q.text(5);
  if (!q.is_null(6)) c.queue = q.text(6);
  c.opened_at_ms = q.int64(7);
  c.pending_at_ms = q.int64(8);
  c.resolved_at_ms = q.int64(9);
  c.first_response_at_ms = q.int64(10);
  c.last_message_at_ms = q.int64(11);
  c.created_at_ms = q.int64(12);
  c.updated_at_ms = q.int64(13);
  c.business_address = q.text(14);
  return c;
}

MessageRecord read_message_row(const Stmt& q) {
  MessageRecord r;
  r.id = q.int64(0);
  r.instance_id = q.text(1);
  r.direction = q.text(2) == "in" ? Direction::kInbound : Direction::kOutbound;
  r.provider_message_id = q.text(3);
  r.from = q.text(4);
  r.to = q.text(5);
  r.content_type = q.text(6);
  r.text = q.text(7);
  r.payload_json = q.text(8);
  r.raw = q.text(9);
  r.idempotency_key = q.text(10);
  r.status = static_cast<DeliveryStatus>(q.int64(11));
  r.created_at_ms = q.int64(12);
  r.updated_at_ms = q.int64(13);
  r.contact_id = q.int64(14);
  r.conversation_id = q.int64(15);
  r.reply_to_provider_id = q.text(16);
  r.from_kind = q.text(17);
  return r;
}

Status SqliteModel::run(std::string_view what, Stmt& q) {
  if (int rc = q.step(); rc != SQLITE_DONE) return db_.error(what, rc);
  return {};
}

// ---- ModelTxn ----------------------------------------------------------------------------------

Result<std::optional<Identity>> SqliteModel::find_identity(std::string_view kind,
                                                           std::string_view address) {
  auto q = db_.prepare(
      "SELECT id, contact_id, kind, address, instance_id, created_at_ms FROM identities "
      "WHERE kind = ?1 AND address = ?2");
  if (!q) return q.status();
  (*q)->bind(1, kind).bind(2, address);
  int rc = (*q)->step();
  if (rc == SQLITE_DONE) return std::optional<Identity>();
  if (rc != SQLITE_ROW) return db_.error("find identity", rc);
  const Stmt& s = **q;
  return std::optional<Identity>(
      Identity{s.int64(0), s.int64(1), s.text(2), s.text(3), s.text(4), s.int64(5)});
}

Result<int64_t> SqliteModel::create_contact(std::string_view display_name, int64_t now_ms) {
  auto q = db_.prepare(
      "INSERT INTO contacts (display_name, created_at_ms, updated_at_ms) VALUES (?1, ?2, ?2)");
  if (!q) return q.status();
  (*q)->bind(1, display_name).bind(2, now_ms);
  if (auto st = run("create contact", **q); !st) return st;
  return sqlite3_last_insert_rowid(db_.handle());
}

Result<int64_t> SqliteModel::add_identity(int64_t contact_id, std::string_view kind,
                                          std::string_view address, std::string_view instance_id,
                                          int64_t now_ms) {
  auto q = db_.prepare(
      "INSERT INTO identities (contact_id, kind, address, instance_id, created_at_ms) "
      "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (kind, address) DO NOTHING");
  if (!q) return q.status();
  (*q)->bind(1, contact_id).bind(2, kind).bind(3, address).bind(4, instance_id).bind(5, now_ms);
  if (auto st = run("add identity", **q); !st) return st;
  if (sqlite3_changes(db_.handle()) == 0) {
    return Status(Code::kAlreadyExists, "identity " + std::string(kind) + " is taken");
  }
  return sqlite3_last_insert_rowid(db_.handle());
}

Status SqliteModel::fill_display_name(int64_t contact_id, std::string_view name, int64_t now_ms) {
  if (name.empty()) return {};
  auto q = db_.prepare(
      "UPDATE contacts SET display_name = ?1, updated_at_ms = ?2 "
      "WHERE id = ?3 AND display_name = ''");
  if (!q) return q.status();
  (*q)->bind(1, name).bind(2, now_ms).bind(3, contact_id);
  return run("fill display name", **q);
}

Result<std::optional<Conversation>> SqliteModel::one_conversation(Stmt& q) {
  int rc = q.step();
  if (rc == SQLITE_DONE) return std::optional<Conversation>();
  if (rc != SQLITE_ROW) return db_.error("read conversation", rc);
  return std::optional<Conversation>(read_conversation_row(q));
}

Result<std::optional<Conversation>> SqliteModel::latest_conversation(
    int64_t contact_id, std::string_view instance_id, std::string_view business_address) {
  auto q = db_.prepare(
      "SELECT" SB_CONVERSATION_COLUMNS
      "FROM conversations WHERE contact_id = ?1 AND instance_id = ?2 "
      "AND (?3 = '' OR COALESCE((SELECT a.business_address FROM conversation_addresses a "
      "WHERE a.conversation_id = conversations.id), '') IN (?3, '')) "
      "ORDER BY last_message_at_ms DESC, id DESC LIMIT 1");
  if (!q) return q.status();
  (*q)->bind(1, contact_id).bind(2, instance_id).bind(3, business_address);
  return one_conversation(**q);
}

Result<std::optional<Conversation>> SqliteModel::conversation_by_reference(
    std::string_view reference) {
  auto q = db_.prepare("SELECT" SB_CONVERSATION_COLUMNS "FROM conversations WHERE reference = ?1");
  if (!q) return q.status();
  (*q)->bind(1, reference);
  return one_conversation(**q);
}

Result<int64_t> SqliteModel::create_conversation(int64_t contact_id, std::string_view instance_id,
                                                 std::string_view business_address,
                                                 std::string_view reference, int64_t now_ms) {
  auto q = db_.prepare(
      "INSERT INTO conversations (contact_id, instance_id, reference, status, opened_at_ms, "
      "created_at_ms, updated_at_ms) VALUES (?1, ?2, ?3, 1, ?4, ?4, ?4) "
      "ON CONFLICT (reference) DO NOTHING");
  if (!q) return q.status();
  (*q)->bind(1, contact_id).bind(2, instance_id).bind(3, reference).bind(4, now_ms);
  if (auto st = run("create conversation", **q); !st) return st;
  if (sqlite3_changes(db_.handle()) == 0) {
    return Status(Code::kAlreadyExists, "reference " + std::string(reference) + " is taken");
  }
  const int64_t id = sqlite3_last_insert_rowid(db_.handle());
  if (!business_address.empty()) {
    auto a = db_.prepare(
        "INSERT INTO conversation_addresses (conversation_id, business_address) VALUES (?1, ?2)");
    if (!a) return a.status();
    (*a)->bind(1, id).bind(2, business_address);
    if (auto st = run("record business address", **a); !st) return st;
  }
  return id;
}

Status SqliteModel::reopen_conversation(int64_t conversation_id, bool reopened, int64_t now_ms) {
  auto q = db_.prepare(
      "UPDATE conversations SET status = 1, updated_at_ms = ?2, "
      "opened_at_ms = CASE WHEN ?3 THEN ?2 ELSE opened_at_ms END, "
      "resolved_at_ms = CASE WHEN ?3 THEN 0 ELSE resolved_at_ms END WHERE id = ?1");
  if (!q) return q.status();
  (*q)->bind(1, conversation_id).bind(2, now_ms).bind(3, int64_t{reopened});
  return run("reopen conversation", **q);
}

Status SqliteModel::link_message(int64_t message_id, int64_t conversation_id, int64_t now_ms) {
  {
    auto q = db_.prepare(
        "UPDATE messages SET conversation_id = ?2, "
        "contact_id = (SELECT contact_id FROM conversations WHERE id = ?2) WHERE id = ?1");
    if (!q) return q.status();
    (*q)->bind(1, message_id).bind(2, conversation_id);
    if (auto st = run("link message", **q); !st) return st;
    if (sqlite3_changes(db_.handle()) == 0) {
      return not_found("no message with id " + std::to_string(message_id));
    }
  }
  auto q = db_.prepare(
      "UPDATE conversations SET last_message_at_ms = MAX(last_message_at_ms, ?2), "
      "updated_at_ms = ?2 WHERE id = ?1");
  if (!q) return q.status();
  (*q)->bind(1, conversation_id).bind(2, now_ms);
  return run("touch conversation", **q);
}

Result<bool> SqliteModel::discard_unused(int64_t conversation_id, int64_t contact_id) {
  bool discarded = false;
  if (conversation_id != 0) {
    auto q = db_.prepare(
        "DELETE FROM conversations WHERE id = ?1 "
        "AND NOT EXISTS (SELECT 1 FROM messages WHERE conversation_id = ?1) "
        "AND NOT EXISTS (SELECT 1 FROM routing_assignments WHERE conversation_id = ?1) "
        "AND NOT EXISTS (SELECT 1 FROM routing_auto_replies WHERE conversation_id = ?1) "
        "AND NOT EXISTS (SELECT 1 FROM routing_pending WHERE conversation_id = ?1)");
    if (!q) return q.status();
    (*q)->bind(1, conversation_id);
    if (auto st = run("discard conversation", **q); !st) return st;
    discarded = sqlite3_changes(db_.handle()) > 0;
    if (!discarded) return false;
  }
  if (contact_id == 0) return discarded;
// A contact nothing refers to but its own identities.
#define SB_UNUSED_CONTACT                                                                   \
  " NOT EXISTS (SELECT 1 FROM conversations WHERE contact_id = ?1) "                        \
  "AND NOT EXISTS (SELECT 1 FROM messages WHERE contact_id = ?1) "                          \
  "AND NOT EXISTS (SELECT 1 FROM contact_merges WHERE survivor_id = ?1 OR merged_id = ?1) " \
  "AND NOT EXISTS (SELECT 1 FROM contacts WHERE merged_into = ?1)"
  for (const char* sql : {"DELETE FROM identities WHERE contact_id = ?1 AND" SB_UNUSED_CONTACT,
                          "DELETE FROM contacts WHERE id = ?1 AND" SB_UNUSED_CONTACT}) {
    auto q = db_.prepare(sql);
    if (!q) return q.status();
    (*q)->bind(1, contact_id);
    if (auto st = run("discard contact", **q); !st) return st;
  }
#undef SB_UNUSED_CONTACT
  return discarded;
}

Result<InboundResult> SqliteModel::existing_inbound(std::string_view instance_id,
                                                    std::string_view provider_message_id) {
  auto q = db_.prepare(
      "SELECT m.id, COALESCE(m.contact_id, 0), COALESCE(m.conversation_id, 0), "
      "COALESCE(c.reference, '') FROM messages m LEFT JOIN conversations c "
      "ON c.id = m.conversation_id WHERE m.instance_id = ?1 AND m.provider_message_id = ?2 "
      "AND m.direction = 'in'");
  if (!q) return q.status();
  (*q)->bind(1, instance_id).bind(2, provider_message_id);
  int rc = (*q)->step();
  if (rc != SQLITE_ROW) return db_.error("read duplicate", rc);
  InboundResult r;
  r.outcome = InsertOutcome::kDuplicate;
  r.message_id = (*q)->int64(0);
  r.resolution.contact_id = (*q)->int64(1);
  r.resolution.conversation_id = (*q)->int64(2);
  r.resolution.reference = (*q)->text(3);
  return r;
}

// ---- contacts and conversations ----------------------------------------------------------------

Result<std::optional<Contact>> SqliteModel::get_contact(int64_t contact_id) {
  auto q = db_.prepare(
      "SELECT id, display_name, COALESCE(merged_into, 0), created_at_ms, updated_at_ms "
      "FROM contacts WHERE id = ?1");
  if (!q) return q.status();
  (*q)->bind(1, contact_id);
  int rc = (*q)->step();
  if (rc == SQLITE_DONE) return std::optional<Contact>();
  if (rc != SQLITE_ROW) return db_.error("read contact", rc);
  return std::optional<Contact>(read_contact(**q));
}

Result<std::vector<Identity>> SqliteModel::identities(int64_t contact_id) {
  auto q = db_.prepare(
      "SELECT id, contact_id, kind, address, instance_id, created_at_ms FROM identities "
      "WHERE contact_id = ?1 ORDER BY id");
  if (!q) return q.status();
  (*q)->bind(1, contact_id);
  std::vector<Identity> out;
  int rc;
  while ((rc = (*q)->step()) == SQLITE_ROW) {
    const Stmt& s = **q;
    out.push_back({s.int64(0), s.int64(1), s.text(2), s.text(3), s.text(4), s.int64(5)});
  }
  if (rc != SQLITE_DONE) return db_.error("read identities", rc);
  return out;
}

Status SqliteModel::rename_contact(int64_t contact_id, std::string_view display_name,
                                   int64_t now_ms) {
  auto q = db_.prepare("UPDATE contacts SET display_name = ?1, updated_at_ms = ?2 WHERE id = ?3");
  if (!q) return q.status();
  (*q)->bind(1, display_name).bind(2, now_ms).bind(3, contact_id);
  if (auto st = run("rename contact", **q); !st) return st;
  if (sqlite3_changes(db_.handle()) == 0) {
    return not_found("no contact with id " + std::to_string(contact_id));
  }
  return {};
}

Result<std::optional<Conversation>> SqliteModel::get_conversation(int64_t conversation_id) {
  auto q = db_.prepare("SELECT" SB_CONVERSATION_COLUMNS "FROM conversations WHERE id = ?1");
  if (!q) return q.status();
  (*q)->bind(1, conversation_id);
  return one_conversation(**q);
}

Result<std::vector<Conversation>> SqliteModel::conversations_of(int64_t contact_id) {
  auto q = db_.prepare("SELECT" SB_CONVERSATION_COLUMNS
                       "FROM conversations WHERE contact_id = ?1 ORDER BY id");
  if (!q) return q.status();
  (*q)->bind(1, contact_id);
  std::vector<Conversation> out;
  int rc;
  while ((rc = (*q)->step()) == SQLITE_ROW) out.push_back(read_conversation_row(**q));
  if (rc != SQLITE_DONE) return db_.error("read conversations", rc);
  return out;
}

Status SqliteModel::set_conversation_status(int64_t conversation_id, ConversationStatus status,
                                            int64_t now_ms) {
  const int64_t s = static_cast<int64_t>(status);
  if (s < 1 || s > 3) return invalid_argument("invalid conversation status " + std::to_string(s));
  // A status set again keeps its first stamp.
  auto q = db_.prepare(
      "UPDATE conversations SET "
      "opened_at_ms = CASE WHEN ?2 = 1 AND status <> 1 THEN ?3 ELSE opened_at_ms END, "
      "pending_at_ms = CASE WHEN ?2 = 2 AND status <> 2 THEN ?3 ELSE pending_at_ms END, "
      "resolved_at_ms = CASE WHEN ?2 = 3 AND status <> 3 THEN ?3 WHEN ?2 = 3 THEN resolved_at_ms "
      "ELSE 0 END, status = ?2, updated_at_ms = ?3 WHERE id = ?1");
  if (!q) return q.status();
  (*q)->bind(1, conversation_id).bind(2, s).bind(3, now_ms);
  if (auto st = run("set conversation status", **q); !st) return st;
  if (sqlite3_changes(db_.handle()) == 0) {
    return not_found("no conversation with id " + std::to_string(conversation_id));
  }
  return {};
}

Status SqliteModel::assign_conversation(int64_t conversation_id,
                                        const std::optional<std::string>& assignee,
                                        const std::optional<std::string>& queue, int64_t now_ms) {
  auto q = db_.prepare(
      "UPDATE conversations SET assignee = ?2, queue = ?3, updated_at_ms = ?4 WHERE id = ?1");
  if (!q) return q.status();
  (*q)->bind(1, conversation_id).bind(4, now_ms);
  if (assignee) (*q)->bind(2, *assignee);
  if (queue) (*q)->bind(3, *queue);
  if (auto st = run("assign conversation", **q); !st) return st;
  if (sqlite3_changes(db_.handle()) == 0) {
    return not_found("no conversation with id " + std::to_string(conversation_id));
  }
  return {};
}

Status SqliteModel::link_outbound(int64_t message_id, int64_t conversation_id,
                                  OutboundSender sender, int64_t now_ms) {
  auto conv = get_conversation(conversation_id);
  if (!conv) return conv.status();
  if (!*conv) return not_found("no conversation with id " + std::to_string(conversation_id));
  {
    auto q = db_.prepare("SELECT direction FROM messages WHERE id = ?1");
    if (!q) return q.status();
    (*q)->bind(1, message_id);
    int rc = (*q)->step();
    if (rc == SQLITE_DONE) return not_found("no message with id " + std::to_string(message_id));
    if (rc != SQLITE_ROW) return db_.error("read message", rc);
    if ((*q)->text(0) != "out") {
      return invalid_argument("message " + std::to_string(message_id) + " is not outbound");
    }
  }
  if (auto st = link_message(message_id, conversation_id, now_ms); !st) return st;
  if (sender != OutboundSender::kAgent) return {};
  auto q = db_.prepare(
      "UPDATE conversations SET first_response_at_ms = ?2 "
      "WHERE id = ?1 AND first_response_at_ms = 0");
  if (!q) return q.status();
  (*q)->bind(1, conversation_id).bind(2, now_ms);
  return run("stamp first response", **q);
}

Result<int64_t> SqliteModel::add_note(int64_t conversation_id, std::string_view text,
                                      std::string_view payload_json, int64_t now_ms) {
  auto q = db_.prepare(
      "INSERT INTO messages (instance_id, direction, from_kind, content_type, text, payload_json, "
      "status, contact_id, conversation_id, created_at_ms, updated_at_ms) "
      "SELECT instance_id, 'out', 'system', 'note', ?2, ?3, 3, contact_id, id, ?4, ?4 "
      "FROM conversations WHERE id = ?1");
  if (!q) return q.status();
  (*q)->bind(1, conversation_id).bind(2, text).bind(3, payload_json).bind(4, now_ms);
  if (auto st = run("add note", **q); !st) return st;
  if (sqlite3_changes(db_.handle()) == 0) {
    return not_found("no conversation with id " + std::to_string(conversation_id));
  }
  return sqlite3_last_insert_rowid(db_.handle());
}

std::string_view to_string(ConversationStatus status) {
  switch (status) {
    case ConversationStatus::kOpen:
      return "open";
    case ConversationStatus::kPending:
      return "pending";
    case ConversationStatus::kResolved:
      return "resolved";
  }
  return "unknown";
}

}  // namespace sb::store
