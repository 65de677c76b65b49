// Small helpers over Poco::JSON so handlers read like the wire format they implement.
#pragma once

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wasim {

using Obj = Poco::JSON::Object::Ptr;
using Arr = Poco::JSON::Array::Ptr;

// Objects keep insertion order so emitted payloads look like Meta's samples.
Obj newObj();
Arr newArr();

// Parses a JSON document; nullopt when it is not valid JSON or not an object.
std::optional<Obj> parseObject(std::string_view text);

// Compact serialisation. `meta_escaping` emits non-ASCII as lowercase \uXXXX and '/' as "\/",
// the form Meta signs, to catch receivers that re-serialise before verifying.
std::string dump(const Obj& o, bool meta_escaping = false);
std::string dump(const Arr& a);

// Scalar lookups that accept both JSON values and form-field strings.
std::optional<std::string> getStr(const Obj& o, const std::string& key);
std::optional<int64_t> getInt(const Obj& o, const std::string& key);
std::optional<bool> getBool(const Obj& o, const std::string& key);
std::optional<double> getDouble(const Obj& o, const std::string& key);
// Object / array members; a string member holding JSON (form encoding) is parsed.
Obj getObj(const Obj& o, const std::string& key);
Arr getArr(const Obj& o, const std::string& key);

Obj deepCopy(const Obj& o);
Arr deepCopyArr(const Arr& a);

}  // namespace wasim
