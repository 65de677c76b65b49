#include "app/cli.h"
#include "app/whatsapp_cli.h"

#include <ostream>
#include <string_view>

#include <switchboard/abi.h>

namespace sb::app {
namespace {

constexpr std::string_view kMainHelp =
    "usage: switchboard <command> [options]\n"
    "\n"
    "commands:\n"
    "  serve --config FILE            run the daemon until SIGINT/SIGTERM\n"
    "  plugins list --config FILE     every plugin found in plugin_dirs and whether it loads\n"
    "  plugins inspect PATH [--json]  facts about one plugin (manifest.json, .so or its dir)\n"
    "  tokens create|list|revoke      API bearer tokens (`switchboard tokens --help`)\n"
    "  whatsapp numbers|templates ... WhatsApp onboarding and templates through the running\n"
    "                                 daemon's REST API (`switchboard whatsapp --help`)\n"
    "\n"
    "options:\n"
    "  --version                      host version and plugin ABI version\n"
    "  --help                         this text; `switchboard <command> --help` for a command\n";

constexpr std::string_view kServeHelp =
    "usage: switchboard serve --config FILE\n"
    "\n"
    "Loads the configuration, opens the store in data_dir, loads the plugins in plugin_dirs,\n"
    "starts every enabled instance and serves HTTP (health, readiness, metrics, webhooks) until\n"
    "SIGINT or SIGTERM, then shuts down cleanly. Logs \"listening on http://HOST:PORT\" when "
    "ready.\n";

constexpr std::string_view kPluginsHelp =
    "usage: switchboard plugins list --config FILE\n"
    "       switchboard plugins inspect PATH [--json]\n"
    "\n"
    "list     every manifest in the configured plugin_dirs with id, version, kind, ABI and\n"
    "         status (ok, or the load error); exit 0 when all are ok, else 1\n"
    "inspect  manifest and entry facts of one plugin without running its init; exit 2 and\n"
    "         \"error: <Kind>: <message>\" on stderr when the plugin is incompatible\n";

constexpr std::string_view kListHelp = "usage: switchboard plugins list --config FILE\n";
constexpr std::string_view kInspectHelp =
    "usage: switchboard plugins inspect PATH [--json]\n"
    "PATH is a manifest.json, a plugin library (.so) or the directory holding them.\n";

bool wants_help(const std::vector<std::string>& args, size_t from) {
  for (size_t i = from; i < args.size(); ++i) {
    if (args[i] == "--help" || args[i] == "-h") return true;
  }
  return false;
}

int usage_error(std::ostream& err, const std::string& message, std::string_view help) {
  err << "error: " << message << "\n" << help;
  return kExitUsage;
}

// Parses exactly "--config FILE" (or --config=FILE) from args[from..].
bool parse_config_flag(const std::vector<std::string>& args, size_t from, std::string& config,
                       std::string& problem) {
  for (size_t i = from; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--config") {
      if (i + 1 >= args.size()) {
        problem = "--config needs a file";
        return false;
      }
      config = args[++i];
    } else if (a.starts_with("--config=")) {
      config = a.substr(9);
    } else {
      problem = "unexpected argument \"" + a + "\"";
      return false;
    }
  }
  if (config.empty()) {
    problem = "--config FILE is required";
    return false;
  }
  return true;
}

}  // namespace

std::string version_line() {
  return std::string("switchboard ") + SB_HOST_VERSION + " (plugin ABI " +
         std::to_string(SB_ABI_MAJOR) + "." + std::to_string(SB_ABI_MINOR) + ")";
}

int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty()) return usage_error(err, "no command given", kMainHelp);
  const std::string& cmd = args[0];
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    out << kMainHelp;
    return kExitOk;
  }
  if (cmd == "--version" || cmd == "version") {
    out << version_line() << "\n";
    return kExitOk;
  }
  if (cmd == "serve") {
    if (wants_help(args, 1)) {
      out << kServeHelp;
      return kExitOk;
    }
    std::string config, problem;
    if (!parse_config_flag(args, 1, config, problem)) return usage_error(err, problem, kServeHelp);
    return serve(config, err);
  }
  if (cmd == "plugins") {
    if (args.size() < 2 || args[1] == "--help" || args[1] == "-h") {
      if (args.size() < 2) return usage_error(err, "plugins needs a subcommand", kPluginsHelp);
      out << kPluginsHelp;
      return kExitOk;
    }
    const std::string& sub = args[1];
    if (sub == "list") {
      if (wants_help(args, 2)) {
        out << kListHelp;
        return kExitOk;
      }
      std::string config, problem;
      if (!parse_config_flag(args, 2, config, problem)) return usage_error(err, problem, kListHelp);
      return plugins_list(config, out, err);
    }
    if (sub == "inspect") {
      if (wants_help(args, 2)) {
        out << kInspectHelp;
        return kExitOk;
      }
      std::string path;
      bool json = false;
      for (size_t i = 2; i < args.size(); ++i) {
        if (args[i] == "--json") {
          json = true;
        } else if (path.empty() && !args[i].starts_with("--")) {
          path = args[i];
        } else {
          return usage_error(err, "unexpected argument \"" + args[i] + "\"", kInspectHelp);
        }
      }
      if (path.empty()) return usage_error(err, "inspect needs a PATH", kInspectHelp);
      return plugins_inspect(path, json, out, err);
    }
    return usage_error(err, "unknown plugins subcommand \"" + sub + "\"", kPluginsHelp);
  }
  if (cmd == "tokens") return tokens_command(args, out, err);
  if (cmd == "whatsapp") return whatsapp_command(args, out, err, default_wa_cli_env());
  return usage_error(err, "unknown command \"" + cmd + "\"", kMainHelp);
}

}  // namespace sb::app
