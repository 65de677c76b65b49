// Content rules for outbound message objects (docs/whatsapp-cloud-api.md §3.3–3.6): text length,
// media id xor link and caption rules, location/contacts shape, interactive button and list limits.
#pragma once

#include <functional>
#include <string>

#include "json.h"

namespace wasim {

// Length in Unicode code points (limits are documented in characters, not bytes).
size_t utf8Length(const std::string& s);

// Throws GraphError (131008 missing, 131009 / 100 invalid) for `type` and its object.
void validateContent(const std::string& type, const Obj& body,
                     const std::function<bool(const std::string&)>& media_exists);

}  // namespace wasim
