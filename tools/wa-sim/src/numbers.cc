// Phone-number onboarding (docs/whatsapp-cloud-api.md §1): create, list, request/verify code,
// two-step PIN, display-name change request, register/deregister with their limits.
#include <regex>

#include "params.h"
#include "sim.h"

namespace wasim {

namespace {

constexpr int64_t kDayMs = 24LL * 3600 * 1000;

bool isSixDigitPin(const std::optional<std::string>& pin) {
  return pin && pin->size() == 6 && allDigits(*pin);
}

}  // namespace

std::string Sim::displayNumber(const PhoneNumber& pn) const {
  if (pn.cc == "1" && pn.number.size() == 10)
    return "+1 " + pn.number.substr(0, 3) + "-" + pn.number.substr(3, 3) + "-" +
           pn.number.substr(6);
  return "+" + pn.cc + " " + pn.number;
}

Response Sim::createNumber(Request& req, Waba& waba) {
  std::string cc = mustStr(req.params, "cc");
  std::string number = mustStr(req.params, "phone_number");
  std::string name = mustStr(req.params, "verified_name");
  if (cc.starts_with("+")) cc.erase(0, 1);
  std::erase_if(number, [](char c) { return c == ' ' || c == '-' || c == '(' || c == ')'; });
  if (!allDigits(cc) || cc.size() > 3) throw err(100, "Param cc must be a country calling code");
  if (!allDigits(number) || number.size() < 4 || number.size() > 14)
    throw err(100, "Param phone_number must be the national number, digits only");
  for (const auto& [id, other] : numbers_)
    if (other.digits() == cc + number)
      throw err(100, "This phone number is already added to a WhatsApp Business Account");
  PhoneNumber pn;
  pn.id = ids_.node();
  pn.waba_id = waba.id;
  pn.cc = cc;
  pn.number = number;
  pn.verified_name = name;
  pn.mps = settings_.default_mps;
  numbers_[pn.id] = pn;
  auto o = newObj();
  o->set("id", pn.id);
  return respond(o);
}

Response Sim::listNumbers(Request& req, Waba& waba) {
  (void)req;
  auto data = newArr();
  std::string first, last;
  for (const auto& [id, pn] : numbers_) {
    if (pn.waba_id != waba.id) continue;
    auto o = newObj();
    o->set("verified_name", pn.verified_name);
    o->set("code_verification_status", pn.code_verification_status);
    o->set("display_phone_number", displayNumber(pn));
    o->set("quality_rating", pn.quality_rating);
    o->set("platform_type", pn.platform_type);
    o->set("id", pn.id);
    data->add(o);
    if (first.empty()) first = id;
    last = id;
  }
  auto cursors = newObj();
  cursors->set("before", first);
  cursors->set("after", last);
  auto paging = newObj();
  paging->set("cursors", cursors);
  auto o = newObj();
  o->set("data", data);
  o->set("paging", paging);
  return respond(o);
}

Response Sim::requestCode(Request& req, PhoneNumber& pn) {
  auto method = Poco::toUpper(getStr(req.params, "code_method").value_or(""));
  if (method != "SMS" && method != "VOICE")
    throw err(100, "Param code_method must be one of {SMS, VOICE}");
  static const std::regex kLang("^[a-z]{2,3}(_[A-Za-z]{2,4})?$");
  auto lang = getStr(req.params, "language");
  if (!lang || !std::regex_match(*lang, kLang))
    throw err(100, "Param language must be a language code such as en or en_US");
  pn.code = ids_.digits(6);
  pn.code_sent_ms = clock_.nowMs();
  pn.code_expired = false;
  return success();
}

Response Sim::verifyCode(Request& req, PhoneNumber& pn) {
  auto code = mustStr(req.params, "code");
  const int error_code = settings_.verify_code_error;
  if (!pn.code) throw err(error_code, "No verification code was requested for this number");
  if (pn.code_expired || clock_.nowMs() - pn.code_sent_ms > settings_.code_ttl_ms) {
    pn.code_verification_status = "EXPIRED";
    throw err(error_code, "The verification code has expired; request a new one");
  }
  if (code != *pn.code) throw err(error_code, "The verification code is incorrect");
  pn.code_verification_status = "VERIFIED";
  pn.code.reset();
  return success();
}

Response Sim::updateNumber(Request& req, PhoneNumber& pn) {
  const auto pin = getStr(req.params, "pin");
  const auto new_name = getStr(req.params, "new_display_name");
  const auto hook = getObj(req.params, "webhook_configuration");
  if (!pin && !new_name && !hook)
    throw err(100, "Nothing to update: expected pin, new_display_name or webhook_configuration");
  if (pin && !isSixDigitPin(pin)) throw err(100, "Param pin must be exactly 6 digits");
  if (new_name) {
    const int64_t now = clock_.nowMs();
    std::erase_if(pn.name_changes_ms, [&](int64_t t) { return now - t > 30 * kDayMs; });
    if (new_name->empty() || new_name->size() > 512)
      throw err(100, "Param new_display_name must be 1-512 characters");
    if (pn.name_changes_ms.size() >= 10)
      throw err(100, "Display name can be changed at most 10 times in 30 days");
  }
  if (hook) {
    auto uri = getStr(hook, "override_callback_uri").value_or("");
    if (!uri.empty()) {
      if (uri.size() > 200 || !isLoopbackUrl(uri))
        throw err(100, "override_callback_uri must be http://127.0.0.1:PORT/... (<= 200 chars)");
      auto token = getStr(hook, "verify_token").value_or("");
      if (!verifyCallback(uri, token, ids_.digits(10), dispatcher_.config().timeout_ms))
        throw err(100, "Callback verification failed: the URL did not return the hub.challenge");
    }
    pn.override_uri = uri;
  }
  if (pin) {
    pn.pin = *pin;
    auto v = newObj();
    v->set("display_phone_number", pn.digits());
    v->set("event", "PIN_CHANGED");
    v->set("requester", pn.id);
    emitAccount(callbackFor(pn), pn.waba_id, "security", v);
  }
  if (new_name) {
    pn.name_changes_ms.push_back(clock_.nowMs());
    pn.new_display_name = *new_name;
    pn.new_name_status = "PENDING_REVIEW";
    pn.name_approved_ms = 0;
  }
  return success();
}

void Sim::countRegistration(PhoneNumber& pn) {
  const int64_t now = clock_.nowMs();
  std::erase_if(pn.registrations_ms, [&](int64_t t) { return now - t > 3 * kDayMs; });
  if (pn.registrations_ms.size() >= 10)
    throw err(133016, "Register and deregister are limited to 10 requests per 72 hours");
  pn.registrations_ms.push_back(now);
}

Response Sim::registerNumber(Request& req, PhoneNumber& pn) {
  if (getStr(req.params, "messaging_product") != "whatsapp")
    throw err(100, "Param messaging_product must be whatsapp");
  auto pin = getStr(req.params, "pin");
  if (!isSixDigitPin(pin)) throw err(100, "Param pin must be exactly 6 digits");
  auto region = getStr(req.params, "data_localization_region").value_or("");
  if (!region.empty() &&
      (region.size() != 2 || !std::all_of(region.begin(), region.end(), ::isupper)))
    throw err(100, "Param data_localization_region must be an ISO 3166 alpha-2 code");
  countRegistration(pn);
  if (pn.code_verification_status != "VERIFIED")
    throw err(133006, "Verify the phone number (request_code, verify_code) before registering");
  const int64_t now = clock_.nowMs();
  if (pn.pin && *pn.pin != *pin) {
    ++pn.wrong_pins;
    const bool too_fast = now - pn.last_pin_attempt_ms < 1000;
    pn.last_pin_attempt_ms = now;
    if (pn.wrong_pins > settings_.max_wrong_pins)
      throw err(133008, "Too many incorrect two-step verification PIN guesses; try again later");
    if (too_fast && pn.wrong_pins > 1)
      throw err(133009, "Two-step verification PIN guessed too fast; wait before retrying");
    throw err(133005, "The two-step verification PIN does not match the one set for this number");
  }
  pn.last_pin_attempt_ms = now;
  if (pn.status != "CONNECTED") {
    int connected = 0;
    for (const auto& [id, other] : numbers_)
      if (other.waba_id == pn.waba_id && other.status == "CONNECTED") ++connected;
    const Waba* waba = findWaba(pn.waba_id);
    if (waba && connected >= waba->max_phone_numbers)
      throw err(100, "The business has reached its limit of " +
                         std::to_string(waba->max_phone_numbers) + " registered phone numbers");
  }
  pn.wrong_pins = 0;
  pn.pin = *pin;
  pn.status = "CONNECTED";
  pn.platform_type = "CLOUD_API";
  pn.data_localization_region = region;
  // An approved name change takes effect on the first registration within 14 days.
  if (pn.new_name_status == "APPROVED" && pn.new_display_name) {
    if (now - pn.name_approved_ms <= 14 * kDayMs) {
      pn.verified_name = *pn.new_display_name;
      pn.name_status = "APPROVED";
      pn.new_display_name.reset();
      pn.new_name_status.reset();
    } else {
      pn.new_name_status = "EXPIRED";
    }
  }
  return success();
}

Response Sim::deregisterNumber(Request& req, PhoneNumber& pn) {
  (void)req;
  countRegistration(pn);
  pn.status = "DISCONNECTED";
  pn.platform_type = "NOT_APPLICABLE";
  pn.data_localization_region.clear();
  return success();
}

}  // namespace wasim
