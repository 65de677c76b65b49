#include "config/config.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "config/jsonc.h"

namespace {

namespace fs = std::filesystem;
using sb::config::parse_config;

std::string error_of(std::string_view text) {
  auto cfg = parse_config(text, "/etc/sb");
  EXPECT_FALSE(cfg.is_ok()) << text;
  return cfg.is_ok() ? "" : cfg.status().message();
}

TEST(Config, FullConfigWithCommentsParses) {
  auto cfg = parse_config(R"(// switchboard
{
  "data_dir": "data",  // relative to the file
  /* block
     comment */
  "http": {"host": "127.0.0.1", "port": 9090, "max_body_bytes": 4096, "threads": 3},
  "plugin_dirs": ["plugins", "/opt/sb/plugins"],
  "log": {"level": "debug", "json": true, "file": "logs/sb.log"},
  "worker_threads": 4,
  "instances": [
    {"id": "wa-sales", "plugin": "whatsapp", "enabled": false,
     "config": {"phone_number_id": "123", "nested": {"x": [1, 2.5, null, "a//b"]}, "unknown": true},
     "secrets": {"access_token": "env:WA_TOKEN", "app_secret": "file:secrets/app"}},
    {"id": "echo1", "plugin": "echo"}
  ]
})",
                          "/etc/sb");
  ASSERT_TRUE(cfg.is_ok()) << cfg.status().message();
  EXPECT_EQ(cfg->data_dir, fs::path("/etc/sb/data"));
  EXPECT_EQ(cfg->http.port, 9090);
  EXPECT_EQ(cfg->http.max_body_bytes, 4096u);
  EXPECT_EQ(cfg->http.threads, 3);
  ASSERT_EQ(cfg->plugin_dirs.size(), 2u);
  EXPECT_EQ(cfg->plugin_dirs[0], fs::path("/etc/sb/plugins"));
  EXPECT_EQ(cfg->plugin_dirs[1], fs::path("/opt/sb/plugins"));
  EXPECT_EQ(cfg->log.level, "debug");
  EXPECT_TRUE(cfg->log.json);
  EXPECT_EQ(cfg->log.file, fs::path("/etc/sb/logs/sb.log"));
  EXPECT_EQ(cfg->worker_threads, 4);
  ASSERT_EQ(cfg->instances.size(), 2u);
  const auto& wa = cfg->instances[0];
  EXPECT_EQ(wa.id, "wa-sales");
  EXPECT_EQ(wa.plugin, "whatsapp");
  EXPECT_FALSE(wa.enabled);
  EXPECT_EQ(wa.secrets.at("access_token").source, "env:WA_TOKEN");
  EXPECT_EQ(wa.secrets.at("app_secret").source, "file:/etc/sb/secrets/app");
  // The plugin's config is passed on as JSON, key order kept, unknown keys allowed.
  EXPECT_EQ(wa.config_json,
            R"({"phone_number_id":"123","nested":{"x":[1,2.5,null,"a//b"]},"unknown":true})");
  EXPECT_TRUE(cfg->instances[1].enabled);
  EXPECT_EQ(cfg->instances[1].config_json, "{}");
  EXPECT_TRUE(cfg->warnings.empty());
}

TEST(Config, DefaultsApply) {
  auto cfg = parse_config(R"({"data_dir": "/var/lib/sb"})", "/etc/sb");
  ASSERT_TRUE(cfg.is_ok());
  EXPECT_EQ(cfg->http.host, "127.0.0.1");
  EXPECT_EQ(cfg->http.port, 8080);
  EXPECT_EQ(cfg->http.max_body_bytes, 1u << 20);
  EXPECT_EQ(cfg->worker_threads, 2);
  EXPECT_EQ(cfg->log.level, "info");
  EXPECT_FALSE(cfg->log.file.has_value());
}

TEST(Config, EventStreamsAndWebhookBodiesHaveTheirOwnLimits) {
  auto cfg = parse_config(R"({"data_dir": "d"})", "/etc/sb");
  ASSERT_TRUE(cfg.is_ok());
  EXPECT_EQ(cfg->http.max_event_streams, 500);            // a contact center's desks, not four
  EXPECT_EQ(cfg->http.max_webhook_body_bytes, 4u << 20);  // Meta's deliveries reach 3 MB
  cfg = parse_config(
      R"({"data_dir": "d", "http": {"max_event_streams": 1200, "max_webhook_body_bytes": 8388608}})",
      "/etc/sb");
  ASSERT_TRUE(cfg.is_ok()) << cfg.status().message();
  EXPECT_EQ(cfg->http.max_event_streams, 1200);
  EXPECT_EQ(cfg->http.max_webhook_body_bytes, 8u << 20);
  EXPECT_EQ(error_of(R"({"data_dir": "d", "http": {"max_event_streams": 0}})"),
            "value 0 out of range at $.http.max_event_streams: must be 1-10000");
  EXPECT_EQ(error_of(R"({"data_dir": "d", "http": {"max_webhook_body_bytes": 0}})"),
            "value 0 out of range at $.http.max_webhook_body_bytes: must be 1-1073741824");
}

TEST(ConfigErrors, UnknownKeysWithPath) {
  EXPECT_EQ(error_of(R"({"data_dir": "d", "htp": {}})"), R"(unknown key "htp" at $.htp)");
  EXPECT_EQ(error_of(R"({"data_dir": "d", "http": {"prot": 1}})"),
            R"(unknown key "prot" at $.http.prot)");
  EXPECT_EQ(
      error_of(R"({"data_dir": "d", "instances": [{"id": "a", "plugin": "p", "confg": {}}]})"),
      R"(unknown key "confg" at $.instances[0].confg)");
  EXPECT_EQ(error_of(R"({"data_dir": "d", "log": {"lvl": "info"}})"),
            R"(unknown key "lvl" at $.log.lvl)");
}

TEST(ConfigErrors, WrongTypes) {
  EXPECT_EQ(error_of(R"({"data_dir": "d", "http": {"port": "8080"}})"),
            "wrong type at $.http.port: expected integer, got string");
  EXPECT_EQ(error_of(R"({"data_dir": 5})"),
            "wrong type at $.data_dir: expected string, got integer");
  EXPECT_EQ(error_of(R"({"data_dir": "d", "instances": {}})"),
            "wrong type at $.instances: expected array, got object");
  EXPECT_EQ(
      error_of(R"({"data_dir": "d", "instances": [{"id": "a", "plugin": "p", "enabled": 1}]})"),
      "wrong type at $.instances[0].enabled: expected boolean, got integer");
  EXPECT_EQ(
      error_of(R"({"data_dir": "d", "instances": [{"id": "a", "plugin": "p", "config": []}]})"),
      "wrong type at $.instances[0].config: expected object, got array");
  EXPECT_EQ(error_of(R"({"data_dir": "d", "plugin_dirs": ["a", 2]})"),
            "wrong type at $.plugin_dirs[1]: expected string, got integer");
  EXPECT_EQ(error_of(R"({"data_dir": "d", "worker_threads": 1.5})"),
            "wrong type at $.worker_threads: expected integer, got number");
  EXPECT_EQ(error_of("[1]"), "wrong type at $: expected object, got array");
}

TEST(ConfigErrors, MissingRequiredKeys) {
  EXPECT_EQ(error_of("{}"), R"(missing required key "data_dir" at $)");
  EXPECT_EQ(error_of(R"({"data_dir": "d", "instances": [{"id": "a"}]})"),
            R"(missing required key "plugin" at $.instances[0])");
  EXPECT_EQ(error_of(R"({"data_dir": "d", "instances": [{"plugin": "p"}]})"),
            R"(missing required key "id" at $.instances[0])");
}

TEST(ConfigErrors, DuplicateAndInvalidInstanceIds) {
  EXPECT_EQ(error_of(R"({"data_dir": "d", "instances": [{"id": "a", "plugin": "p"},
                                                      {"id": "a", "plugin": "q"}]})"),
            R"(duplicate instance id "a" at $.instances[1].id)");
  const std::string rule = ": must match [a-z0-9][a-z0-9_-]{0,62}";
  EXPECT_EQ(error_of(R"({"data_dir": "d", "instances": [{"id": "Wa", "plugin": "p"}]})"),
            R"(invalid instance id "Wa" at $.instances[0].id)" + rule);
  EXPECT_EQ(error_of(R"({"data_dir": "d", "instances": [{"id": "-a", "plugin": "p"}]})"),
            R"(invalid instance id "-a" at $.instances[0].id)" + rule);
  EXPECT_EQ(error_of(R"({"data_dir": "d", "instances": [{"id": "", "plugin": "p"}]})"),
            R"(invalid instance id "" at $.instances[0].id)" + rule);
  std::string long_id(64, 'a');
  EXPECT_EQ(
      error_of(R"({"data_dir": "d", "instances": [{"id": ")" + long_id + R"(", "plugin": "p"}]})"),
      "invalid instance id \"" + long_id + "\" at $.instances[0].id" + rule);
  EXPECT_TRUE(sb::config::is_valid_instance_id(std::string(63, 'a')));
  EXPECT_TRUE(sb::config::is_valid_instance_id("0wa_sales-2"));
}

