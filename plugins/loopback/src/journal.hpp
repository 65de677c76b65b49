// An append-only file of every send attempt, one JSON line each, written before send() returns.
// It is the provider's own record for crash tests: it lives outside the host's process and store,
// so a kill -9 of the host loses nothing the "provider" saw.
#pragma once

#include <string>

namespace loopback {

class Journal {
 public:
  Journal() = default;
  ~Journal() { close(); }
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // Opens (creating, appending) the file; an empty path means no journal. The error text or "".
  std::string open(const std::string& path);
  void close();
  bool enabled() const noexcept { return fd_ >= 0; }
  // Appends `line` and a newline in one write (O_APPEND: whole lines, even across processes).
  // False when the file could not take it all.
  bool append(const std::string& line);

 private:
  int fd_ = -1;
};

}  // namespace loopback
