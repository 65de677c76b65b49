// A strict JSON parser that also accepts // and /* */ comments, with line/column in every error.
// Poco 1.11's own comment support rejects comments after values and its errors carry no position,
// so the config loader parses with this and hands Poco::JSON objects to the rest of the code.
#pragma once

#include <string_view>

#include <Poco/Dynamic/Var.h>

#include "core/status.h"

namespace sb::config {

// Objects become Poco::JSON::Object::Ptr (key order preserved; a repeated key is an error), arrays
// Poco::JSON::Array::Ptr, integers Int64 (double when out of range or fractional), strings
// std::string, true/false bool, null an empty Var. Errors: "line L, column C: what".
sb::Result<Poco::Dynamic::Var> parse_jsonc(std::string_view text);

}  // namespace sb::config
