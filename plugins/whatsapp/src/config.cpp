#include "config.hpp"

namespace wa {

namespace {

bool is_http_url(std::string_view s) {
  return s.starts_with("http://") || s.starts_with("https://");
}

// "v21.0": the Graph version path segment.
bool is_version(std::string_view s) {
  if (s.size() < 4 || s[0] != 'v') return false;
  std::size_t dot = s.find('.');
  return dot != std::string_view::npos && all_digits(s.substr(1, dot - 1)) &&
         all_digits(s.substr(dot + 1));
}

void parse_numbers(const json::Value& v, Config& c, std::vector<std::string>& problems) {
  // Empty is fine: numbers can be onboarded at run time (add_number).
  if (!v.is_array()) {
    problems.push_back("numbers: must be an array");
    return;
  }
  for (std::size_t i = 0; i < v.items().size(); ++i) {
    const json::Value& n = v.items()[i];
    std::string where = "numbers[" + std::to_string(i) + "]";
    if (!n.is_object()) {
      problems.push_back(where + ": must be an object");
      continue;
    }
    NumberConfig nc;
    for (const auto& [key, value] : n.members()) {
      if (key == "phone_number_id" && value.is_string() && all_digits(value.as_string())) {
        nc.phone_number_id = value.as_string();
      } else if (key == "display_phone_number" && value.is_string() &&
                 !digits_only(value.as_string()).empty()) {
        nc.display_phone_number = digits_only(value.as_string());
      } else if (key == "waba_id" && value.is_string() && all_digits(value.as_string())) {
        nc.waba_id = value.as_string();
      } else if (key == "token" && value.is_string() && !value.as_string().empty()) {
        nc.token = value.as_string();
      } else if (key == "token") {
        problems.push_back(where + ".token: must be the name of a secret of the instance");
      } else if (key == "phone_number_id" || key == "display_phone_number" || key == "waba_id") {
        problems.push_back(where + "." + key + ": must be a string of digits");
      } else {
        problems.push_back(where + "." + key + ": unknown field");
      }
    }
    if (nc.phone_number_id.empty()) {
      problems.push_back(where + ".phone_number_id: required");
    } else if (c.number(nc.phone_number_id) != nullptr) {
      problems.push_back(where + ".phone_number_id: listed twice");
    }
    c.numbers.push_back(std::move(nc));
  }
}

}  // namespace

const NumberConfig* Config::number(std::string_view id_or_display) const {
  std::string digits = digits_only(id_or_display);
  for (const auto& n : numbers) {
    if (n.phone_number_id == id_or_display) return &n;
    if (!n.display_phone_number.empty() && n.display_phone_number == digits) return &n;
  }
  return nullptr;
}

sw::Result<Config> parse_config(std::string_view text) {
  std::optional<json::Value> doc = parse_json(text);
  if (!doc || !doc->is_object()) return sw::Error::invalid_arg("config: must be a JSON object");
  Config c;
  std::vector<std::string> problems;
  for (const auto& [key, v] : doc->members()) {
    if (key == "graph_base_url") {
      if (!v.is_string() || !is_http_url(v.as_string())) {
        problems.push_back("graph_base_url: must be an http:// or https:// URL");
      } else {
        c.graph_base_url = v.as_string();
        while (c.graph_base_url.ends_with('/')) c.graph_base_url.pop_back();
      }
    } else if (key == "api_version") {
      if (!v.is_string() || !is_version(v.as_string())) {
        problems.push_back("api_version: must look like \"v21.0\"");
      } else {
        c.api_version = v.as_string();
      }
    } else if (key == "waba_id") {
      if (!v.is_string() || !all_digits(v.as_string())) {
        problems.push_back("waba_id: must be a string of digits");
      } else {
        c.waba_id = v.as_string();
      }
    } else if (key == "numbers") {
      parse_numbers(v, c, problems);
    } else if (key == "default_country") {
      if (!v.is_string() || !all_digits(v.as_string()) || v.as_string().size() > 3 ||
          v.as_string()[0] == '0') {
        problems.push_back("default_country: must be a country calling code such as \"49\"");
      } else {
        c.default_country = v.as_string();
      }
    } else if (key == "template_sync_interval_s") {
      if (!v.is_int() || v.as_int() < 0 || v.as_int() > 7 * 86400) {
        problems.push_back("template_sync_interval_s: must be an integer from 0 to 604800");
      } else {
        c.template_sync_interval = std::chrono::seconds(v.as_int());
      }
    } else if (key == "throughput_mps") {
      if (!v.is_number() || v.as_double() <= 0 || v.as_double() > kMaxThroughputMps) {
        problems.push_back("throughput_mps: must be a number above 0 and at most 1000");
      } else {
        c.throughput_mps = v.as_double();
      }
    } else {
      problems.push_back(key + ": unknown field");
    }
  }
  if (c.waba_id.empty() && doc->find("waba_id") == nullptr) problems.push_back("waba_id: required");
  if (!problems.empty()) return sw::Error::invalid_arg("config: " + join(problems, "; "));
  return c;
}

std::string config_schema_json() {
  return R"({"$schema":"https://json-schema.org/draft/2020-12/schema",)"
         R"("title":"WhatsApp Cloud API channel","type":"object","additionalProperties":false,)"
         R"("required":["waba_id"],"properties":{)"
         R"("graph_base_url":{"type":"string","default":"https://graph.facebook.com",)"
         R"("description":"Graph API base URL; tests use a local simulator"},)"
         R"("api_version":{"type":"string","pattern":"^v[0-9]+\\.[0-9]+$","default":"v21.0"},)"
         R"("waba_id":{"type":"string","pattern":"^[0-9]+$","description":"WhatsApp Business Account id"},)"
         R"("numbers":{"type":"array","items":{"type":"object",)"
         R"("additionalProperties":false,"required":["phone_number_id"],"properties":{)"
         R"("phone_number_id":{"type":"string","pattern":"^[0-9]+$"},)"
         R"("display_phone_number":{"type":"string"},)"
         R"("waba_id":{"type":"string","pattern":"^[0-9]+$",)"
         R"("description":"its WABA; default: the instance's waba_id"},)"
         R"("token":{"type":"string","minLength":1,"description":)"
         R"("name of the instance secret holding its WABA's token; default: access_token"}}}},)"
         R"("default_country":{"type":"string","pattern":"^[1-9][0-9]{0,2}$",)"
         R"("description":"Calling code put before national numbers with a leading 0"},)"
         R"("template_sync_interval_s":{"type":"integer","minimum":0,"maximum":604800,"default":3600},)"
         R"("throughput_mps":{"type":"number","exclusiveMinimum":0,"maximum":1000,"default":80}}})";
}

}  // namespace wa
