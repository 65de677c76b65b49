#include "store/sqlite_routing.h"

#include <algorithm>

namespace sb::store {
namespace {

using sqlite::Stmt;

// Conversations an agent is busy with: open and pending ones (a pending conversation still
// waits for the agent's follow-up).
#define SB_ROUTING_ACTIVE "status IN (1, 2)"

// An agent with its skills (from the JSON array) and queues joined by the unit separator.
#define SB_ROUTING_AGENT_SELECT                                                             \
  "SELECT a.id, a.name, CASE WHEN json_valid(a.skills) THEN (SELECT group_concat(value, "   \
  "char(31)) FROM json_each(a.skills) WHERE type = 'text') ELSE '' END, a.max_concurrent, " \
  "a.presence, (SELECT group_concat(queue_id, char(31)) FROM (SELECT queue_id FROM "        \
  "agent_queues WHERE agent_id = a.id ORDER BY queue_id)), a.created_at, a.updated_at "     \
  "FROM agents a "

// Lists travel out of SQL joined with the unit separator, which no skill or queue id contains.
constexpr char kSeparator = '\x1f';

std::vector<std::string> split(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    size_t sep = text.find(kSeparator);
    out.emplace_back(text.substr(0, sep));
    if (sep == std::string_view::npos) break;
    text.remove_prefix(sep + 1);
  }
  return out;
}

// agents.skills is a JSON array of strings (the REST API's format).
std::string skills_json(const std::vector<std::string>& skills) {
  std::string out = "[";
  for (const auto& s : skills) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (char c : s) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "]";
}

Status validate_agent(const Agent& a) {
  if (a.id.empty() || a.id.size() > 256) return invalid_argument("agent id must be 1..256 bytes");
  if (a.max_concurrent < 0) return invalid_argument("max_concurrent must not be negative");
  for (const auto& s : a.skills) {
    const bool control = std::any_of(s.begin(), s.end(), [](char c) {
      return static_cast<unsigned char>(c) < 0x20 || c == 0x7F;
    });
    if (s.empty() || control) {
      return invalid_argument("a skill must be non-empty, without control characters");
    }
  }
  return {};
}

}  // namespace

std::string_view to_string(Presence presence) {
  switch (presence) {
    case Presence::kOnline:
      return "online";
    case Presence::kAway:
      return "away";
    case Presence::kOffline:
      break;
  }
  return "offline";
}

std::optional<Presence> parse_presence(std::string_view text) {
  if (text == "online") return Presence::kOnline;
  if (text == "away") return Presence::kAway;
  if (text == "offline") return Presence::kOffline;
  return std::nullopt;
}

Status SqliteRouting::put_agent(const Agent& agent, int64_t now_ms) {
  if (auto st = validate_agent(agent); !st) return st;
  auto skills = agent.skills;
  std::sort(skills.begin(), skills.end());
  skills.erase(std::unique(skills.begin(), skills.end()), skills.end());
  const std::string json = skills_json(skills);
  const std::string_view presence = to_string(agent.presence);
  return write([&]() -> Status {
    auto q = db_.prepare(
        "INSERT INTO agents (id, name, skills, max_concurrent, presence, created_at, updated_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
        "skills = excluded.skills, max_concurrent = excluded.max_concurrent, "
        "presence = excluded.presence, updated_at = excluded.updated_at");
    if (!q) return q.status();
    Stmt& s = **q;
    s.bind(1, agent.id).bind(2, agent.display_name).bind(3, json).bind(4, agent.max_concurrent);
    s.bind(5, presence).bind(6, now_ms);
    if (int rc = s.step(); rc != SQLITE_DONE) return db_.error("put agent", rc);
    return {};
  });
}

Result<std::vector<Agent>> SqliteRouting::read_agents(Stmt& q) {
  std::vector<Agent> out;
  int rc;
  while ((rc = q.step()) == SQLITE_ROW) {
    Agent a;
    a.id = q.text(0);
    a.display_name = q.text(1);
    a.skills = split(q.text(2));
    std::sort(a.skills.begin(), a.skills.end());
    a.max_concurrent = q.int64(3);
    a.presence = parse_presence(q.text(4)).value_or(Presence::kOffline);
    a.queues = split(q.text(5));
    a.created_at_ms = q.int64(6);
    a.updated_at_ms = q.int64(7);
    out.push_back(std::move(a));
  }
  if (rc != SQLITE_DONE) return db_.error("read agents", rc);
  return out;
}

Result<std::optional<Agent>> SqliteRouting::get_agent(std::string_view agent_id) {
  std::lock_guard lock(mu_);
  auto q = db_.prepare(SB_ROUTING_AGENT_SELECT "WHERE a.id = ?1");
  if (!q) return q.status();
  (*q)->bind(1, agent_id);
  auto rows = read_agents(**q);
  if (!rows) return rows.status();
  if (rows->empty()) return std::optional<Agent>();
  return std::optional<Agent>(std::move(rows->front()));
}

