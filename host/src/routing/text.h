// Text helpers of the routing rules: keyword matching, a small language guess and placeholder
// rendering for auto-replies and canned responses.
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>

namespace sb::routing {

// Whether `keyword` (one word or a phrase) occurs in `text` as whole words, ASCII letters compared
// case-insensitively ("Refund" matches "refund?" but not "refunds"). Bytes of multi-byte UTF-8
// characters count as letters, so a keyword never matches inside a longer non-ASCII word.
bool contains_keyword(std::string_view text, std::string_view keyword);
bool contains_any_keyword(std::string_view text, std::span<const std::string> keywords);

// Whether a message language matches a rule's language: equal primary subtags, ignoring case
// ("de" matches "de-AT" and "DE").
bool same_language(std::string_view message_language, std::string_view rule_language);

// A best guess at the language of short customer text from common function words: "en", "de",
// "fr", "es", "it", "nl", "pt", or "" when there is too little to tell.
std::string guess_language(std::string_view text);

using Placeholders = std::map<std::string, std::string, std::less<>>;

inline constexpr size_t kMaxPlaceholderValue = 256;

// Replaces "{{name}}" (spaces inside the braces allowed) with its value. An unknown name is left
// exactly as written; values are inserted once and never scanned again, so a contact named
// "{{conversation.reference}}" stays that text. Control characters in values become spaces and a
// value is cut at kMaxPlaceholderValue bytes (on a UTF-8 character boundary).
std::string render(std::string_view tmpl, const Placeholders& values);

}  // namespace sb::routing
