#include "template_rules.h"

#include <Poco/String.h>

#include <algorithm>
#include <map>
#include <regex>
#include <set>

namespace wasim {

namespace {

GraphError invalid(const std::string& msg) {
  GraphError e = err(100, msg);
  e.subcode = 2388043;
  e.user_msg = msg;
  return e;
}

bool isPositional(const std::string& token) {
  return !token.empty() && std::all_of(token.begin(), token.end(), ::isdigit);
}

std::string compType(const Obj& c) {
  return Poco::toUpper(getStr(c, "type").value_or(""));
}

// Positional placeholders must be exactly {{1}}..{{n}}; named ones lowercase identifiers.
void checkPlaceholders(const std::string& where, const std::vector<std::string>& tokens,
                       const std::string& format) {
  std::set<int> seen;
  static const std::regex kNamed("^[a-z_][a-z0-9_]*$");
  for (const auto& t : tokens) {
    if (format == "POSITIONAL") {
      if (!isPositional(t))
        throw invalid(where + ": placeholder {{" + t + "}} is not positional ({{1}}, {{2}}, ...)");
      seen.insert(std::stoi(t));
    } else if (!std::regex_match(t, kNamed)) {
      throw invalid(where + ": named placeholder {{" + t +
                    "}} must be lowercase letters/underscores");
    }
  }
  int expect = 1;
  for (int n : seen)
    if (n != expect++)
      throw invalid(where + ": positional placeholders must be sequential starting at {{1}}");
}

// Examples must exist and match the placeholder count (positional) or names (named).
void checkExamples(const std::string& where, const Obj& comp,
                   const std::vector<std::string>& tokens, const std::string& format, bool header) {
  const size_t n = distinctPlaceholders(getStr(comp, "text").value_or(""));
  if (n == 0) return;
  auto example = getObj(comp, "example");
  if (!example) throw invalid(where + " has parameters but no example");
  if (format == "NAMED") {
    auto list = getArr(example, header ? "header_text_named_params" : "body_text_named_params");
    if (!list) throw invalid(where + ": named parameters need *_text_named_params examples");
    std::set<std::string> names;
    for (size_t i = 0; i < list->size(); ++i) {
      auto p = list->getObject(static_cast<unsigned>(i));
      if (p) names.insert(getStr(p, "param_name").value_or(""));
    }
    for (const auto& t : tokens)
      if (!names.count(t)) throw invalid(where + ": no example for {{" + t + "}}");
    return;
  }
  size_t have = 0;
  if (header) {
    auto list = getArr(example, "header_text");
    have = list ? list->size() : 0;
  } else {
    auto outer = getArr(example, "body_text");
    if (outer && outer->size() > 0 && outer->isArray(0)) have = outer->getArray(0)->size();
  }
  if (have != n)
    throw invalid(where + ": " + std::to_string(n) + " parameters but " + std::to_string(have) +
                  " example values");
}

void checkButtons(const Obj& comp, const std::string& category) {
  auto buttons = getArr(comp, "buttons");
  if (!buttons || buttons->size() == 0) throw invalid("BUTTONS needs a non-empty buttons array");
  if (buttons->size() > 10) throw invalid("At most 10 buttons are allowed");
  std::map<std::string, int> count;
  bool quick_group_closed = false;
  bool seen_quick = false;
  for (size_t i = 0; i < buttons->size(); ++i) {
    auto b = buttons->getObject(static_cast<unsigned>(i));
    if (!b) throw invalid("buttons[" + std::to_string(i) + "] must be an object");
    const std::string type = Poco::toUpper(getStr(b, "type").value_or(""));
    b->set("type", type);
    static const std::set<std::string> kTypes = {"QUICK_REPLY", "URL",  "PHONE_NUMBER", "COPY_CODE",
                                                 "OTP",         "FLOW", "CATALOG",      "MPM"};
    if (!kTypes.count(type)) throw invalid("Unknown button type '" + type + "'");
    ++count[type];
    if (type == "QUICK_REPLY") {
      if (quick_group_closed) throw invalid("Quick reply buttons must be grouped together");
      seen_quick = true;
    } else if (seen_quick) {
      quick_group_closed = true;
    }
    auto text = getStr(b, "text");
    if (type != "COPY_CODE" && type != "OTP" && (!text || text->empty()))
      throw invalid(type + " button needs text");
    if (text && text->size() > 25) throw invalid("Button text must be at most 25 characters");
    if (type == "URL") {
      auto url = getStr(b, "url").value_or("");
      if (!url.starts_with("https://") && !url.starts_with("http://"))
        throw invalid("URL button needs an http(s) url");
      auto tokens = placeholders(url);
      if (tokens.size() > 1 || (tokens.size() == 1 && (tokens[0] != "1" || !url.ends_with("}}"))))
        throw invalid("URL button may only have one {{1}} placeholder, at the end of the url");
      if (!tokens.empty() && !getArr(b, "example"))
        throw invalid("URL button with a placeholder needs an example");
    }
    if (type == "PHONE_NUMBER" && getStr(b, "phone_number").value_or("").empty())
      throw invalid("PHONE_NUMBER button needs phone_number");
  }
  if (count["QUICK_REPLY"] > 10) throw invalid("At most 10 QUICK_REPLY buttons");
  if (count["URL"] > 2) throw invalid("At most 2 URL buttons");
  if (count["PHONE_NUMBER"] > 1) throw invalid("At most 1 PHONE_NUMBER button");
  if (count["COPY_CODE"] > 1) throw invalid("At most 1 COPY_CODE button");
  if (count["COPY_CODE"] && category != "MARKETING")
    throw invalid("COPY_CODE buttons are for MARKETING templates");
  if (count["OTP"] && (category != "AUTHENTICATION" || buttons->size() != 1))
    throw invalid("OTP buttons are for AUTHENTICATION templates, one button only");
}

}  // namespace

std::vector<std::string> placeholders(const std::string& text) {
  static const std::regex kPlaceholder("\\{\\{\\s*([^{}]*?)\\s*\\}\\}");
  std::vector<std::string> out;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), kPlaceholder);
       it != std::sregex_iterator(); ++it)
    out.push_back((*it)[1].str());
  return out;
}

