// CostStore (store/cost_store.h) on the SQLite store's connection, sharing its mutex and commit
// counter. Internal to sb_store.
#pragma once

#include <atomic>
#include <mutex>

#include "store/cost_store.h"
#include "store/sqlite_db.h"

namespace sb::store {

class SqliteCosts final : public CostStore {
 public:
  SqliteCosts(std::mutex& mu, sqlite::Db& db, std::atomic<uint64_t>& commits)
      : mu_(mu), db_(db), commits_(commits) {}

  Status put_cost(const CostEntry& entry) override;
  Result<std::optional<CostEntry>> cost_of(int64_t message_id) override;
  Result<std::optional<int64_t>> outbound_id(std::string_view instance_id,
                                             std::string_view provider_message_id) override;
  Result<std::vector<CostSum>> cost_sums(std::string_view from_day,
                                         std::string_view to_day) override;

 private:
  std::mutex& mu_;
  sqlite::Db& db_;
  std::atomic<uint64_t>& commits_;
};

}  // namespace sb::store