TEST(ConfigErrors, RangesAndValues) {
  EXPECT_EQ(error_of(R"({"data_dir": "d", "http": {"port": 70000}})"),
            "port 70000 out of range at $.http.port: must be 0-65535");
  EXPECT_EQ(error_of(R"({"data_dir": "d", "http": {"port": -1}})"),
            "port -1 out of range at $.http.port: must be 0-65535");
  EXPECT_EQ(error_of(R"({"data_dir": "d", "worker_threads": 0})"),
            "value 0 out of range at $.worker_threads: must be 1-256");
  EXPECT_EQ(
      error_of(R"({"data_dir": "d", "log": {"level": "loud"}})"),
      R"(invalid log level "loud" at $.log.level: expected trace, debug, info, warn or error)");
}

// Integers are read from their text: past 64 bits is an error at the value (never a wrapped or
// rounded number); fractions, exponents, strings and booleans are not integers.
TEST(ConfigErrors, HostileIntegersAreErrorsAtTheirPlace) {
  EXPECT_EQ(error_of("{\"data_dir\": \"d\",\n \"http\": {\"port\": 18446744073709551696}}"),
            "parse error at line 2, column 19 (at $.http.port): integer out of range (64-bit "
            "integers only)");
  EXPECT_EQ(error_of(R"({"data_dir": "d", "worker_threads": 18446744073709551617})"),
            "parse error at line 1, column 37 (at $.worker_threads): integer out of range (64-bit "
            "integers only)");
  EXPECT_EQ(error_of(R"({"data_dir": "d", "worker_threads": -9223372036854775809})"),
            "parse error at line 1, column 37 (at $.worker_threads): integer out of range (64-bit "
            "integers only)");
  EXPECT_EQ(
      error_of(R"({"data_dir": "d", "instances": [{"id": "a", "plugin": "p",
                         "config": {"x": [1, 1e400]}}]})"),
      "parse error at line 2, column 46 (at $.instances[0].config.x[1]): number out of range");
  for (const std::string n : {"1e3", "2.0", "\"2\"", "true"}) {
    EXPECT_EQ(error_of(R"({"data_dir": "d", "worker_threads": )" + n + "}")
                  .rfind("wrong type at $.worker_threads: expected integer", 0),
              0u)
        << n;
  }
}

