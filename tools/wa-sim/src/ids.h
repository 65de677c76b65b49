// Identifier and randomness source. One seeded generator per simulator, so a test that sets a seed
// gets reproducible ids, duplicate draws and shuffles.
#pragma once

#include <cstdint>
#include <mutex>
#include <random>
#include <string>

namespace wasim {

class Ids {
 public:
  void seed(uint64_t s);
  std::string node();         // 15-16 digit numeric string (WABA, number, template, media)
  std::string wamid();        // "wamid." + base64-ish, well under 128 characters
  std::string fbtrace();      // random Graph trace id
  std::string hex(size_t n);  // lowercase hex (conversation ids, sha256 placeholders)
  std::string digits(size_t n);
  double uniform();            // [0, 1)
  uint64_t below(uint64_t n);  // [0, n)

 private:
  std::mutex mu_;
  std::mt19937_64 rng_{std::random_device{}()};
};

}  // namespace wasim
