// Process-wide logging on spdlog: one set of sinks (stderr, optional file), one logger per
// component.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <spdlog/logger.h>

#include "core/status.h"

namespace sb::log {

struct LogOptions {
  std::string level = "info";  // trace, debug, info, warn, error
  bool json = false;           // one JSON object per line: {"ts","level","logger","msg"}
  std::optional<std::filesystem::path> file;
};

// Configures the sinks every logger shares. May be called again (e.g. after config load); existing
// loggers are switched to the new sinks and level. Invalid level or unopenable file -> error.
sb::Status init_logging(const LogOptions& options);

// Get-or-create a logger named `name` that writes to the configured sinks. Plugin logs use the
// plugin instance id as the name. Before init_logging, loggers write text to stderr at info.
std::shared_ptr<spdlog::logger> logger(std::string_view name);

// Parses "trace".."error" (also "warning", "critical", "off"); nullopt for anything else.
std::optional<spdlog::level::level_enum> parse_level(std::string_view name);

// From now on every logged line (host and plugin loggers alike) has each of these values replaced
// by "***" before it reaches a sink. Call it with the resolved secrets after loading the config;
// a later call replaces the set. Defence in depth: code must still never log secrets.
void set_redacted_secrets(std::vector<std::string> secrets);

// Replaces every occurrence of each non-empty secret value in text with "***".
std::string redact(std::string_view text, std::span<const std::string> secrets);

// Escapes text for use inside a JSON string literal (no surrounding quotes).
std::string json_escape(std::string_view text);

}  // namespace sb::log
