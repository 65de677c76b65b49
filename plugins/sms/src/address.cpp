#include "address.hpp"

#include <cctype>

namespace sms {
namespace {

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (std::isdigit(static_cast<unsigned char>(c)) == 0) return false;
  }
  return true;
}

// Drops the separators people write inside numbers: spaces, dashes, dots, parentheses.
std::string compact(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')') out.push_back(c);
  }
  return out;
}

std::optional<Address> fail(std::string* error, std::string m) {
  if (error != nullptr) *error = std::move(m);
  return std::nullopt;
}

}  // namespace

std::optional<Address> destination_of(std::string_view to, std::string_view default_country,
                                      std::string* error) {
  std::string s = compact(to);
  if (s.starts_with("+")) {
    s.erase(0, 1);
  } else if (s.starts_with("00")) {
    s.erase(0, 2);
  } else if (s.starts_with("0") && all_digits(s)) {
    if (default_country.empty()) {
      return fail(error, "recipient " + std::string(to) +
                             " is a national number and the instance has no default_country");
    }
    s = std::string(default_country) + s.substr(1);
  } else if (all_digits(s) && s.size() >= 3 && s.size() <= 8) {
    return Address{s, 3, 0};  // short code
  }
  if (!all_digits(s) || s.size() < 7 || s.size() > 15) {
    return fail(error, "recipient " + std::string(to) + " is not an E.164 number or short code");
  }
  return Address{s, 1, 1};
}

std::optional<Address> sender_of(std::string_view from, std::string* error) {
  std::string s(from);
  if (s.empty()) return fail(error, "no sender: set the instance's sender or the message's from");
  if (s.starts_with("+") && all_digits(s.substr(1)) && s.size() >= 8 && s.size() <= 16) {
    return Address{s.substr(1), 1, 1};
  }
  if (all_digits(s) && s.size() >= 3 && s.size() <= 8) return Address{s, 3, 0};
  if (all_digits(s) && s.size() <= 15) return Address{s, 1, 1};
  bool letter = false, ok = s.size() <= 11;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    letter = letter || std::isalpha(u) != 0;
    ok = ok && (std::isalnum(u) != 0 || c == ' ');
  }
  if (!ok || !letter) {
    return fail(error, "sender " + s +
                           " is neither an E.164 number, a short code nor an alphanumeric ID of "
                           "1-11 letters, digits and spaces");
  }
  return Address{s, 5, 0};
}

MoIdentity mo_identity(std::string_view source, uint8_t ton) {
  std::string s(source);
  if (ton == 5) return {s, "sms_alphanumeric"};
  if (ton == 1 && all_digits(s)) return {"+" + s, "phone"};
  return {s, "phone"};
}

}  // namespace sms
