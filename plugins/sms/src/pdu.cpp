#include "pdu.hpp"

#include <cstdio>

namespace sms {
namespace {

void put32(std::string& out, uint32_t v) {
  out.push_back(static_cast<char>((v >> 24) & 0xFF));
  out.push_back(static_cast<char>((v >> 16) & 0xFF));
  out.push_back(static_cast<char>((v >> 8) & 0xFF));
  out.push_back(static_cast<char>(v & 0xFF));
}
void put16(std::string& out, uint16_t v) {
  out.push_back(static_cast<char>((v >> 8) & 0xFF));
  out.push_back(static_cast<char>(v & 0xFF));
}
uint32_t get32(std::string_view b, std::size_t at) {
  return (static_cast<uint32_t>(static_cast<uint8_t>(b[at])) << 24) |
         (static_cast<uint32_t>(static_cast<uint8_t>(b[at + 1])) << 16) |
         (static_cast<uint32_t>(static_cast<uint8_t>(b[at + 2])) << 8) |
         static_cast<uint32_t>(static_cast<uint8_t>(b[at + 3]));
}

// A C-Octet String of at most max-1 characters plus its NUL; false when too long.
bool put_cstr(std::string& out, std::string_view s, std::size_t max) {
  if (s.size() + 1 > max || s.find('\0') != std::string_view::npos) return false;
  out.append(s);
  out.push_back('\0');
  return true;
}

// Reads fields front to back; every read checks the bounds, the first failure sticks.
class Reader {
 public:
  explicit Reader(std::string_view b) : b_(b) {}
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  std::size_t left() const { return b_.size() - at_; }

  uint8_t u8(const char* field) {
    if (!ok()) return 0;
    if (left() < 1) return fail(field, "is missing"), 0;
    return static_cast<uint8_t>(b_[at_++]);
  }
  std::string cstr(const char* field, std::size_t max) {
    if (!ok()) return {};
    std::size_t end = b_.find('\0', at_);
    if (end == std::string_view::npos) return fail(field, "has no terminating NUL"), std::string();
    if (end - at_ + 1 > max) return fail(field, "is longer than allowed"), std::string();
    std::string s(b_.substr(at_, end - at_));
    at_ = end + 1;
    return s;
  }
  std::string bytes(const char* field, std::size_t n) {
    if (!ok()) return {};
    if (left() < n) return fail(field, "runs past the end of the PDU"), std::string();
    std::string s(b_.substr(at_, n));
    at_ += n;
    return s;
  }
  std::vector<Tlv> tlvs() {
    std::vector<Tlv> out;
    while (ok() && left() > 0) {
      if (left() < 4) {
        fail("TLV", "header is truncated");
        break;
      }
      Tlv t;
      t.tag = static_cast<uint16_t>((static_cast<uint8_t>(b_[at_]) << 8) |
                                    static_cast<uint8_t>(b_[at_ + 1]));
      auto len = static_cast<std::size_t>((static_cast<uint8_t>(b_[at_ + 2]) << 8) |
                                          static_cast<uint8_t>(b_[at_ + 3]));
      at_ += 4;
      t.value = bytes("TLV value", len);
      if (ok()) out.push_back(std::move(t));
    }
    return out;
  }

