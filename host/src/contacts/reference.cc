#include "contacts/reference.h"

#include <cctype>

namespace sb::contacts {
namespace {

constexpr size_t kBase = kReferenceAlphabet.size();

int digit_of(char c) {
  const auto pos =
      kReferenceAlphabet.find(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

// Weighted sum modulo a prime alphabet size: catches every single substitution and every
// transposition of neighbours (the two most common typing errors).
char check_char(std::string_view body) {
  size_t sum = 0;
  for (size_t i = 0; i < body.size(); ++i) sum += static_cast<size_t>(digit_of(body[i])) * (i + 2);
  return kReferenceAlphabet[sum % kBase];
}

}  // namespace

std::string make_reference(uint64_t random_value) {
  std::string body;
  for (int i = 0; i < kReferenceBodyLength; ++i) {
    body.push_back(kReferenceAlphabet[random_value % kBase]);
    random_value /= kBase;
  }
  return std::string(kReferencePrefix) + body + check_char(body);
}

std::optional<std::string> parse_reference(std::string_view text) {
  std::string compact;
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      compact.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    }
  }
  if (compact.size() == kReferenceBodyLength + 3 && compact.starts_with("SB")) compact.erase(0, 2);
  if (compact.size() != kReferenceBodyLength + 1) return std::nullopt;
  for (char c : compact) {
    if (digit_of(c) < 0) return std::nullopt;
  }
  const std::string_view body(compact.data(), kReferenceBodyLength);
  if (check_char(body) != compact.back()) return std::nullopt;
  return std::string(kReferencePrefix) + compact;
}

std::optional<std::string> find_reference(std::string_view text) {
  // Candidates start at "SB" (any case) and span the next 6 alphanumerics, allowing '-' or ' '
  // after SB.
  for (size_t i = 0; i + 2 <= text.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(text[i])) != 'S' ||
        std::toupper(static_cast<unsigned char>(text[i + 1])) != 'B') {
      continue;
    }
    if (i > 0 && std::isalnum(static_cast<unsigned char>(text[i - 1]))) continue;
    size_t j = i + 2;
    if (j < text.size() && (text[j] == '-' || text[j] == ' ')) ++j;
    const size_t end = j + kReferenceBodyLength + 1;
    if (end > text.size()) continue;
    if (end < text.size() && std::isalnum(static_cast<unsigned char>(text[end]))) continue;
    if (auto ref = parse_reference(text.substr(j, end - j))) return ref;
  }
  return std::nullopt;
}

}  // namespace sb::contacts
