#include <Poco/Net/ServerSocket.h>

#include <switchboard/abi.h>

#include "fixture.h"

namespace {

namespace fs = std::filesystem;
using sbtest::lines;

class CliTest : public sbtest::HostFixture {
 protected:
  struct Run {
    int code = -1;
    std::string out, err;
  };
  Run run(std::vector<std::string> args) {
    sbtest::Process p(std::move(args), dir_);
    EXPECT_TRUE(p.started());
    auto code = p.wait();
    EXPECT_TRUE(code.has_value()) << "still running";
    return {code.value_or(-1), p.out(), p.err()};
  }
  Run serve(const fs::path& config) { return run({"serve", "--config", config.string()}); }

  // A failure is exactly one line on stderr, "error: ...", and no trace of a crash.
  static void expect_one_error_line(const Run& r, const std::string& needle) {
    EXPECT_NE(r.code, 0);
    const auto l = lines(r.err);
    ASSERT_EQ(l.size(), 1u) << r.err;
    EXPECT_EQ(l[0].rfind("error: ", 0), 0u) << l[0];
    EXPECT_NE(l[0].find(needle), std::string::npos) << l[0];
  }

  // A copy of the rt_test plugin directory that the test may break.
  fs::path plugin_copy(const std::string& manifest_edit_from = "",
                       const std::string& manifest_edit_to = "") {
    const fs::path dir = dir_ / "plugins" / "rt_test";
    fs::create_directories(dir);
    fs::copy(fs::path(SBT_RT_PLUGIN_DIR) / "rt_test", dir,
             fs::copy_options::recursive | fs::copy_options::overwrite_existing);
    if (!manifest_edit_from.empty()) {
      std::string m = sbtest::read_file(dir / "manifest.json");
      m.replace(m.find(manifest_edit_from), manifest_edit_from.size(), manifest_edit_to);
      std::ofstream(dir / "manifest.json", std::ios::trunc) << m;
    }
    return dir;
  }
  // The config with plugin_dirs pointing at dir instead of the build's test plugins.
  fs::path config_with_plugin_dir(const fs::path& dir, const std::string& level = "warn") {
    auto path = write_config(R"([{"id":"t1","plugin":"rt_test"}])", "", 0, level);
    std::string text = sbtest::read_file(path);
    const std::string from = std::string("\"") + SBT_RT_PLUGIN_DIR + "\"";
    text.replace(text.find(from), from.size(), "\"" + dir.string() + "\"");
    std::ofstream(path, std::ios::trunc) << text;
    return path;
  }
};

TEST_F(CliTest, VersionAndHelp) {
  auto v = run({"--version"});
  EXPECT_EQ(v.code, 0);
  EXPECT_NE(v.out.find("switchboard "), std::string::npos);
  EXPECT_NE(v.out.find("plugin ABI 1.1"), std::string::npos) << v.out;
  for (auto args : std::vector<std::vector<std::string>>{{"--help"},
                                                         {"serve", "--help"},
                                                         {"plugins", "--help"},
                                                         {"plugins", "list", "--help"},
                                                         {"plugins", "inspect", "--help"}}) {
    auto r = run(args);
    EXPECT_EQ(r.code, 0) << args[0];
    EXPECT_NE(r.out.find("usage: switchboard"), std::string::npos) << r.out;
  }
}

TEST_F(CliTest, UnknownCommandIsAUsageError) {
  auto r = run({"frobnicate"});
  EXPECT_EQ(r.code, 64);
  EXPECT_EQ(r.err.rfind("error: unknown command \"frobnicate\"", 0), 0u) << r.err;
  EXPECT_EQ(run({"serve"}).code, 64);
}

TEST_F(CliTest, UnknownConfigKeyIsOneLine) {
  auto path = write_config(R"([])", "  \"colour\": \"blue\",\n");
  expect_one_error_line(serve(path), "unknown key \"colour\"");
}

TEST_F(CliTest, MissingConfigFileIsOneLine) {
  expect_one_error_line(serve(dir_ / "absent.jsonc"), "absent.jsonc");
}

TEST_F(CliTest, UnknownPluginIdIsOneLine) {
  auto path = write_config(R"([{"id":"t1","plugin":"no_such_plugin"}])", "", 0, "warn");
  expect_one_error_line(serve(path), "unknown plugin \"no_such_plugin\"");
}

TEST_F(CliTest, MissingPluginFileNamesTheCause) {
  const fs::path dir = plugin_copy();
  fs::remove(dir / "sbtest_rt_plugin.so");
  auto r = serve(config_with_plugin_dir(dir_ / "plugins"));
  EXPECT_NE(r.code, 0);
  const auto l = lines(r.err);
  ASSERT_FALSE(l.empty());
  // The refusal is logged where it happens; the fatal line says why the instance cannot run.
  EXPECT_EQ(
      l.back().rfind("error: instance \"t1\": plugin \"rt_test\" did not load: ManifestInvalid", 0),
      0u)
      << r.err;
  EXPECT_NE(l.back().find("sbtest_rt_plugin.so"), std::string::npos);
  EXPECT_EQ(r.err.find("terminate"), std::string::npos);
}

TEST_F(CliTest, UnusableDataDirIsOneLine) {
  std::ofstream(dir_ / "data") << "a file, not a directory";
  expect_one_error_line(serve(write_config("[]", "", 0, "warn")), "data");
}

TEST_F(CliTest, PortInUseIsOneLine) {
  Poco::Net::ServerSocket taken(Poco::Net::SocketAddress("127.0.0.1", 0));
  const uint16_t port = taken.address().port();
  expect_one_error_line(
      serve(write_config(R"([{"id":"t1","plugin":"rt_test"}])", "", port, "warn")),
      std::to_string(port));
}

TEST_F(CliTest, PluginsListReportsEachPlugin) {
  auto ok = run({"plugins", "list", "--config", write_config().string()});
  EXPECT_EQ(ok.code, 0) << ok.err;
  EXPECT_NE(ok.out.find("rt_test  version=0.1.0  kind=test  abi=1.0  status=ok"), std::string::npos)
      << ok.out;

  plugin_copy("\"abi_major\":1", "\"abi_major\":2");
  auto bad =
      run({"plugins", "list", "--config", config_with_plugin_dir(dir_ / "plugins").string()});
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.out.find("status=AbiMajorMismatch"), std::string::npos) << bad.out;
}

