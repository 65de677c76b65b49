#include "api/api_store.h"

#include <chrono>

#include "store/sqlite_model.h"

namespace sb::api {
namespace {

using store::sqlite::Stmt;

// The columns store::read_conversation_row() reads, from a query that joins conversations as c.
#define SB_API_CONVERSATION_COLUMNS                                                  \
  " c.id, c.contact_id, c.instance_id, c.reference, c.status, c.assignee, c.queue, " \
  "c.opened_at_ms, c.pending_at_ms, c.resolved_at_ms, c.first_response_at_ms, "      \
  "c.last_message_at_ms, c.created_at_ms, c.updated_at_ms, "                         \
  "COALESCE((SELECT a.business_address FROM conversation_addresses a "               \
  "WHERE a.conversation_id = c.id), '') "

TokenRecord read_token(const Stmt& q) {
  TokenRecord t;
  t.id = q.int64(0);
  t.name = q.text(1);
  t.role = auth::parse_role(q.text(2)).value_or(auth::Role::kAgent);
  t.token_hash = q.text(3);
  t.created_at_ms = q.int64(4);
  t.last_used_at_ms = q.int64(5);
  t.revoked_at_ms = q.int64(6);
  return t;
}

Queue read_queue(const Stmt& q) {
  return {q.text(0), q.text(1), q.text(2), q.int64(3), q.int64(4)};
}

// LIKE pattern for "contains text", with the wildcards of text escaped by '\'.
std::string contains_pattern(std::string_view text) {
  std::string p = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') p += '\\';
    p += c;
  }
  return p + "%";
}

int64_t system_now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// A token is touched at most once a minute: a write per request would serialise the API.
constexpr int64_t kTouchIntervalMs = 60'000;

}  // namespace

Result<std::unique_ptr<ApiStore>> ApiStore::open(const std::filesystem::path& db_file,
                                                 Clock now_ms) {
  std::unique_ptr<ApiStore> s(new ApiStore(now_ms ? std::move(now_ms) : Clock(system_now_ms)));
  if (Status st = s->db_.open(db_file.string()); !st) return st;
  sqlite3_busy_timeout(s->db_.handle(), 5000);
  if (Status st = s->db_.exec("PRAGMA foreign_keys=ON;"); !st) return st;
  auto probe = s->db_.prepare("SELECT count(*) FROM api_tokens");
  if (!probe) return failed_precondition("database has no API tables (schema < 4)");
  return s;
}

Result<TokenRecord> ApiStore::create_token(std::string_view name, auth::Role role,
                                           std::string_view token_hash) {
  std::lock_guard lock(mu_);
  auto q = db_.prepare(
      "INSERT INTO api_tokens (name, role, token_hash, created_at) VALUES (?1, ?2, ?3, ?4)");
  if (!q) return q.status();
  const int64_t now = now_ms_();
  (*q)->bind(1, name).bind(2, auth::to_string(role)).bind(3, token_hash).bind(4, now);
  if (int rc = (*q)->step(); rc != SQLITE_DONE) return db_.error("insert token", rc);
  TokenRecord t;
  t.id = sqlite3_last_insert_rowid(db_.handle());
  t.name = std::string(name);
  t.role = role;
  t.token_hash = std::string(token_hash);
  t.created_at_ms = now;
  return t;
}

Result<std::optional<TokenRecord>> ApiStore::find_token(std::string_view token_hash) {
  std::lock_guard lock(mu_);
  auto q = db_.prepare(
      "SELECT id, name, role, token_hash, created_at, last_used_at, revoked_at FROM api_tokens "
      "WHERE token_hash = ?1 AND revoked_at = 0");
  if (!q) return q.status();
  (*q)->bind(1, token_hash);
  int rc = (*q)->step();
  if (rc == SQLITE_DONE) return std::optional<TokenRecord>();
  if (rc != SQLITE_ROW) return db_.error("find token", rc);
  return std::optional<TokenRecord>(read_token(**q));
}

Status ApiStore::touch_token(int64_t token_id) {
  std::lock_guard lock(mu_);
  auto q = db_.prepare(
      "UPDATE api_tokens SET last_used_at = ?2 WHERE id = ?1 AND last_used_at < ?2 - ?3");
  if (!q) return q.status();
  (*q)->bind(1, token_id).bind(2, now_ms_()).bind(3, kTouchIntervalMs);
  if (int rc = (*q)->step(); rc != SQLITE_DONE) return db_.error("touch token", rc);
  return {};
}

