// Small helpers shared by the WhatsApp channel: JSON member access that tolerates missing or
// mistyped fields, digit handling for phone numbers, and list joining for error messages.
#pragma once

#include <switchboard/json.hpp>
#include <switchboard/sdk.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wa {

namespace sw = switchboard;
namespace json = switchboard::json;

// The string member `key` of `obj`, or "" when absent or not a string.
std::string str_of(const json::Value& obj, std::string_view key);
// Numbers Meta sends as strings ("timestamp": "1749416383") or as integers (entry[].time).
std::optional<int64_t> int_of(const json::Value& obj, std::string_view key);
// The member if it is an object/array, else a shared empty value.
const json::Value& obj_of(const json::Value& obj, std::string_view key);
const json::Value& arr_of(const json::Value& obj, std::string_view key);

std::optional<json::Value> parse_json(std::string_view text);

// Only the digits of `s` ("+1 (650) 555-1234" -> "16505551234").
std::string digits_only(std::string_view s);
bool all_digits(std::string_view s);
std::string upper(std::string_view s);
std::string lower(std::string_view s);

std::string join(const std::vector<std::string>& parts, std::string_view sep);

// Counts code points, as Meta's length limits do, not bytes.
std::size_t utf8_length(std::string_view s);

}  // namespace wa
