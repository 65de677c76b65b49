// Plugins the host must refuse, each for exactly one reason, with its own error kind and a message
// that names the file and the problem; a newer-major plugin is refused before any of its code runs.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "fixtures.h"
#include "plugin/registry.h"
#include "test_host.h"

namespace sb::abi_test {
namespace {

using plugin::LoadedPlugin;
using plugin::LoadError;
using plugin::LoadErrorKind;

// Points SB_ABI_TEST_MARKER (read by the malformed fixtures' static constructor and entry) at a
// fresh file for the duration of a test. The environment is process-wide, hence one at a time.
class LoadMarker {
 public:
  explicit LoadMarker(const std::string& test)
      : path_(std::filesystem::temp_directory_path() /
              ("sb-abi-marker-" + std::to_string(getpid()) + "-" + test)) {
    std::filesystem::remove(path_);
    setenv("SB_ABI_TEST_MARKER", path_.c_str(), 1);
  }
  ~LoadMarker() {
    unsetenv("SB_ABI_TEST_MARKER");
    std::filesystem::remove(path_);
  }
  bool exists() const { return std::filesystem::exists(path_); }
  std::string contents() const {
    std::ifstream in(path_);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

 private:
  std::filesystem::path path_;
};

LoadError expect_refused(std::string_view name) {
  auto outcome = load_fixture(name);
  if (!std::holds_alternative<LoadError>(outcome)) {
    ADD_FAILURE() << name << " loaded but must be refused";
    return {};
  }
  return std::get<LoadError>(outcome);
}

struct Refusal {
  const char* fixture;
  LoadErrorKind kind;
  std::vector<const char*> message_names;  // what the message must mention
};

void PrintTo(const Refusal& r, std::ostream* os) {
  *os << r.fixture;
}

class Refused : public ::testing::TestWithParam<Refusal> {};

TEST_P(Refused, WithItsOwnKindAndAMessageNamingTheProblem) {
  const Refusal& r = GetParam();
  LoadError error = expect_refused(r.fixture);
  EXPECT_EQ(plugin::to_string(error.kind), plugin::to_string(r.kind)) << error.message;
  // Every message names the file it is about (the manifest or the library in the fixture's dir).
  EXPECT_NE(error.message.find(r.fixture), std::string::npos) << error.message;
  for (const char* needle : r.message_names) {
    EXPECT_NE(error.message.find(needle), std::string::npos)
        << "message should mention \"" << needle << "\": " << error.message;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, Refused,
    ::testing::Values(
        Refusal{"newer_major", LoadErrorKind::kAbiMajorMismatch, {"major", "2"}},
        Refusal{"lying_v2", LoadErrorKind::kEntryMissing, {"sb_plugin_entry_v1"}},
        Refusal{"no_entry", LoadErrorKind::kEntryMissing, {"sb_plugin_entry_v1"}},
        Refusal{"entry_major_2", LoadErrorKind::kEntryInvalid, {"abi_major", "2"}},
        Refusal{"small_struct", LoadErrorKind::kEntryInvalid, {"struct_size", "8"}},
        Refusal{"null_send", LoadErrorKind::kEntryInvalid, {"send", "NULL"}},
        Refusal{"id_mismatch", LoadErrorKind::kEntryInvalid, {"someone-else"}},
        Refusal{"minor_99", LoadErrorKind::kAbiMinorTooNew, {"1.99"}},
        Refusal{"minor_99_entry", LoadErrorKind::kAbiMinorTooNew, {"1.99"}},
        Refusal{"bad_json", LoadErrorKind::kManifestInvalid, {"JSON"}},
        Refusal{"missing_field", LoadErrorKind::kManifestInvalid, {"channel_kind"}},
        Refusal{"library_missing", LoadErrorKind::kManifestInvalid, {"library_missing.so"}}),
    [](const auto& info) { return std::string(info.param.fixture); });

// The positive control for the marker: loading runs the constructor and the entry function, so a
// missing marker file below really means "no code of the plugin ran".
TEST(LoadMarker, IsWrittenWhenAFixtureIsLoaded) {
  LoadMarker marker("control");
  auto outcome = load_fixture("malformed_control");
  ASSERT_TRUE(std::holds_alternative<std::shared_ptr<LoadedPlugin>>(outcome))
      << std::get<LoadError>(outcome).message;
  EXPECT_EQ(marker.contents(), "malformed_control constructor\nmalformed_control entry_v1\n");
}

TEST(NewerMajor, RefusedByTheManifestBeforeAnyOfItsCodeRuns) {
  LoadMarker marker("newer_major");
  auto manifest = plugin::read_manifest(fixture_manifest("newer_major"));
  ASSERT_TRUE(std::holds_alternative<LoadError>(manifest));
  EXPECT_EQ(std::get<LoadError>(manifest).kind, LoadErrorKind::kAbiMajorMismatch);
  EXPECT_FALSE(marker.exists()) << marker.contents();
}

// load_plugin must not trust that its caller went through read_manifest.
TEST(NewerMajor, RefusedByLoadPluginGivenTheManifestDirectly) {
  LoadMarker marker("newer_major_direct");
  plugin::Manifest m;
  m.id = "newer_major";
  m.library = "newer_major.so";
  m.version = "1.0.0";
  m.channel_kind = "abi-test";
  m.abi_major = 2;
  m.manifest_path = fixture_manifest("newer_major");
  m.library_path = m.manifest_path.parent_path() / m.library;
  ASSERT_TRUE(std::filesystem::exists(m.library_path));
  auto outcome = plugin::load_plugin(m);
  ASSERT_TRUE(std::holds_alternative<LoadError>(outcome));
  EXPECT_EQ(std::get<LoadError>(outcome).kind, LoadErrorKind::kAbiMajorMismatch);
  EXPECT_FALSE(marker.exists()) << marker.contents();
}

// An older plugin declares a shorter vtable; whatever lies past its struct_size is not the
// plugin's to give, so the host reads those slots as NULL ("not supported").
TEST(ShortVtable, SlotsPastStructSizeReadAsNull) {
  auto outcome = load_fixture("short_vtable");
  ASSERT_TRUE(std::holds_alternative<std::shared_ptr<LoadedPlugin>>(outcome))
      << std::get<LoadError>(outcome).message;
  auto plugin = std::get<std::shared_ptr<LoadedPlugin>>(outcome);
  EXPECT_EQ(plugin->vtable_struct_size(), offsetof(sb_channel_vtable, handle_webhook));
  EXPECT_EQ(plugin->vtable().health, nullptr);
  EXPECT_EQ(plugin->vtable_slots(), (std::vector<std::string>{"destroy", "start", "stop", "send"}));
}

TEST(InitFails, LoadSucceedsButInitIsRefusedWithThePluginsMessage) {
  auto outcome = load_fixture("init_fails");
  ASSERT_TRUE(std::holds_alternative<std::shared_ptr<LoadedPlugin>>(outcome))
      << std::get<LoadError>(outcome).message;
  auto plugin = std::get<std::shared_ptr<LoadedPlugin>>(outcome);
  auto error = plugin->init(TestHost::api());
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->kind, LoadErrorKind::kInitFailed);
  EXPECT_NE(error->message.find("fixture credentials rejected: api token missing"),
            std::string::npos)
      << error->message;
  EXPECT_FALSE(plugin->initialized());
}

TEST(InitFails, RegistryDropsThePluginAndReportsIt) {
  plugin::Registry registry;
  auto scanned = registry.scan(
      {fixture_manifest("init_fails").parent_path(), fixture_manifest("check_c").parent_path()});
  ASSERT_EQ(scanned.size(), 2u);
  for (const auto& r : scanned) EXPECT_TRUE(r.ok()) << r.path;
  auto failures = registry.init_all(TestHost::api());
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].plugin_id, "init_fails");
  EXPECT_EQ(failures[0].error.kind, LoadErrorKind::kInitFailed);
  EXPECT_NE(failures[0].error.message.find("api token missing"), std::string::npos);
  EXPECT_EQ(registry.find("init_fails"), nullptr);
  ASSERT_NE(registry.find("check_c"), nullptr);
  EXPECT_TRUE(registry.find("check_c")->initialized());
}

}  // namespace
}  // namespace sb::abi_test