// Config strings reach plugins (instance config) and the store: UTF-8 only, no NUL.
TEST(ConfigErrors, StringsMustBeValidUtf8) {
  for (const std::string bad :
       {"d\xFF", "d\xC0\xAF", "d\xED\xA0\x80", "d\xF4\x90\x80\x80", "d\xE2\x82"}) {
    EXPECT_EQ(error_of(R"({"data_dir": ")" + bad + R"("})"),
              "parse error at line 1, column 14 (at $.data_dir): string is not valid UTF-8")
        << bad;
  }
  EXPECT_EQ(error_of(R"({"data_dir": "d\u0000x"})"),
            "parse error at line 1, column 16 (at $.data_dir): NUL character (\\u0000) in string");
  EXPECT_EQ(error_of(R"({"data_dir": "\udc00"})"),
            "parse error at line 1, column 15 (at $.data_dir): unpaired surrogate");
}

TEST(ConfigErrors, ParseErrorsCarryLineAndColumn) {
  EXPECT_EQ(error_of("{\n  \"data_dir\": \"d\",\n  \"http\": {\"port\": 80,}\n}"),
            "parse error at line 3, column 23: trailing comma before '}'");
  EXPECT_EQ(error_of("{\n  \"data_dir\": \"d\"\n  \"x\": 1\n}"),
            "parse error at line 3, column 3: expected ',' or '}' after a member");
  EXPECT_EQ(error_of("{\"data_dir\": \"d\", /* open"),
            "parse error at line 1, column 19: unterminated /* comment");
  EXPECT_EQ(error_of(R"({"data_dir": "d", "data_dir": "e"})"),
            "parse error at line 1, column 19: duplicate key \"data_dir\"");
  EXPECT_EQ(error_of(""),
            "parse error at line 1, column 1: unexpected end of input, expected a value");
}

