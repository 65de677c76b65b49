// Normalised identities: the same person's address must compare equal however a provider spells it,
// so that one contact collects every channel (WhatsApp and SMS share the E.164 phone number).
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace sb::contacts {

enum class IdentityKind { kPhone, kEmail, kChannel };

std::string_view to_string(IdentityKind kind);

// The one phone normaliser of the host. Parses a phone number as a person or a provider writes it
// ("+49 30 1234567", "030 1234567", "0049 30 1234567", "4930 1234567") and returns it in E.164
// ("+49301234567"). Which reading applies (the chosen rule is logged at debug):
//  - a leading '+', "00" or default_region's international prefix ("011" in US): international;
//  - bare digits that form a valid number for their country code while they are not a valid
//    national number of default_region (ISO 3166 alpha-2, e.g. "DE") as written there:
//    international. "As written there" means with the trunk prefix where the region's national
//    format shows one (DE, GB: "030 123456"; without the "0" the digits are no German number as
//    a German writes it), with or without where it does not (US "(415) 555-2671", BR
//    "(11) 91234-5678"). So DE's "5511912345678" is +55 11 91234-5678 (BR), not +49 5511912345678;
//  - anything else, including digits valid both ways (BR's "4933612345" is a Brazilian number
//    and, with '+', a German one): national in default_region.
// Fails with kInvalidArgument when libphonenumber cannot parse it or it is not a possible number.
Result<std::string> normalize_phone(std::string_view raw, std::string_view default_region);

// Like normalize_phone, for providers that always send international digits without '+'
// (WhatsApp wa_id, SMPP source_addr with TON international).
Result<std::string> normalize_international_digits(std::string_view digits);

// Lower-cases and trims an e-mail address; strips a display name ("Ann <ann@x.org>").
// Fails when there is no single '@' with something on both sides.
Result<std::string> normalize_email(std::string_view raw);

}  // namespace sb::contacts
