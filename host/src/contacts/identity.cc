#include "contacts/identity.h"

#include <phonenumbers/phonenumberutil.h>

#include <algorithm>
#include <cctype>

namespace sb::contacts {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string_view to_string(IdentityKind kind) {
  switch (kind) {
    case IdentityKind::kPhone:
      return "phone";
    case IdentityKind::kEmail:
      return "email";
    case IdentityKind::kChannel:
      return "channel";
  }
  return "unknown";
}

Result<std::string> normalize_phone(std::string_view raw, std::string_view default_region) {
  const std::string_view text = trim(raw);
  if (text.empty()) return invalid_argument("phone number is empty");
  // PhoneNumberUtil is a process-wide immutable singleton owned by libphonenumber (thread-safe).
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  PhoneNumber number;
  const auto error = util.Parse(std::string(text), std::string(default_region), &number);
  if (error != PhoneNumberUtil::NO_PARSING_ERROR) {
    return invalid_argument("not a phone number: \"" + std::string(text) + "\"");
  }
  if (!util.IsPossibleNumber(number)) {
    return invalid_argument("not a possible phone number: \"" + std::string(text) + "\"");
  }
  std::string e164;
  util.Format(number, PhoneNumberUtil::E164, &e164);
  return e164;
}

Result<std::string> normalize_international_digits(std::string_view digits) {
  std::string_view text = trim(digits);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty() || !std::all_of(text.begin(), text.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c));
      })) {
    return invalid_argument("expected international digits, got \"" + std::string(digits) + "\"");
  }
  return normalize_phone("+" + std::string(text), "ZZ");
}

Result<std::string> normalize_email(std::string_view raw) {
  std::string_view text = trim(raw);
  if (const auto open = text.rfind('<'); open != std::string_view::npos) {
    const auto close = text.find('>', open);
    if (close == std::string_view::npos)
      return invalid_argument("unbalanced '<' in e-mail address");
    text = trim(text.substr(open + 1, close - open - 1));
  }
  const auto at = text.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == text.size() ||
      text.find('@', at + 1) != std::string_view::npos ||
      std::any_of(text.begin(), text.end(),
                  [](char c) { return std::isspace(static_cast<unsigned char>(c)); })) {
    return invalid_argument("not an e-mail address: \"" + std::string(raw) + "\"");
  }
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace sb::contacts
