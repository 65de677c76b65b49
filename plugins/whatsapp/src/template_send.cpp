// Send-time use of a stored template: checking the parameters a send supplies (Meta's 132000,
// 132012, 132005 errors caught before the call) and rendering a preview with them filled in.
#include "templates.hpp"

#include <algorithm>

namespace wa {

namespace {

// The stored component of `type` (HEADER/BODY), or nullptr.
const json::Value* stored_component(const json::Value& comps, std::string_view type) {
  for (const auto& c : comps.items()) {
    if (upper(str_of(c, "type")) == type) return &c;
  }
  return nullptr;
}

const json::Value* send_component(const json::Value& comps, std::string_view type) {
  for (const auto& c : comps.items()) {
    if (lower(str_of(c, "type")) == type) return &c;
  }
  return nullptr;
}

std::string param_text(const json::Value& p) {
  std::string type = str_of(p, "type");
  if (type == "text") return str_of(p, "text");
  if (type == "currency" || type == "date_time") return str_of(obj_of(p, type), "fallback_value");
  return "[" + type + "]";
}

std::string fill(std::string text, const json::Value* send) {
  if (send == nullptr) return text;
  const auto& params = arr_of(*send, "parameters").items();
  Placeholders p = scan_placeholders(text, "");
  for (std::size_t i = 0; i < p.names.size(); ++i) {
    std::string value;
    bool found = false;
    for (std::size_t k = 0; k < params.size(); ++k) {
      std::string pn = str_of(params[k], "parameter_name");
      if ((p.positional && k == i) || (!p.positional && pn == p.names[i])) {
        value = param_text(params[k]);
        found = true;
      }
    }
    if (!found) continue;
    std::string token = "{{" + p.names[i] + "}}";
    for (std::size_t at = text.find(token); at != std::string::npos;
         at = text.find(token, at + value.size())) {
      text.replace(at, token.size(), value);
    }
  }
  return text;
}

}  // namespace

namespace {

// One component's parameters against its stored text: count (132000), names for NAMED templates,
// media type of a media header (132012) and text lengths (132005).
void check_component(std::vector<FieldError>& errors, const json::Value* stored,
                     const json::Value* given, std::string_view kind) {
  std::string field = "components." + lower(kind);
  static const json::Value::Array kNone;
  const auto& params = given == nullptr ? kNone : arr_of(*given, "parameters").items();
  std::string format = stored == nullptr ? "" : upper(str_of(*stored, "format"));
  bool media_header = kind == "HEADER" && stored != nullptr && format != "TEXT" && !format.empty();
  Placeholders p = scan_placeholders(stored == nullptr ? "" : str_of(*stored, "text"), "");
  std::size_t expected = media_header ? 1 : p.names.size();
  if (params.size() != expected) {
    errors.push_back({field, "the template expects " + std::to_string(expected) +
                                 " parameter(s), " + std::to_string(params.size()) + " given"});
    return;
  }
  std::size_t max_text = kind == "HEADER" ? 60 : 1024;
  for (std::size_t i = 0; i < params.size(); ++i) {
    std::string where = field + ".parameters[" + std::to_string(i) + "]";
    std::string type = str_of(params[i], "type");
    if (media_header && type != lower(format)) {
      errors.push_back({where + ".type", "the header is " + format + ": expected \"" +
                                             lower(format) + "\", got \"" + type + "\""});
    }
    if (!media_header && !p.positional) {
      std::string name = str_of(params[i], "parameter_name");
      if (std::find(p.names.begin(), p.names.end(), name) == p.names.end()) {
        errors.push_back({where + ".parameter_name", "no {{" + name + "}} in the template"});
      }
    }
    if (type == "text" && utf8_length(str_of(params[i], "text")) > max_text) {
      errors.push_back(
          {where + ".text", "longer than " + std::to_string(max_text) + " characters"});
    }
  }
}

}  // namespace

std::vector<FieldError> check_send_components(const json::Value& stored, const json::Value& send) {
  std::vector<FieldError> errors;
  for (std::string_view kind : {"HEADER", "BODY"}) {
    check_component(errors, stored_component(stored, kind), send_component(send, lower(kind)),
                    kind);
  }
  return errors;
}

std::string render_preview(const json::Value& stored, const json::Value& send) {
  std::vector<std::string> parts;
  if (const json::Value* h = stored_component(stored, "HEADER")) {
    if (upper(str_of(*h, "format")) == "TEXT") {
      parts.push_back(fill(str_of(*h, "text"), send_component(send, "header")));
    } else {
      parts.push_back("[" + lower(str_of(*h, "format")) + "]");
    }
  }
  if (const json::Value* b = stored_component(stored, "BODY")) {
    parts.push_back(fill(str_of(*b, "text"), send_component(send, "body")));
  }
  if (const json::Value* f = stored_component(stored, "FOOTER")) {
    parts.push_back(str_of(*f, "text"));
  }
  return join(parts, "\n");
}

}  // namespace wa
