#include "config.hpp"

#include "input.hpp"

namespace loopback {

using switchboard::Error;

switchboard::Result<Config> parse_config(std::string_view text) {
  Config config;
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) return config;
  InputError err;
  std::optional<json::Value> doc = parse_object(text, err);
  if (!doc) return Error::invalid_arg("config: " + err.problem);

  ObjectReader top(*doc, "", err);
  top.only({"address_kind", "delivery", "max_recorded", "send_journal"});
  if (std::optional<std::string> kind = top.str("address_kind", false)) {
    if (*kind != "phone" && *kind != "email" && *kind != "loopback_id") {
      top.fail("address_kind", "must be \"phone\", \"email\" or \"loopback_id\"");
    }
    config.address_kind = *kind;
  }
  if (std::optional<std::string> journal = top.str("send_journal", false)) {
    if (journal->empty() || journal->front() != '/')
      top.fail("send_journal", "must be an absolute path");
    config.send_journal = *journal;
  }
  config.max_recorded =
      static_cast<std::size_t>(top.integer("max_recorded", 1000, 1, kMaxRecordedLimit));
  if (const json::Value* delivery = top.find("delivery"); delivery != nullptr && top.ok()) {
    ObjectReader d(*delivery, "delivery", err);
    d.only({"auto", "delay_ms", "read"});
    config.delivery.automatic = d.boolean("auto", true);
    config.delivery.delay = std::chrono::milliseconds(d.integer("delay_ms", 50, 0, kMaxDelayMs));
    config.delivery.read = d.boolean("read", false);
    if (!d.ok()) return Error::invalid_arg(err.text());
  }
  if (!top.ok()) return Error::invalid_arg(err.text());
  return config;
}

std::string config_schema_json() {
  const std::string max_delay = std::to_string(kMaxDelayMs);
  return R"({"$schema":"https://json-schema.org/draft/2020-12/schema",)"
         R"("title":"loopback test channel","type":"object","additionalProperties":false,)"
         R"("properties":{)"
         R"("address_kind":{"enum":["phone","email","loopback_id"],"default":"phone",)"
         R"("description":"How the host files the sender of injected inbound messages"},)"
         R"("delivery":{"type":"object","additionalProperties":false,"properties":{)"
         R"("auto":{"type":"boolean","default":true,)"
         R"("description":"Report sent, then delivered, for every accepted send"},)"
         R"("delay_ms":{"type":"integer","minimum":0,"maximum":)" +
         max_delay +
         R"(,"default":50,"description":"Delay between one automatic status and the next"},)"
         R"("read":{"type":"boolean","default":false,)"
         R"("description":"Also report read after delivered"}}},)"
         R"("max_recorded":{"type":"integer","minimum":1,"maximum":)" +
         std::to_string(kMaxRecordedLimit) +
         R"(,"default":1000,"description":"Sends kept for GET /sent; older ones are dropped"},)"
         R"("send_journal":{"type":"string","pattern":"^/",)"
         R"("description":"Absolute path of a file every send attempt is appended to as a JSON )"
         R"(line before send returns: a record that survives the host being killed"}}})";
}

}  // namespace loopback
