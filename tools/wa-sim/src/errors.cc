#include "errors.h"

#include <map>
#include <utility>

namespace wasim {

namespace {

struct Entry {
  const char* title;
  int http;
};

const std::map<int, Entry>& table() {
  static const std::map<int, Entry> t = {
      {0, {"AuthException", 401}},
      {1, {"API Unknown", 400}},
      {2, {"API Service", 503}},
      {3, {"API Method", 500}},
      {4, {"API Too Many Calls", 400}},
      {10, {"API Permission Denied", 403}},
      {33, {"Parameter value is not valid", 400}},
      {100, {"Invalid parameter", 400}},
      {190, {"Access token has expired", 401}},
      {200, {"API Permission", 403}},
      {368, {"Temporarily blocked for policies violations", 403}},
      {80007, {"Rate limit issues", 400}},
      {130429, {"Rate limit hit", 400}},
      {130472, {"User's number is part of an experiment", 400}},
      {130497, {"Business account is restricted from messaging users in this country", 403}},
      {131000, {"Something went wrong", 500}},
      {131005, {"Access denied", 403}},
      {131008, {"Required parameter is missing", 400}},
      {131009, {"Parameter value is not valid", 400}},
      {131016, {"Service unavailable", 500}},
      {131021, {"Recipient cannot be sender", 400}},
      {131026, {"Message undeliverable", 400}},
      {131031, {"Business Account locked", 403}},
      {131042, {"Business eligibility payment issue", 400}},
      {131045, {"Incorrect certificate", 500}},
      {131047, {"Re-engagement message", 400}},
      {131048, {"Spam rate limit hit", 400}},
      {131049, {"This message was not delivered to maintain healthy ecosystem engagement", 400}},
      {131050, {"User has stopped marketing messages", 400}},
      {131051, {"Message type unknown", 400}},
      {131052, {"Media download error", 400}},
      {131053, {"Media upload error", 400}},
      {131056, {"(Business Account, Consumer Account) pair rate limit hit", 400}},
      {131057, {"Account in maintenance mode", 500}},
      {132000, {"Number of parameters does not match the expected number of params", 400}},
      {132001, {"Template name does not exist in the translation", 404}},
      {132005, {"Translated text too long", 400}},
      {132007, {"Template Format Character Policy Violated", 400}},
      {132012, {"Parameter format does not match format in the created template", 400}},
      {132015, {"Template is Paused", 400}},
      {132016, {"Template is Disabled", 400}},
      {133000, {"Incomplete Deregistration", 500}},
      {133004, {"Server Temporarily Unavailable", 503}},
      {133005, {"Two step verification PIN Mismatch", 400}},
      {133006, {"Phone number re-verification needed", 400}},
      {133008, {"Too Many two step verification PIN Guesses", 400}},
      {133009, {"Two step verification PIN Guessed Too Fast", 400}},
      {133010, {"Phone number Not Registered", 400}},
      {133015, {"Please wait a few minutes before attempting to register this phone number", 400}},
      {133016, {"Account register deregister rate limit exceeded", 400}},
      {135000, {"Generic user error", 400}},
      {137000, {"Identity key hash mismatch", 400}},
  };
  return t;
}

}  // namespace

std::string errorTitle(int code) {
  auto it = table().find(code);
  if (it != table().end()) return it->second.title;
  if (code >= 200 && code <= 299) return "API Permission";
  return "Unknown error";
}

int errorHttpStatus(int code) {
  auto it = table().find(code);
  if (it != table().end()) return it->second.http;
  if (code >= 200 && code <= 299) return 403;
  return 400;
}

Obj errorBody(const GraphError& e, const std::string& fbtrace_id) {
  auto inner = newObj();
  inner->set("message",
             e.message ? *e.message : "(#" + std::to_string(e.code) + ") " + errorTitle(e.code));
  inner->set("type", "OAuthException");
  inner->set("code", e.code);
  if (e.subcode) inner->set("error_subcode", *e.subcode);
  if (e.user_msg) {
    inner->set("error_user_title", errorTitle(e.code));
    inner->set("error_user_msg", *e.user_msg);
  }
  auto data = newObj();
  data->set("messaging_product", "whatsapp");
  data->set("details", e.details);
  inner->set("error_data", data);
  inner->set("fbtrace_id", fbtrace_id);
  auto body = newObj();
  body->set("error", inner);
  return body;
}

Obj webhookError(int code, const std::string& details) {
  auto e = newObj();
  e->set("code", code);
  e->set("title", errorTitle(code));
  e->set("message", errorTitle(code));
  auto data = newObj();
  data->set("details", details);
  e->set("error_data", data);
  e->set("href", "/documentation/business-messaging/whatsapp/support/error-codes");
  return e;
}

GraphError err(int code, std::string details) {
  GraphError e;
  e.code = code;
  e.details = std::move(details);
  return e;
}

}  // namespace wasim
