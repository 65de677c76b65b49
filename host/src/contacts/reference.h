// Conversation reference numbers a customer can read out on the phone: "SB-7K3Q9X".
// The alphabet leaves out letters people confuse when spoken or handwritten (0/O, 1/I/L, 2/Z, 5/S,
// 8/B, U/V), and the last character is a check character so a mistyped reference is caught before
// it is looked up.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sb::contacts {

inline constexpr std::string_view kReferenceAlphabet = "34679ACDEFGHJKMNPQRTWXY";
inline constexpr std::string_view kReferencePrefix = "SB-";
inline constexpr int kReferenceBodyLength = 5;  // 23^5 ≈ 6.4 million, plus one check character

// Formats a reference from a random value (the caller draws it and retries on a UNIQUE collision).
std::string make_reference(uint64_t random_value);

// Accepts what a customer types or says ("sb 7k3q9x", "SB-7K3Q9X", "7k3q9x"), returns the canonical
// form, or nullopt when it is not a well-formed reference with a correct check character.
std::optional<std::string> parse_reference(std::string_view text);

// Finds the first well-formed reference inside free text ("my ref is SB-7K3Q9X, thanks").
std::optional<std::string> find_reference(std::string_view text);

}  // namespace sb::contacts
