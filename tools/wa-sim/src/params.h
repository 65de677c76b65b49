// Parameter helpers shared by the phone-number handlers.
#pragma once

#include <Poco/String.h>

#include <algorithm>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "errors.h"
#include "json.h"

namespace wasim {

inline bool allDigits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

inline bool isHttpUrl(const std::string& s) {
  return (s.starts_with("https://") || s.starts_with("http://")) && s.size() > 10;
}

// Graph's `fields=a,b,c`.
inline std::vector<std::string> splitFields(const std::string& fields) {
  std::vector<std::string> out;
  std::stringstream in(fields);
  std::string f;
  while (std::getline(in, f, ','))
    if (!Poco::trim(f).empty()) out.push_back(Poco::trim(f));
  return out;
}

inline std::string mustStr(const Obj& params, const std::string& key) {
  auto v = getStr(params, key);
  if (!v || v->empty()) throw err(100, "The parameter " + key + " is required");
  return *v;
}

}  // namespace wasim
