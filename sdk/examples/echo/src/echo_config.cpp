#include "echo_config.hpp"

#include <switchboard/json.hpp>

#include <vector>

namespace echo {

namespace json = switchboard::json;
using switchboard::Error;

switchboard::Result<Config> parse_config(std::string_view text) {
  Config config;
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) return config;
  std::string parse_error;
  std::optional<json::Value> doc = json::parse(text, &parse_error);
  if (!doc) return Error::invalid_arg("config: not JSON: " + parse_error);
  if (!doc->is_object()) return Error::invalid_arg("config: must be a JSON object");

  std::vector<std::string> problems;
  for (const auto& [key, value] : doc->members()) {
    if (key == "delay_ms") {
      if (!value.is_int() || value.as_int() < 0 || value.as_int() > kMaxDelayMs) {
        problems.push_back("delay_ms: must be an integer from 0 to " + std::to_string(kMaxDelayMs));
      } else {
        config.delay = std::chrono::milliseconds(value.as_int());
      }
    } else if (key == "prefix") {
      if (!value.is_string() || value.as_string().size() > kMaxPrefixBytes) {
        problems.push_back("prefix: must be a string of at most " +
                           std::to_string(kMaxPrefixBytes) + " bytes");
      } else {
        config.prefix = value.as_string();
      }
    } else {
      problems.push_back(key + ": unknown field");
    }
  }
  if (problems.empty()) return config;
  std::string message;
  for (const auto& p : problems) message += (message.empty() ? "" : "; ") + p;
  return Error::invalid_arg(std::move(message));
}

std::string config_schema_json() {
  return R"({"$schema":"https://json-schema.org/draft/2020-12/schema",)"
         R"("title":"echo channel","type":"object","additionalProperties":false,)"
         R"("properties":{)"
         R"("delay_ms":{"type":"integer","minimum":0,"maximum":)" +
         std::to_string(kMaxDelayMs) +
         R"(,"default":200,"description":"Delay before the echoed reply arrives"},)"
         R"("prefix":{"type":"string","maxLength":)" +
         std::to_string(kMaxPrefixBytes) +
         R"(,"default":"echo: ","description":"Text put before the echoed message"}}})";
}

}  // namespace echo