size_t distinctPlaceholders(const std::string& text) {
  auto tokens = placeholders(text);
  return std::set<std::string>(tokens.begin(), tokens.end()).size();
}

TemplateShape validateTemplate(const Obj& params, const std::string& category_hint) {
  TemplateShape shape;
  shape.category = Poco::toUpper(getStr(params, "category").value_or(category_hint));
  if (shape.category != "MARKETING" && shape.category != "UTILITY" &&
      shape.category != "AUTHENTICATION")
    throw invalid("category must be one of MARKETING, UTILITY, AUTHENTICATION");
  shape.parameter_format = Poco::toUpper(getStr(params, "parameter_format").value_or("POSITIONAL"));
  if (shape.parameter_format != "POSITIONAL" && shape.parameter_format != "NAMED")
    throw invalid("parameter_format must be POSITIONAL or NAMED");
  auto comps = getArr(params, "components");
  if (!comps) throw invalid("components is required");
  shape.components = deepCopyArr(comps);
  int headers = 0, bodies = 0, footers = 0, button_blocks = 0;
  for (size_t i = 0; i < shape.components->size(); ++i) {
    auto c = shape.components->getObject(static_cast<unsigned>(i));
    if (!c) throw invalid("components[" + std::to_string(i) + "] must be an object");
    const std::string type = compType(c);
    c->set("type", type);
    const std::string text = getStr(c, "text").value_or("");
    const auto tokens = placeholders(text);
    if (type == "HEADER") {
      ++headers;
      const std::string format = Poco::toUpper(getStr(c, "format").value_or(""));
      c->set("format", format);
      if (format == "TEXT") {
        if (text.empty()) throw invalid("HEADER text is required for TEXT headers");
        if (text.size() > 60) throw invalid("HEADER text must be at most 60 characters");
        if (distinctPlaceholders(text) > 1) throw invalid("HEADER text allows at most 1 parameter");
        checkPlaceholders("HEADER", tokens, shape.parameter_format);
        checkExamples("HEADER", c, tokens, shape.parameter_format, true);
      } else if (format == "IMAGE" || format == "VIDEO" || format == "DOCUMENT") {
        auto example = getObj(c, "example");
        auto handle = example ? getArr(example, "header_handle") : nullptr;
        if (!handle || handle->size() == 0)
          throw invalid("Media HEADER needs example.header_handle (Resumable Upload handle)");
      } else if (format != "LOCATION") {
        throw invalid("HEADER format must be TEXT, IMAGE, VIDEO, DOCUMENT or LOCATION");
      }
    } else if (type == "BODY") {
      ++bodies;
      if (shape.category == "AUTHENTICATION") {
        // Authentication templates use Meta's preset text; the one-time code is {{1}}
        // (docs/whatsapp-cloud-api.md §2.3).
        if (!text.empty()) throw invalid("AUTHENTICATION templates use preset BODY text");
        std::string preset = "*{{1}}* is your verification code.";
        if (getBool(c, "add_security_recommendation").value_or(false))
          preset += " For your security, do not share this code.";
        c->set("text", preset);
        continue;
      }
      if (text.empty()) throw invalid("BODY text is required");
      if (text.size() > 1024) throw invalid("BODY text must be at most 1024 characters");
      checkPlaceholders("BODY", tokens, shape.parameter_format);
      checkExamples("BODY", c, tokens, shape.parameter_format, false);
    } else if (type == "FOOTER") {
      ++footers;
      if (text.size() > 60) throw invalid("FOOTER text must be at most 60 characters");
      if (!tokens.empty()) throw invalid("FOOTER text cannot contain parameters");
      if (auto minutes = getInt(c, "code_expiration_minutes");
          c->has("code_expiration_minutes") && (!minutes || *minutes < 1 || *minutes > 90))
        throw invalid("code_expiration_minutes must be 1-90");
    } else if (type == "BUTTONS") {
      ++button_blocks;
      checkButtons(c, shape.category);
    } else {
      throw invalid("Unknown component type '" + type + "'");
    }
  }
  if (bodies != 1) throw invalid("A template needs exactly one BODY component");
  if (headers > 1 || footers > 1 || button_blocks > 1)
    throw invalid("At most one HEADER, FOOTER and BUTTONS component each");
  return shape;
}

std::string reviewRejection(const Arr& components) {
  static const std::regex kAdjacent("\\}\\}\\s*\\{\\{");
  for (size_t i = 0; i < components->size(); ++i) {
    auto c = components->getObject(static_cast<unsigned>(i));
    if (c && std::regex_search(getStr(c, "text").value_or(""), kAdjacent)) return "INVALID_FORMAT";
  }
  return {};
}

}  // namespace wasim
