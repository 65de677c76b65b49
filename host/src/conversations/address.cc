#include "conversations/address.h"

#include <cctype>

#include "contacts/identity.h"

namespace sb::conversations {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

IdentityKey unparsed(std::string_view what, std::string_view from, std::string_view instance_id) {
  return {std::string(kUnparsedPrefix) + std::string(what),
          std::string(instance_id) + "|" + std::string(from)};
}

}  // namespace

IdentityKey identity_for(std::string_view from, std::string_view from_kind,
                         std::string_view instance_id, std::string_view default_region) {
  from = trim(from);
  if (from.empty()) return {std::string(kUnknownSenderKind), std::string(instance_id)};
  if (from_kind.empty()) from_kind = from.find('@') != std::string_view::npos ? "email" : "phone";

  if (from_kind == "phone" || from_kind == "msisdn") {
    auto e164 = contacts::normalize_phone(from, default_region);
    if (e164) return {std::string(kPhoneKind), std::move(e164).value()};
    return unparsed("phone", from, instance_id);
  }
  if (from_kind == "whatsapp_id" || from_kind == "wa_id") {
    auto e164 = contacts::normalize_international_digits(from);
    if (e164) return {std::string(kPhoneKind), std::move(e164).value()};
    return unparsed("phone", from, instance_id);
  }
  if (from_kind == "email") {
    auto email = contacts::normalize_email(from);
    if (email) return {std::string(kEmailKind), std::move(email).value()};
    return unparsed("email", from, instance_id);
  }
  return {std::string(from_kind), std::string(from)};
}

}  // namespace sb::conversations
