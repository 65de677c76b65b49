#include "core/text_input.h"

#include <charconv>
#include <string>

namespace sb {

bool is_valid_utf8(std::string_view text) {
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    const auto c = static_cast<uint8_t>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<uint8_t>(text[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    const bool overlong =
        (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

bool is_clean_text(std::string_view text) {
  return text_problem(text).empty();
}

std::string_view text_problem(std::string_view text) {
  if (!is_valid_utf8(text)) return "is not valid UTF-8";
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) return "contains a control character";
  }
  return {};
}

Status integer_range_error(int64_t min, int64_t max) {
  constexpr auto kMin = std::numeric_limits<int64_t>::min();
  constexpr auto kMax = std::numeric_limits<int64_t>::max();
  if (min == kMin && max == kMax) return invalid_argument("is out of range (64-bit integers only)");
  if (max == kMax) return invalid_argument("must be at least " + std::to_string(min));
  return invalid_argument("must be between " + std::to_string(min) + " and " + std::to_string(max));
}

Result<int64_t> parse_integer(std::string_view text, int64_t min, int64_t max) {
  const std::string_view digits = text.substr(!text.empty() && text.front() == '-' ? 1 : 0);
  if (digits.empty()) return invalid_argument("must be an integer");
  for (char c : digits) {
    if (c < '0' || c > '9') return invalid_argument("must be an integer");
  }
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc::result_out_of_range) return integer_range_error(min, max);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return invalid_argument("must be an integer");
  }
  if (value < min || value > max) return integer_range_error(min, max);
  return value;
}

}  // namespace sb
