#include "reassembly.hpp"

#include "text.hpp"

namespace sms {

std::string PartKey::str() const {
  return source + ">" + destination + "/" + (ref16 ? "16:" : "8:") + std::to_string(ref) + "/" +
         std::to_string(total);
}

Reassembler::Added Reassembler::add(const PartKey& key, uint8_t seq, uint8_t data_coding,
                                    std::string payload, std::string part_id, int64_t now_ms,
                                    Reassembled* done) {
  auto [it, fresh] = open_.try_emplace(key);
  Open& o = it->second;
  if (fresh) {
    o.data_coding = data_coding;
    o.first_at_ms = now_ms;
  }
  if (!o.parts.try_emplace(seq, std::move(payload), std::move(part_id)).second) {
    return Added::kDuplicate;
  }
  if (o.parts.size() < key.total) return Added::kStored;
  *done = finish(key, o);
  open_.erase(it);
  return Added::kComplete;
}

Reassembled Reassembler::finish(const PartKey& key, Open& o) {
  Reassembled r;
  r.key = key;
  r.data_coding = o.data_coding;
  r.first_at_ms = o.first_at_ms;
  // Contiguous runs of parts are joined as octets and decoded once; a gap becomes U+2026.
  std::string run;
  for (uint8_t seq = 1; seq <= key.total && seq != 0; ++seq) {
    auto p = o.parts.find(seq);
    if (p == o.parts.end()) {
      r.text += decode_text(o.data_coding, run);
      run.clear();
      r.text += "\xE2\x80\xA6";
      r.missing.push_back(seq);
      continue;
    }
    run += p->second.first;
    r.part_ids.push_back(p->second.second);
  }
  r.text += decode_text(o.data_coding, run);
  return r;
}

std::vector<Reassembled> Reassembler::expire(int64_t now_ms) {
  std::vector<Reassembled> out;
  for (auto it = open_.begin(); it != open_.end();) {
    if (now_ms - it->second.first_at_ms >= timeout_ms_) {
      out.push_back(finish(it->first, it->second));
      it = open_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

std::vector<Reassembled> Reassembler::overflow() {
  std::vector<Reassembled> out;
  while (open_.size() > max_open_) {
    auto oldest = open_.begin();
    for (auto it = open_.begin(); it != open_.end(); ++it) {
      if (it->second.first_at_ms < oldest->second.first_at_ms) oldest = it;
    }
    out.push_back(finish(oldest->first, oldest->second));
    open_.erase(oldest);
  }
  return out;
}

std::optional<int64_t> Reassembler::next_deadline() const {
  std::optional<int64_t> best;
  for (const auto& [k, o] : open_) {
    int64_t d = o.first_at_ms + timeout_ms_;
    if (!best || d < *best) best = d;
  }
  return best;
}

}  // namespace sms
