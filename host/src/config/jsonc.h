// A strict JSON parser that also accepts // and /* */ comments, with line/column in every error.
// Poco 1.11's own comment support rejects comments after values and its errors carry no position,
// and its number parsing wraps integers past 2^64 silently; so the config loader and the API's
// request bodies parse with this and hand Poco::JSON objects to the rest of the code.
#pragma once

#include <string>
#include <string_view>

#include <Poco/Dynamic/Var.h>

#include "core/status.h"

namespace sb::config {

// Objects become Poco::JSON::Object::Ptr (key order preserved; a repeated key is an error), arrays
// Poco::JSON::Array::Ptr, integers Int64, other numbers double, strings std::string, true/false
// bool, null an empty Var. Refused: integers outside 64 bits and numbers past a double's range
// (never wrapped or rounded), strings that are not valid UTF-8 (overlongs, surrogates, escaped
// lone surrogates, past U+10FFFF) or that hold \u0000.
// Errors: "line L, column C: what", with " (at $.path)" after the column for a value's content.
// When error_field is given and the error is about a value's content (a number's range, a string's
// text) rather than the syntax, it receives the value's place ("other_id", "to.address",
// "items[2]").
sb::Result<Poco::Dynamic::Var> parse_jsonc(std::string_view text,
                                           std::string* error_field = nullptr);

// The same without comments: RFC 8259 JSON, for request bodies.
sb::Result<Poco::Dynamic::Var> parse_json(std::string_view text,
                                          std::string* error_field = nullptr);

}  // namespace sb::config
