#include "config/config.h"
#include <cctype>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <set>
#include <sstream>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>

#include "config/jsonc.h"

namespace sb::config {
namespace {

namespace fs = std::filesystem;
using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

constexpr size_t kMaxConfigBytes = 4 << 20;
constexpr size_t kMaxSecretFileBytes = 64 << 10;

std::string type_name(const Var& v) {
  if (v.isEmpty()) return "null";
  if (v.type() == typeid(Object::Ptr)) return "object";
  if (v.type() == typeid(Array::Ptr)) return "array";
  if (v.isString()) return "string";
  if (v.isBoolean()) return "boolean";
  if (v.isInteger()) return "integer";
  if (v.isNumeric()) return "number";
  return "unknown";
}

sb::Status wrong_type(const std::string& path, std::string_view expected, const Var& got) {
  return sb::invalid_argument("wrong type at " + path + ": expected " + std::string(expected) +
                              ", got " + type_name(got));
}

// Walks one JSON object, remembering which keys were read, so leftovers are reported as unknown.
class ObjectReader {
 public:
  ObjectReader(Object::Ptr obj, std::string path) : obj_(std::move(obj)), path_(std::move(path)) {}

  const std::string& path() const { return path_; }
  std::string child(std::string_view key) const { return path_ + "." + std::string(key); }
  bool has(const std::string& key) const { return obj_->has(key); }

  sb::Status missing(std::string_view key) const {
    return sb::invalid_argument("missing required key \"" + std::string(key) + "\" at " + path_);
  }

  // Each getter: absent -> leaves `out` alone (or errors when required); wrong type -> error.
  sb::Status get_string(const std::string& key, std::string& out, bool required = false) {
    Var v;
    if (auto st = fetch(key, required, v); !st || v.isEmpty()) return st;
    if (!v.isString()) return wrong_type(child(key), "string", v);
    out = v.extract<std::string>();
    return {};
  }
  sb::Status get_bool(const std::string& key, bool& out) {
    Var v;
    if (auto st = fetch(key, false, v); !st || v.isEmpty()) return st;
    if (!v.isBoolean()) return wrong_type(child(key), "boolean", v);
    out = v.extract<bool>();
    return {};
  }
  sb::Status get_int(const std::string& key, int64_t& out) {
    Var v;
    if (auto st = fetch(key, false, v); !st || v.isEmpty()) return st;
    if (!v.isInteger() || v.isBoolean()) return wrong_type(child(key), "integer", v);
    out = v.extract<Poco::Int64>();
    return {};
  }
  sb::Status get_object(const std::string& key, Object::Ptr& out) {
    Var v;
    if (auto st = fetch(key, false, v); !st || v.isEmpty()) return st;
    if (v.type() != typeid(Object::Ptr)) return wrong_type(child(key), "object", v);
    out = v.extract<Object::Ptr>();
    return {};
  }
  sb::Status get_array(const std::string& key, Array::Ptr& out) {
    Var v;
    if (auto st = fetch(key, false, v); !st || v.isEmpty()) return st;
    if (v.type() != typeid(Array::Ptr)) return wrong_type(child(key), "array", v);
    out = v.extract<Array::Ptr>();
    return {};
  }

  // Called after every known key was read: the first key never read is an error.
  sb::Status check_unknown() const {
    for (const auto& name : obj_->getNames()) {
      if (!seen_.contains(name)) {
        return sb::invalid_argument("unknown key \"" + name + "\" at " + child(name));
      }
    }
    return {};
  }

 private:
  // Absent keys come back as an empty Var; so does an explicit null, which is treated as absent.
  sb::Status fetch(const std::string& key, bool required, Var& out) {
    seen_.insert(key);
    if (!obj_->has(key) || obj_->isNull(key)) {
      if (required) return missing(key);
      out.clear();
      return {};
    }
    out = obj_->get(key);
    return {};
  }

