// Which identity a sender address becomes. Phone numbers (also WhatsApp's wa_id) become E.164 and
// e-mail addresses are lower-cased, so one person is one contact across channels; any other kind
// is kept verbatim under the plugin's own kind string.
#pragma once

#include <string>
#include <string_view>

namespace sb::conversations {

// Identity kinds the resolver writes besides the plugin's own channel-specific kinds.
inline constexpr std::string_view kPhoneKind = "phone";
inline constexpr std::string_view kEmailKind = "email";
// A phone number or e-mail address that does not parse (an alphanumeric SMS sender "ACME", a short
// code, a malformed address) is kept, not dropped: kind "unparsed-phone"/"unparsed-email", address
// "<instance id>|<raw sender>". Scoped to the instance because such a sender means different
// people on different channels.
inline constexpr std::string_view kUnparsedPrefix = "unparsed-";
// A message without any sender: one contact per instance ("unknown-sender", instance id).
inline constexpr std::string_view kUnknownSenderKind = "unknown-sender";

struct IdentityKey {
  std::string kind, address;
  bool operator==(const IdentityKey&) const = default;
};

// from_kind "phone"/"msisdn" parse with default_region (ISO 3166 alpha-2; numbers with '+' or an
// international prefix need none); "whatsapp_id"/"wa_id" are international digits; "email" is an
// e-mail address; an empty kind is guessed ('@' means e-mail, else phone); any other kind is
// channel-specific and kept as given.
IdentityKey identity_for(std::string_view from, std::string_view from_kind,
                         std::string_view instance_id, std::string_view default_region);

}  // namespace sb::conversations