Result<std::vector<TokenRecord>> ApiStore::tokens() {
  std::lock_guard lock(mu_);
  auto q = db_.prepare(
      "SELECT id, name, role, token_hash, created_at, last_used_at, revoked_at FROM api_tokens "
      "ORDER BY id");
  if (!q) return q.status();
  std::vector<TokenRecord> out;
  int rc;
  while ((rc = (*q)->step()) == SQLITE_ROW) out.push_back(read_token(**q));
  if (rc != SQLITE_DONE) return db_.error("list tokens", rc);
  return out;
}

Status ApiStore::revoke_token(int64_t token_id) {
  std::lock_guard lock(mu_);
  auto q = db_.prepare(
      "UPDATE api_tokens SET revoked_at = CASE revoked_at WHEN 0 THEN ?2 ELSE revoked_at END "
      "WHERE id = ?1");
  if (!q) return q.status();
  (*q)->bind(1, token_id).bind(2, now_ms_());
  if (int rc = (*q)->step(); rc != SQLITE_DONE) return db_.error("revoke token", rc);
  if (sqlite3_changes(db_.handle()) == 0) {
    return not_found("no token with id " + std::to_string(token_id));
  }
  credentials_.revoke(token_id);
  return {};
}

Result<std::vector<Agent>> ApiStore::agents() {
  std::vector<std::string> ids;
  {
    std::lock_guard lock(mu_);
    auto q = db_.prepare("SELECT id FROM agents ORDER BY id");
    if (!q) return q.status();
    int rc;
    while ((rc = (*q)->step()) == SQLITE_ROW) ids.push_back((*q)->text(0));
    if (rc != SQLITE_DONE) return db_.error("list agents", rc);
  }
  std::vector<Agent> out;
  for (const auto& id : ids) {
    auto a = agent(id);
    if (!a) return a.status();
    if (a->has_value()) out.push_back(std::move(**a));
  }
  return out;
}

Result<std::optional<Agent>> ApiStore::agent(std::string_view id) {
  std::lock_guard lock(mu_);
  return agent_locked(id);
}

Result<std::optional<Agent>> ApiStore::agent_locked(std::string_view id) {
  auto q = db_.prepare(
      "SELECT id, name, skills, max_concurrent, presence, created_at, updated_at FROM agents "
      "WHERE id = ?1");
  if (!q) return q.status();
  (*q)->bind(1, id);
  int rc = (*q)->step();
  if (rc == SQLITE_DONE) return std::optional<Agent>();
  if (rc != SQLITE_ROW) return db_.error("get agent", rc);
  Agent a{(*q)->text(0),  (*q)->text(1), (*q)->text(2), (*q)->int64(3), (*q)->text(4), {},
          (*q)->int64(5), (*q)->int64(6)};
  auto m = db_.prepare("SELECT queue_id FROM agent_queues WHERE agent_id = ?1 ORDER BY queue_id");
  if (!m) return m.status();
  (*m)->bind(1, id);
  while ((rc = (*m)->step()) == SQLITE_ROW) a.queues.push_back((*m)->text(0));
  if (rc != SQLITE_DONE) return db_.error("agent queues", rc);
  return std::optional<Agent>(std::move(a));
}

Status ApiStore::set_agent_queues_locked(const Agent& agent) {
  auto del = db_.prepare("DELETE FROM agent_queues WHERE agent_id = ?1");
  if (!del) return del.status();
  (*del)->bind(1, agent.id);
  if (int rc = (*del)->step(); rc != SQLITE_DONE) return db_.error("clear agent queues", rc);
  for (const auto& queue_id : agent.queues) {
    auto exists = db_.prepare("SELECT 1 FROM queues WHERE id = ?1");
    if (!exists) return exists.status();
    (*exists)->bind(1, queue_id);
    if ((*exists)->step() != SQLITE_ROW)
      return invalid_argument("unknown queue \"" + queue_id + "\"");
    auto ins =
        db_.prepare("INSERT OR IGNORE INTO agent_queues (agent_id, queue_id) VALUES (?1, ?2)");
    if (!ins) return ins.status();
    (*ins)->bind(1, agent.id).bind(2, queue_id);
    if (int rc = (*ins)->step(); rc != SQLITE_DONE) return db_.error("add agent queue", rc);
  }
  return {};
}