Result<std::vector<Agent>> SqliteRouting::agents() {
  std::lock_guard lock(mu_);
  auto q = db_.prepare(SB_ROUTING_AGENT_SELECT "ORDER BY a.id");
  if (!q) return q.status();
  return read_agents(**q);
}

Status SqliteRouting::set_presence(std::string_view agent_id, Presence presence, int64_t now_ms) {
  return write([&]() -> Status {
    auto q = db_.prepare("UPDATE agents SET presence = ?2, updated_at = ?3 WHERE id = ?1");
    if (!q) return q.status();
    (*q)->bind(1, agent_id).bind(2, to_string(presence)).bind(3, now_ms);
    if (int rc = (*q)->step(); rc != SQLITE_DONE) return db_.error("set presence", rc);
    if (sqlite3_changes(db_.handle()) == 0) return not_found("no agent " + std::string(agent_id));
    return {};
  });
}

Result<std::vector<AgentLoad>> SqliteRouting::agent_loads() {
  std::lock_guard lock(mu_);
  auto q = db_.prepare(
      "SELECT a.id, (SELECT count(*) FROM conversations c WHERE c.assignee = a.id AND "
      "c." SB_ROUTING_ACTIVE
      "), (SELECT coalesce(max(at_ms), 0) FROM routing_assignments r "
      "WHERE r.agent_id = a.id) FROM agents a ORDER BY a.id");
  if (!q) return q.status();
  std::vector<AgentLoad> out;
  int rc;
  while ((rc = (*q)->step()) == SQLITE_ROW) {
    out.push_back({(*q)->text(0), (*q)->int64(1), (*q)->int64(2)});
  }
  if (rc != SQLITE_DONE) return db_.error("read agent loads", rc);
  return out;
}

Result<int64_t> SqliteRouting::active_count(std::string_view agent_id) {
  auto q =
      db_.prepare("SELECT count(*) FROM conversations WHERE assignee = ?1 AND " SB_ROUTING_ACTIVE);
  if (!q) return q.status();
  (*q)->bind(1, agent_id);
  if (int rc = (*q)->step(); rc != SQLITE_ROW) return db_.error("count active", rc);
  return (*q)->int64(0);
}

