// The store decorator that feeds accepted delivery reports to the ledger.
#include <chrono>

#include "costs/ledger.h"
#include "log/log.h"
#include "store/forwarding_store.h"

namespace sb::costs {
namespace {

using namespace sb::store;

int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class CostRecordingStore final : public ForwardingStore {
 public:
  CostRecordingStore(std::unique_ptr<Store> inner, std::shared_ptr<const Ledger> ledger,
                     std::function<int64_t()> now_ms)
      : ForwardingStore(std::move(inner)),
        ledger_(std::move(ledger)),
        now_ms_(now_ms ? std::move(now_ms) : std::function<int64_t()>(system_now_ms)) {}

  using Store::apply_delivery;
  Status apply_delivery(const DeliveryUpdate& u, DeliveryApplied* applied) override {
    if (Status st = inner().apply_delivery(u, applied); !st) return st;
    // The report itself is stored; a pricing we cannot book must not make the plugin retry it.
    if (Status st = ledger_->record(inner(), u, now_ms_()); !st) {
      sb::log::logger("costs")->warn("cost not recorded for {} message {}{}: {}", u.instance_id,
                                     u.message_id, u.provider_message_id, st.message());
    }
    return {};
  }

 private:
  std::shared_ptr<const Ledger> ledger_;
  std::function<int64_t()> now_ms_;
};

}  // namespace

std::unique_ptr<Store> make_cost_recording_store(std::unique_ptr<Store> inner,
                                                 std::shared_ptr<const Ledger> ledger,
                                                 std::function<int64_t()> now_ms) {
  return std::make_unique<CostRecordingStore>(std::move(inner), std::move(ledger),
                                              std::move(now_ms));
}

}  // namespace sb::costs
