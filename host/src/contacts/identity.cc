#include "contacts/identity.h"

#include <phonenumbers/phonenumberutil.h>

#include <algorithm>
#include <cctype>

#include "log/log.h"

namespace sb::contacts {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// The digits of a number written without '+' or an international prefix, or "" when it has any
// other character than digits and the usual separators.
std::string bare_digits(std::string_view text) {
  std::string digits;
  for (char c : text) {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      digits.push_back(c);
    } else if (std::string_view(" -./()").find(c) == std::string_view::npos) {
      return {};
    }
  }
  return digits;
}

// Whether `national`, read in `region` from bare `digits`, is a valid number of the region written
// as people there write it: where the region's national format carries its trunk prefix ("0" in
// DE and GB: "030 123456"), digits without it are not a national number as written.
bool valid_as_national(const PhoneNumberUtil& util, const PhoneNumber& national,
                       const std::string& region, const std::string& digits) {
  if (!util.IsValidNumberForRegion(national, region)) return false;
  std::string trunk;
  util.GetNddPrefixForRegion(region, /*strip_non_digits=*/true, &trunk);
  if (trunk.empty() || digits.starts_with(trunk)) return true;
  std::string formatted;
  util.Format(national, PhoneNumberUtil::NATIONAL, &formatted);
  return !bare_digits(formatted).starts_with(trunk);
}

std::string e164_of(const PhoneNumberUtil& util, const PhoneNumber& number) {
  std::string e164;
  util.Format(number, PhoneNumberUtil::E164, &e164);
  return e164;
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
  const std::string region(default_region);
  PhoneNumber national;
  const bool parsed = util.ParseAndKeepRawInput(std::string(text), region, &national) ==
                      PhoneNumberUtil::NO_PARSING_ERROR;
  // '+' or an international prefix ("00", the region's own such as "011"): international as
  // written, nothing to decide.
  const bool marked =
      parsed && (national.country_code_source() == PhoneNumber::FROM_NUMBER_WITH_PLUS_SIGN ||
                 national.country_code_source() == PhoneNumber::FROM_NUMBER_WITH_IDD);
  if (!marked) {
    // Bare digits may be an international number whose '+' was dropped ("5511912345678"). That
    // reading wins only when it is a valid number and the national reading is not a valid number
    // of the region as written there; valid both ways stays national.
    const std::string digits = bare_digits(text);
    PhoneNumber international;
    if (!digits.empty() && digits.front() != '0' &&
        util.Parse("+" + digits, "ZZ", &international) == PhoneNumberUtil::NO_PARSING_ERROR &&
        util.IsValidNumber(international) &&
        !(parsed && valid_as_national(util, national, region, digits))) {
      log::logger("contacts")
          ->debug(
              "phone number read as international (+{}): not a valid national number of "
              "region \"{}\"",
              international.country_code(), region);
      return e164_of(util, international);
    }
    if (parsed) {
      log::logger("contacts")
          ->debug("phone number read as national for region \"{}\" (+{})", region,
                  national.country_code());
    }
  }
  if (!parsed) return invalid_argument("not a phone number: \"" + std::string(text) + "\"");
  if (!util.IsPossibleNumber(national)) {
    return invalid_argument("not a possible phone number: \"" + std::string(text) + "\"");
  }
  return e164_of(util, national);
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
