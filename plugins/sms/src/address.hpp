// SMPP addresses: recipients in E.164 (TON 1 / NPI 1, digits without '+'), national numbers
// completed with the instance's calling code, short codes (TON 3), and alphanumeric sender IDs
// (TON 5 / NPI 0); and the identity of an MO sender as the host understands it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sms {

struct Address {
  std::string addr;
  uint8_t ton = 1, npi = 1;
};

// A recipient: "+447700900123", "00447700900123", "447700900123" (international digits),
// "07700 900123" (national, needs default_country), or a short code of 3-8 digits.
std::optional<Address> destination_of(std::string_view to, std::string_view default_country,
                                      std::string* error);
// A sender: E.164 ("+..."), a short code (3-8 digits), or 1-11 letters, digits and spaces with at
// least one letter (alphanumeric).
std::optional<Address> sender_of(std::string_view from, std::string* error);

// The sender of an MO as the host's "phone" identity: "+digits" for TON 1, the digits as given
// for national/unknown TON (the host normalises them with its region); from_kind "phone", or
// "sms_alphanumeric" for TON 5.
struct MoIdentity {
  std::string from, from_kind;
};
MoIdentity mo_identity(std::string_view source_addr, uint8_t ton);

}  // namespace sms
