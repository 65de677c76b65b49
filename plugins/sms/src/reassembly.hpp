// Reassembly of multipart MO messages: parts keyed by (source, destination, reference width,
// reference, total) arrive in any order, duplicates are dropped, and the payload octets are joined
// in sequence order before decoding once (which rejoins escape and surrogate pairs split across
// parts). Parts still incomplete after the timeout are released with a marker at each gap.
#pragma once

#include "pdu.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace sms {

struct PartKey {
  std::string source, destination;
  bool ref16 = false;
  uint16_t ref = 0;
  uint8_t total = 0;
  auto tie() const { return std::tie(source, destination, ref16, ref, total); }
  bool operator<(const PartKey& o) const { return tie() < o.tie(); }
  // A stable text form for ids and storage keys.
  std::string str() const;
};

struct Reassembled {
  PartKey key;
  uint8_t data_coding = 0;
  std::string text;                   // decoded, with U+2026 at each missing part
  std::vector<uint8_t> missing;       // sequence numbers never received
  std::vector<std::string> part_ids;  // the parts' own ids, in sequence order
  int64_t first_at_ms = 0;
};

class Reassembler {
 public:
  // At most max_open messages are reassembled at once; overflow() releases the oldest beyond that.
  explicit Reassembler(int64_t timeout_ms, std::size_t max_open = 10'000)
      : timeout_ms_(timeout_ms), max_open_(max_open) {}

  enum class Added { kStored, kDuplicate, kComplete };
  // Adds part `seq` (1..total) with its payload octets (UDH removed) and an id of its own. On
  // kComplete, *done holds the message and the parts are forgotten.
  Added add(const PartKey& key, uint8_t seq, uint8_t data_coding, std::string payload,
            std::string part_id, int64_t now_ms, Reassembled* done);
  // Messages whose first part came more than the timeout before now, incomplete.
  std::vector<Reassembled> expire(int64_t now_ms);
  // The oldest open messages while more than max_open are open, incomplete.
  std::vector<Reassembled> overflow();
  // The earliest time expire() has something to do; nullopt when nothing is pending.
  std::optional<int64_t> next_deadline() const;
  std::size_t pending() const { return open_.size(); }

 private:
  struct Open {
    uint8_t data_coding = 0;
    int64_t first_at_ms = 0;
    std::map<uint8_t, std::pair<std::string, std::string>> parts;  // seq -> (payload, id)
  };
  static Reassembled finish(const PartKey& key, Open& open);

  int64_t timeout_ms_;
  std::size_t max_open_;
  std::map<PartKey, Open> open_;
};

}  // namespace sms
