// What the SMSC delivers: receipts become delivery reports, MO messages are stored through
// submit_inbound before the deliver_sm_resp (answered ESME_RX_T_APPN when the store is unavailable,
// so the SMSC redelivers). Parts of multipart MO are kept in the instance's key-value store until
// the message is complete, so an acknowledged part survives a restart.
#include "address.hpp"
#include "sms_channel.hpp"
#include "text.hpp"

#include <switchboard/json.hpp>

#include <cstdio>

namespace sms {
namespace {

namespace json = switchboard::json;

constexpr std::string_view kOpenIndex = "mo-open";

std::string fnv_hex(std::string_view s) {
  uint64_t h = 1469598103934665603ULL;
  for (char c : s) {
    h ^= static_cast<uint8_t>(c);
    h *= 1099511628211ULL;
  }
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::string unhex(std::string_view h) {
  std::string out;
  auto val = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (std::size_t i = 0; i + 1 < h.size(); i += 2) {
    int hi = val(h[i]), lo = val(h[i + 1]);
    if (hi < 0 || lo < 0) return {};
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

// The message text octets: message_payload when short_message is empty, else short_message.
std::string payload_of(const ShortMessage& sm) {
  if (sm.short_message.empty()) {
    if (const Tlv* t = find_tlv(sm.tlvs, tag::kMessagePayload)) return t->value;
  }
  return sm.short_message;
}

}  // namespace

uint32_t SmsChannel::on_deliver(const ShortMessage& sm, uint32_t) {
  return is_receipt(sm.esm_class) ? on_receipt(sm) : on_mo(sm);
}

void SmsChannel::report(const ReceiptUpdate& u) {
  sw::DeliveryReport r;
  r.status = u.status;
  r.message_id = u.message_id;
  r.provider_message_id = u.part_id;
  r.timestamp_ms = parse_receipt_date(u.receipt.done_date);
  if (map_stat(u.receipt.stat).status == SB_DELIVERY_FAILED) {
    r.error_code = u.receipt.stat + (u.receipt.err.empty() ? "" : ":" + u.receipt.err);
    r.error_text = "part " + std::to_string(u.part + 1) + " of " + std::to_string(u.parts) + ": " +
                   u.receipt.stat + (u.receipt.err.empty() ? "" : " (err " + u.receipt.err + ")");
  }
  r.extra_json = u.extra_json;
  const int32_t rc = host().report_delivery(r);
  if (rc != SB_OK) {
    host().warn("sms: receipt for message " + std::to_string(u.message_id) +
                " not recorded: status " + std::to_string(rc));
  }
  std::lock_guard lock(mu_);
  ++receipts_matched_;
}

uint32_t SmsChannel::on_receipt(const ShortMessage& sm) {
  std::string text = payload_of(sm);
  if (has_udh(sm.esm_class)) {
    if (auto s = split_udh(text)) text = s->payload;
  }
  auto r = parse_receipt(text, sm.tlvs);
  if (!r) {
    std::string shown = hex(text.substr(0, 120));
    host().warn("sms: unparsable delivery receipt from " + sm.source_addr +
                " acknowledged and "
                "dropped (hex: " +
                shown + ")");
    std::lock_guard lock(mu_);
    ++receipts_bad_;
    return status::kOk;
  }
  ReceiptUpdate u;
  if (receipts_.apply(*r, host().now_ms(), &u) == ReceiptTracker::Applied::kUpdate) report(u);
  return status::kOk;
}

std::string SmsChannel::mo_id(std::string_view fingerprint) {
  const int64_t now = host().now_ms();
  const std::string h = fnv_hex(fingerprint);
  if (config_.mo_dedupe_window_ms == 0) return "mo-" + h + "-" + std::to_string(now);
  int64_t first = 0;
  if (auto it = mo_seen_.find(h); it != mo_seen_.end()) {
    first = it->second;
  } else if (auto v = host().kv_get("mod:" + h)) {
    first = std::atoll(v->c_str());
  }
  if (first == 0 || now - first >= config_.mo_dedupe_window_ms) {
    first = now;
    host().kv_put("mod:" + h, std::to_string(first));
  }
  mo_seen_[h] = first;
  return "mo-" + h + "-" + std::to_string(first);
}

uint32_t SmsChannel::store_mo(const ShortMessage& sm, const std::string& id, std::string text,
                              std::string payload_json, std::string raw) {
  MoIdentity who = mo_identity(sm.source_addr, sm.source_ton);
  sw::InboundMessage m;
  m.provider_message_id(id)
      .from(who.from, who.from_kind)
      .to(sm.dest_addr)
      .content_type("text")
      .text(std::move(text))
      .payload_json(std::move(payload_json))
      .raw(std::move(raw));
  const int32_t rc = host().submit_inbound(m);
  if (rc == SB_OK || rc == SB_DUPLICATE) {
    std::lock_guard lock(mu_);
    ++(rc == SB_OK ? mo_stored_ : mo_duplicates_);
    return status::kOk;
  }
  host().warn("sms: MO from " + sm.source_addr + " not stored (status " + std::to_string(rc) +
              "); answering " + (rc == SB_ERR_INVALID_ARG ? "ESME_RX_P_APPN" : "ESME_RX_T_APPN"));
  return rc == SB_ERR_INVALID_ARG ? status::kRxPAppn : status::kRxTAppn;
}

uint32_t SmsChannel::on_mo(const ShortMessage& sm) {
  std::string octets = payload_of(sm);
  std::optional<ConcatInfo> concat;
  std::string note;
  if (has_udh(sm.esm_class)) {
    if (auto s = split_udh(octets)) {
      octets = s->payload;
      concat = s->concat;
    } else {
      note = "invalid UDH: the whole short_message was decoded as text";
    }
  }
  if (!concat) concat = sar_of(sm.tlvs);
  if (concat && concat->total > 1 && concat->seq >= 1 && concat->seq <= concat->total) {
    return on_mo_part(sm, *concat, std::move(octets));
  }
  bool binary = false;
  std::string text = decode_text(sm.data_coding, octets, &binary);
  json::Value pj = json::Value::object();
  pj.set("data_coding", static_cast<int64_t>(sm.data_coding));
  pj.set("source_ton", static_cast<int64_t>(sm.source_ton));
  if (binary) pj.set("binary", true);
  if (!note.empty()) pj.set("note", note);
  const std::string fp = sm.source_addr + "|" + sm.dest_addr + "|" + std::to_string(sm.esm_class) +
                         "|" + std::to_string(sm.data_coding) + "|" + payload_of(sm);
  return store_mo(sm, mo_id(fp), std::move(text), pj.dump(), hex(payload_of(sm)));
}

uint32_t SmsChannel::on_mo_part(const ShortMessage& sm, const ConcatInfo& c, std::string payload) {
  PartKey key{sm.source_addr, sm.dest_addr, c.ref16, c.ref, c.total};
  const std::string kv_key = "mo:" + key.str();
  const int64_t now = host().now_ms();
  // Durable first: the part is in the key-value store before it is acknowledged.
  json::Value rec = json::Value::object();
  if (auto v = host().kv_get(kv_key)) {
    if (auto parsed = json::parse(*v); parsed && parsed->is_object()) rec = std::move(*parsed);
  }
  if (rec.find("source") == nullptr) {
    rec.set("source", sm.source_addr);
    rec.set("source_ton", static_cast<int64_t>(sm.source_ton));
    rec.set("destination", sm.dest_addr);
    rec.set("ref16", c.ref16);
    rec.set("ref", static_cast<int64_t>(c.ref));
    rec.set("total", static_cast<int64_t>(c.total));
    rec.set("data_coding", static_cast<int64_t>(sm.data_coding));
    rec.set("first_at", now);
    rec.set("parts", json::Value::object());
  }
  const std::string seq = std::to_string(c.seq);
  const json::Value* parts = rec.find("parts");
  if (parts != nullptr && parts->find(seq) != nullptr) return status::kOk;  // duplicate part
  json::Value updated_parts = parts != nullptr ? *parts : json::Value::object();
  updated_parts.set(seq, hex(payload));
  rec.set("parts", std::move(updated_parts));
  const bool fresh = reassembler_.pending() == 0 || rec.find("first_at")->as_int() == now;
  if (host().kv_put(kv_key, rec.dump()) != SB_OK) return status::kRxTAppn;
  if (fresh) {
    json::Value index = json::Value::array();
    if (auto v = host().kv_get(kOpenIndex)) {
      if (auto p = json::parse(*v); p && p->is_array()) index = std::move(*p);
    }
    bool listed = false;
    for (const auto& k : index.items()) listed = listed || k.as_string() == kv_key;
    if (!listed) index.push(kv_key);
    if (host().kv_put(kOpenIndex, index.dump()) != SB_OK) return status::kRxTAppn;
  }
  Reassembled done;
  auto added = reassembler_.add(key, c.seq, sm.data_coding, std::move(payload),
                                sm.source_addr + "#" + seq, rec.find("first_at")->as_int(), &done);
  // Too many open at once (a flood of single parts): the oldest are stored as they are.
  for (const Reassembled& r : reassembler_.overflow()) store_reassembled(r);
  if (added != Reassembler::Added::kComplete) return status::kOk;
  store_reassembled(done);
  return status::kOk;
}

void SmsChannel::store_reassembled(const Reassembled& r) {
  const std::string kv_key = "mo:" + r.key.str();
  uint8_t ton = 1;
  if (auto v = host().kv_get(kv_key)) {
    if (auto p = json::parse(*v)) {
      if (const json::Value* t = p->find("source_ton")) ton = static_cast<uint8_t>(t->as_int());
    }
  }
  ShortMessage sm;
  sm.source_addr = r.key.source;
  sm.source_ton = ton;
  sm.dest_addr = r.key.destination;
  json::Value pj = json::Value::object();
  pj.set("data_coding", static_cast<int64_t>(r.data_coding));
  pj.set("parts", static_cast<int64_t>(r.key.total));
  if (!r.missing.empty()) {
    json::Value missing = json::Value::array();
    for (uint8_t m : r.missing) missing.push(static_cast<int64_t>(m));
    pj.set("incomplete", true);
    pj.set("missing_parts", std::move(missing));
    pj.set("note",
           "stored incomplete (timeout or too many open): " + std::to_string(r.missing.size()) +
               " of " + std::to_string(r.key.total) + " parts never arrived");
  }
  const std::string id = "mo-" + fnv_hex(r.key.str()) + "-" + std::to_string(r.first_at_ms);
  if (store_mo(sm, id, r.text, pj.dump(), "") != status::kOk) {
    host().error("sms: reassembled MO " + r.key.str() + " not stored; its parts stay kept");
    return;
  }
  host().kv_delete(kv_key);
  if (auto v = host().kv_get(kOpenIndex)) {
    json::Value index = json::Value::array();
    if (auto p = json::parse(*v); p && p->is_array()) {
      for (const auto& k : p->items()) {
        if (k.as_string() != kv_key) index.push(k);
      }
    }
    host().kv_put(kOpenIndex, index.dump());
  }
}

void SmsChannel::restore_parts() {
  auto v = host().kv_get(kOpenIndex);
  if (!v) return;
  auto index = json::parse(*v);
  if (!index || !index->is_array()) return;
  for (const auto& k : index->items()) {
    auto rec_text = host().kv_get(k.as_string());
    if (!rec_text) continue;
    auto rec = json::parse(*rec_text);
    if (!rec || !rec->is_object()) continue;
    auto get = [&](const char* f) -> const json::Value& {
      static const json::Value kNull;
      const json::Value* x = rec->find(f);
      return x != nullptr ? *x : kNull;
    };
    PartKey key{get("source").as_string(), get("destination").as_string(), get("ref16").as_bool(),
                static_cast<uint16_t>(get("ref").as_int()),
                static_cast<uint8_t>(get("total").as_int())};
    for (const auto& [seq, hexed] : get("parts").members()) {
      Reassembled done;
      reassembler_.add(key, static_cast<uint8_t>(std::atoi(seq.c_str())),
                       static_cast<uint8_t>(get("data_coding").as_int()), unhex(hexed.as_string()),
                       key.source + "#" + seq, get("first_at").as_int(), &done);
    }
  }
}

void SmsChannel::on_tick() {
  const int64_t now = host().now_ms();
  for (const Receipt& r : receipts_.expire(now)) {
    // Not sent by this run: a message of an earlier run that the host knows by this id.
    sw::DeliveryReport rep;
    const ReceiptStatus st = map_stat(r.stat);
    rep.status = st.status;
    rep.provider_message_id = r.id;
    rep.timestamp_ms = parse_receipt_date(r.done_date);
    if (st.status == SB_DELIVERY_FAILED) rep.error_code = r.stat;
    if (host().report_delivery(rep) == SB_OK) {
      std::lock_guard lock(mu_);
      ++receipts_matched_;
      continue;
    }
    host().info("sms: delivery receipt for unknown message id " + r.id + " (" + r.stat +
                ") dropped");
    std::lock_guard lock(mu_);
    ++receipts_unmatched_;
  }
  for (const Reassembled& r : reassembler_.expire(now)) store_reassembled(r);
  for (auto it = mo_seen_.begin(); it != mo_seen_.end();) {
    it = now - it->second >= config_.mo_dedupe_window_ms ? mo_seen_.erase(it) : std::next(it);
  }
}

}  // namespace sms
