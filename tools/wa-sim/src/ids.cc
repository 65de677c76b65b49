#include "ids.h"

#include <Poco/Base64Encoder.h>

#include <sstream>

namespace wasim {

void Ids::seed(uint64_t s) {
  std::lock_guard lock(mu_);
  rng_.seed(s);
}

std::string Ids::digits(size_t n) {
  std::lock_guard lock(mu_);
  std::string out;
  for (size_t i = 0; i < n; ++i) out.push_back(static_cast<char>('0' + rng_() % 10));
  if (!out.empty() && out[0] == '0') out[0] = '1';
  return out;
}

std::string Ids::node() {
  return digits(15);
}

std::string Ids::hex(size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::lock_guard lock(mu_);
  std::string out;
  for (size_t i = 0; i < n; ++i) out.push_back(kHex[rng_() % 16]);
  return out;
}

std::string Ids::wamid() {
  std::string raw;
  {
    std::lock_guard lock(mu_);
    for (int i = 0; i < 36; ++i) raw.push_back(static_cast<char>(rng_() % 256));
  }
  std::ostringstream out;
  Poco::Base64Encoder enc(out);
  enc.rdbuf()->setLineLength(0);
  enc << raw;
  enc.close();
  return "wamid." + out.str();
}

std::string Ids::fbtrace() {
  static constexpr char kAlnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::lock_guard lock(mu_);
  std::string out;
  for (int i = 0; i < 17; ++i) out.push_back(kAlnum[rng_() % (sizeof(kAlnum) - 1)]);
  return out;
}

double Ids::uniform() {
  std::lock_guard lock(mu_);
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
}

uint64_t Ids::below(uint64_t n) {
  std::lock_guard lock(mu_);
  return n == 0 ? 0 : rng_() % n;
}

}  // namespace wasim
