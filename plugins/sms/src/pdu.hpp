// SMPP 3.4 PDUs: framing of the byte stream, the header, and the bodies the ESME sends and reads
// (bind, submit_sm, deliver_sm, data_sm, responses, generic_nack). Pure functions over bytes; the
// session (session.hpp) owns sockets and state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sms {

namespace cmd {
inline constexpr uint32_t kGenericNack = 0x80000000;
inline constexpr uint32_t kBindReceiver = 0x00000001;
inline constexpr uint32_t kBindTransmitter = 0x00000002;
inline constexpr uint32_t kQuerySm = 0x00000003;
inline constexpr uint32_t kSubmitSm = 0x00000004;
inline constexpr uint32_t kDeliverSm = 0x00000005;
inline constexpr uint32_t kUnbind = 0x00000006;
inline constexpr uint32_t kBindTransceiver = 0x00000009;
inline constexpr uint32_t kOutbind = 0x0000000B;
inline constexpr uint32_t kEnquireLink = 0x00000015;
inline constexpr uint32_t kAlertNotification = 0x00000102;
inline constexpr uint32_t kDataSm = 0x00000103;
inline constexpr uint32_t kRespBit = 0x80000000;
}  // namespace cmd

namespace status {
inline constexpr uint32_t kOk = 0x00;
inline constexpr uint32_t kInvMsgLen = 0x01;
inline constexpr uint32_t kInvCmdLen = 0x02;
inline constexpr uint32_t kInvCmdId = 0x03;
inline constexpr uint32_t kInvBndSts = 0x04;
inline constexpr uint32_t kAlyBnd = 0x05;
inline constexpr uint32_t kSysErr = 0x08;
inline constexpr uint32_t kInvSrcAdr = 0x0A;
inline constexpr uint32_t kInvDstAdr = 0x0B;
inline constexpr uint32_t kBindFail = 0x0D;
inline constexpr uint32_t kInvPaswd = 0x0E;
inline constexpr uint32_t kInvSysId = 0x0F;
inline constexpr uint32_t kMsgQFul = 0x14;
inline constexpr uint32_t kSubmitFail = 0x45;
inline constexpr uint32_t kThrottled = 0x58;
inline constexpr uint32_t kRxTAppn = 0x64;
inline constexpr uint32_t kRxPAppn = 0x65;
inline constexpr uint32_t kRxRAppn = 0x66;
}  // namespace status

// The name of a command_status ("ESME_RTHROTTLED"), or "0x000000NN" for one without a name here.
std::string status_name(uint32_t status);
std::string command_name(uint32_t command_id);

namespace tag {
inline constexpr uint16_t kReceiptedMessageId = 0x001E;
inline constexpr uint16_t kSarMsgRefNum = 0x020C;
inline constexpr uint16_t kSarTotalSegments = 0x020E;
inline constexpr uint16_t kSarSegmentSeqnum = 0x020F;
inline constexpr uint16_t kNetworkErrorCode = 0x0423;
inline constexpr uint16_t kMessagePayload = 0x0424;
inline constexpr uint16_t kMessageState = 0x0427;
}  // namespace tag

inline constexpr uint32_t kHeaderSize = 16;
inline constexpr uint32_t kDefaultMaxPduSize = 70000;

struct Pdu {
  uint32_t command_id = 0;
  uint32_t status = 0;
  uint32_t sequence = 0;
  std::string body;  // everything after the 16-octet header
};

// Header + body as bytes.
std::string encode(const Pdu& pdu);
// A header-only PDU (enquire_link, unbind, their responses, generic_nack, error responses).
std::string encode_header_only(uint32_t command_id, uint32_t status, uint32_t sequence);

enum class FrameResult {
  kPdu,       // *out holds a PDU; *consumed octets of the buffer were used
  kNeedMore,  // not a whole PDU yet
  kBadLength  // command_length < 16 or above the maximum: the stream position is lost
};
// Takes the next PDU off the front of `buffer`. For kBadLength, out->command_id/sequence hold what
// the header said (when at least 16 octets were there) so the answer can echo them.
FrameResult next_frame(std::string_view buffer, uint32_t max_size, Pdu* out, std::size_t* consumed);

struct Tlv {
  uint16_t tag = 0;
  std::string value;
};
const Tlv* find_tlv(const std::vector<Tlv>& tlvs, uint16_t tag);

struct BindRequest {
  uint32_t command_id = cmd::kBindTransceiver;
  std::string system_id, password, system_type;
  uint8_t addr_ton = 0, addr_npi = 0;
  std::string address_range;
};
std::string encode_bind(const BindRequest& bind, uint32_t sequence);
std::optional<BindRequest> decode_bind(const Pdu& pdu);

// The 18 mandatory fields shared by submit_sm and deliver_sm, and the TLVs after them.
struct ShortMessage {
  std::string service_type;
  uint8_t source_ton = 0, source_npi = 0;
  std::string source_addr;
  uint8_t dest_ton = 0, dest_npi = 0;
  std::string dest_addr;
  uint8_t esm_class = 0, protocol_id = 0, priority = 0;
  std::string schedule_delivery_time, validity_period;
  uint8_t registered_delivery = 0, replace_if_present = 0, data_coding = 0, sm_default_msg_id = 0;
  std::string short_message;  // UDH (if esm_class & 0x40) + payload octets
  std::vector<Tlv> tlvs;
};
// The body of a submit_sm or deliver_sm. Returns nullopt when a field is too long.
std::optional<std::string> encode_short_message(const ShortMessage& sm);
// The body of a submit_sm / deliver_sm. nullopt (with *error) when a field runs past the body, a
// C-string has no terminator within its maximum, or a TLV is truncated.
std::optional<ShortMessage> decode_short_message(std::string_view body, std::string* error);
// The body of a data_sm (mandatory fields then TLVs) as a ShortMessage: its text is in
// message_payload.
std::optional<ShortMessage> decode_data_sm(std::string_view body, std::string* error);

// The message_id of a *_resp: an absent body (error responses), a lone NUL and a C-string are
// all accepted. nullopt when the body is malformed.
std::optional<std::string> decode_message_id(std::string_view body);
// deliver_sm_resp / data_sm_resp / submit_sm_resp bodies: message_id C-string.
std::string encode_message_id_body(std::string_view message_id);

// esm_class helpers (SMPP 3.4 §5.2.12).
inline bool is_receipt(uint8_t esm_class) {
  return (esm_class & 0x3C) == 0x04;
}
inline bool has_udh(uint8_t esm_class) {
  return (esm_class & 0x40) != 0;
}

// Concatenation facts of a message part, from its UDH or its sar_* TLVs.
struct ConcatInfo {
  bool ref16 = false;
  uint16_t ref = 0;
  uint8_t total = 0;
  uint8_t seq = 0;
};
// Splits `short_message` into UDH (with its length octet) and payload. nullopt when the UDH length
// runs past the message.
struct UdhSplit {
  std::string udh, payload;
  std::optional<ConcatInfo> concat;  // from IEI 0x00 or 0x08
};
std::optional<UdhSplit> split_udh(std::string_view short_message);
std::string make_udh(const ConcatInfo& c);
std::optional<ConcatInfo> sar_of(const std::vector<Tlv>& tlvs);

}  // namespace sms