 private:
  void fail(const char* field, const char* what) { error_ = std::string(field) + " " + what; }
  std::string_view b_;
  std::size_t at_ = 0;
  std::string error_;
};

// The fields submit_sm, deliver_sm and data_sm start with: service_type, both addresses, esm_class.
void read_addresses(Reader& r, ShortMessage& sm) {
  sm.service_type = r.cstr("service_type", 6);
  sm.source_ton = r.u8("source_addr_ton");
  sm.source_npi = r.u8("source_addr_npi");
  sm.source_addr = r.cstr("source_addr", 65);
  sm.dest_ton = r.u8("dest_addr_ton");
  sm.dest_npi = r.u8("dest_addr_npi");
  sm.dest_addr = r.cstr("destination_addr", 65);
  sm.esm_class = r.u8("esm_class");
}

// The TLVs after the mandatory fields, then the message or the first error.
std::optional<ShortMessage> finish_tlvs(Reader& r, ShortMessage sm, std::string* error) {
  sm.tlvs = r.tlvs();
  if (!r.ok()) {
    if (error != nullptr) *error = r.error();
    return std::nullopt;
  }
  return sm;
}

}  // namespace

std::string status_name(uint32_t s) {
  switch (s) {
    case status::kOk:
      return "ESME_ROK";
    case status::kInvMsgLen:
      return "ESME_RINVMSGLEN";
    case status::kInvCmdLen:
      return "ESME_RINVCMDLEN";
    case status::kInvCmdId:
      return "ESME_RINVCMDID";
    case status::kInvBndSts:
      return "ESME_RINVBNDSTS";
    case status::kAlyBnd:
      return "ESME_RALYBND";
    case status::kSysErr:
      return "ESME_RSYSERR";
    case status::kInvSrcAdr:
      return "ESME_RINVSRCADR";
    case status::kInvDstAdr:
      return "ESME_RINVDSTADR";
    case status::kBindFail:
      return "ESME_RBINDFAIL";
    case status::kInvPaswd:
      return "ESME_RINVPASWD";
    case status::kInvSysId:
      return "ESME_RINVSYSID";
    case status::kMsgQFul:
      return "ESME_RMSGQFUL";
    case status::kSubmitFail:
      return "ESME_RSUBMITFAIL";
    case status::kThrottled:
      return "ESME_RTHROTTLED";
    case status::kRxTAppn:
      return "ESME_RX_T_APPN";
    case status::kRxPAppn:
      return "ESME_RX_P_APPN";
    case status::kRxRAppn:
      return "ESME_RX_R_APPN";
    default:
      break;
  }
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08X", s);
  return buf;
}

std::string command_name(uint32_t id) {
  switch (id) {
    case cmd::kGenericNack:
      return "generic_nack";
    case cmd::kBindReceiver:
      return "bind_receiver";
    case cmd::kBindTransmitter:
      return "bind_transmitter";
    case cmd::kBindTransceiver:
      return "bind_transceiver";
    case cmd::kSubmitSm:
      return "submit_sm";
    case cmd::kDeliverSm:
      return "deliver_sm";
    case cmd::kUnbind:
      return "unbind";
    case cmd::kEnquireLink:
      return "enquire_link";
    case cmd::kDataSm:
      return "data_sm";
    case cmd::kAlertNotification:
      return "alert_notification";
    default:
      break;
  }
  if ((id & cmd::kRespBit) != 0 && id != cmd::kGenericNack) {
    return command_name(id & ~cmd::kRespBit) + "_resp";
  }
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08X", id);
  return buf;
}

std::string encode(const Pdu& pdu) {
  std::string out;
  out.reserve(kHeaderSize + pdu.body.size());
  put32(out, static_cast<uint32_t>(kHeaderSize + pdu.body.size()));
  put32(out, pdu.command_id);
  put32(out, pdu.status);
  put32(out, pdu.sequence);
  out += pdu.body;
  return out;
}

std::string encode_header_only(uint32_t command_id, uint32_t st, uint32_t sequence) {
  return encode(Pdu{command_id, st, sequence, {}});
}

FrameResult next_frame(std::string_view buffer, uint32_t max_size, Pdu* out,
                       std::size_t* consumed) {
  if (buffer.size() < 4) return FrameResult::kNeedMore;
  const uint32_t len = get32(buffer, 0);
  if (len < kHeaderSize || len > max_size) {
    if (buffer.size() >= kHeaderSize) {
      out->command_id = get32(buffer, 4);
      out->sequence = get32(buffer, 12);
    }
    return FrameResult::kBadLength;
  }
  if (buffer.size() < len) return FrameResult::kNeedMore;
  out->command_id = get32(buffer, 4);
  out->status = get32(buffer, 8);
  out->sequence = get32(buffer, 12);
  out->body.assign(buffer.substr(kHeaderSize, len - kHeaderSize));
  *consumed = len;
  return FrameResult::kPdu;
}

const Tlv* find_tlv(const std::vector<Tlv>& tlvs, uint16_t t) {
  for (const Tlv& x : tlvs) {
    if (x.tag == t) return &x;
  }
  return nullptr;
}

std::string encode_bind(const BindRequest& b, uint32_t sequence) {
  std::string body;
  // Over-long values are cut to their field size: the SMSC answers with a bind error we report.
  put_cstr(body, std::string_view(b.system_id).substr(0, 15), 16);
  put_cstr(body, std::string_view(b.password).substr(0, 64), 65);
  put_cstr(body, std::string_view(b.system_type).substr(0, 12), 13);
  body.push_back(0x34);
  body.push_back(static_cast<char>(b.addr_ton));
  body.push_back(static_cast<char>(b.addr_npi));
  put_cstr(body, std::string_view(b.address_range).substr(0, 40), 41);
  return encode(Pdu{b.command_id, 0, sequence, std::move(body)});
}

std::optional<BindRequest> decode_bind(const Pdu& pdu) {
  Reader r(pdu.body);
  BindRequest b;
  b.command_id = pdu.command_id;
  b.system_id = r.cstr("system_id", 16);
  b.password = r.cstr("password", 65);
  b.system_type = r.cstr("system_type", 13);
  r.u8("interface_version");
  b.addr_ton = r.u8("addr_ton");
  b.addr_npi = r.u8("addr_npi");
  b.address_range = r.cstr("address_range", 41);
  if (!r.ok()) return std::nullopt;
  return b;
}

std::optional<std::string> encode_short_message(const ShortMessage& sm) {
  std::string b;
  b.reserve(64 + sm.short_message.size());
  bool ok = put_cstr(b, sm.service_type, 6);
  b.push_back(static_cast<char>(sm.source_ton));
  b.push_back(static_cast<char>(sm.source_npi));
  ok = ok && put_cstr(b, sm.source_addr, 21);
  b.push_back(static_cast<char>(sm.dest_ton));
  b.push_back(static_cast<char>(sm.dest_npi));
  ok = ok && put_cstr(b, sm.dest_addr, 21);
  b.push_back(static_cast<char>(sm.esm_class));
  b.push_back(static_cast<char>(sm.protocol_id));
  b.push_back(static_cast<char>(sm.priority));
  ok = ok && put_cstr(b, sm.schedule_delivery_time, 17);
  ok = ok && put_cstr(b, sm.validity_period, 17);
  b.push_back(static_cast<char>(sm.registered_delivery));
  b.push_back(static_cast<char>(sm.replace_if_present));
  b.push_back(static_cast<char>(sm.data_coding));
  b.push_back(static_cast<char>(sm.sm_default_msg_id));
  if (!ok || sm.short_message.size() > 254) return std::nullopt;
  b.push_back(static_cast<char>(sm.short_message.size()));
  b += sm.short_message;
  for (const Tlv& t : sm.tlvs) {
    if (t.value.size() > 0xFFFF) return std::nullopt;
    put16(b, t.tag);
    put16(b, static_cast<uint16_t>(t.value.size()));
    b += t.value;
  }
  return b;
}

std::optional<ShortMessage> decode_short_message(std::string_view body, std::string* error) {
  Reader r(body);
  ShortMessage sm;
  read_addresses(r, sm);
  sm.protocol_id = r.u8("protocol_id");
  sm.priority = r.u8("priority_flag");
  sm.schedule_delivery_time = r.cstr("schedule_delivery_time", 17);
  sm.validity_period = r.cstr("validity_period", 17);
  sm.registered_delivery = r.u8("registered_delivery");
  sm.replace_if_present = r.u8("replace_if_present_flag");
  sm.data_coding = r.u8("data_coding");
  sm.sm_default_msg_id = r.u8("sm_default_msg_id");
  const uint8_t len = r.u8("sm_length");
  sm.short_message = r.bytes("short_message", len);
  return finish_tlvs(r, std::move(sm), error);
}

std::optional<ShortMessage> decode_data_sm(std::string_view body, std::string* error) {
  Reader r(body);
  ShortMessage sm;
  read_addresses(r, sm);
  sm.registered_delivery = r.u8("registered_delivery");
  sm.data_coding = r.u8("data_coding");
  return finish_tlvs(r, std::move(sm), error);
}

std::optional<std::string> decode_message_id(std::string_view body) {
  if (body.empty()) return std::string();
  Reader r(body);
  std::string id = r.cstr("message_id", 65);
  if (!r.ok()) return std::nullopt;
  return id;  // TLVs after it (3.4 allows some on data_sm_resp) are ignored
}

std::string encode_message_id_body(std::string_view message_id) {
  std::string b;
  put_cstr(b, message_id.substr(0, 64), 65);
  return b;
}

std::optional<UdhSplit> split_udh(std::string_view sm) {
  if (sm.empty()) return std::nullopt;
  const std::size_t udhl = static_cast<uint8_t>(sm[0]);
  if (udhl + 1 > sm.size()) return std::nullopt;
  UdhSplit out;
  out.udh.assign(sm.substr(0, udhl + 1));
  out.payload.assign(sm.substr(udhl + 1));
  std::size_t i = 1;
  while (i + 2 <= udhl + 1) {
    const auto iei = static_cast<uint8_t>(sm[i]);
    const std::size_t iedl = static_cast<uint8_t>(sm[i + 1]);
    if (i + 2 + iedl > udhl + 1) return std::nullopt;  // an IE runs past the header
    const auto* d = reinterpret_cast<const uint8_t*>(sm.data() + i + 2);
    if (iei == 0x00 && iedl == 3) {
      out.concat = ConcatInfo{false, d[0], d[1], d[2]};
    } else if (iei == 0x08 && iedl == 4) {
      out.concat = ConcatInfo{true, static_cast<uint16_t>((d[0] << 8) | d[1]), d[2], d[3]};
    }
    i += 2 + iedl;
  }
  return out;
}

std::string make_udh(const ConcatInfo& c) {
  std::string u;
  if (c.ref16) {
    u = {0x06,
         0x08,
         0x04,
         static_cast<char>(c.ref >> 8),
         static_cast<char>(c.ref & 0xFF),
         static_cast<char>(c.total),
         static_cast<char>(c.seq)};
  } else {
    u = {0x05,
         0x00,
         0x03,
         static_cast<char>(c.ref & 0xFF),
         static_cast<char>(c.total),
         static_cast<char>(c.seq)};
  }
  return u;
}

std::optional<ConcatInfo> sar_of(const std::vector<Tlv>& tlvs) {
  const Tlv* ref = find_tlv(tlvs, tag::kSarMsgRefNum);
  const Tlv* total = find_tlv(tlvs, tag::kSarTotalSegments);
  const Tlv* seq = find_tlv(tlvs, tag::kSarSegmentSeqnum);
  if (ref == nullptr || total == nullptr || seq == nullptr || ref->value.size() != 2 ||
      total->value.size() != 1 || seq->value.size() != 1) {
    return std::nullopt;
  }
  ConcatInfo c;
  c.ref16 = true;
  c.ref = static_cast<uint16_t>((static_cast<uint8_t>(ref->value[0]) << 8) |
                                static_cast<uint8_t>(ref->value[1]));
  c.total = static_cast<uint8_t>(total->value[0]);
  c.seq = static_cast<uint8_t>(seq->value[0]);
  return c;
}

}  // namespace sms