TEST(ConfigErrors, SecretReferences) {
  EXPECT_EQ(error_of(R"({"data_dir": "d", "instances": [{"id": "a", "plugin": "p",
                       "secrets": {"token": "EAAG-pasted-token"}}]})"),
            "invalid secret reference at $.instances[0].secrets.token: must start with env:, file: "
            "or literal:");
  EXPECT_EQ(error_of(R"({"data_dir": "d", "instances": [{"id": "a", "plugin": "p",
                       "secrets": {"token": "env:BAD NAME"}}]})"),
            "invalid environment variable name in secret reference at "
            "$.instances[0].secrets.token");
}

TEST(Config, LiteralSecretIsWarnedAboutWithoutItsValue) {
  auto cfg = parse_config(R"({"data_dir": "d", "instances": [{"id": "a", "plugin": "p",
                              "secrets": {"token": "literal:s3cr3t-value"}}]})",
                          "/etc");
  ASSERT_TRUE(cfg.is_ok());
  ASSERT_EQ(cfg->warnings.size(), 1u);
  EXPECT_EQ(
      cfg->warnings[0],
      R"(instance "a": secret "token" is a literal in the config file; prefer env: or file:)");
  auto value = sb::config::resolve_secret(cfg->instances[0].secrets.at("token"));
  ASSERT_TRUE(value.is_ok());
  EXPECT_EQ(*value, "s3cr3t-value");
}

class ConfigFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sb_config_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return dir_ / name;
  }
  fs::path dir_;
};

TEST_F(ConfigFiles, SecretsResolveFromEnvAndFileAndErrorsNeverShowValues) {
  ::setenv("SB_TEST_SECRET_TOKEN", "tok-from-env", 1);
  ::unsetenv("SB_TEST_SECRET_MISSING");
  write("app_secret", "from-file\n");
  auto path = write("sb.jsonc", R"({"data_dir": ".", "instances": [{"id": "a", "plugin": "p",
      "secrets": {"t": "env:SB_TEST_SECRET_TOKEN", "f": "file:app_secret",
                  "m": "env:SB_TEST_SECRET_MISSING", "nf": "file:nope"}}]})");
  auto cfg = sb::config::load_config(path);
  ASSERT_TRUE(cfg.is_ok()) << cfg.status().message();
  EXPECT_EQ(cfg->source, path);
  EXPECT_EQ(cfg->data_dir, dir_);
  const auto& secrets = cfg->instances[0].secrets;
  auto t = sb::config::resolve_secret(secrets.at("t"));
  ASSERT_TRUE(t.is_ok());
  EXPECT_EQ(*t, "tok-from-env");
  auto f = sb::config::resolve_secret(secrets.at("f"));
  ASSERT_TRUE(f.is_ok());
  EXPECT_EQ(*f, "from-file");  // trailing newline dropped
  auto m = sb::config::resolve_secret(secrets.at("m"));
  ASSERT_FALSE(m.is_ok());
  EXPECT_EQ(m.status().code(), sb::Code::kNotFound);
  EXPECT_EQ(m.status().message(), "environment variable SB_TEST_SECRET_MISSING is not set");
  auto nf = sb::config::resolve_secret(secrets.at("nf"));
  ASSERT_FALSE(nf.is_ok());
  EXPECT_EQ(nf.status().message(),
            "cannot read secret file " + (dir_ / "nope").string() + ": No such file or directory");
  // No message anywhere carries a value.
  for (const auto& msg : {m.status().message(), nf.status().message()}) {
    EXPECT_EQ(msg.find("tok-from-env"), std::string::npos);
    EXPECT_EQ(msg.find("from-file"), std::string::npos);
  }
}

TEST_F(ConfigFiles, LoadErrorsNameTheFile) {
  auto path = write("bad.jsonc", "{\"data_dir\": \"d\", \"htp\": 1}");
  auto cfg = sb::config::load_config(path);
  ASSERT_FALSE(cfg.is_ok());
  EXPECT_EQ(cfg.status().message(), path.string() + R"(: unknown key "htp" at $.htp)");
  auto missing = sb::config::load_config(dir_ / "absent.jsonc");
  ASSERT_FALSE(missing.is_ok());
  EXPECT_EQ(missing.status().message(), "cannot read config file " +
                                            (dir_ / "absent.jsonc").string() +
                                            ": No such file or directory");
}