  Object::Ptr obj_;
  std::string path_;
  std::set<std::string> seen_;
};

#define SB_TRY(expr)               \
  do {                             \
    if (auto _st = (expr); !_st) { \
      return _st;                  \
    }                              \
  } while (false)

sb::Status check_range(const std::string& path, int64_t v, int64_t lo, int64_t hi,
                       std::string_view what = "value") {
  if (v < lo || v > hi) {
    return sb::invalid_argument(std::string(what) + " " + std::to_string(v) + " out of range at " +
                                path + ": must be " + std::to_string(lo) + "-" +
                                std::to_string(hi));
  }
  return {};
}

fs::path resolve_path(const fs::path& base_dir, const std::string& p) {
  fs::path path(p);
  if (path.is_relative()) path = base_dir / path;
  path = path.lexically_normal();
  // "dir/." normalises to "dir/"; drop the trailing separator so paths compare equal.
  if (!path.has_filename() && path != path.root_path()) path = path.parent_path();
  return path;
}

bool is_env_name(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name) {
    bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

bool is_plugin_id(std::string_view id) {
  if (id.empty()) return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  }
  return true;
}

sb::Status parse_http(ObjectReader& r, HttpConfig& http) {
  SB_TRY(r.get_string("host", http.host));
  int64_t port = http.port;
  SB_TRY(r.get_int("port", port));
  SB_TRY(check_range(r.child("port"), port, 0, 65535, "port"));
  http.port = static_cast<uint16_t>(port);
  int64_t max_body = static_cast<int64_t>(http.max_body_bytes);
  SB_TRY(r.get_int("max_body_bytes", max_body));
  SB_TRY(check_range(r.child("max_body_bytes"), max_body, 1, int64_t{1} << 30));
  http.max_body_bytes = static_cast<size_t>(max_body);
  int64_t max_webhook_body = static_cast<int64_t>(http.max_webhook_body_bytes);
  SB_TRY(r.get_int("max_webhook_body_bytes", max_webhook_body));
  SB_TRY(check_range(r.child("max_webhook_body_bytes"), max_webhook_body, 1, int64_t{1} << 30));
  http.max_webhook_body_bytes = static_cast<size_t>(max_webhook_body);
  int64_t threads = http.threads;
  SB_TRY(r.get_int("threads", threads));
  SB_TRY(check_range(r.child("threads"), threads, 1, 256));
  http.threads = static_cast<int>(threads);
  int64_t streams = http.max_event_streams;
  SB_TRY(r.get_int("max_event_streams", streams));
  SB_TRY(check_range(r.child("max_event_streams"), streams, 1, 10'000));
  http.max_event_streams = static_cast<int>(streams);
  if (http.host.empty()) return sb::invalid_argument("empty host at " + r.child("host"));
  return r.check_unknown();
}

sb::Status parse_log(ObjectReader& r, const fs::path& base_dir, sb::log::LogOptions& log) {
  SB_TRY(r.get_string("level", log.level));
  if (!sb::log::parse_level(log.level)) {
    return sb::invalid_argument("invalid log level \"" + log.level + "\" at " + r.child("level") +
                                ": expected trace, debug, info, warn or error");
  }
  SB_TRY(r.get_bool("json", log.json));
  std::string file;
  SB_TRY(r.get_string("file", file));
  if (!file.empty()) log.file = resolve_path(base_dir, file);
  return r.check_unknown();
}

// Reads the keys of an "outbox" object over `out` (which holds the defaults, or for an instance the
// global settings), each range-checked with its path.
sb::Status parse_outbox(ObjectReader& r, OutboxConfig& out) {
  struct Field {
    const char* key;
    int64_t* value;
    int64_t lo, hi;
  };
  int64_t in_flight = out.max_in_flight;
  constexpr int64_t kDayMs = int64_t{24} * 3600 * 1000;
  const Field fields[] = {
      {"base_backoff_ms", &out.base_backoff_ms, 1, kDayMs},
      {"max_backoff_ms", &out.max_backoff_ms, 1, kDayMs},
      {"horizon_s", &out.horizon_s, 1, int64_t{30} * 24 * 3600},
      {"poll_interval_ms", &out.poll_interval_ms, 10, 60'000},
      {"max_in_flight", &in_flight, 1, 10'000},
      {"drain_timeout_ms", &out.drain_timeout_ms, 0, 600'000},
  };
  for (const Field& f : fields) {
    SB_TRY(r.get_int(f.key, *f.value));
    SB_TRY(check_range(r.child(f.key), *f.value, f.lo, f.hi));
  }
  out.max_in_flight = static_cast<int>(in_flight);
  if (out.max_backoff_ms < out.base_backoff_ms) {
    return sb::invalid_argument("bad value at " + r.child("max_backoff_ms") + ": " +
                                std::to_string(out.max_backoff_ms) + " is below base_backoff_ms (" +
                                std::to_string(out.base_backoff_ms) + ")");
  }
  return r.check_unknown();
}

sb::Status parse_secret(const std::string& instance_id, const std::string& name,
                        const std::string& path, const Var& v, const fs::path& base_dir,
                        SecretRef& out, std::vector<std::string>& warnings) {
  if (!v.isString()) return wrong_type(path, "string", v);
  auto source = v.extract<std::string>();
  // The value may be a pasted secret: errors below never echo it.
  if (source.starts_with("env:")) {
    if (!is_env_name(source.substr(4))) {
      return sb::invalid_argument("invalid environment variable name in secret reference at " +
                                  path);
    }
    out.source = source;
  } else if (source.starts_with("file:")) {
    if (source.size() == 5)
      return sb::invalid_argument("empty file path in secret reference at " + path);
    out.source = "file:" + resolve_path(base_dir, source.substr(5)).string();
  } else if (source.starts_with("literal:")) {
    out.source = source;
    warnings.push_back("instance \"" + instance_id + "\": secret \"" + name +
                       "\" is a literal in the config file; prefer env: or file:");
  } else {
    return sb::invalid_argument("invalid secret reference at " + path +
                                ": must start with env:, file: or literal:");
  }
  return {};
}

sb::Status parse_instance(ObjectReader& r, const fs::path& base_dir, const OutboxConfig& outbox,
                          InstanceConfig& inst, std::vector<std::string>& warnings) {
  SB_TRY(r.get_string("id", inst.id, true));
  if (!is_valid_instance_id(inst.id)) {
    return sb::invalid_argument("invalid instance id \"" + inst.id + "\" at " + r.child("id") +
                                ": must match [a-z0-9][a-z0-9_-]{0,62}");
  }
  SB_TRY(r.get_string("plugin", inst.plugin, true));
  if (!is_plugin_id(inst.plugin)) {
    return sb::invalid_argument("invalid plugin id \"" + inst.plugin + "\" at " +
                                r.child("plugin") + ": must match [a-z0-9_-]+");
  }
  SB_TRY(r.get_bool("enabled", inst.enabled));
  Object::Ptr config;
  SB_TRY(r.get_object("config", config));
  if (config) {
    // The plugin owns everything inside "config": it is passed on unvalidated.
    std::ostringstream out;
    Poco::JSON::Stringifier::condense(config, out);
    inst.config_json = out.str();
  }
  Object::Ptr secrets;
  SB_TRY(r.get_object("secrets", secrets));
  if (secrets) {
    for (const auto& name : secrets->getNames()) {
      std::string path = r.child("secrets") + "." + name;
      if (name.empty()) return sb::invalid_argument("empty secret name at " + path);
      SecretRef ref;
      SB_TRY(parse_secret(inst.id, name, path, secrets->get(name), base_dir, ref, warnings));
      inst.secrets.emplace(name, std::move(ref));
    }
  }
  Object::Ptr inst_outbox;
  SB_TRY(r.get_object("outbox", inst_outbox));
  if (inst_outbox) {
    ObjectReader orr(inst_outbox, r.child("outbox"));
    inst.outbox = outbox;  // the instance overrides only the keys it names
    SB_TRY(parse_outbox(orr, *inst.outbox));
  }
  return r.check_unknown();
}

sb::Status parse_root(const Object::Ptr& root, const fs::path& base_dir, Config& cfg) {
  ObjectReader r(root, "$");
  std::string data_dir;
  SB_TRY(r.get_string("data_dir", data_dir, true));
  if (data_dir.empty()) return sb::invalid_argument("empty path at $.data_dir");
  cfg.data_dir = resolve_path(base_dir, data_dir);

  Object::Ptr http;
  SB_TRY(r.get_object("http", http));
  if (http) {
    ObjectReader hr(http, r.child("http"));
    SB_TRY(parse_http(hr, cfg.http));
  }

  Array::Ptr dirs;
  SB_TRY(r.get_array("plugin_dirs", dirs));
  for (size_t i = 0; dirs && i < dirs->size(); ++i) {
    Var v = dirs->get(static_cast<unsigned>(i));
    std::string path = "$.plugin_dirs[" + std::to_string(i) + "]";
    if (!v.isString()) return wrong_type(path, "string", v);
    cfg.plugin_dirs.push_back(resolve_path(base_dir, v.extract<std::string>()));
  }

  Object::Ptr log;
  SB_TRY(r.get_object("log", log));
  if (log) {
    ObjectReader lr(log, r.child("log"));
    SB_TRY(parse_log(lr, base_dir, cfg.log));
  }

  int64_t workers = cfg.worker_threads;
  SB_TRY(r.get_int("worker_threads", workers));
  SB_TRY(check_range("$.worker_threads", workers, 1, 256));
  cfg.worker_threads = static_cast<int>(workers);

  Object::Ptr core;
  SB_TRY(r.get_object("core", core));
  if (core) {
    ObjectReader cr(core, r.child("core"));
    SB_TRY(cr.get_string("default_region", cfg.core.default_region));
    const std::string& region = cfg.core.default_region;
    if (!region.empty() &&
        (region.size() != 2 || !std::isupper(static_cast<unsigned char>(region[0])) ||
         !std::isupper(static_cast<unsigned char>(region[1])))) {
      return sb::invalid_argument(
          "bad value at $.core.default_region: expected an ISO 3166 code "
          "like \"DE\", got \"" +
          region + "\"");
    }
    SB_TRY(cr.get_int("reopen_horizon_hours", cfg.core.reopen_horizon_hours));
    SB_TRY(check_range("$.core.reopen_horizon_hours", cfg.core.reopen_horizon_hours, 0, 24 * 366));
    SB_TRY(cr.check_unknown());
  }

  Object::Ptr media;
  SB_TRY(r.get_object("media", media));
  if (media) {
    ObjectReader mr(media, r.child("media"));
    SB_TRY(mr.get_int("cache_max_mb", cfg.media.cache_max_mb));
    SB_TRY(check_range("$.media.cache_max_mb", cfg.media.cache_max_mb, 0, 1024 * 1024));
    SB_TRY(mr.check_unknown());
  }

  Object::Ptr testing;
  SB_TRY(r.get_object("testing", testing));
  if (testing) {
    ObjectReader tr(testing, r.child("testing"));
    SB_TRY(tr.get_bool("controllable_clock", cfg.testing.controllable_clock));
    SB_TRY(tr.check_unknown());
  }

  Object::Ptr routing;
  SB_TRY(r.get_object("routing", routing));
  if (routing) {
    std::ostringstream out;
    Poco::JSON::Stringifier::condense(routing, out);
    cfg.routing_json = out.str();
  }

  Array::Ptr webhooks;
  SB_TRY(r.get_array("webhooks", webhooks));
  if (webhooks) {
    std::ostringstream out;
    Poco::JSON::Stringifier::condense(webhooks, out);
    cfg.webhooks_json = out.str();
  }

  Object::Ptr costs;
  SB_TRY(r.get_object("costs", costs));
  if (costs) {
    std::ostringstream out;
    Poco::JSON::Stringifier::condense(costs, out);
    cfg.costs_json = out.str();
  }

  // Before the instances: theirs start from these.
  Object::Ptr outbox;
  SB_TRY(r.get_object("outbox", outbox));
  if (outbox) {
    ObjectReader orr(outbox, r.child("outbox"));
    SB_TRY(parse_outbox(orr, cfg.outbox));
  }

  Array::Ptr instances;
  SB_TRY(r.get_array("instances", instances));
  std::set<std::string> ids;
  for (size_t i = 0; instances && i < instances->size(); ++i) {
    Var v = instances->get(static_cast<unsigned>(i));
    std::string path = "$.instances[" + std::to_string(i) + "]";
    if (v.type() != typeid(Object::Ptr)) return wrong_type(path, "object", v);
    ObjectReader ir(v.extract<Object::Ptr>(), path);
    InstanceConfig inst;
    SB_TRY(parse_instance(ir, base_dir, cfg.outbox, inst, cfg.warnings));
    if (!ids.insert(inst.id).second) {
      return sb::invalid_argument("duplicate instance id \"" + inst.id + "\" at " + path + ".id");
    }
    cfg.instances.push_back(std::move(inst));
  }
  SB_TRY(r.check_unknown());

  if (cfg.http.host != "127.0.0.1" && cfg.http.host != "localhost" && cfg.http.host != "::1") {
    cfg.warnings.push_back("http.host " + cfg.http.host +
                           " is not a loopback address; put a TLS-terminating proxy in front");
  }
  if (cfg.testing.controllable_clock) {
    if (cfg.http.host != "127.0.0.1" && cfg.http.host != "localhost" && cfg.http.host != "::1") {
      return sb::invalid_argument(
          "testing.controllable_clock is for tests only and needs http.host on loopback, not " +
          cfg.http.host);
    }
    cfg.warnings.push_back(
        "testing.controllable_clock is ON: admins can move the host clock forward "
        "(POST /v1/admin/clock); never use this configuration in production");
  }
  return {};
}

}  // namespace

bool is_valid_instance_id(std::string_view id) {
  if (id.empty() || id.size() > 63) return false;
  auto lower_or_digit = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!lower_or_digit(id[0])) return false;
  for (char c : id.substr(1)) {
    if (!lower_or_digit(c) && c != '_' && c != '-') return false;
  }
  return true;
}

sb::Result<Config> parse_config(std::string_view text, const std::filesystem::path& base_dir) {
  auto doc = parse_jsonc(text);
  if (!doc) return sb::invalid_argument("parse error at " + doc.status().message());
  if (doc->type() != typeid(Object::Ptr)) return wrong_type("$", "object", *doc);
  Config cfg;
  if (auto st = parse_root(doc->extract<Object::Ptr>(), base_dir, cfg); !st) return st;
  return cfg;
}

sb::Result<Config> load_config(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return sb::invalid_argument("cannot read config file " + file.string() + ": " +
                                std::strerror(errno));
  }
  std::string text;
  char buf[8192];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxConfigBytes) {
      return sb::invalid_argument("config file " + file.string() + " is larger than 4 MiB");
    }
  }
  auto base = fs::absolute(file).parent_path();
  auto cfg = parse_config(text, base);
  if (!cfg) return sb::Status(cfg.status().code(), file.string() + ": " + cfg.status().message());
  cfg->source = fs::absolute(file).lexically_normal();
  return cfg;
}

sb::Result<std::string> resolve_secret(const SecretRef& ref) {
  std::string_view src = ref.source;
  if (src.starts_with("env:")) {
    std::string name(src.substr(4));
    const char* value = std::getenv(name.c_str());  // read-only; the environment is set at start
    if (value == nullptr) {
      return sb::not_found("environment variable " + name + " is not set");
    }
    return std::string(value);
  }
  if (src.starts_with("file:")) {
    std::string path(src.substr(5));
    std::ifstream in(path, std::ios::binary);
    if (!in) return sb::not_found("cannot read secret file " + path + ": " + std::strerror(errno));
    std::string value;
    char buf[4096];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
      value.append(buf, static_cast<size_t>(in.gcount()));
      if (value.size() > kMaxSecretFileBytes) {
        return sb::invalid_argument("secret file " + path + " is larger than 64 KiB");
      }
    }
    // Files written with `echo` end in a newline that is not part of the secret.
    if (value.ends_with("\r\n")) {
      value.resize(value.size() - 2);
    } else if (value.ends_with('\n')) {
      value.pop_back();
    }
    return value;
  }
  if (src.starts_with("literal:")) return std::string(src.substr(8));
  return sb::invalid_argument("invalid secret reference: must start with env:, file: or literal:");
}

}  // namespace sb::config
