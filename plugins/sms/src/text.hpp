// Text encodings of SMS: GSM 03.38 default alphabet with its extension table (unpacked, one septet
// per octet), UCS-2 as UTF-16BE (surrogate pairs for characters beyond the BMP) and Latin-1; the
// choice of encoding for a text, its split into parts that never cut an escape or surrogate pair,
// and the decoding of what an SMSC delivers (any data_coding, never failing).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sms {

enum class Encoding { kGsm7, kUcs2, kLatin1 };
std::string_view to_string(Encoding e);
uint8_t data_coding_of(Encoding e);  // 0x00, 0x08, 0x03

// How long messages travel: UDH with an 8-bit or 16-bit reference, sar_* TLVs, or the whole text
// in message_payload (the SMSC splits).
enum class Concat { kUdh8, kUdh16, kSar, kPayload };
std::string_view to_string(Concat c);
std::optional<Concat> concat_from(std::string_view name);

// Code points of a UTF-8 string; nullopt when it is not valid UTF-8.
std::optional<std::vector<char32_t>> utf8_decode(std::string_view s);
void utf8_append(std::string& out, char32_t cp);

// The GSM 03.38 octets (unpacked) of one character: one octet, or ESC + one for the extension
// table; empty when the character has no GSM form.
std::string gsm_encode_char(char32_t cp);
// GSM 03.38 unpacked octets to UTF-8. ESC + an unknown septet reads as the base character, ESC ESC
// as a space; a trailing lone ESC is dropped; octets above 0x7F are masked to 7 bits.
std::string gsm_decode(std::string_view octets);
std::string ucs2_decode(std::string_view octets);    // UTF-16BE; lone surrogates become U+FFFD
std::string latin1_decode(std::string_view octets);  // ISO-8859-1
std::string hex(std::string_view bytes);             // lower-case hex, for binary content

// What an SMSC's data_coding means for decoding (SMPP 3.4 §5.2.19 and the GSM data coding groups).
enum class Decoding { kGsm7, kAscii, kLatin1, kUcs2, kBinary };
Decoding decoding_of(uint8_t data_coding);
// The text of an MO payload (UDH removed). Binary content comes back as hex with *binary set.
std::string decode_text(uint8_t data_coding, std::string_view octets, bool* binary = nullptr);

struct SplitOptions {
  bool allow_latin1 = false;  // use Latin-1 (140 chars) instead of UCS-2 when it fits
  Concat concat = Concat::kUdh8;
  int max_parts = 10;
};

// A text encoded and split for submit_sm: the payload octets of each part (without UDH).
struct Plan {
  Encoding encoding = Encoding::kGsm7;
  uint8_t data_coding = 0;
  std::vector<std::string> parts;
  std::size_t units = 0;           // septets (GSM), UTF-16 units (UCS-2) or octets (Latin-1)
  std::size_t characters = 0;      // code points of the text
  std::size_t units_left = 0;      // room left in the last part, in the same units
  std::size_t units_per_part = 0;  // capacity of one part of this message
};

// Encodes and splits `utf8`. Errors (as text): invalid UTF-8, empty text, more parts than allowed.
struct PlanError {
  std::string message;
};
std::optional<Plan> plan_text(std::string_view utf8, const SplitOptions& options,
                              PlanError* error = nullptr);

// Capacity of one part in units for an encoding: single (whole message in one PDU) or per part of
// a concatenated message.
std::size_t single_capacity(Encoding e);
std::size_t part_capacity(Encoding e, Concat c);

}  // namespace sms
