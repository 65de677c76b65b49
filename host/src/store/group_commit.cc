// Group commit: concurrent insert_inbound callers queue their batches; one writer thread commits
// everything queued so far in a single transaction, so the fsync cost is shared.
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

#include "store/forwarding_store.h"
#include "store/store.h"
#include "store/validate.h"

namespace sb::store {
namespace {

using Outcomes = std::vector<InsertOutcome>;
using Results = std::vector<InboundResult>;

struct PendingBatch {
  std::span<const InboundMessage> messages;  // the caller blocks, so the span stays valid
  std::promise<Result<Results>> done;
};

class GroupCommitStore final : public ForwardingStore {
 public:
  GroupCommitStore(std::unique_ptr<Store> inner, GroupCommitOptions options)
      : ForwardingStore(std::move(inner)), options_(options) {
    if (options_.max_batch_messages == 0) options_.max_batch_messages = 1;
    writer_ = std::jthread([this](std::stop_token stop) { run(stop); });
  }

  ~GroupCommitStore() override {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    writer_.request_stop();
    writer_.join();  // drains what was queued before stopping
  }

  Result<Outcomes> insert_inbound(std::span<const InboundMessage> batch) override {
    auto results = insert_inbound_resolved(batch);
    if (!results) return results.status();
    Outcomes out;
    out.reserve(results->size());
    for (const auto& r : *results) out.push_back(r.outcome);
    return out;
  }

  Result<Results> insert_inbound_resolved(std::span<const InboundMessage> batch) override {
    if (auto st = validate_inbound(batch); !st) return st;  // a bad batch never joins a group
    if (batch.empty()) return Results{};
    PendingBatch pending{batch, {}};
    auto result = pending.done.get_future();
    {
      std::lock_guard lock(mu_);
      if (stopping_) return unavailable("store is shutting down");
      queue_.push_back(&pending);
    }
    cv_.notify_one();
    return result.get();
  }

  // Several groups in one call take the queue like any caller (Store's default joins them).
  Result<std::vector<Outcomes>> insert_inbound_groups(
      std::span<const std::span<const InboundMessage>> g) override {
    return Store::insert_inbound_groups(g);
  }
  Result<std::vector<Results>> insert_inbound_resolved_groups(
      std::span<const std::span<const InboundMessage>> g) override {
    return Store::insert_inbound_resolved_groups(g);
  }

 private:
  void run(std::stop_token stop) {
    while (true) {
      std::vector<PendingBatch*> group;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return !queue_.empty() || stopping_; });
        if (queue_.empty()) return;  // stopping, nothing left
        if (options_.max_wait.count() > 0 && !stop.stop_requested()) {
          // Give other callers a moment to join this transaction.
          cv_.wait_for(lock, options_.max_wait, [&] {
            return stopping_ || queued_messages() >= options_.max_batch_messages;
          });
        }
        size_t taken = 0;
        while (!queue_.empty() && (group.empty() || taken + queue_.front()->messages.size() <=
                                                        options_.max_batch_messages)) {
          taken += queue_.front()->messages.size();
          group.push_back(queue_.front());
          queue_.pop_front();
        }
      }
      commit(group);
    }
  }

  size_t queued_messages() const {
    size_t n = 0;
    for (const auto* p : queue_) n += p->messages.size();
    return n;
  }

  void commit(const std::vector<PendingBatch*>& group) {
    std::vector<std::span<const InboundMessage>> spans;
    spans.reserve(group.size());
    for (const auto* p : group) spans.push_back(p->messages);
    auto results = inner().insert_inbound_resolved_groups(spans);
    if (results) {
      for (size_t i = 0; i < group.size(); ++i) group[i]->done.set_value(std::move((*results)[i]));
      return;
    }
    if (group.size() == 1) {
      group[0]->done.set_value(results.status());
      return;
    }
    // One caller's batch must not fail the others: retry each on its own.
    for (auto* p : group) p->done.set_value(inner().insert_inbound_resolved(p->messages));
  }

  GroupCommitOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<PendingBatch*> queue_;
  bool stopping_ = false;
  std::jthread writer_;  // last: it must stop before the members it uses go away
};

}  // namespace

std::unique_ptr<Store> make_group_commit_store(std::unique_ptr<Store> inner,
                                               GroupCommitOptions options) {
  return std::make_unique<GroupCommitStore>(std::move(inner), options);
}

}  // namespace sb::store
