#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "store_test_util.h"

namespace sb::store {
namespace {

using testing::TempDirTest;

class GroupCommitTest : public TempDirTest {};

TEST_F(GroupCommitTest, EightThreadsStoreEveryMessageOnceInFewerTransactions) {
  auto inner = open();
  ASSERT_TRUE(inner);
  auto store = make_group_commit_store(std::move(inner));
  const uint64_t commits_before = store->commit_count();

  constexpr int kThreads = 8;
  constexpr int kPerThread = 200;
  std::atomic<int> stored{0}, duplicates{0}, errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        // Every message is also sent by a second thread: only one of them may store it.
        int id = (t / 2) * kPerThread + i;
        auto m = inbound("wa", "m" + std::to_string(id), "text " + std::to_string(id));
        auto r = store->insert_inbound(std::span(&m, 1));
        if (!r.is_ok()) {
          ++errors;
        } else if (r->at(0) == InsertOutcome::kStored) {
          ++stored;
        } else {
          ++duplicates;
        }
      }
    });
  }
  for (auto& th : threads) th.join();

  const int unique = kThreads / 2 * kPerThread;
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(stored.load(), unique);
  EXPECT_EQ(duplicates.load(), kThreads * kPerThread - unique);
  const uint64_t commits = store->commit_count() - commits_before;
  EXPECT_GT(commits, 0u);
  EXPECT_LT(commits, static_cast<uint64_t>(kThreads * kPerThread));
  RecordProperty("commits", std::to_string(commits));
  auto counters = store->counters();
  ASSERT_TRUE(counters.is_ok());
  ASSERT_EQ(counters->size(), 1u);
  EXPECT_EQ((*counters)[0].inbound, unique);
  for (int id = 0; id < unique; id += 97) {
    auto m = store->find_inbound("wa", "m" + std::to_string(id));
    ASSERT_TRUE(m.is_ok());
    ASSERT_TRUE(m->has_value()) << id;
    EXPECT_EQ((*m)->text, "text " + std::to_string(id));
  }
}

TEST_F(GroupCommitTest, InvalidBatchFailsAloneAndOthersAreStored) {
  auto inner = open();
  ASSERT_TRUE(inner);
  GroupCommitOptions opts;
  opts.max_wait = std::chrono::milliseconds(20);  // makes the batches share a transaction
  auto store = make_group_commit_store(std::move(inner), opts);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0}, invalid{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::vector<InboundMessage> batch = {inbound("wa", "g" + std::to_string(t)),
                                           inbound("wa", t == 2 ? "" : "h" + std::to_string(t))};
      auto r = store->insert_inbound(batch);
      if (r.is_ok()) {
        ++ok;
      } else if (r.status().code() == Code::kInvalidArgument) {
        ++invalid;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 3);
  EXPECT_EQ(invalid.load(), 1);
  EXPECT_FALSE(store->find_inbound("wa", "g2")->has_value());
  EXPECT_TRUE(store->find_inbound("wa", "g3")->has_value());
  EXPECT_TRUE(store->find_inbound("wa", "h0")->has_value());
}

TEST_F(GroupCommitTest, ForwardsEverythingElse) {
  auto inner = open();
  ASSERT_TRUE(inner);
  auto store = make_group_commit_store(std::move(inner));
  EXPECT_EQ(store->schema_version(), latest_schema_version());
  ASSERT_TRUE(store->kv_put("wa", "k", "v").is_ok());
  EXPECT_EQ(store->kv_get("wa", "k")->value_or(""), "v");
  auto id = store->insert_outbound({"wa", "+1", "", "text", "x", "", "", ""});
  ASSERT_TRUE(id.is_ok());
  DeliveryUpdate u;
  u.message_id = *id;
  u.status = DeliveryStatus::kDelivered;
  ASSERT_TRUE(store->apply_delivery(u).is_ok());
  EXPECT_EQ((*store->get_message(*id))->status, DeliveryStatus::kDelivered);
  std::vector<InboundMessage> empty;
  auto r = store->insert_inbound(empty);
  ASSERT_TRUE(r.is_ok());
  EXPECT_TRUE(r->empty());
}

}  // namespace
}  // namespace sb::store
