// Which message a delivery receipt is about. Every accepted part's SMSC id is recorded against its
// host message; a receipt is matched by exact id, then case-insensitively without leading zeros,
// then read in the other base (hex <-> decimal). Multipart messages are delivered when every part
// is, failed as soon as one part fails. Receipts that come before their submit_sm_resp wait a
// while; receipts for unknown ids are dropped (the caller logs them).
#pragma once

#include "receipt.hpp"

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace sms {

struct ReceiptUpdate {
  int64_t message_id = 0;
  int32_t status = 0;    // SB_DELIVERY_* of the whole message after this receipt
  std::size_t part = 0;  // 0-based
  std::size_t parts = 1;
  std::string part_id;  // the id the part was accepted under
  Receipt receipt;
  std::string extra_json;  // {"part":n,"parts":m,"stat":...,"err":...,"part_id":...}
};

class ReceiptTracker {
 public:
  // At most max_tracked messages are remembered (the oldest ids are forgotten first) and at most
  // max_waiting early receipts wait, so a flood cannot exhaust memory.
  ReceiptTracker(int64_t wait_ms, int64_t keep_ms, std::size_t max_tracked = 500'000,
                 std::size_t max_waiting = 100'000)
      : wait_ms_(wait_ms),
        keep_ms_(keep_ms),
        max_tracked_(max_tracked),
        max_waiting_(max_waiting) {}

  // Records the accepted parts of a message. Returns the updates of receipts that were waiting
  // for these ids.
  std::vector<ReceiptUpdate> record(int64_t message_id, const std::vector<std::string>& part_ids,
                                    int64_t now_ms);
  enum class Applied { kUpdate, kWaiting, kDuplicate };
  // Applies a receipt: kUpdate fills *out; kWaiting keeps it (its id is not known yet);
  // kDuplicate means this part already had this state.
  Applied apply(const Receipt& r, int64_t now_ms, ReceiptUpdate* out);
  // Receipts that waited longer than wait_ms (their ids never showed up); once a minute, forgets
  // messages recorded more than keep_ms ago.
  std::vector<Receipt> expire(int64_t now_ms);
  std::size_t tracked() const { return messages_.size(); }
  std::size_t waiting() const { return waiting_.size(); }

 private:
  struct Tracked {
    std::vector<std::string> ids;
    std::vector<std::string> stats;  // per part, "" until a receipt came
    std::vector<Receipt> receipts;   // per part, the latest receipt (empty id until one came)
    int64_t at_ms = 0;
  };
  std::optional<std::pair<int64_t, std::size_t>> find(const std::string& id) const;
  ReceiptUpdate update(int64_t message_id, Tracked& t, std::size_t part, const Receipt& r);

  void forget(std::map<int64_t, Tracked>::iterator it);

  int64_t wait_ms_, keep_ms_;
  std::size_t max_tracked_, max_waiting_;
  std::map<int64_t, Tracked> messages_;
  std::unordered_map<std::string, std::pair<int64_t, std::size_t>> by_id_;  // normalized id
  std::deque<std::pair<Receipt, int64_t>> waiting_;
  int64_t last_purge_ms_ = 0;
};

}  // namespace sms