TEST_F(CliTest, InspectShowsEntryFactsWithoutInit) {
  const fs::path dir = fs::path(SBT_RT_PLUGIN_DIR) / "rt_test";
  for (const fs::path& target : {dir, dir / "manifest.json", dir / "sbtest_rt_plugin.so"}) {
    auto r = run({"plugins", "inspect", target.string()});
    EXPECT_EQ(r.code, 0) << target << r.err;
    EXPECT_NE(r.out.find("id:                 rt_test"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("capabilities:       send_text, receive, webhooks"), std::string::npos);
    EXPECT_NE(r.out.find("vtable slots:       destroy, start, stop, send, handle_webhook, health"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("host abi:           1.1"), std::string::npos);
  }
  auto j = run({"plugins", "inspect", dir.string(), "--json"});
  EXPECT_EQ(j.code, 0);
  EXPECT_NE(j.out.find("\"id\": \"rt_test\""), std::string::npos) << j.out;
  EXPECT_NE(j.out.find("\"entry_struct_size\": " + std::to_string(sizeof(sb_plugin_entry))),
            std::string::npos)
      << j.out;
}

TEST_F(CliTest, InspectOfAnIncompatiblePluginExitsTwo) {
  const fs::path dir = plugin_copy("\"abi_major\":1", "\"abi_major\":2");
  auto r = run({"plugins", "inspect", dir.string()});
  EXPECT_EQ(r.code, 2);
  const auto l = lines(r.err);
  ASSERT_EQ(l.size(), 1u) << r.err;
  EXPECT_EQ(l[0].rfind("error: AbiMajorMismatch: ", 0), 0u) << l[0];
  EXPECT_TRUE(r.out.empty());
}

}  // namespace
