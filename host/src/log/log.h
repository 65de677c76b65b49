// Process-wide logging on spdlog: one set of sinks (stderr, optional file), one logger per
// component.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

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

// Replaces every occurrence of each non-empty secret value in text with "***".
std::string redact(std::string_view text, std::span<const std::string> secrets);

// Escapes text for use inside a JSON string literal (no surrounding quotes).
std::string json_escape(std::string_view text);

}  // namespace sb::log
