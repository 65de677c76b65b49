// Send-time template checks: parameters against the approved template (docs/whatsapp-cloud-api.md
// §3.4, §6.2).
#include <Poco/String.h>

#include <algorithm>
#include <map>
#include <set>

#include "template_rules.h"

namespace wasim {

namespace {

Arr paramsOf(const Obj& c) {
  return c ? getArr(c, "parameters") : nullptr;
}
size_t countOf(const Arr& a) {
  return a ? a->size() : 0;
}

GraphError countMismatch(const std::string& where, size_t given, size_t expected) {
  return err(132000, where + ": number of localizable_params (" + std::to_string(given) +
                         ") does not match the expected number of params (" +
                         std::to_string(expected) + ")");
}

// The text a parameter renders as; Cloud API always renders fallback values (§3.4).
std::string renderParam(const Obj& p, const std::string& where) {
  const std::string type = getStr(p, "type").value_or("");
  if (type == "text") {
    auto text = getStr(p, "text");
    if (!text) throw err(131008, where + ": text parameter needs text");
    return *text;
  }
  if (type == "currency" || type == "date_time") {
    auto inner = getObj(p, type);
    auto fallback = inner ? getStr(inner, "fallback_value") : std::nullopt;
    if (!fallback) throw err(131008, where + ": " + type + " parameter needs fallback_value");
    return *fallback;
  }
  throw err(132012, where + ": parameter type '" + type + "' does not match the template format");
}

void checkCharacterPolicy(const std::string& text, const std::string& where) {
  if (text.find('\n') != std::string::npos || text.find('\t') != std::string::npos ||
      text.find("     ") != std::string::npos)
    throw err(132007, where +
                          ": param text cannot have new-line/tab characters or more than 4 "
                          "consecutive spaces");
}

void checkMediaParam(const Obj& p, const std::string& format) {
  const std::string want = Poco::toLower(format);
  const std::string type = getStr(p, "type").value_or("");
  if (type != want)
    throw err(132012, "header: expected a " + want + " parameter, got '" + type + "'");
  auto obj = getObj(p, type);
  if (!obj) throw err(131008, "header: " + type + " parameter needs a " + type + " object");
  if (want == "location") {
    if (!getDouble(obj, "latitude") || !getDouble(obj, "longitude"))
      throw err(131008, "header: location needs latitude and longitude");
    return;
  }
  if (obj->has("id") == obj->has("link"))
    throw err(131009, "header: media needs exactly one of id or link");
}

}  // namespace

std::string checkTemplateSend(const Arr& template_components, const std::string& parameter_format,
                              const Arr& send_components) {
  Obj header_send, body_send;
  std::map<int, Obj> button_send;
  for (size_t i = 0; send_components && i < send_components->size(); ++i) {
    auto c = send_components->getObject(static_cast<unsigned>(i));
    if (!c) throw err(131009, "template.components[" + std::to_string(i) + "] is not an object");
    const std::string type = Poco::toLower(getStr(c, "type").value_or(""));
    if (type == "header") {
      header_send = c;
    } else if (type == "body") {
      body_send = c;
    } else if (type == "button") {
      auto index = getInt(c, "index");
      if (!index || *index < 0 || *index > 9) throw err(131008, "button component needs index 0-9");
      button_send[static_cast<int>(*index)] = c;
    } else {
      throw err(131009, "Unknown template component type '" + type + "'");
    }
  }

  Obj header, body;
  Arr buttons;
  for (size_t i = 0; i < template_components->size(); ++i) {
    auto c = template_components->getObject(static_cast<unsigned>(i));
    const std::string type = getStr(c, "type").value_or("");
    if (type == "HEADER") header = c;
    if (type == "BODY") body = c;
    if (type == "BUTTONS") buttons = getArr(c, "buttons");
  }

  const Arr header_params = paramsOf(header_send);
  if (!header) {
    if (countOf(header_params) != 0) throw countMismatch("header", countOf(header_params), 0);
  } else if (getStr(header, "format") == "TEXT") {
    const size_t expected = distinctPlaceholders(getStr(header, "text").value_or(""));
    if (countOf(header_params) != expected)
      throw countMismatch("header", countOf(header_params), expected);
    for (size_t i = 0; i < expected; ++i) {
      auto text = renderParam(header_params->getObject(static_cast<unsigned>(i)), "header");
      if (text.size() > 60) throw err(132005, "header: parameter text exceeds 60 characters");
    }
  } else {
    if (countOf(header_params) != 1) throw countMismatch("header", countOf(header_params), 1);
    checkMediaParam(header_params->getObject(0), getStr(header, "format").value_or(""));
  }

  const std::string body_text = body ? getStr(body, "text").value_or("") : "";
  const size_t expected = distinctPlaceholders(body_text);
  const Arr body_params = paramsOf(body_send);
  if (countOf(body_params) != expected) throw countMismatch("body", countOf(body_params), expected);
  std::map<std::string, std::string> values;
  for (size_t i = 0; i < expected; ++i) {
    auto p = body_params->getObject(static_cast<unsigned>(i));
    if (!p) throw err(131009, "body: parameters must be objects");
    std::string key = std::to_string(i + 1);
    if (parameter_format == "NAMED") {
      key = getStr(p, "parameter_name").value_or("");
      auto names = placeholders(body_text);
      if (std::find(names.begin(), names.end(), key) == names.end())
        throw err(132000, "body: parameter_name '" + key + "' is not a parameter of the template");
    }
    auto text = renderParam(p, "body");
    checkCharacterPolicy(text, "body");
    values[key] = text;
  }
  std::string hydrated;
  for (size_t pos = 0; pos < body_text.size();) {
    auto open = body_text.find("{{", pos);
    auto close = open == std::string::npos ? open : body_text.find("}}", open);
    if (close == std::string::npos) {
      hydrated += body_text.substr(pos);
      break;
    }
    hydrated += body_text.substr(pos, open - pos);
    hydrated += values[Poco::trim(body_text.substr(open + 2, close - open - 2))];
    pos = close + 2;
  }
  const size_t limit = template_components->size() == 1 ? 32768 : 1024;
  if (hydrated.size() > limit)
    throw err(132005, "body: hydrated text exceeds " + std::to_string(limit) + " characters");

  for (const auto& [index, comp] : button_send) {
    if (!buttons || index >= static_cast<int>(buttons->size()))
      throw err(131009,
                "button index " + std::to_string(index) + " does not exist in the template");
    auto b = buttons->getObject(static_cast<unsigned>(index));
    std::string want = Poco::toLower(getStr(b, "type").value_or(""));
    if (want == "otp") want = "url";  // the one-time code is sent as the OTP button's URL param
    if (Poco::toLower(getStr(comp, "sub_type").value_or("")) != want)
      throw err(131009, "button " + std::to_string(index) + ": sub_type must be " + want);
  }
  for (size_t i = 0; buttons && i < buttons->size(); ++i) {
    auto b = buttons->getObject(static_cast<unsigned>(i));
    const bool otp = getStr(b, "type") == "OTP";
    if (!otp && (getStr(b, "type") != "URL" || placeholders(getStr(b, "url").value_or("")).empty()))
      continue;
    auto it = button_send.find(static_cast<int>(i));
    const size_t given = it == button_send.end() ? 0 : countOf(paramsOf(it->second));
    if (given != 1) throw countMismatch("button " + std::to_string(i), given, 1);
  }
  return hydrated;
}

}  // namespace wasim
