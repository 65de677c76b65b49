// A scratch plugin directory: a copied variant library plus a manifest the test writes.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

namespace sbtest {

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("sb-plugin-test-" + std::to_string(getpid()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct ManifestFields {
  std::string id = "\"variant\"";
  std::string library = "\"plugin.so\"";
  std::string abi_major = "1";
  std::string abi_minor_required = "0";
  std::string version = "\"1.0.0\"";
  std::string channel_kind = "\"test\"";
  std::string description = "\"a test plugin\"";
};

inline std::string manifest_json(const ManifestFields& f) {
  return "{\"id\":" + f.id + ",\"library\":" + f.library + ",\"abi_major\":" + f.abi_major +
         ",\"abi_minor_required\":" + f.abi_minor_required + ",\"version\":" + f.version +
         ",\"channel_kind\":" + f.channel_kind + ",\"description\":" + f.description + "}";
}

inline void write_file(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
}

// Copies `library` as dir/plugin.so (a fresh inode, so the loader really maps it anew) and writes
// dir/manifest.json. Returns the manifest path.
inline std::filesystem::path make_plugin_dir(const std::filesystem::path& dir, const char* library,
                                             const ManifestFields& fields = {}) {
  std::filesystem::create_directories(dir);
  // Unlink first: overwriting in place would corrupt a copy that is still mapped.
  std::filesystem::remove(dir / "plugin.so");
  std::filesystem::copy_file(library, dir / "plugin.so");
  write_file(dir / "manifest.json", manifest_json(fields));
  return dir / "manifest.json";
}

}  // namespace sbtest
