#include <dlfcn.h>

#include <gtest/gtest.h>

#include "plugin/loaded_plugin.h"
#include "plugin_fixture.h"

namespace sb::plugin {
namespace {

class LoaderTest : public ::testing::Test {
 protected:
  std::variant<std::shared_ptr<LoadedPlugin>, LoadError> load(
      const char* library, const sbtest::ManifestFields& f = {}) {
    // A fresh directory per load: the loader (like dlopen) maps one path once per process.
    last_ = dir_.path() / ("p" + std::to_string(++loads_));
    const auto manifest_path = sbtest::make_plugin_dir(last_, library, f);
    auto manifest = read_manifest(manifest_path);
    if (auto* err = std::get_if<LoadError>(&manifest)) return *err;
    return load_plugin(std::get<Manifest>(manifest));
  }
  LoadError load_error(const char* library, const sbtest::ManifestFields& f = {}) {
    auto r = load(library, f);
    EXPECT_TRUE(std::holds_alternative<LoadError>(r)) << library;
    return std::holds_alternative<LoadError>(r) ? std::get<LoadError>(r)
                                                : LoadError{LoadErrorKind::kInitFailed, "loaded"};
  }
  bool mapped() const {
    void* h = dlopen((last_ / "plugin.so").c_str(), RTLD_NOW | RTLD_NOLOAD);
    if (h != nullptr) dlclose(h);
    return h != nullptr;
  }
  int call_counter(const char* symbol) const {
    void* h = dlopen((last_ / "plugin.so").c_str(), RTLD_NOW | RTLD_NOLOAD);
    if (h == nullptr) return -1;
    auto fn = reinterpret_cast<int (*)()>(dlsym(h, symbol));
    const int n = fn != nullptr ? fn() : -1;
    dlclose(h);
    return n;
  }
  sbtest::TempDir dir_;
  std::filesystem::path last_;
  int loads_ = 0;
};

TEST_F(LoaderTest, LoadsAGoodPluginWithoutCallingInit) {
  auto r = load(SBT_LIB_GOOD);
  ASSERT_TRUE(std::holds_alternative<std::shared_ptr<LoadedPlugin>>(r))
      << std::get<LoadError>(r).message;
  const auto& p = std::get<std::shared_ptr<LoadedPlugin>>(r);
  EXPECT_EQ(p->id(), "variant");
  EXPECT_EQ(view(p->entry().version), "1.0.0");
  EXPECT_EQ(p->entry_struct_size(), sizeof(sb_plugin_entry));
  EXPECT_EQ(p->vtable_struct_size(), sizeof(sb_channel_vtable));
  EXPECT_EQ(p->capability_names(), (std::vector<std::string>{"send_text", "webhooks"}));
  EXPECT_EQ(p->vtable_slots(),
            (std::vector<std::string>{"destroy", "start", "stop", "send", "health"}));
  EXPECT_EQ(call_counter("sbtest_init_calls"), 0);

  EXPECT_FALSE(p->init(nullptr).has_value());
  EXPECT_FALSE(p->init(nullptr).has_value());  // once only
  EXPECT_EQ(call_counter("sbtest_init_calls"), 1);
  p->deinit();
  p->deinit();
  EXPECT_EQ(call_counter("sbtest_deinit_calls"), 1);
}

TEST_F(LoaderTest, LibraryStaysMappedAfterThePluginObjectIsGone) {
  {
    auto r = load(SBT_LIB_GOOD);
    ASSERT_TRUE(std::holds_alternative<std::shared_ptr<LoadedPlugin>>(r));
  }
  EXPECT_TRUE(mapped());
}

TEST_F(LoaderTest, ManifestMajorMismatchNeverMapsTheLibrary) {
  sbtest::ManifestFields f;
  f.abi_major = "2";
  last_ = dir_.path() / "p";
  const auto manifest_path = sbtest::make_plugin_dir(last_, SBT_LIB_GOOD, f);
  auto manifest = read_manifest(manifest_path);
  ASSERT_TRUE(std::holds_alternative<LoadError>(manifest));
  EXPECT_EQ(std::get<LoadError>(manifest).kind, LoadErrorKind::kAbiMajorMismatch);
  // Even a caller that builds the Manifest by hand gets the refusal before dlopen.
  Manifest m;
  m.id = "variant";
  m.abi_major = 2;
  m.library_path = dir_.path() / "p" / "plugin.so";
  auto r = load_plugin(m);
  ASSERT_TRUE(std::holds_alternative<LoadError>(r));
  EXPECT_EQ(std::get<LoadError>(r).kind, LoadErrorKind::kAbiMajorMismatch);
  EXPECT_FALSE(mapped());
}

TEST_F(LoaderTest, MissingEntrySymbolIsEntryMissing) {
  const auto e = load_error(SBT_LIB_NO_ENTRY);
  EXPECT_EQ(e.kind, LoadErrorKind::kEntryMissing);
  EXPECT_NE(e.message.find("sb_plugin_entry_v1"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("plugin.so"), std::string::npos) << e.message;
}

TEST_F(LoaderTest, NotALibraryIsEntryMissing) {
  last_ = dir_.path() / "p";
  sbtest::make_plugin_dir(last_, SBT_LIB_GOOD);
  sbtest::write_file(dir_.path() / "p" / "plugin.so", "garbage");
  auto manifest = read_manifest(dir_.path() / "p" / "manifest.json");
  ASSERT_TRUE(std::holds_alternative<Manifest>(manifest));
  auto r = load_plugin(std::get<Manifest>(manifest));
  ASSERT_TRUE(std::holds_alternative<LoadError>(r));
  EXPECT_EQ(std::get<LoadError>(r).kind, LoadErrorKind::kEntryMissing);
}

TEST_F(LoaderTest, NullEntryIsEntryInvalid) {
  const auto e = load_error(SBT_LIB_NULL_ENTRY);
  EXPECT_EQ(e.kind, LoadErrorKind::kEntryInvalid);
  EXPECT_NE(e.message.find("returned NULL"), std::string::npos) << e.message;
}

TEST_F(LoaderTest, SmallStructIsEntryInvalid) {
  const auto e = load_error(SBT_LIB_SMALL_STRUCT);
  EXPECT_EQ(e.kind, LoadErrorKind::kEntryInvalid);
  EXPECT_NE(e.message.find("struct_size is 8"), std::string::npos) << e.message;
}

TEST_F(LoaderTest, BinaryMajorDifferingFromManifestIsEntryInvalid) {
  const auto e = load_error(SBT_LIB_MAJOR2);
  EXPECT_EQ(e.kind, LoadErrorKind::kEntryInvalid);
  EXPECT_NE(e.message.find("abi_major is 2"), std::string::npos) << e.message;
}

TEST_F(LoaderTest, BinaryMinorTooNewIsAbiMinorTooNew) {
  const auto e = load_error(SBT_LIB_MINOR_TOO_NEW);
  EXPECT_EQ(e.kind, LoadErrorKind::kAbiMinorTooNew);
  EXPECT_NE(e.message.find("1.7"), std::string::npos) << e.message;
}

TEST_F(LoaderTest, NullRequiredSlotIsNamed) {
  auto e = load_error(SBT_LIB_NULL_SEND);
  EXPECT_EQ(e.kind, LoadErrorKind::kEntryInvalid);
  EXPECT_NE(e.message.find("vtable.send"), std::string::npos) << e.message;
  e = load_error(SBT_LIB_NULL_INIT);
  EXPECT_EQ(e.kind, LoadErrorKind::kEntryInvalid);
  EXPECT_NE(e.message.find("entry.init"), std::string::npos) << e.message;
}

TEST_F(LoaderTest, InvalidUtf8IsEntryInvalid) {
  const auto e = load_error(SBT_LIB_BAD_UTF8);
  EXPECT_EQ(e.kind, LoadErrorKind::kEntryInvalid);
  EXPECT_NE(e.message.find("description"), std::string::npos) << e.message;
}

TEST_F(LoaderTest, EntryDifferingFromManifestIsEntryInvalid) {
  sbtest::ManifestFields f;
  f.id = "\"other\"";
  auto e = load_error(SBT_LIB_GOOD, f);
  EXPECT_EQ(e.kind, LoadErrorKind::kEntryInvalid);
  EXPECT_NE(e.message.find("entry.id is \"variant\" but manifest"), std::string::npos) << e.message;
  f = {};
  f.version = "\"9.9.9\"";
  EXPECT_EQ(load_error(SBT_LIB_GOOD, f).kind, LoadErrorKind::kEntryInvalid);
  f = {};
  f.channel_kind = "\"sms\"";
  EXPECT_EQ(load_error(SBT_LIB_GOOD, f).kind, LoadErrorKind::kEntryInvalid);
}

TEST_F(LoaderTest, FailingInitIsInitFailedWithThePluginsMessage) {
  auto r = load(SBT_LIB_INIT_FAILS);
  ASSERT_TRUE(std::holds_alternative<std::shared_ptr<LoadedPlugin>>(r));
  auto& p = std::get<std::shared_ptr<LoadedPlugin>>(r);
  auto err = p->init(nullptr);
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->kind, LoadErrorKind::kInitFailed);
  EXPECT_NE(err->message.find("token file missing"), std::string::npos) << err->message;
  EXPECT_FALSE(p->initialized());
  p->deinit();  // never initialised: deinit must not run
  EXPECT_EQ(call_counter("sbtest_deinit_calls"), 0);
}

}  // namespace
}  // namespace sb::plugin
