// Files fetched from a provider (inbound media) kept in the data dir, so an agent opening the same
// image twice costs one download and a file stays viewable after the provider drops it (Meta keeps
// inbound media for about 30 days). Content-addressed by SHA-256 (the same bytes under two media
// ids are stored once), bounded in total size: beyond the bound the least recently used files go.
//
// Layout under dir: blobs/<sha256> (the bytes), keys/<sha256 of instance + '\0' + media id>
// ("<blob sha256> <mime type>\n"). Files are written to a temporary name and renamed, so a crash
// never leaves a half file under a real name; every read is verified against its name.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace sb::api {

struct CachedMedia {
  std::string mime_type, sha256, bytes;
};

class MediaCache {
 public:
  // Creates dir if needed and indexes what a previous run left (evicting beyond max_bytes).
  static Result<std::unique_ptr<MediaCache>> open(const std::filesystem::path& dir,
                                                  uint64_t max_bytes);

  // The file, or nullopt (never cached, evicted, or found corrupt and dropped).
  std::optional<CachedMedia> get(std::string_view instance_id, std::string_view media_id);
  // Keeps the file; a file larger than the whole bound is not kept. Failures (disk full) are
  // returned for logging: the download itself already succeeded.
  Status put(std::string_view instance_id, std::string_view media_id, const CachedMedia& media);

  uint64_t total_bytes() const;

 private:
  struct Blob {
    uint64_t size = 0;
    uint64_t last_used = 0;  // a counter, not a time: only the order matters
  };
  MediaCache(std::filesystem::path dir, uint64_t max_bytes)
      : dir_(std::move(dir)), max_bytes_(max_bytes) {}
  std::filesystem::path blob_path(const std::string& sha) const;
  std::filesystem::path key_path(std::string_view instance_id, std::string_view media_id) const;
  void evict_locked(uint64_t incoming);
  void forget_locked(std::string sha);  // by value: callers pass map keys it erases

  const std::filesystem::path dir_;
  const uint64_t max_bytes_;
  mutable std::mutex mu_;
  std::map<std::string, Blob> blobs_;
  uint64_t total_ = 0;
  uint64_t tick_ = 0;
};

}  // namespace sb::api