TEST(Jsonc, StringsEscapesAndNumbers) {
  auto v = sb::config::parse_jsonc(
      R"({"s": "a\"b\\c\/\n\u00e9\ud83d\ude00", "i": -42, "big": 9223372036854775807,
          "huge": 1e400000, "d": 1.25e2, "t": true, "f": false, "n": null})");
  ASSERT_FALSE(v.is_ok());  // 1e400000 overflows a double
  v = sb::config::parse_jsonc(
      R"({"s": "a\"b\\c\/\n\u00e9\ud83d\ude00", "i": -42, "big": 9223372036854775807,
          "d": 1.25e2, "t": true, "n": null})");
  ASSERT_TRUE(v.is_ok()) << v.status().message();
  auto obj = v->extract<Poco::JSON::Object::Ptr>();
  EXPECT_EQ(obj->getValue<std::string>("s"), "a\"b\\c/\n\xC3\xA9\xF0\x9F\x98\x80");
  EXPECT_EQ(obj->getValue<Poco::Int64>("i"), -42);
  EXPECT_EQ(obj->getValue<Poco::Int64>("big"), INT64_MAX);
  EXPECT_DOUBLE_EQ(obj->getValue<double>("d"), 125.0);
  EXPECT_TRUE(obj->getValue<bool>("t"));
  EXPECT_TRUE(obj->isNull("n"));
  EXPECT_FALSE(sb::config::parse_jsonc(R"(["\ud83d"])").is_ok());
  EXPECT_FALSE(sb::config::parse_jsonc("[01]").is_ok());
  EXPECT_FALSE(sb::config::parse_jsonc("[\"tab\there\"]").is_ok());
  EXPECT_FALSE(sb::config::parse_jsonc(std::string(100, '[') + std::string(100, ']')).is_ok());
}

TEST(Json, StrictParserRefusesCommentsAndNamesTheValueAtFault) {
  EXPECT_TRUE(sb::config::parse_json(R"({"a": [1, {"b": "c"}]})").is_ok());
  EXPECT_FALSE(sb::config::parse_json("{\"a\": 1 // no comments\n}").is_ok());
  EXPECT_FALSE(sb::config::parse_json("{\"a\": /* none */ 1}").is_ok());
  std::string field = "untouched";
  EXPECT_FALSE(sb::config::parse_json(R"({"a": [1, {"b": 18446744073709551618}]})", &field));
  EXPECT_EQ(field, "a[1].b");
  EXPECT_FALSE(sb::config::parse_json(R"([{"s": "\ud800"}])", &field));
  EXPECT_EQ(field, "[0].s");
  field = "untouched";  // a syntax error is not a value's
  EXPECT_FALSE(sb::config::parse_json(R"({"a": [1,]})", &field));
  EXPECT_EQ(field, "untouched");
  auto edge = sb::config::parse_json(R"([9223372036854775807, -9223372036854775808, -0, 0.5])");
  ASSERT_TRUE(edge.is_ok()) << edge.status().message();
  auto arr = edge->extract<Poco::JSON::Array::Ptr>();
  EXPECT_EQ(arr->get(0).extract<Poco::Int64>(), INT64_MAX);
  EXPECT_EQ(arr->get(1).extract<Poco::Int64>(), INT64_MIN);
  EXPECT_EQ(arr->get(2).extract<Poco::Int64>(), 0);
  EXPECT_DOUBLE_EQ(arr->get(3).extract<double>(), 0.5);
}

}  // namespace

namespace {

// The shipped example must stay loadable as the format evolves.
TEST(ConfigExample, DocsExampleLoads) {
  auto cfg = sb::config::load_config(SB_EXAMPLE_CONFIG);
  ASSERT_TRUE(cfg.is_ok()) << cfg.status().message();
  EXPECT_EQ(cfg->instances.size(), 2u);
  EXPECT_TRUE(cfg->warnings.empty());
  EXPECT_EQ(cfg->instances[0].config_json, R"({"delay_ms":200,"prefix":"echo: "})");
  EXPECT_EQ(cfg->data_dir,
            (std::filesystem::path(SB_EXAMPLE_CONFIG).parent_path() / "data").lexically_normal());
}

}  // namespace

