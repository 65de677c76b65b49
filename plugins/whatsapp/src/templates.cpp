#include "templates.hpp"

#include <algorithm>
#include <set>

namespace wa {

namespace {

constexpr std::size_t kMaxName = 512;
constexpr std::size_t kMaxBody = 1024;
constexpr std::size_t kMaxHeaderText = 60;
constexpr std::size_t kMaxFooter = 60;
constexpr std::size_t kMaxButtons = 10;
constexpr std::size_t kMaxButtonText = 25;

bool is_named_char(char c) {
  return (c >= 'a' && c <= 'z') || c == '_';
}

bool one_of(std::string_view v, std::initializer_list<std::string_view> set) {
  return std::find(set.begin(), set.end(), v) != set.end();
}

struct Ctx {
  std::vector<FieldError>& errors;
  bool named = false;
  void add(std::string field, std::string message) {
    errors.push_back({std::move(field), std::move(message)});
  }
};

// Checks placeholders of one text: well-formed, style matches parameter_format, sequential.
Placeholders check_text_placeholders(Ctx& ctx, const std::string& text, const std::string& field) {
  Placeholders p = scan_placeholders(text, field);
  for (auto& e : p.errors) ctx.errors.push_back(e);
  if (p.names.empty()) return p;
  if (ctx.named && p.positional) {
    ctx.add(field, "parameter_format is NAMED but the text uses positional {{n}} placeholders");
  } else if (!ctx.named && !p.positional) {
    ctx.add(field, "named placeholders need \"parameter_format\": \"NAMED\"");
  } else if (p.positional) {
    for (std::size_t i = 0; i < p.names.size(); ++i) {
      if (p.names[i] != std::to_string(i + 1)) {
        ctx.add(field, "placeholders must be sequential from {{1}}: found {{" + p.names[i] +
                           "}} where {{" + std::to_string(i + 1) + "}} was expected");
        break;
      }
    }
  }
  return p;
}

// Positional examples: a flat list (header) or a list holding one list (body).
std::vector<std::string> example_values(const json::Value& v, bool nested) {
  std::vector<std::string> out;
  const json::Value* list = &v;
  if (nested) {
    if (!v.is_array() || v.items().empty() || !v.items()[0].is_array()) return out;
    list = &v.items()[0];
  }
  for (const auto& x : list->items()) out.push_back(x.is_string() ? x.as_string() : x.dump());
  return out;
}

void check_examples(Ctx& ctx, const Placeholders& p, const json::Value& comp,
                    const std::string& field, std::string_view kind) {
  if (p.names.empty()) return;
  const json::Value& example = obj_of(comp, "example");
  std::string pos_key = std::string(kind) + "_text";
  std::string named_key = std::string(kind) + "_text_named_params";
  if (ctx.named) {
    std::set<std::string> given;
    for (const auto& e : arr_of(example, named_key).items()) {
      if (!str_of(e, "example").empty()) given.insert(str_of(e, "param_name"));
    }
    for (const auto& n : p.names) {
      if (!given.contains(n)) {
        ctx.add(field + ".example." + named_key, "no example for {{" + n + "}}");
      }
    }
    return;
  }
  const json::Value* ex = example.find(pos_key);
  if (ex == nullptr) {
    ctx.add(field + ".example." + pos_key,
            "required: one example per placeholder (" + std::to_string(p.names.size()) + ")");
    return;
  }
  std::vector<std::string> values = example_values(*ex, kind == "body");
  if (values.size() != p.names.size()) {
    ctx.add(field + ".example." + pos_key, std::to_string(values.size()) + " example(s) for " +
                                               std::to_string(p.names.size()) + " placeholder(s)");
  }
}

void check_text_limit(Ctx& ctx, const json::Value& comp, const std::string& field,
                      std::size_t limit, bool required) {
  const json::Value* t = comp.find("text");
  if (t == nullptr || !t->is_string() || t->as_string().empty()) {
    if (required) ctx.add(field + ".text", "required");
    return;
  }
  if (utf8_length(t->as_string()) > limit) {
    ctx.add(field + ".text", "longer than " + std::to_string(limit) + " characters");
  }
}

void check_header(Ctx& ctx, const json::Value& comp, const std::string& field, json::Value& norm) {
  std::string format = upper(str_of(comp, "format"));
  if (!one_of(format, {"TEXT", "IMAGE", "VIDEO", "DOCUMENT", "LOCATION"})) {
    ctx.add(field + ".format", "must be TEXT, IMAGE, VIDEO, DOCUMENT or LOCATION");
    return;
  }
  norm.set("format", format);
  if (format == "TEXT") {
    check_text_limit(ctx, comp, field, kMaxHeaderText, true);
    Placeholders p = check_text_placeholders(ctx, str_of(comp, "text"), field + ".text");
    if (p.names.size() > 1) ctx.add(field + ".text", "a text header takes at most 1 parameter");
    check_examples(ctx, p, comp, field, "header");
  } else if (format != "LOCATION" &&
             arr_of(obj_of(comp, "example"), "header_handle").items().empty()) {
    ctx.add(field + ".example.header_handle", "a media header needs an example handle");
  }
}

void check_buttons(Ctx& ctx, const json::Value& comp, const std::string& field, json::Value& norm,
                   const std::string& category) {
  const json::Value& buttons = arr_of(comp, "buttons");
  if (buttons.items().empty()) ctx.add(field + ".buttons", "at least one button");
  if (buttons.items().size() > kMaxButtons) ctx.add(field + ".buttons", "at most 10 buttons");
  std::size_t url = 0, phone = 0, copy = 0, otp = 0;
  bool quick_group_closed = false;  // a CTA came after quick replies
  bool seen_quick = false;
  json::Value out = json::Value::array();
  for (std::size_t i = 0; i < buttons.items().size(); ++i) {
    const json::Value& b = buttons.items()[i];
    std::string where = field + ".buttons[" + std::to_string(i) + "]";
    std::string type = upper(str_of(b, "type"));
    json::Value nb = b;
    nb.set("type", type);
    out.push(nb);
    if (type == "QUICK_REPLY") {
      if (quick_group_closed) ctx.add(where, "quick-reply buttons must be grouped together");
      seen_quick = true;
    } else {
      if (seen_quick) quick_group_closed = true;
      if (type == "URL") {
        ++url;
        std::string u = str_of(b, "url");
        if (u.empty()) ctx.add(where + ".url", "required");
        Placeholders p = scan_placeholders(u, where + ".url");
        if (!p.names.empty() && arr_of(b, "example").items().empty()) {
          ctx.add(where + ".example", "a URL with {{1}} needs an example URL");
        }
      } else if (type == "PHONE_NUMBER") {
        ++phone;
        if (str_of(b, "phone_number").empty()) ctx.add(where + ".phone_number", "required");
      } else if (type == "COPY_CODE") {
        ++copy;
        if (category != "MARKETING") ctx.add(where, "COPY_CODE is for MARKETING templates only");
      } else if (type == "OTP") {
        ++otp;
        if (category != "AUTHENTICATION") ctx.add(where, "OTP is for AUTHENTICATION templates");
      } else if (!one_of(type, {"FLOW", "CATALOG", "MPM"})) {
        ctx.add(where + ".type", "unknown button type \"" + str_of(b, "type") + "\"");
      }
    }
    if (type != "OTP" && utf8_length(str_of(b, "text")) > kMaxButtonText) {
      ctx.add(where + ".text", "longer than 25 characters");
    }
    if (type != "OTP" && str_of(b, "text").empty()) ctx.add(where + ".text", "required");
  }
  if (url > 2) ctx.add(field + ".buttons", "at most 2 URL buttons");
  if (phone > 1) ctx.add(field + ".buttons", "at most 1 PHONE_NUMBER button");
  if (copy > 1) ctx.add(field + ".buttons", "at most 1 COPY_CODE button");
  if (otp > 1) ctx.add(field + ".buttons", "at most 1 OTP button");
  norm.set("buttons", std::move(out));
}

}  // namespace

Placeholders scan_placeholders(std::string_view text, const std::string& field) {
  Placeholders p;
  std::size_t last_end = std::string_view::npos;
  std::size_t pos = 0;
  while ((pos = text.find("{{", pos)) != std::string_view::npos) {
    std::size_t end = text.find("}}", pos + 2);
    if (end == std::string_view::npos) {
      p.errors.push_back({field, "unterminated placeholder \"{{\""});
      break;
    }
    std::string name(text.substr(pos + 2, end - pos - 2));
    bool numeric = all_digits(name) && name[0] != '0';
    bool named = !name.empty() && std::all_of(name.begin(), name.end(), is_named_char);
    if (!numeric && !named) {
      p.errors.push_back({field, "malformed placeholder {{" + name + "}}"});
    } else {
      if (last_end == pos) {
        p.errors.push_back({field, "placeholders need text between them: {{" + name + "}}"});
      }
      if (std::find(p.names.begin(), p.names.end(), name) == p.names.end()) {
        p.names.push_back(name);
      }
      if (!numeric) p.positional = false;
    }
    last_end = end + 2;
    pos = end + 2;
  }
  return p;
}

bool valid_template_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxName) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// "en", "en_US", "pt_BR", "zh_CN", "es_419"-like codes.
bool valid_language(std::string_view code) {
  std::size_t sep = code.find('_');
  std::string_view lang = code.substr(0, sep);
  if (lang.size() < 2 || lang.size() > 3) return false;
  for (char c : lang) {
    if (c < 'a' || c > 'z') return false;
  }
  if (sep == std::string_view::npos) return true;
  std::string_view region = code.substr(sep + 1);
  if (region.size() < 2 || region.size() > 4) return false;
  for (char c : region) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

std::string normalize_language(std::string_view code) {
  std::string out(code);
  std::replace(out.begin(), out.end(), '-', '_');
  return out;
}

std::vector<FieldError> validate_template(const json::Value& t, json::Value* normalized) {
  std::vector<FieldError> errors;
  Ctx ctx{errors};
  if (!t.is_object()) {
    ctx.add("", "must be a JSON object");
    return errors;
  }
  json::Value norm = t;
  std::string name = str_of(t, "name");
  if (!valid_template_name(name)) {
    ctx.add("name", "must be 1-512 characters of lowercase letters, digits and underscores");
  }
  std::string language = str_of(t, "language");
  if (!valid_language(language)) ctx.add("language", "must be a locale code such as en or en_US");
  std::string category = upper(str_of(t, "category"));
  if (!one_of(category, {"MARKETING", "UTILITY", "AUTHENTICATION"})) {
    ctx.add("category", "must be MARKETING, UTILITY or AUTHENTICATION");
  }
  norm.set("category", category);
  std::string format = upper(str_of(t, "parameter_format"));
  if (format.empty()) format = "POSITIONAL";
  if (!one_of(format, {"POSITIONAL", "NAMED"})) {
    ctx.add("parameter_format", "must be POSITIONAL or NAMED");
  }
  ctx.named = format == "NAMED";
  if (t.find("parameter_format") != nullptr) norm.set("parameter_format", format);

  const json::Value* comps = t.find("components");
  if (comps == nullptr || !comps->is_array()) {
    ctx.add("components", "required: an array with a BODY");
    return errors;
  }
  std::size_t bodies = 0, headers = 0, footers = 0, button_groups = 0;
  json::Value out = json::Value::array();
  for (std::size_t i = 0; i < comps->items().size(); ++i) {
    const json::Value& c = comps->items()[i];
    std::string field = "components[" + std::to_string(i) + "]";
    std::string type = upper(str_of(c, "type"));
    json::Value nc = c;
    nc.set("type", type);
    if (type == "BODY") {
      ++bodies;
      check_text_limit(ctx, c, field, kMaxBody, true);
      Placeholders p = check_text_placeholders(ctx, str_of(c, "text"), field + ".text");
      check_examples(ctx, p, c, field, "body");
    } else if (type == "HEADER") {
      ++headers;
      check_header(ctx, c, field, nc);
    } else if (type == "FOOTER") {
      ++footers;
      check_text_limit(ctx, c, field, kMaxFooter, true);
      if (!scan_placeholders(str_of(c, "text"), field).names.empty()) {
        ctx.add(field + ".text", "a footer takes no parameters");
      }
    } else if (type == "BUTTONS") {
      ++button_groups;
      check_buttons(ctx, c, field, nc, category);
    } else {
      ctx.add(field + ".type", "must be HEADER, BODY, FOOTER or BUTTONS");
    }
    out.push(std::move(nc));
  }
  if (bodies != 1) ctx.add("components", "exactly one BODY is required");
  if (headers > 1) ctx.add("components", "at most one HEADER");
  if (footers > 1) ctx.add("components", "at most one FOOTER");
  if (button_groups > 1) ctx.add("components", "at most one BUTTONS component");
  norm.set("components", std::move(out));
  if (errors.empty() && normalized != nullptr) *normalized = std::move(norm);
  return errors;
}

std::string errors_json(const std::vector<FieldError>& errors) {
  json::Value arr = json::Value::array();
  for (const auto& e : errors) {
    json::Value o = json::Value::object();
    o.set("field", e.field);
    o.set("message", e.message);
    arr.push(std::move(o));
  }
  return arr.dump();
}

std::string errors_text(const std::vector<FieldError>& errors) {
  std::vector<std::string> parts;
  for (const auto& e : errors) parts.push_back((e.field.empty() ? "" : e.field + ": ") + e.message);
  return join(parts, "; ");
}

}  // namespace wa
