// The attachment cache: content-addressed, shared between media ids with the same bytes, bounded
// with least-recently-used eviction, verified on read, and rebuilt from disk at open.
#include "api/media_cache.h"

#include <unistd.h>

#include <fstream>

#include <gtest/gtest.h>

namespace sb::api {
namespace {

namespace fs = std::filesystem;

class MediaCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("sb_media_cache_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<MediaCache> open(uint64_t max) {
    auto c = MediaCache::open(dir_, max);
    EXPECT_TRUE(c.is_ok()) << c.status().message();
    return c.is_ok() ? std::move(c).value() : nullptr;
  }
  static CachedMedia file(char fill, size_t size, std::string mime = "image/png") {
    return CachedMedia{std::move(mime), "", std::string(size, fill)};
  }
  size_t blob_count() const {
    size_t n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir_ / "blobs")) ++n;
    return n;
  }
  fs::path dir_;
};

TEST_F(MediaCacheTest, KeepsFilesPerInstanceAndMediaId) {
  auto cache = open(1000);
  ASSERT_TRUE(cache);
  EXPECT_FALSE(cache->get("wa-1", "111"));
  ASSERT_TRUE(cache->put("wa-1", "111", file('a', 100, "image/jpeg")).is_ok());
  auto hit = cache->get("wa-1", "111");
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->bytes, std::string(100, 'a'));
  EXPECT_EQ(hit->mime_type, "image/jpeg");
  EXPECT_EQ(hit->sha256.size(), 64u);
  EXPECT_FALSE(cache->get("wa-2", "111"));  // another instance's media id is another file
  EXPECT_FALSE(cache->get("wa-1", "112"));
}

TEST_F(MediaCacheTest, SameBytesAreStoredOnce) {
  auto cache = open(1000);
  ASSERT_TRUE(cache->put("wa-1", "1", file('x', 300)).is_ok());
  ASSERT_TRUE(cache->put("wa-1", "2", file('x', 300)).is_ok());
  EXPECT_EQ(cache->total_bytes(), 300u);
  EXPECT_EQ(blob_count(), 1u);
  EXPECT_TRUE(cache->get("wa-1", "2"));
}

TEST_F(MediaCacheTest, LeastRecentlyUsedGoesFirstAndTooLargeIsNotKept) {
  auto cache = open(1000);
  ASSERT_TRUE(cache->put("i", "a", file('a', 400)).is_ok());
  ASSERT_TRUE(cache->put("i", "b", file('b', 400)).is_ok());
  ASSERT_TRUE(cache->get("i", "a"));  // a is now more recent than b
  ASSERT_TRUE(cache->put("i", "c", file('c', 400)).is_ok());
  EXPECT_TRUE(cache->get("i", "a"));
  EXPECT_FALSE(cache->get("i", "b"));
  EXPECT_TRUE(cache->get("i", "c"));
  EXPECT_LE(cache->total_bytes(), 1000u);
  ASSERT_TRUE(cache->put("i", "huge", file('h', 1001)).is_ok());
  EXPECT_FALSE(cache->get("i", "huge"));
  EXPECT_TRUE(cache->get("i", "a"));
}

TEST_F(MediaCacheTest, ACorruptFileIsDroppedNotServed) {
  auto cache = open(1000);
  ASSERT_TRUE(cache->put("i", "a", file('a', 50)).is_ok());
  const std::string sha = cache->get("i", "a")->sha256;
  std::ofstream(dir_ / "blobs" / sha, std::ios::binary | std::ios::trunc) << "tampered";
  EXPECT_FALSE(cache->get("i", "a"));
  EXPECT_EQ(cache->total_bytes(), 0u);
  EXPECT_FALSE(fs::exists(dir_ / "blobs" / sha));
}

TEST_F(MediaCacheTest, ReopeningFindsWhatWasKeptAndHonoursASmallerBound) {
  {
    auto cache = open(1000);
    ASSERT_TRUE(cache->put("i", "a", file('a', 300)).is_ok());
    ASSERT_TRUE(cache->put("i", "b", file('b', 300)).is_ok());
  }
  std::ofstream(dir_ / "blobs" / ".tmp-123") << "left by a crash";
  auto again = open(1000);
  EXPECT_EQ(again->total_bytes(), 600u);
  EXPECT_EQ(again->get("i", "b")->bytes, std::string(300, 'b'));
  EXPECT_EQ(blob_count(), 2u);  // the temporary file is gone
  again.reset();
  auto small = open(400);
  EXPECT_LE(small->total_bytes(), 400u);
  EXPECT_EQ(blob_count(), 1u);
}

}  // namespace
}  // namespace sb::api