Status ApiStore::put_agent(const Agent& agent, bool create) {
  std::lock_guard lock(mu_);
  store::sqlite::Transaction txn(db_);
  if (Status s = txn.begin(); !s) return s;
  auto existing = agent_locked(agent.id);
  if (!existing) return existing.status();
  if (create && existing->has_value()) {
    return {Code::kAlreadyExists, "agent \"" + agent.id + "\" exists"};
  }
  if (!create && !existing->has_value()) return not_found("no agent \"" + agent.id + "\"");
  const int64_t now = now_ms_();
  auto q = db_.prepare(
      "INSERT INTO agents (id, name, skills, max_concurrent, presence, created_at, updated_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) ON CONFLICT (id) DO UPDATE SET name = ?2, skills = ?3, "
      "max_concurrent = ?4, presence = ?5, updated_at = ?6");
  if (!q) return q.status();
  (*q)->bind(1, agent.id).bind(2, agent.name).bind(3, agent.skills_json);
  (*q)->bind(4, agent.max_concurrent).bind(5, agent.presence).bind(6, now);
  if (int rc = (*q)->step(); rc != SQLITE_DONE) return db_.error("put agent", rc);
  if (Status s = set_agent_queues_locked(agent); !s) return s;
  return txn.commit();
}

Status ApiStore::delete_agent(std::string_view id) {
  std::lock_guard lock(mu_);
  auto q = db_.prepare("DELETE FROM agents WHERE id = ?1");
  if (!q) return q.status();
  (*q)->bind(1, id);
  if (int rc = (*q)->step(); rc != SQLITE_DONE) return db_.error("delete agent", rc);
  if (sqlite3_changes(db_.handle()) == 0) return not_found("no agent \"" + std::string(id) + "\"");
  return {};
}

Result<std::vector<std::string>> ApiStore::agent_queue_ids(std::string_view agent_id) {
  std::lock_guard lock(mu_);
  auto q = db_.prepare("SELECT queue_id FROM agent_queues WHERE agent_id = ?1 ORDER BY queue_id");
  if (!q) return q.status();
  (*q)->bind(1, agent_id);
  std::vector<std::string> out;
  int rc;
  while ((rc = (*q)->step()) == SQLITE_ROW) out.push_back((*q)->text(0));
  if (rc != SQLITE_DONE) return db_.error("agent queues", rc);
  return out;
}

Result<std::vector<Queue>> ApiStore::queues() {
  std::lock_guard lock(mu_);
  auto q = db_.prepare("SELECT id, name, strategy, created_at, updated_at FROM queues ORDER BY id");
  if (!q) return q.status();
  std::vector<Queue> out;
  int rc;
  while ((rc = (*q)->step()) == SQLITE_ROW) out.push_back(read_queue(**q));
  if (rc != SQLITE_DONE) return db_.error("list queues", rc);
  return out;
}

Result<std::optional<Queue>> ApiStore::queue(std::string_view id) {
  std::lock_guard lock(mu_);
  auto q =
      db_.prepare("SELECT id, name, strategy, created_at, updated_at FROM queues WHERE id = ?1");
  if (!q) return q.status();
  (*q)->bind(1, id);
  int rc = (*q)->step();
  if (rc == SQLITE_DONE) return std::optional<Queue>();
  if (rc != SQLITE_ROW) return db_.error("get queue", rc);
  return std::optional<Queue>(read_queue(**q));
}

Status ApiStore::put_queue(const Queue& queue, bool create) {
  std::lock_guard lock(mu_);
  const int64_t now = now_ms_();
  auto q = create
               ? db_.prepare(
                     "INSERT INTO queues (id, name, strategy, created_at, updated_at) "
                     "VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT (id) DO NOTHING")
               : db_.prepare(
                     "UPDATE queues SET name = ?2, strategy = ?3, updated_at = ?4 WHERE id = ?1");
  if (!q) return q.status();
  (*q)->bind(1, queue.id).bind(2, queue.name).bind(3, queue.strategy).bind(4, now);
  if (int rc = (*q)->step(); rc != SQLITE_DONE) return db_.error("put queue", rc);
  if (sqlite3_changes(db_.handle()) == 0) {
    if (create) return {Code::kAlreadyExists, "queue \"" + queue.id + "\" exists"};
    return not_found("no queue \"" + queue.id + "\"");
  }
  return {};
}

Status ApiStore::delete_queue(std::string_view id) {
  std::lock_guard lock(mu_);
  auto q = db_.prepare("DELETE FROM queues WHERE id = ?1");
  if (!q) return q.status();
  (*q)->bind(1, id);
  if (int rc = (*q)->step(); rc != SQLITE_DONE) return db_.error("delete queue", rc);
  if (sqlite3_changes(db_.handle()) == 0) return not_found("no queue \"" + std::string(id) + "\"");
  return {};
}

