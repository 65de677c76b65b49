#include "json.h"

#include <Poco/JSON/ParseHandler.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <cctype>
#include <sstream>

namespace wasim {

Obj newObj() {
  return new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
}
Arr newArr() {
  return new Poco::JSON::Array(Poco::JSON_PRESERVE_KEY_ORDER);
}

std::optional<Obj> parseObject(std::string_view text) {
  try {
    Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(true));
    auto v = parser.parse(std::string(text));
    if (v.type() != typeid(Obj)) return std::nullopt;
    return v.extract<Obj>();
  } catch (const Poco::Exception&) {
    return std::nullopt;
  }
}

namespace {

// Poco escapes with uppercase hex; Meta signs lowercase hex.
std::string lowercaseUnicodeEscapes(std::string s) {
  for (size_t i = 0; i + 5 < s.size(); ++i) {
    if (s[i] == '\\' && s[i + 1] == '\\') {
      ++i;
      continue;
    }
    if (s[i] == '\\' && s[i + 1] == 'u') {
      for (size_t k = i + 2; k < i + 6 && k < s.size(); ++k)
        s[k] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[k])));
      i += 5;
    }
  }
  return s;
}

}  // namespace

std::string dump(const Obj& o, bool meta_escaping) {
  std::ostringstream out;
  if (meta_escaping) {
    Poco::JSON::Stringifier::stringify(
        o, out, 0, -1,
        Poco::JSON_WRAP_STRINGS | Poco::JSON_ESCAPE_UNICODE | Poco::JSON_PRESERVE_KEY_ORDER);
    return lowercaseUnicodeEscapes(out.str());
  }
  o->stringify(out);
  return out.str();
}

std::string dump(const Arr& a) {
  std::ostringstream out;
  a->stringify(out);
  return out.str();
}

std::optional<std::string> getStr(const Obj& o, const std::string& key) {
  if (!o || !o->has(key)) return std::nullopt;
  const auto& v = o->get(key);
  if (v.isEmpty() || !(v.isString() || v.isNumeric() || v.isBoolean())) return std::nullopt;
  return v.convert<std::string>();
}

std::optional<int64_t> getInt(const Obj& o, const std::string& key) {
  if (!o || !o->has(key)) return std::nullopt;
  try {
    const auto& v = o->get(key);
    if (v.isEmpty()) return std::nullopt;
    return v.convert<int64_t>();
  } catch (const Poco::Exception&) {
    return std::nullopt;
  }
}

std::optional<double> getDouble(const Obj& o, const std::string& key) {
  if (!o || !o->has(key)) return std::nullopt;
  try {
    const auto& v = o->get(key);
    if (v.isEmpty()) return std::nullopt;
    return v.convert<double>();
  } catch (const Poco::Exception&) {
    return std::nullopt;
  }
}

std::optional<bool> getBool(const Obj& o, const std::string& key) {
  if (!o || !o->has(key)) return std::nullopt;
  const auto& v = o->get(key);
  if (v.isBoolean()) return v.extract<bool>();
  if (v.isString()) {
    auto s = v.extract<std::string>();
    if (s == "true" || s == "1") return true;
    if (s == "false" || s == "0") return false;
  }
  if (v.isNumeric()) return v.convert<int64_t>() != 0;
  return std::nullopt;
}

Obj getObj(const Obj& o, const std::string& key) {
  if (!o || !o->has(key)) return nullptr;
  const auto& v = o->get(key);
  if (v.type() == typeid(Obj)) return v.extract<Obj>();
  if (v.isString()) {
    if (auto parsed = parseObject(v.extract<std::string>())) return *parsed;
  }
  return nullptr;
}

Arr getArr(const Obj& o, const std::string& key) {
  if (!o || !o->has(key)) return nullptr;
  const auto& v = o->get(key);
  if (v.type() == typeid(Arr)) return v.extract<Arr>();
  if (v.isString()) {
    try {
      Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(true));
      auto parsed = parser.parse(v.extract<std::string>());
      if (parsed.type() == typeid(Arr)) return parsed.extract<Arr>();
    } catch (const Poco::Exception&) {
    }
  }
  return nullptr;
}

Obj deepCopy(const Obj& o) {
  auto copy = parseObject(dump(o));
  return copy ? *copy : newObj();
}

Arr deepCopyArr(const Arr& a) {
  try {
    Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(true));
    auto v = parser.parse(dump(a));
    if (v.type() == typeid(Arr)) return v.extract<Arr>();
  } catch (const Poco::Exception&) {
  }
  return newArr();
}

}  // namespace wasim
