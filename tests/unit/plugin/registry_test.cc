#include "plugin/registry.h"

#include <gtest/gtest.h>

#include "plugin_fixture.h"

namespace sb::plugin {
namespace {

TEST(RegistryTest, ScanReportsEveryManifestAndKeepsTheGoodOnes) {
  sbtest::TempDir dir;
  sbtest::make_plugin_dir(dir.path() / "a-good", SBT_LIB_GOOD);
  sbtest::make_plugin_dir(dir.path() / "0-broken", SBT_LIB_NULL_SEND);
  sbtest::make_plugin_dir(dir.path() / "c-duplicate", SBT_LIB_GOOD);
  sbtest::ManifestFields v2;
  v2.abi_major = "2";
  sbtest::make_plugin_dir(dir.path() / "d-v2", SBT_LIB_GOOD, v2);

  Registry registry;
  const auto results = registry.scan({dir.path(), dir.path() / "absent"});
  ASSERT_EQ(results.size(), 5u);
  EXPECT_EQ(results[0].error().kind, LoadErrorKind::kEntryInvalid);
  EXPECT_TRUE(results[1].ok());
  EXPECT_EQ(results[1].path, dir.path() / "a-good" / "manifest.json");
  EXPECT_EQ(results[2].error().kind, LoadErrorKind::kManifestInvalid);
  EXPECT_NE(results[2].error().message.find("already provided by"), std::string::npos);
  EXPECT_EQ(results[3].error().kind, LoadErrorKind::kAbiMajorMismatch);
  EXPECT_EQ(results[4].error().kind, LoadErrorKind::kManifestInvalid);
  EXPECT_NE(results[4].error().message.find("does not exist"), std::string::npos);

  ASSERT_EQ(registry.list().size(), 1u);
  EXPECT_EQ(registry.find("variant"), results[1].plugin());
  EXPECT_EQ(registry.find("nope"), nullptr);
}

TEST(RegistryTest, InitFailuresAreReportedAndDropped) {
  sbtest::TempDir dir;
  sbtest::make_plugin_dir(dir.path() / "fails", SBT_LIB_INIT_FAILS);
  Registry registry;
  ASSERT_EQ(registry.scan({dir.path()}).size(), 1u);
  ASSERT_NE(registry.find("variant"), nullptr);
  const auto failures = registry.init_all(nullptr);
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].plugin_id, "variant");
  EXPECT_EQ(failures[0].error.kind, LoadErrorKind::kInitFailed);
  EXPECT_EQ(registry.find("variant"), nullptr);
}

TEST(RegistryTest, InitAllThenDeinitAll) {
  sbtest::TempDir dir;
  sbtest::make_plugin_dir(dir.path() / "good", SBT_LIB_GOOD);
  Registry registry;
  (void)registry.scan({dir.path()});
  EXPECT_TRUE(registry.init_all(nullptr).empty());
  EXPECT_TRUE(registry.find("variant")->initialized());
  registry.deinit_all();
}

TEST(RegistryTest, FindsSuffixedManifestsBesideEachOther) {
  sbtest::TempDir dir;
  sbtest::make_plugin_dir(dir.path(), SBT_LIB_GOOD);
  std::filesystem::rename(dir.path() / "manifest.json", dir.path() / "variant.manifest.json");
  sbtest::write_file(dir.path() / "notes.json", "{}");
  const auto found = find_manifests(dir.path());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].filename(), "variant.manifest.json");
}

}  // namespace
}  // namespace sb::plugin
