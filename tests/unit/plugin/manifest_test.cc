#include "plugin/manifest.h"

#include <gtest/gtest.h>

#include "plugin_fixture.h"

namespace sb::plugin {
namespace {

using sbtest::ManifestFields;

class ManifestTest : public ::testing::Test {
 protected:
  // Writes the manifest beside a dummy library file (read_manifest never opens it).
  std::variant<Manifest, LoadError> read(const std::string& json) {
    sbtest::write_file(dir_.path() / "plugin.so", "not really a library");
    sbtest::write_file(dir_.path() / "manifest.json", json);
    return read_manifest(dir_.path() / "manifest.json");
  }
  LoadError read_error(const std::string& json) {
    auto r = read(json);
    EXPECT_TRUE(std::holds_alternative<LoadError>(r)) << json;
    return std::holds_alternative<LoadError>(r) ? std::get<LoadError>(r)
                                                : LoadError{LoadErrorKind::kInitFailed, ""};
  }
  static std::string with(void (*edit)(ManifestFields&)) {
    ManifestFields f;
    edit(f);
    return sbtest::manifest_json(f);
  }
  sbtest::TempDir dir_;
};

TEST_F(ManifestTest, ParsesEveryField) {
  auto r = read(sbtest::manifest_json({}));
  ASSERT_TRUE(std::holds_alternative<Manifest>(r)) << std::get<LoadError>(r).message;
  const auto& m = std::get<Manifest>(r);
  EXPECT_EQ(m.id, "variant");
  EXPECT_EQ(m.library, "plugin.so");
  EXPECT_EQ(m.version, "1.0.0");
  EXPECT_EQ(m.channel_kind, "test");
  EXPECT_EQ(m.description, "a test plugin");
  EXPECT_EQ(m.abi_major, 1u);
  EXPECT_EQ(m.abi_minor_required, 0u);
  EXPECT_EQ(m.library_path, dir_.path() / "plugin.so");
  EXPECT_EQ(m.manifest_path, dir_.path() / "manifest.json");
}

TEST_F(ManifestTest, KindNamesAreStable) {
  EXPECT_EQ(to_string(LoadErrorKind::kManifestInvalid), "ManifestInvalid");
  EXPECT_EQ(to_string(LoadErrorKind::kAbiMajorMismatch), "AbiMajorMismatch");
  EXPECT_EQ(to_string(LoadErrorKind::kAbiMinorTooNew), "AbiMinorTooNew");
  EXPECT_EQ(to_string(LoadErrorKind::kEntryMissing), "EntryMissing");
  EXPECT_EQ(to_string(LoadErrorKind::kEntryInvalid), "EntryInvalid");
  EXPECT_EQ(to_string(LoadErrorKind::kInitFailed), "InitFailed");
}

TEST_F(ManifestTest, BadJsonIsManifestInvalidAndNamesTheFile) {
  const auto e = read_error("{\"id\": \"x\",");
  EXPECT_EQ(e.kind, LoadErrorKind::kManifestInvalid);
  EXPECT_NE(e.message.find("manifest.json"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("JSON"), std::string::npos) << e.message;
}

TEST_F(ManifestTest, NonObjectIsManifestInvalid) {
  EXPECT_EQ(read_error("[1,2]").kind, LoadErrorKind::kManifestInvalid);
}

TEST_F(ManifestTest, MissingFieldIsNamed) {
  const auto e = read_error(R"({"id":"x","library":"plugin.so","abi_major":1,"version":"1",)"
                            R"("channel_kind":"t"})");
  EXPECT_EQ(e.kind, LoadErrorKind::kManifestInvalid);
  EXPECT_NE(e.message.find("missing field \"abi_minor_required\""), std::string::npos) << e.message;
}

TEST_F(ManifestTest, IllTypedFieldsAreNamedWithWhatWasFound) {
  auto e = read_error(with([](ManifestFields& f) { f.abi_major = "\"1\""; }));
  EXPECT_EQ(e.kind, LoadErrorKind::kManifestInvalid);
  EXPECT_NE(e.message.find("\"abi_major\" must be a non-negative integer, found a string"),
            std::string::npos)
      << e.message;
  e = read_error(with([](ManifestFields& f) { f.version = "2"; }));
  EXPECT_NE(e.message.find("\"version\" must be a string, found an integer"), std::string::npos)
      << e.message;
  e = read_error(with([](ManifestFields& f) { f.abi_minor_required = "-1"; }));
  EXPECT_EQ(e.kind, LoadErrorKind::kManifestInvalid);
  e = read_error(with([](ManifestFields& f) { f.abi_minor_required = "1.5"; }));
  EXPECT_EQ(e.kind, LoadErrorKind::kManifestInvalid);
  // Poco's parser wrapped 2^64 + 1 to 1: the ABI this host speaks.
  e = read_error(with([](ManifestFields& f) { f.abi_major = "18446744073709551617"; }));
  EXPECT_EQ(e.kind, LoadErrorKind::kManifestInvalid);
  EXPECT_NE(e.message.find("integer out of range"), std::string::npos) << e.message;
}

TEST_F(ManifestTest, BadIdIsRefused) {
  const auto e = read_error(with([](ManifestFields& f) { f.id = "\"Echo Plugin\""; }));
  EXPECT_EQ(e.kind, LoadErrorKind::kManifestInvalid);
  EXPECT_NE(e.message.find("\"id\""), std::string::npos);
}

TEST_F(ManifestTest, LibraryEscapingTheDirectoryIsRefused) {
  for (const char* lib :
       {"\"../plugin.so\"", "\"/usr/lib/libc.so.6\"", "\"sub/plugin.so\"", "\"..\"", "\"\""}) {
    ManifestFields f;
    f.library = lib;
    const auto e = read_error(sbtest::manifest_json(f));
    EXPECT_EQ(e.kind, LoadErrorKind::kManifestInvalid) << lib;
    EXPECT_NE(e.message.find("\"library\""), std::string::npos) << e.message;
  }
}

TEST_F(ManifestTest, MissingLibraryFileIsManifestInvalid) {
  const auto e = read_error(with([](ManifestFields& f) { f.library = "\"absent.so\""; }));
  EXPECT_EQ(e.kind, LoadErrorKind::kManifestInvalid);
  EXPECT_NE(e.message.find("absent.so"), std::string::npos) << e.message;
}

TEST_F(ManifestTest, OtherMajorIsAbiMajorMismatchEvenWithoutLibrary) {
  const auto e = read_error(with([](ManifestFields& f) {
    f.abi_major = "2";
    f.library = "\"absent.so\"";
  }));
  EXPECT_EQ(e.kind, LoadErrorKind::kAbiMajorMismatch);
  EXPECT_NE(e.message.find("ABI major 2"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("provides ABI major 1"), std::string::npos) << e.message;
}

TEST_F(ManifestTest, NewerMinorIsAbiMinorTooNew) {
  const auto e = read_error(with([](ManifestFields& f) { f.abi_minor_required = "3"; }));
  EXPECT_EQ(e.kind, LoadErrorKind::kAbiMinorTooNew);
  EXPECT_NE(e.message.find("1.3"), std::string::npos) << e.message;
}

TEST_F(ManifestTest, UnreadableFileIsManifestInvalid) {
  const auto r = read_manifest(dir_.path() / "nope.json");
  ASSERT_TRUE(std::holds_alternative<LoadError>(r));
  EXPECT_EQ(std::get<LoadError>(r).kind, LoadErrorKind::kManifestInvalid);
}

TEST_F(ManifestTest, OversizedManifestIsRefused) {
  const auto e = read_error(std::string(70 * 1024, ' ') + sbtest::manifest_json({}));
  EXPECT_EQ(e.kind, LoadErrorKind::kManifestInvalid);
  EXPECT_NE(e.message.find("bytes"), std::string::npos) << e.message;
}

TEST_F(ManifestTest, DescriptionIsOptional) {
  auto r = read(R"({"id":"x","library":"plugin.so","abi_major":1,"abi_minor_required":0,)"
                R"("version":"1","channel_kind":"t"})");
  ASSERT_TRUE(std::holds_alternative<Manifest>(r));
  EXPECT_EQ(std::get<Manifest>(r).description, "");
}

}  // namespace
}  // namespace sb::plugin
