#include "options.h"

#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <stdexcept>

namespace wasim {

namespace {

const char* kUsage =
    "usage: wa-sim [--port N] [--config FILE] [--webhook-url URL] [--app-secret S]\n"
    "              [--verify-token T] [--token TOKEN]... [--seed N]\n";

const std::set<std::string> kAllPermissions = {"whatsapp_business_messaging",
                                               "whatsapp_business_management"};

using Setter = std::function<bool(const Obj&, const std::string&, Settings&, WebhookConfig&)>;

template <typename T>
Setter intSetter(T Settings::*field) {
  return [field](const Obj& o, const std::string& k, Settings& s, WebhookConfig&) {
    auto v = getInt(o, k);
    if (v) s.*field = static_cast<T>(*v);
    return v.has_value();
  };
}
template <typename T>
Setter hookInt(T WebhookConfig::*field) {
  return [field](const Obj& o, const std::string& k, Settings&, WebhookConfig& w) {
    auto v = getInt(o, k);
    if (v) w.*field = static_cast<T>(*v);
    return v.has_value();
  };
}
Setter doubleSetter(double Settings::*field) {
  return [field](const Obj& o, const std::string& k, Settings& s, WebhookConfig&) {
    auto v = getDouble(o, k);
    if (v) s.*field = *v;
    return v.has_value();
  };
}
Setter boolSetter(bool Settings::*field) {
  return [field](const Obj& o, const std::string& k, Settings& s, WebhookConfig&) {
    auto v = getBool(o, k);
    if (v) s.*field = *v;
    return v.has_value();
  };
}
Setter strSetter(std::string Settings::*field) {
  return [field](const Obj& o, const std::string& k, Settings& s, WebhookConfig&) {
    auto v = getStr(o, k);
    if (v) s.*field = *v;
    return v.has_value();
  };
}

const std::map<std::string, Setter>& setters() {
  static const std::map<std::string, Setter> m = {
      {"csw_sync_error", boolSetter(&Settings::csw_sync_error)},
      {"verify_code_error", intSetter(&Settings::verify_code_error)},
      {"max_wrong_pins", intSetter(&Settings::max_wrong_pins)},
      {"code_ttl_ms", intSetter(&Settings::code_ttl_ms)},
      {"sent_delay_ms", intSetter(&Settings::sent_delay_ms)},
      {"delivered_delay_ms", intSetter(&Settings::delivered_delay_ms)},
      {"read_delay_ms", intSetter(&Settings::read_delay_ms)},
      {"skip_delivered", boolSetter(&Settings::skip_delivered)},
      {"review_delay_ms", intSetter(&Settings::review_delay_ms)},
      {"review_outcome",
       [](const Obj& o, const std::string& k, Settings& s, WebhookConfig&) {
         auto v = getStr(o, k);
         if (!v || (*v != "APPROVED" && *v != "REJECTED")) return false;
         s.review_outcome = *v;
         return true;
       }},
      {"review_reason", strSetter(&Settings::review_reason)},
      {"held_for_quality", boolSetter(&Settings::held_for_quality)},
      {"webhook_major", intSetter(&Settings::webhook_major)},
      {"default_mps", doubleSetter(&Settings::default_mps)},
      {"pair_rate_per_s", doubleSetter(&Settings::pair_rate_per_s)},
      {"pair_burst", doubleSetter(&Settings::pair_burst)},
      {"name_reuse_block_ms", intSetter(&Settings::name_reuse_block_ms)},
      {"templates_per_hour", intSetter(&Settings::templates_per_hour)},
      {"verify_token", strSetter(&Settings::verify_token)},
      {"mirror_throughput_errors", boolSetter(&Settings::mirror_throughput_errors)},
      {"hyphen_template_language", boolSetter(&Settings::hyphen_template_language)},
      {"enforce_messaging_limit", boolSetter(&Settings::enforce_messaging_limit)},
      {"messaging_limit_error", intSetter(&Settings::messaging_limit_error)},
      {"webhook_url",
       [](const Obj& o, const std::string& k, Settings& s, WebhookConfig&) {
         auto v = getStr(o, k);
         if (!v || (!v->empty() && !isLoopbackUrl(*v))) return false;
         s.app_callback = *v;
         return true;
       }},
      {"versions",
       [](const Obj& o, const std::string& k, Settings& s, WebhookConfig&) {
         auto a = getArr(o, k);
         if (!a) return false;
         s.versions.clear();
         for (size_t i = 0; i < a->size(); ++i) s.versions.push_back(a->getElement<std::string>(i));
         return true;
       }},
      {"app_secret",
       [](const Obj& o, const std::string& k, Settings&, WebhookConfig& w) {
         auto v = getStr(o, k);
         if (v) w.app_secret = *v;
         return v.has_value();
       }},
      {"duplicate_probability",
       [](const Obj& o, const std::string& k, Settings&, WebhookConfig& w) {
         auto v = getDouble(o, k);
         if (!v || *v < 0 || *v > 1) return false;
         w.duplicate_probability = *v;
         return true;
       }},
      {"shuffle",
       [](const Obj& o, const std::string& k, Settings&, WebhookConfig& w) {
         auto v = getBool(o, k);
         if (v) w.shuffle = *v;
         return v.has_value();
       }},
      {"meta_escaping",
       [](const Obj& o, const std::string& k, Settings&, WebhookConfig& w) {
         auto v = getBool(o, k);
         if (v) w.meta_escaping = *v;
         return v.has_value();
       }},
      {"shuffle_window_ms", hookInt(&WebhookConfig::shuffle_window_ms)},
      {"batch_max",
       [](const Obj& o, const std::string& k, Settings&, WebhookConfig& w) {
         auto v = getInt(o, k);
         if (!v || *v < 1 || *v > 1000) return false;
         w.batch_max = static_cast<int>(*v);
         return true;
       }},
      {"batch_window_ms", hookInt(&WebhookConfig::batch_window_ms)},
      {"retry_base_ms", hookInt(&WebhookConfig::retry_base_ms)},
      {"retry_horizon_ms", hookInt(&WebhookConfig::retry_horizon_ms)},
      {"timeout_ms", hookInt(&WebhookConfig::timeout_ms)},
      {"workers", hookInt(&WebhookConfig::workers)},
  };
  return m;
}

std::string need(int& i, int argc, char** argv) {
  if (i + 1 >= argc) throw std::runtime_error(std::string("missing value for ") + argv[i]);
  return argv[++i];
}

}  // namespace

AccessToken tokenFromJson(const Obj& o) {
  AccessToken t;
  t.expires_at_s = getInt(o, "expires_at").value_or(0);
  if (auto perms = getArr(o, "permissions")) {
    for (size_t i = 0; i < perms->size(); ++i)
      t.permissions.insert(perms->getElement<std::string>(i));
  } else {
    t.permissions = kAllPermissions;
  }
  if (auto wabas = getArr(o, "wabas")) {
    for (size_t i = 0; i < wabas->size(); ++i) t.wabas.insert(wabas->getElement<std::string>(i));
  }
  return t;
}

std::string applySettings(const Obj& in, Settings& s, WebhookConfig& w) {
  for (const auto& [key, value] : *in) {
    auto it = setters().find(key);
    if (it == setters().end()) return "unknown setting '" + key + "'";
    if (!it->second(in, key, s, w)) return "invalid value for setting '" + key + "'";
  }
  return {};
}

Obj settingsToJson(const Settings& s, const WebhookConfig& w) {
  auto o = newObj();
  o->set("csw_sync_error", s.csw_sync_error);
  o->set("verify_code_error", s.verify_code_error);
  o->set("max_wrong_pins", s.max_wrong_pins);
  o->set("code_ttl_ms", s.code_ttl_ms);
  o->set("sent_delay_ms", s.sent_delay_ms);
  o->set("delivered_delay_ms", s.delivered_delay_ms);
  o->set("read_delay_ms", s.read_delay_ms);
  o->set("skip_delivered", s.skip_delivered);
  o->set("review_delay_ms", s.review_delay_ms);
  o->set("review_outcome", s.review_outcome);
  o->set("review_reason", s.review_reason);
  o->set("held_for_quality", s.held_for_quality);
  o->set("webhook_major", s.webhook_major);
  o->set("default_mps", s.default_mps);
  o->set("pair_rate_per_s", s.pair_rate_per_s);
  o->set("pair_burst", s.pair_burst);
  o->set("name_reuse_block_ms", s.name_reuse_block_ms);
  o->set("templates_per_hour", s.templates_per_hour);
  o->set("webhook_url", s.app_callback);
  o->set("webhook_verified", s.app_callback_verified);
  o->set("mirror_throughput_errors", s.mirror_throughput_errors);
  o->set("hyphen_template_language", s.hyphen_template_language);
  o->set("enforce_messaging_limit", s.enforce_messaging_limit);
  o->set("messaging_limit_error", s.messaging_limit_error);
  o->set("duplicate_probability", w.duplicate_probability);
  o->set("shuffle", w.shuffle);
  o->set("shuffle_window_ms", w.shuffle_window_ms);
  o->set("batch_max", w.batch_max);
  o->set("batch_window_ms", w.batch_window_ms);
  o->set("meta_escaping", w.meta_escaping);
  o->set("retry_base_ms", w.retry_base_ms);
  o->set("retry_horizon_ms", w.retry_horizon_ms);
  o->set("timeout_ms", w.timeout_ms);
  o->set("workers", w.workers);
  // Secrets (app secret, verify token) are never echoed.
  return o;
}

Options parseOptions(int argc, char** argv) {
  Options opts;
  std::string config_file;
  std::map<std::string, std::string> flags;
  std::vector<std::string> tokens;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--help" || a == "-h") throw std::runtime_error(kUsage);
    if (a == "--config") {
      config_file = need(i, argc, argv);
    } else if (a == "--token") {
      tokens.push_back(need(i, argc, argv));
    } else if (a == "--port" || a == "--webhook-url" || a == "--app-secret" || a == "--seed" ||
               a == "--verify-token") {
      flags[a] = need(i, argc, argv);
    } else {
      throw std::runtime_error("unknown argument " + a + "\n" + kUsage);
    }
  }
  if (!config_file.empty()) {
    std::ifstream in(config_file);
    if (!in) throw std::runtime_error("cannot read config file " + config_file);
    std::stringstream text;
    text << in.rdbuf();
    auto cfg = parseObject(text.str());
    if (!cfg) throw std::runtime_error("config file is not a JSON object: " + config_file);
    const Obj& c = *cfg;
    opts.port = static_cast<int>(getInt(c, "port").value_or(0));
    if (auto v = getInt(c, "max_body_bytes")) opts.max_body = static_cast<size_t>(*v);
    if (auto v = getInt(c, "max_media_bytes")) opts.max_media_body = static_cast<size_t>(*v);
    if (auto v = getInt(c, "seed")) opts.seed = static_cast<uint64_t>(*v);
    for (const char* section : {"settings", "webhooks"}) {
      if (auto o = getObj(c, section)) {
        auto problem = applySettings(o, opts.settings, opts.webhooks);
        if (!problem.empty()) throw std::runtime_error(config_file + ": " + problem);
      }
    }
    auto top = newObj();
    for (const char* key : {"webhook_url", "app_secret", "verify_token"})
      if (c->has(key)) top->set(key, c->get(key));
    auto problem = applySettings(top, opts.settings, opts.webhooks);
    if (!problem.empty()) throw std::runtime_error(config_file + ": " + problem);
    if (auto list = getArr(c, "tokens")) {
      for (size_t i = 0; i < list->size(); ++i) {
        auto t = list->getObject(static_cast<unsigned>(i));
        if (!t || !getStr(t, "token")) throw std::runtime_error("tokens[] needs a token");
        opts.tokens[*getStr(t, "token")] = tokenFromJson(t);
      }
    }
    opts.fixtures = c;
  }
  auto top = newObj();
  if (flags.count("--webhook-url")) top->set("webhook_url", flags["--webhook-url"]);
  if (flags.count("--app-secret")) top->set("app_secret", flags["--app-secret"]);
  if (flags.count("--verify-token")) top->set("verify_token", flags["--verify-token"]);
  auto problem = applySettings(top, opts.settings, opts.webhooks);
  if (!problem.empty())
    throw std::runtime_error(problem + " (webhook URLs must be http://127.0.0.1:PORT/...)");
  if (flags.count("--port")) opts.port = std::stoi(flags["--port"]);
  if (flags.count("--seed")) opts.seed = std::stoull(flags["--seed"]);
  for (const auto& t : tokens) opts.tokens[t] = AccessToken{0, kAllPermissions, {}};
  if (opts.port < 0 || opts.port > 65535) throw std::runtime_error("--port out of range");
  return opts;
}

}  // namespace wasim