Result<std::vector<store::Contact>> ApiStore::contacts(std::string_view text, int64_t after_id,
                                                       int limit) {
  std::lock_guard lock(mu_);
  auto q = db_.prepare(
      "SELECT id, display_name, COALESCE(merged_into, 0), created_at_ms, updated_at_ms "
      "FROM contacts c WHERE merged_into IS NULL AND id > ?1 AND (?2 = '' OR "
      "display_name LIKE ?3 ESCAPE '\\' OR EXISTS (SELECT 1 FROM identities i WHERE "
      "i.contact_id = c.id AND i.address LIKE ?3 ESCAPE '\\')) ORDER BY id LIMIT ?4");
  if (!q) return q.status();
  const std::string pattern = contains_pattern(text);
  (*q)->bind(1, after_id).bind(2, text).bind(3, pattern).bind(4, static_cast<int64_t>(limit));
  std::vector<store::Contact> out;
  int rc;
  while ((rc = (*q)->step()) == SQLITE_ROW) {
    out.push_back({(*q)->int64(0), (*q)->text(1), (*q)->int64(2), (*q)->int64(3), (*q)->int64(4)});
  }
  if (rc != SQLITE_DONE) return db_.error("list contacts", rc);
  return out;
}

Result<std::vector<store::Conversation>> ApiStore::conversations(const ConversationFilter& f) {
  std::lock_guard lock(mu_);
  auto q = db_.prepare("SELECT" SB_API_CONVERSATION_COLUMNS
                       "FROM conversations c WHERE c.id > ?1 AND (?2 = 0 OR c.status = ?2) "
                       "AND (?3 = '' OR c.queue = ?3) AND (?4 = '' OR c.assignee = ?4) "
                       "AND (?5 = '' OR c.assignee = ?5 OR c.queue IN "
                       "(SELECT queue_id FROM agent_queues WHERE agent_id = ?5)) "
                       "AND (?7 = '' OR c.reference = ?7) AND (?8 = 0 OR c.contact_id = ?8) "
                       "ORDER BY c.id LIMIT ?6");
  if (!q) return q.status();
  (*q)->bind(1, f.after_id).bind(2, f.status ? static_cast<int64_t>(*f.status) : int64_t{0});
  (*q)->bind(3, f.queue).bind(4, f.assignee).bind(5, f.visible_to_agent);
  (*q)->bind(6, static_cast<int64_t>(f.limit)).bind(7, f.reference).bind(8, f.contact_id);
  std::vector<store::Conversation> out;
  int rc;
  while ((rc = (*q)->step()) == SQLITE_ROW) out.push_back(store::read_conversation_row(**q));
  if (rc != SQLITE_DONE) return db_.error("list conversations", rc);
  return out;
}

Result<std::optional<Recipient>> ApiStore::recipient(int64_t conversation_id) {
  std::lock_guard lock(mu_);
  auto q = db_.prepare(
      "SELECT from_addr, to_addr, "
      // The customer's own time: Meta redelivers webhooks for days, and the window runs from
      // when the customer wrote, not from when the host received it.
      "CASE WHEN sent_at_ms > 0 THEN sent_at_ms ELSE created_at_ms END "
      "FROM messages WHERE conversation_id = ?1 "
      "AND direction = 'in' ORDER BY id DESC LIMIT 1");
  if (!q) return q.status();
  (*q)->bind(1, conversation_id);
  int rc = (*q)->step();
  if (rc == SQLITE_ROW) {
    return std::optional<Recipient>(Recipient{(*q)->text(0), (*q)->text(1), (*q)->int64(2)});
  }
  if (rc != SQLITE_DONE) return db_.error("conversation recipient", rc);
  auto i = db_.prepare(
      "SELECT i.address FROM conversations c JOIN identities i ON i.contact_id = c.contact_id "
      "WHERE c.id = ?1 ORDER BY (i.instance_id = c.instance_id) DESC, i.id LIMIT 1");
  if (!i) return i.status();
  (*i)->bind(1, conversation_id);
  rc = (*i)->step();
  if (rc == SQLITE_ROW) return std::optional<Recipient>(Recipient{(*i)->text(0), "", 0});
  if (rc != SQLITE_DONE) return db_.error("conversation recipient", rc);
  return std::optional<Recipient>();
}

Result<std::optional<int64_t>> ApiStore::outbound_by_key(std::string_view instance_id,
                                                         std::string_view idempotency_key) {
  std::lock_guard lock(mu_);
  auto q = db_.prepare(
      "SELECT id FROM messages WHERE instance_id = ?1 AND direction = 'out' "
      "AND idempotency_key = ?2");
  if (!q) return q.status();
  (*q)->bind(1, instance_id).bind(2, idempotency_key);
  int rc = (*q)->step();
  if (rc == SQLITE_ROW) return std::optional<int64_t>((*q)->int64(0));
  if (rc != SQLITE_DONE) return db_.error("outbound by idempotency key", rc);
  return std::optional<int64_t>();
}

}  // namespace sb::api