namespace {

TEST(ConfigCore, DefaultsAndValues) {
  auto defaults = parse_config(R"({"data_dir": "d"})", "/etc/sb");
  ASSERT_TRUE(defaults.is_ok());
  EXPECT_EQ(defaults->core.default_region, "");
  EXPECT_EQ(defaults->core.reopen_horizon_hours, 168);

  auto cfg = parse_config(
      R"({"data_dir": "d", "core": {"default_region": "DE", "reopen_horizon_hours": 48}})", "/");
  ASSERT_TRUE(cfg.is_ok()) << cfg.status().message();
  EXPECT_EQ(cfg->core.default_region, "DE");
  EXPECT_EQ(cfg->core.reopen_horizon_hours, 48);
}

TEST(ConfigCore, Errors) {
  EXPECT_EQ(error_of(R"({"data_dir": "d", "core": {"region": "DE"}})"),
            R"(unknown key "region" at $.core.region)");
  EXPECT_NE(error_of(R"({"data_dir": "d", "core": {"default_region": "Germany"}})")
                .find("$.core.default_region"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"data_dir": "d", "core": {"reopen_horizon_hours": -1}})")
                .find("$.core.reopen_horizon_hours"),
            std::string::npos);
}

}  // namespace

namespace {

TEST(ConfigRouting, SectionIsKeptForTheRouterToValidate) {
  auto without = parse_config(R"({"data_dir": "d"})", "/");
  ASSERT_TRUE(without.is_ok());
  EXPECT_TRUE(without->routing_json.empty());

  auto cfg = parse_config(R"({"data_dir": "d", /* c */ "routing": {"default_queue": "q"}})", "/");
  ASSERT_TRUE(cfg.is_ok()) << cfg.status().message();
  EXPECT_NE(cfg->routing_json.find(R"("default_queue":"q")"), std::string::npos)
      << cfg->routing_json;
  EXPECT_NE(error_of(R"({"data_dir": "d", "routing": []})").find("$.routing"), std::string::npos);
}

}  // namespace

namespace {

TEST(ConfigTesting, ControllableClockIsOffByDefault) {
  auto cfg = parse_config(R"({"data_dir": "d"})", "/etc/sb");
  ASSERT_TRUE(cfg.is_ok()) << cfg.status().message();
  EXPECT_FALSE(cfg->testing.controllable_clock);
}

TEST(ConfigTesting, ControllableClockIsWarnedAbout) {
  auto cfg = parse_config(R"({"data_dir": "d", "testing": {"controllable_clock": true}})", "/x");
  ASSERT_TRUE(cfg.is_ok()) << cfg.status().message();
  EXPECT_TRUE(cfg->testing.controllable_clock);
  bool warned = false;
  for (const auto& w : cfg->warnings) warned |= w.find("controllable_clock") != std::string::npos;
  EXPECT_TRUE(warned);
}

TEST(ConfigTesting, ControllableClockNeedsALoopbackServer) {
  EXPECT_NE(error_of(R"({"data_dir": "d", "http": {"host": "0.0.0.0"},
                         "testing": {"controllable_clock": true}})")
                .find("loopback"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"data_dir": "d", "testing": {"clock": true}})").find("$.testing.clock"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"data_dir": "d", "testing": {"controllable_clock": "yes"}})")
                .find("controllable_clock"),
            std::string::npos);
}

}  // namespace

namespace {

TEST(ConfigMedia, CacheBoundDefaultsAndIsChecked) {
  auto cfg = parse_config(R"({"data_dir": "d"})", "/etc/sb");
  ASSERT_TRUE(cfg.is_ok());
  EXPECT_EQ(cfg->media.cache_max_mb, 1024);
  auto off = parse_config(R"({"data_dir": "d", "media": {"cache_max_mb": 0}})", "/etc/sb");
  ASSERT_TRUE(off.is_ok()) << off.status().message();
  EXPECT_EQ(off->media.cache_max_mb, 0);
  EXPECT_NE(error_of(R"({"data_dir": "d", "media": {"cache_max_mb": -1}})").find("cache_max_mb"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"data_dir": "d", "media": {"max": 1}})").find("$.media.max"),
            std::string::npos);
}

