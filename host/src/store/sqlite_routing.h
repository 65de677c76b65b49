// RoutingStore (store/routing_store.h) on the SQLite store's connection. It shares the store's
// mutex and commit counter: reads take the lock, writes take it and run in their own transaction.
// Internal to sb_store.
#pragma once

#include <atomic>
#include <mutex>

#include "store/routing_store.h"
#include "store/sqlite_db.h"

namespace sb::store {

class SqliteRouting final : public RoutingStore {
 public:
  SqliteRouting(std::mutex& mu, sqlite::Db& db, std::atomic<uint64_t>& commits)
      : mu_(mu), db_(db), commits_(commits) {}

  Status put_agent(const Agent& agent, int64_t now_ms) override;
  Result<std::optional<Agent>> get_agent(std::string_view agent_id) override;
  Result<std::vector<Agent>> agents() override;
  Status set_presence(std::string_view agent_id, Presence presence, int64_t now_ms) override;
  Result<std::vector<AgentLoad>> agent_loads() override;
  Result<bool> assign(const AssignRequest& request) override;
  Result<std::vector<WaitingConversation>> waiting(std::string_view queue, int limit) override;
  Result<std::optional<std::string>> last_agent_of_contact(int64_t contact_id) override;
  Result<std::vector<AssignmentRecord>> assignments_of(int64_t conversation_id) override;
  Result<std::optional<std::string>> round_robin_position(std::string_view queue) override;
  Status set_round_robin_position(std::string_view queue, std::string_view agent_id,
                                  int64_t now_ms) override;
  Result<bool> claim_auto_reply(int64_t conversation_id, std::string_view kind, int64_t period_ms,
                                int64_t now_ms) override;
  Result<bool> claim_auto_reply_for(int64_t message_id, int64_t conversation_id,
                                    std::string_view kind, int64_t period_ms,
                                    int64_t now_ms) override;
  Status put_config_queues(const std::vector<QueueRow>& queues, int64_t now_ms) override;
  Result<std::vector<QueueRow>> queues() override;
  Result<std::vector<PendingRouting>> pending_routing(int limit) override;
  Status routing_done(int64_t message_id) override;

 private:
  template <class F>
  auto write(F&& f) -> decltype(f()) {
    std::lock_guard lock(mu_);
    sqlite::Transaction txn(db_);
    if (auto st = txn.begin(); !st) return st;
    auto r = f();
    if (!r) return r;
    if (auto st = txn.commit(); !st) return st;
    ++commits_;
    return r;
  }
  Result<std::vector<Agent>> read_agents(sqlite::Stmt& q);
  Result<int64_t> active_count(std::string_view agent_id);

  std::mutex& mu_;
  sqlite::Db& db_;
  std::atomic<uint64_t>& commits_;
};

}  // namespace sb::store
