#include "journal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace loopback {

std::string Journal::open(const std::string& path) {
  close();
  if (path.empty()) return {};
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0) return "cannot open the send journal " + path + ": " + std::strerror(errno);
  return {};
}

void Journal::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool Journal::append(const std::string& line) {
  if (fd_ < 0) return true;
  const std::string data = line + "\n";
  ssize_t n;
  do {
    n = ::write(fd_, data.data(), data.size());
  } while (n < 0 && errno == EINTR);
  return n == static_cast<ssize_t>(data.size());
}

}  // namespace loopback
