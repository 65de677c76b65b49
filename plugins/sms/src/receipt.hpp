// Delivery receipts (SMPP 3.4 Appendix B and the receipted_message_id / message_state TLVs), the
// mapping of their states to the host's delivery statuses, and the carrier quirks of receipt ids
// (hex versus decimal, case, leading zeros).
#pragma once

#include "pdu.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sms {

struct Receipt {
  std::string id;    // the SMSC's message id of the part
  std::string stat;  // upper case: DELIVRD, UNDELIV, ... (from message_state when only the TLV)
  std::string err;   // opaque network/SMSC code, may be empty
  std::string submit_date, done_date;  // YYMMDDhhmm[ss] as given, may be empty
  std::string text;
  int message_state = 0;  // the TLV's value, 0 when absent
};

// Parses a receipt from its text and TLVs; TLVs win over the text. nullopt when neither gives an
// id and a state.
std::optional<Receipt> parse_receipt(std::string_view text, const std::vector<Tlv>& tlvs);

// The stat word of a message_state value (1 ENROUTE ... 8 REJECTD), "" for an unknown one.
std::string_view stat_of_state(int message_state);

struct ReceiptStatus {
  int32_t status;  // SB_DELIVERY_*
  bool final;
};
// DELIVRD -> delivered (final); ENROUTE/ACCEPTD/BUFFRED/ACKED -> sent; EXPIRED, DELETED, UNDELIV,
// UNKNOWN, REJECTD, FAILED -> failed (final). Unknown words -> sent, not final.
ReceiptStatus map_stat(std::string_view stat);

// Forms of an id under which a receipt may name it: exact, lower case, leading zeros stripped.
std::string normalize_id(std::string_view id);
// The other base's reading of a pure hex or decimal id (hex->decimal and decimal->hex, both
// normalized); empty entries when it is not a number of that base or is too long.
std::vector<std::string> alternate_ids(std::string_view id);

// "YYMMDDhhmm[ss]" (UTC) as Unix ms; 0 when it does not parse.
int64_t parse_receipt_date(std::string_view d);

}  // namespace sms
