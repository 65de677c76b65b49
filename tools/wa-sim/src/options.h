// Command line and JSON config file. Flags override the file.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "json.h"
#include "state.h"
#include "webhooks.h"

namespace wasim {

struct Options {
  int port = 0;  // 0: ephemeral
  size_t max_body = 1 << 20;
  size_t max_media_body = 100 << 20;
  std::optional<uint64_t> seed;
  std::map<std::string, AccessToken> tokens;
  Settings settings;
  WebhookConfig webhooks;
  Obj fixtures;  // "wabas": [...] created at start, same shape as POST /_sim/wabas
};

// Throws std::runtime_error with a usage message on bad input (startup time).
Options parseOptions(int argc, char** argv);

// Applies the keys of a settings object (config file "settings"/"webhooks", POST /_sim/config).
// Returns an error description, or empty when every key was understood and valid.
std::string applySettings(const Obj& in, Settings& s, WebhookConfig& w);
Obj settingsToJson(const Settings& s, const WebhookConfig& w);

AccessToken tokenFromJson(const Obj& o);

}  // namespace wasim