TEST(ConfigOutbox, DefaultsGlobalAndPerInstance) {
  auto defaults = parse_config(R"({"data_dir": "d"})", "/etc/sb");
  ASSERT_TRUE(defaults.is_ok());
  EXPECT_EQ(defaults->outbox.base_backoff_ms, 1000);
  EXPECT_EQ(defaults->outbox.max_backoff_ms, 300'000);
  EXPECT_EQ(defaults->outbox.horizon_s, 86'400);
  EXPECT_EQ(defaults->outbox.poll_interval_ms, 1000);
  EXPECT_EQ(defaults->outbox.max_in_flight, 32);
  EXPECT_EQ(defaults->outbox.drain_timeout_ms, 10'000);

  auto cfg = parse_config(R"({"data_dir": "d",
    "outbox": {"base_backoff_ms": 500, "max_in_flight": 8, "horizon_s": 7200},
    "instances": [{"id": "a", "plugin": "p", "outbox": {"max_in_flight": 2, "max_backoff_ms": 900}},
                  {"id": "b", "plugin": "p"}]})",
                          "/etc/sb");
  ASSERT_TRUE(cfg.is_ok()) << cfg.status().message();
  EXPECT_EQ(cfg->outbox.base_backoff_ms, 500);
  EXPECT_EQ(cfg->outbox.max_in_flight, 8);
  EXPECT_EQ(cfg->outbox.horizon_s, 7200);
  EXPECT_EQ(cfg->outbox.max_backoff_ms, 300'000);
  ASSERT_TRUE(cfg->instances[0].outbox.has_value());
  // The instance starts from the global section and replaces what it names.
  EXPECT_EQ(cfg->instances[0].outbox->max_in_flight, 2);
  EXPECT_EQ(cfg->instances[0].outbox->max_backoff_ms, 900);
  EXPECT_EQ(cfg->instances[0].outbox->base_backoff_ms, 500);
  EXPECT_EQ(cfg->instances[0].outbox->horizon_s, 7200);
  EXPECT_FALSE(cfg->instances[1].outbox.has_value());
}

TEST(ConfigOutbox, ErrorsNameTheField) {
  EXPECT_EQ(error_of(R"({"data_dir": "d", "outbox": {"max_in_flight": 0}})"),
            "value 0 out of range at $.outbox.max_in_flight: must be 1-10000");
  EXPECT_EQ(error_of(R"({"data_dir": "d", "outbox": {"base_backoff_ms": "1s"}})"),
            "wrong type at $.outbox.base_backoff_ms: expected integer, got string");
  EXPECT_EQ(error_of(R"({"data_dir": "d", "outbox": {"jitter": 1}})"),
            R"(unknown key "jitter" at $.outbox.jitter)");
  EXPECT_EQ(error_of(R"({"data_dir": "d", "outbox": []})"),
            "wrong type at $.outbox: expected object, got array");
  EXPECT_EQ(
      error_of(R"({"data_dir": "d", "outbox": {"base_backoff_ms": 5000, "max_backoff_ms": 100}})"),
      "bad value at $.outbox.max_backoff_ms: 100 is below base_backoff_ms (5000)");
  EXPECT_EQ(error_of(R"({"data_dir": "d", "outbox": {"poll_interval_ms": 1}})"),
            "value 1 out of range at $.outbox.poll_interval_ms: must be 10-60000");
  EXPECT_EQ(error_of(R"({"data_dir": "d", "outbox": {"horizon_s": 0}})"),
            "value 0 out of range at $.outbox.horizon_s: must be 1-2592000");
  EXPECT_EQ(error_of(R"({"data_dir": "d", "outbox": {"drain_timeout_ms": -1}})"),
            "value -1 out of range at $.outbox.drain_timeout_ms: must be 0-600000");
  EXPECT_EQ(error_of(R"({"data_dir": "d", "instances": [{"id": "a", "plugin": "p",
                                                        "outbox": {"max_in_flight": 20000}}]})"),
            "value 20000 out of range at $.instances[0].outbox.max_in_flight: must be 1-10000");
  // An instance's override is checked against the global base as well.
  EXPECT_EQ(
      error_of(R"({"data_dir": "d", "outbox": {"base_backoff_ms": 2000},
                        "instances": [{"id": "a", "plugin": "p", "outbox": {"max_backoff_ms": 1000}}]})"),
      "bad value at $.instances[0].outbox.max_backoff_ms: 1000 is below base_backoff_ms (2000)");
}

}  // namespace
