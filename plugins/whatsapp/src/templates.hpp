// Message templates checked locally before Meta sees them (docs/whatsapp-cloud-api.md §2.2-2.3):
// names, languages, categories, components and their limits, placeholders (positional sequential
// from 1, or named) and examples matching them. Every problem is reported with the field it
// concerns. Also: counting placeholders for send-time checks and rendering a preview from stored
// components.
#pragma once

#include "util.hpp"

#include <optional>
#include <string>
#include <vector>

namespace wa {

struct FieldError {
  std::string field;    // e.g. "components[1].text"
  std::string message;  // e.g. "placeholders must be sequential from {{1}}; {{3}} follows {{1}}"
};

struct Placeholders {
  std::vector<std::string> names;  // distinct, in first-appearance order ("1", "2" or "first_name")
  bool positional = true;
  std::vector<FieldError> errors;  // malformed or adjacent placeholders
};

// Finds {{...}} in `text`. `field` prefixes any error.
Placeholders scan_placeholders(std::string_view text, const std::string& field);

// Validates a create request; on success *normalized holds it with uppercase enums.
std::vector<FieldError> validate_template(const json::Value& t, json::Value* normalized);

std::string errors_json(const std::vector<FieldError>& errors);
std::string errors_text(const std::vector<FieldError>& errors);

bool valid_template_name(std::string_view name);
bool valid_language(std::string_view code);

// Meta's webhook writes "en-US" where creation used "en_US".
std::string normalize_language(std::string_view code);

// Checks send parameters against the stored template's components (§2.3 counting rule: each
// component gets exactly as many parameters as it has distinct placeholders).
std::vector<FieldError> check_send_components(const json::Value& stored_components,
                                              const json::Value& send_components);

// The body (and header/footer) with parameters filled in; missing ones stay as {{n}}.
std::string render_preview(const json::Value& stored_components,
                           const json::Value& send_components);

}  // namespace wa