Result<bool> SqliteRouting::assign(const AssignRequest& r) {
  return write([&]() -> Result<bool> {
    {
      auto q = db_.prepare("SELECT status, assignee FROM conversations WHERE id = ?1");
      if (!q) return q.status();
      (*q)->bind(1, r.conversation_id);
      int rc = (*q)->step();
      if (rc == SQLITE_DONE)
        return not_found("no conversation " + std::to_string(r.conversation_id));
      if (rc != SQLITE_ROW) return db_.error("read conversation", rc);
      if ((*q)->int64(0) == 3) return false;  // resolved: nothing to route
      // Already this agent's: capacity was counted when it was assigned.
      if (!r.agent_id.empty() && !(*q)->is_null(1) && (*q)->text(1) == r.agent_id) {
        if (r.max_active >= 0) return true;
      }
    }
    if (!r.agent_id.empty() && r.max_active >= 0) {
      auto active = active_count(r.agent_id);
      if (!active) return active.status();
      if (*active >= r.max_active) return false;
    }
    {
      auto q = db_.prepare(
          "UPDATE conversations SET assignee = ?2, queue = ?3, updated_at_ms = ?4 WHERE id = ?1");
      if (!q) return q.status();
      (*q)->bind(1, r.conversation_id).bind_or_null(2, r.agent_id).bind_or_null(3, r.queue);
      (*q)->bind(4, r.now_ms);
      if (int rc = (*q)->step(); rc != SQLITE_DONE) return db_.error("assign conversation", rc);
    }
    auto q = db_.prepare(
        "INSERT INTO routing_assignments (conversation_id, agent_id, queue, reason, actor, at_ms) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!q) return q.status();
    (*q)->bind(1, r.conversation_id).bind_or_null(2, r.agent_id).bind(3, r.queue);
    (*q)->bind(4, r.reason).bind(5, r.actor).bind(6, r.now_ms);
    if (int rc = (*q)->step(); rc != SQLITE_DONE) return db_.error("log assignment", rc);
    return true;
  });
}

Result<std::vector<WaitingConversation>> SqliteRouting::waiting(std::string_view queue, int limit) {
  std::lock_guard lock(mu_);
  auto q = db_.prepare(
      "SELECT id, contact_id, instance_id, opened_at_ms FROM conversations "
      "WHERE queue = ?1 AND assignee IS NULL AND " SB_ROUTING_ACTIVE
      " ORDER BY opened_at_ms, id LIMIT ?2");
  if (!q) return q.status();
  (*q)->bind(1, queue).bind(2, int64_t{std::max(limit, 0)});
  std::vector<WaitingConversation> out;
  int rc;
  while ((rc = (*q)->step()) == SQLITE_ROW) {
    out.push_back({(*q)->int64(0), (*q)->int64(1), (*q)->text(2), (*q)->int64(3)});
  }
  if (rc != SQLITE_DONE) return db_.error("read waiting conversations", rc);
  return out;
}

Result<std::optional<std::string>> SqliteRouting::last_agent_of_contact(int64_t contact_id) {
  std::lock_guard lock(mu_);
  auto q = db_.prepare(
      "SELECT r.agent_id FROM routing_assignments r JOIN conversations c "
      "ON c.id = r.conversation_id WHERE c.contact_id = ?1 AND r.agent_id IS NOT NULL "
      "ORDER BY r.id DESC LIMIT 1");
  if (!q) return q.status();
  (*q)->bind(1, contact_id);
  int rc = (*q)->step();
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  if (rc != SQLITE_ROW) return db_.error("read last agent", rc);
  return std::optional<std::string>((*q)->text(0));
}

Result<std::vector<AssignmentRecord>> SqliteRouting::assignments_of(int64_t conversation_id) {
  std::lock_guard lock(mu_);
  auto q = db_.prepare(
      "SELECT id, conversation_id, coalesce(agent_id, ''), queue, reason, actor, at_ms "
      "FROM routing_assignments WHERE conversation_id = ?1 ORDER BY id");
  if (!q) return q.status();
  (*q)->bind(1, conversation_id);
  std::vector<AssignmentRecord> out;
  int rc;
  while ((rc = (*q)->step()) == SQLITE_ROW) {
    Stmt& s = **q;
    out.push_back({s.int64(0), s.int64(1), s.text(2), s.text(3), s.text(4), s.text(5), s.int64(6)});
  }
  if (rc != SQLITE_DONE) return db_.error("read assignments", rc);
  return out;
}

Result<std::optional<std::string>> SqliteRouting::round_robin_position(std::string_view queue) {
  std::lock_guard lock(mu_);
  auto q = db_.prepare("SELECT last_agent FROM routing_queue_state WHERE queue = ?1");
  if (!q) return q.status();
  (*q)->bind(1, queue);
  int rc = (*q)->step();
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  if (rc != SQLITE_ROW) return db_.error("read round-robin position", rc);
  return std::optional<std::string>((*q)->text(0));
}

Status SqliteRouting::set_round_robin_position(std::string_view queue, std::string_view agent_id,
                                               int64_t now_ms) {
  return write([&]() -> Status {
    auto q = db_.prepare(
        "INSERT INTO routing_queue_state (queue, last_agent, updated_at_ms) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (queue) DO UPDATE SET last_agent = excluded.last_agent, "
        "updated_at_ms = excluded.updated_at_ms");
    if (!q) return q.status();
    (*q)->bind(1, queue).bind(2, agent_id).bind(3, now_ms);
    if (int rc = (*q)->step(); rc != SQLITE_DONE) return db_.error("set round-robin position", rc);
    return {};
  });
}

Status SqliteRouting::put_config_queues(const std::vector<QueueRow>& queues, int64_t now_ms) {
  return write([&]() -> Status {
    for (const auto& queue : queues) {
      auto q = db_.prepare(
          "INSERT INTO queues (id, name, strategy, created_at, updated_at) VALUES (?1, ?2, ?3, "
          "?4, ?4) ON CONFLICT (id) DO UPDATE SET name = excluded.name, strategy = "
          "excluded.strategy, updated_at = excluded.updated_at WHERE name IS NOT excluded.name "
          "OR strategy IS NOT excluded.strategy");
      if (!q) return q.status();
      (*q)->bind(1, queue.id).bind(2, queue.name).bind(3, queue.strategy).bind(4, now_ms);
      if (int rc = (*q)->step(); rc != SQLITE_DONE) return db_.error("put config queue", rc);
    }
    return {};
  });
}

Result<std::vector<QueueRow>> SqliteRouting::queues() {
  std::lock_guard lock(mu_);
  auto q = db_.prepare("SELECT id, name, strategy FROM queues ORDER BY id");
  if (!q) return q.status();
  std::vector<QueueRow> out;
  int rc;
  while ((rc = (*q)->step()) == SQLITE_ROW) {
    out.push_back({(*q)->text(0), (*q)->text(1), (*q)->text(2)});
  }
  if (rc != SQLITE_DONE) return db_.error("read queues", rc);
  return out;
}

Result<bool> SqliteRouting::claim_auto_reply(int64_t conversation_id, std::string_view kind,
                                             int64_t period_ms, int64_t now_ms) {
  return write([&]() -> Result<bool> {
    auto q = db_.prepare(
        "INSERT INTO routing_auto_replies (conversation_id, kind, sent_at_ms) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (conversation_id, kind) DO UPDATE SET sent_at_ms = excluded.sent_at_ms "
        "WHERE sent_at_ms <= excluded.sent_at_ms - ?4");
    if (!q) return q.status();
    (*q)->bind(1, conversation_id).bind(2, kind).bind(3, now_ms).bind(4, period_ms);
    if (int rc = (*q)->step(); rc != SQLITE_DONE) return db_.error("claim auto-reply", rc);
    return sqlite3_changes(db_.handle()) > 0;
  });
}

}  // namespace sb::store
