// `switchboard tokens create|list|revoke`: API bearer tokens. The token is printed once at
// creation; the database keeps only its SHA-256.
#include <charconv>
#include <ostream>

#include "api/api_store.h"
#include "app/cli.h"
#include "auth/token.h"
#include "config/config.h"
#include "routing/config_json.h"
#include "store/store.h"

namespace sb::app {
namespace {

constexpr std::string_view kTokensHelp =
    "usage: switchboard tokens create --config FILE --role agent|supervisor|admin|bot --name NAME\n"
    "       switchboard tokens list --config FILE\n"
    "       switchboard tokens revoke --config FILE --id ID\n"
    "\n"
    "create  prints a new bearer token once (only its hash is stored); an agent token's NAME is\n"
    "        the agent id it acts as; a bot token's NAME is its bot queue's id\n"
    "list    id, name, role, created, last used and revoked times (never the token)\n"
    "revoke  the token stops working at once\n";

constexpr size_t kMaxTokenName = 128;

struct Flags {
  std::string config, role, name, id;
};

bool parse_flags(const std::vector<std::string>& args, Flags& f, std::string& problem) {
  for (size_t i = 2; i < args.size(); ++i) {
    const std::string& a = args[i];
    std::string* target = a == "--config" ? &f.config
                          : a == "--role" ? &f.role
                          : a == "--name" ? &f.name
                          : a == "--id"   ? &f.id
                                          : nullptr;
    if (target == nullptr) {
      problem = "unexpected argument \"" + a + "\"";
      return false;
    }
    if (i + 1 >= args.size()) {
      problem = a + " needs a value";
      return false;
    }
    *target = args[++i];
  }
  if (f.config.empty()) {
    problem = "--config FILE is required";
    return false;
  }
  return true;
}

// Opens the store once so migrations run, then the API tables beside it.
Result<std::unique_ptr<api::ApiStore>> open_api_store(const std::string& config_file) {
  auto config = config::load_config(config_file);
  if (!config) return config.status();
  std::error_code ec;
  std::filesystem::create_directories(config->data_dir, ec);
  const auto db_file = config->data_dir / "switchboard.db";
  {
    auto store = store::open_sqlite_store(db_file);
    if (!store) return store.status();
  }
  return api::ApiStore::open(db_file);
}

// A bot token acts for one bot queue: refuse a name that is not one, so a typo cannot mint a
// token that silently sees nothing.
Status check_bot_queue(const std::string& config_file, api::ApiStore& store,
                       const std::string& name) {
  auto config = config::load_config(config_file);
  if (!config) return config.status();
  if (config->routing_json.empty()) return invalid_argument("the configuration has no routing");
  // Its rules may name queues created through the REST API, as serve accepts them.
  auto queues = store.queues();
  if (!queues) return queues.status();
  routing::QueueIds api_queues;
  for (const auto& q : *queues) api_queues.insert(q.id);
  auto routing =
      routing::parse_routing_config(config->routing_json, routing::kZoneinfoDir, api_queues);
  if (!routing) return routing.status();
  if (!routing::bot_of(*routing, name)) {
    return invalid_argument("--name \"" + name + "\" is not a bot queue of the routing config");
  }
  return {};
}

int fail(std::ostream& err, const std::string& message) {
  err << "error: " << message << "\n";
  return kExitFailure;
}

}  // namespace

int tokens_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.size() < 2 || args[1] == "--help" || args[1] == "-h") {
    if (args.size() < 2) {
      err << "error: tokens needs a subcommand\n" << kTokensHelp;
      return kExitUsage;
    }
    out << kTokensHelp;
    return kExitOk;
  }
  const std::string& sub = args[1];
  Flags f;
  std::string problem;
  if (sub != "create" && sub != "list" && sub != "revoke") {
    problem = "unknown tokens subcommand \"" + sub + "\"";
  } else if (parse_flags(args, f, problem)) {
    if (sub == "create" && !auth::parse_role(f.role)) {
      problem = "--role must be agent, supervisor, admin or bot";
    } else if (sub == "create" && (f.name.empty() || f.name.size() > kMaxTokenName)) {
      problem = "--name NAME (1 to 128 bytes) is required";
    } else if (sub == "revoke" && f.id.empty()) {
      problem = "--id ID is required";
    }
  }
  if (!problem.empty()) {
    err << "error: " << problem << "\n" << kTokensHelp;
    return kExitUsage;
  }

  auto store = open_api_store(f.config);
  if (!store) return fail(err, store.status().message());
  if (sub == "create" && *auth::parse_role(f.role) == auth::Role::kBot) {
    if (Status s = check_bot_queue(f.config, **store, f.name); !s) return fail(err, s.message());
  }
  if (sub == "create") {
    const std::string token = auth::generate_token();
    auto rec = (*store)->create_token(f.name, *auth::parse_role(f.role), auth::hash_token(token));
    if (!rec) return fail(err, rec.status().message());
    out << token << "\n";
    err << "token " << rec->id << " (" << f.role << ", \"" << f.name
        << "\") created; it is shown only this once\n";
    return kExitOk;
  }
  if (sub == "list") {
    auto tokens = (*store)->tokens();
    if (!tokens) return fail(err, tokens.status().message());
    out << "id\tname\trole\tcreated_at_ms\tlast_used_at_ms\trevoked_at_ms\n";
    for (const auto& t : *tokens) {
      out << t.id << "\t" << t.name << "\t" << auth::to_string(t.role) << "\t" << t.created_at_ms
          << "\t" << t.last_used_at_ms << "\t" << t.revoked_at_ms << "\n";
    }
    return kExitOk;
  }
  int64_t id = 0;
  auto [end, ec] = std::from_chars(f.id.data(), f.id.data() + f.id.size(), id);
  if (ec != std::errc() || end != f.id.data() + f.id.size() || id <= 0) {
    err << "error: --id must be a token id\n" << kTokensHelp;
    return kExitUsage;
  }
  if (Status s = (*store)->revoke_token(id); !s) return fail(err, s.message());
  out << "token " << id << " revoked\n";
  return kExitOk;
}

}  // namespace sb::app
