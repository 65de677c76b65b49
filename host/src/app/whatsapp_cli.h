// `switchboard whatsapp ...`: WhatsApp onboarding and templates as a client of the running
// daemon's REST API (the channel ops under /v1/channels/{id}/ops/{op}, and the conversation send
// route for templates). Exposed here, apart from cli.h, so tests can drive it with a fake
// transport.
#pragma once

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <chrono>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "app/api_client.h"

namespace sb::app {

inline constexpr int kExitUnavailable = 69;  // the daemon could not be reached (EX_UNAVAILABLE)

// What the command takes from outside: the environment and the way to reach the daemon.
struct WaCliEnv {
  std::function<std::optional<std::string>(const std::string&)> getenv;
  std::function<Result<ApiTransport>(const std::string& url, const std::string& token)> connect;
  std::function<std::string()> new_idempotency_key;
  // Between two polls of a message's or template's state (tests pass one that returns at once).
  std::function<void(std::chrono::milliseconds)> sleep;
};
WaCliEnv default_wa_cli_env();

// args[0] == "whatsapp".
int whatsapp_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
                     const WaCliEnv& env);

// Human-readable views of the plugin's JSON (docs/channels/whatsapp.md): one number's full state,
// a table of numbers, a table of templates, one template with its text.
std::string format_number(const Poco::JSON::Object& state);
std::string format_numbers(const Poco::JSON::Array& numbers);
std::string format_templates(const Poco::JSON::Array& templates);
std::string format_template(const Poco::JSON::Object& record);

}  // namespace sb::app
