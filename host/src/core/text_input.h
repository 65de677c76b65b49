// Checks for text and numbers that arrive from outside (HTTP requests, configuration, plugins):
// one strict UTF-8 validator and one integer reader, used by every parser in the host.
#pragma once

#include <cstdint>
#include <limits>
#include <string_view>

#include "core/status.h"

namespace sb {

// Strict UTF-8: no overlongs, no surrogates (U+D800..U+DFFF), nothing above U+10FFFF.
bool is_valid_utf8(std::string_view text);

// Valid UTF-8 without control characters (U+0000..U+001F, U+007F): what ids, header values and
// query parameters may hold.
bool is_clean_text(std::string_view text);

// What is wrong with `text` as a header value, id or query parameter ("is not valid UTF-8",
// "contains a control character"), or empty when nothing is.
std::string_view text_problem(std::string_view text);

// A decimal integer from its whole text: an optional '-' and digits, nothing else (no '+',
// spaces, fraction or exponent). Read with std::from_chars, so a value past 64 bits is an error,
// never a wrapped one. Errors (invalid_argument) read as the end of a sentence about the field:
// "must be an integer", "must be between 1 and 100".
Result<int64_t> parse_integer(std::string_view text,
                              int64_t min = std::numeric_limits<int64_t>::min(),
                              int64_t max = std::numeric_limits<int64_t>::max());

// The error parse_integer gives for a value outside [min, max].
Status integer_range_error(int64_t min, int64_t max);

}  // namespace sb
