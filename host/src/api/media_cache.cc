#include "api/media_cache.h"

#include <Poco/SHA2Engine.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>
#include <vector>

namespace sb::api {
namespace {

namespace fs = std::filesystem;

std::string sha256_hex(std::string_view data) {
  Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
  engine.update(data.data(), static_cast<unsigned>(data.size()));
  return Poco::DigestEngine::digestToHex(engine.digest());
}

bool is_hex64(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::optional<std::string> read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return std::move(out).str();
}

// Written under a unique temporary name, then renamed over the real one.
Status write_file(const fs::path& p, std::string_view data) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  const fs::path tmp = p.parent_path() / (".tmp-" + std::to_string(rng()));
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    out.flush();
    if (!out) {
      std::error_code ec;
      fs::remove(tmp, ec);
      return unavailable("cannot write " + tmp.string());
    }
  }
  std::error_code ec;
  fs::rename(tmp, p, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return unavailable("cannot rename into " + p.string() + ": " + ec.message());
  }
  return Status::ok();
}

}  // namespace

Result<std::unique_ptr<MediaCache>> MediaCache::open(const fs::path& dir, uint64_t max_bytes) {
  std::error_code ec;
  for (const char* sub : {"blobs", "keys"}) {
    fs::create_directories(dir / sub, ec);
    if (ec) return unavailable("cannot create " + (dir / sub).string() + ": " + ec.message());
  }
  std::unique_ptr<MediaCache> cache(new MediaCache(dir, max_bytes));
  // Older files first, so the most recently written count as the most recently used.
  std::vector<std::pair<fs::file_time_type, std::pair<std::string, uint64_t>>> found;
  for (const auto& e : fs::directory_iterator(dir / "blobs", ec)) {
    const std::string name = e.path().filename().string();
    if (!is_hex64(name)) {  // a temporary file a crash left behind
      fs::remove(e.path(), ec);
      continue;
    }
    found.push_back({e.last_write_time(ec), {name, e.file_size(ec)}});
  }
  std::sort(found.begin(), found.end());
  for (const auto& [when, blob] : found) {
    cache->blobs_[blob.first] = Blob{blob.second, ++cache->tick_};
    cache->total_ += blob.second;
  }
  std::lock_guard lock(cache->mu_);
  cache->evict_locked(0);
  return cache;
}

fs::path MediaCache::blob_path(const std::string& sha) const {
  return dir_ / "blobs" / sha;
}

fs::path MediaCache::key_path(std::string_view instance_id, std::string_view media_id) const {
  std::string key(instance_id);
  key += '\0';
  key += media_id;
  return dir_ / "keys" / sha256_hex(key);
}

void MediaCache::forget_locked(std::string sha) {
  auto it = blobs_.find(sha);
  if (it == blobs_.end()) return;
  total_ -= it->second.size;
  blobs_.erase(it);
  std::error_code ec;
  fs::remove(blob_path(sha), ec);
}

void MediaCache::evict_locked(uint64_t incoming) {
  while (!blobs_.empty() && total_ + incoming > max_bytes_) {
    auto oldest = std::min_element(blobs_.begin(), blobs_.end(), [](const auto& a, const auto& b) {
      return a.second.last_used < b.second.last_used;
    });
    forget_locked(oldest->first);  // keys naming it are dropped when next read
  }
}

std::optional<CachedMedia> MediaCache::get(std::string_view instance_id,
                                           std::string_view media_id) {
  const fs::path key = key_path(instance_id, media_id);
  std::optional<std::string> entry = read_file(key);
  if (!entry) return std::nullopt;
  std::istringstream fields(*entry);
  CachedMedia m;
  fields >> m.sha256 >> m.mime_type;
  std::error_code ec;
  {
    std::lock_guard lock(mu_);
    auto it = blobs_.find(m.sha256);
    if (!is_hex64(m.sha256) || it == blobs_.end()) {
      fs::remove(key, ec);
      return std::nullopt;
    }
    it->second.last_used = ++tick_;
  }
  std::optional<std::string> bytes = read_file(blob_path(m.sha256));
  if (!bytes || sha256_hex(*bytes) != m.sha256) {
    std::lock_guard lock(mu_);
    forget_locked(m.sha256);
    fs::remove(key, ec);
    return std::nullopt;
  }
  m.bytes = std::move(*bytes);
  return m;
}

Status MediaCache::put(std::string_view instance_id, std::string_view media_id,
                       const CachedMedia& media) {
  if (media.bytes.size() > max_bytes_) return Status::ok();
  const std::string sha = sha256_hex(media.bytes);
  std::lock_guard lock(mu_);
  if (auto it = blobs_.find(sha); it != blobs_.end()) {
    it->second.last_used = ++tick_;
  } else {
    evict_locked(media.bytes.size());
    if (Status s = write_file(blob_path(sha), media.bytes); !s) return s;
    blobs_[sha] = Blob{media.bytes.size(), ++tick_};
    total_ += media.bytes.size();
  }
  return write_file(key_path(instance_id, media_id), sha + " " + media.mime_type + "\n");
}

uint64_t MediaCache::total_bytes() const {
  std::lock_guard lock(mu_);
  return total_;
}

}  // namespace sb::api
