// Normalised identities: the same person's address must compare equal however a provider spells it,
// so that one contact collects every channel (WhatsApp and SMS share the E.164 phone number).
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace sb::contacts {

enum class IdentityKind { kPhone, kEmail, kChannel };

std::string_view to_string(IdentityKind kind);

// Parses a phone number as a person or a provider writes it ("+49 30 1234567", "030 1234567",
// "4930 1234567" from WhatsApp's wa_id) and returns it in E.164 ("+49301234567"). Numbers without a
// leading '+' or international prefix are read in default_region (ISO 3166 alpha-2, e.g. "DE").
// Fails with kInvalidArgument when libphonenumber cannot parse it or it is not a possible number.
Result<std::string> normalize_phone(std::string_view raw, std::string_view default_region);

// Like normalize_phone, for providers that always send international digits without '+'
// (WhatsApp wa_id, SMPP source_addr with TON international).
Result<std::string> normalize_international_digits(std::string_view digits);

// Lower-cases and trims an e-mail address; strips a display name ("Ann <ann@x.org>").
// Fails when there is no single '@' with something on both sides.
Result<std::string> normalize_email(std::string_view raw);

}  // namespace sb::contacts
