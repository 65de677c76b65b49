// Small helpers shared by the test-control handlers.
#pragma once

#include <string>

#include "errors.h"
#include "json.h"

namespace wasim {

inline std::string need(const Obj& in, const std::string& key) {
  auto v = getStr(in, key);
  if (!v || v->empty()) throw err(100, key + " is required");
  return *v;
}

inline GraphError notFound(const std::string& what) {
  GraphError e = err(100, what + " not found");
  e.http_status = 404;
  return e;
}

}  // namespace wasim
