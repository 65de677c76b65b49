// The `switchboard` command line: serve, plugins list/inspect, tokens, whatsapp (whatsapp_cli.h),
// --version, --help.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

namespace sb::app {

// Exit codes.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;       // a command failed (bad config, a plugin not ok, ...)
inline constexpr int kExitIncompatible = 2;  // plugins inspect: the plugin cannot be loaded
inline constexpr int kExitUsage = 64;        // unknown command or option (EX_USAGE)

// args excludes argv[0]. Errors are one line "error: ..." on err. May throw only on programming
// errors; main catches everything.
int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

int serve(const std::filesystem::path& config_file, std::ostream& err);
int plugins_list(const std::filesystem::path& config_file, std::ostream& out, std::ostream& err);
int plugins_inspect(const std::filesystem::path& path, bool json, std::ostream& out,
                    std::ostream& err);

// tokens create|list|revoke (args[0] == "tokens").
int tokens_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// "switchboard 0.1.0 (plugin ABI 1.1)"
std::string version_line();

}  // namespace sb::app
