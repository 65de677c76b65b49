// Template content rules: creation-time validation (docs/whatsapp-cloud-api.md §2.2–2.3) and
// send-time parameter checks (§3.4, error codes 132000/132005/132007/132012). Pure functions over
// JSON.
#pragma once

#include <string>
#include <vector>

#include "errors.h"
#include "json.h"

namespace wasim {

// Placeholder tokens in order of appearance: "1", "2" or "first_name".
std::vector<std::string> placeholders(const std::string& text);
// Distinct placeholders, which is what the send-time count is checked against.
size_t distinctPlaceholders(const std::string& text);

struct TemplateShape {
  std::string category;          // upper case
  std::string parameter_format;  // POSITIONAL | NAMED
  Arr components;                // normalised: upper-case type/format
};

// Throws GraphError(100) with error_user_msg describing the first violation.
TemplateShape validateTemplate(const Obj& params, const std::string& category_hint = "");

// Review-time rejection (e.g. adjacent placeholders -> INVALID_FORMAT); empty when acceptable.
std::string reviewRejection(const Arr& components);

// Checks a send payload's `template.components` against an approved template's components and
// returns the hydrated body text. Throws GraphError with the §6.2 code on mismatch.
std::string checkTemplateSend(const Arr& template_components, const std::string& parameter_format,
                              const Arr& send_components);

}  // namespace wasim
