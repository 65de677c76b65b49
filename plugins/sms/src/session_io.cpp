// The session's I/O: non-blocking connects, reads into PDUs, writes, and the thread's poll loop
// (which also drives the timers and dispatch of session.cpp), and the unbind on stop.
#include <switchboard/abi.h>

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "session_internal.hpp"

namespace sms {

void Session::flush(Link& l) {
  while (l.fd >= 0 && !l.wbuf.empty()) {
    ssize_t n = ::send(l.fd, l.wbuf.data(), l.wbuf.size(), MSG_NOSIGNAL);
    if (n > 0) {
      l.wbuf.erase(0, static_cast<std::size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      return;  // EAGAIN: POLLOUT resumes; errors show up on the next read
    }
  }
}

void Session::connect(Link& l, int64_t now) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* res = nullptr;
  const std::string port = std::to_string(config_.port);
  if (int rc = ::getaddrinfo(config_.host.c_str(), port.c_str(), &hints, &res); rc != 0) {
    drop(l, "cannot resolve " + config_.host + ": " + gai_strerror(rc), now);
    return;
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owned(res, &::freeaddrinfo);
  l.fd = ::socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (l.fd < 0) {
    drop(l, std::string("socket: ") + std::strerror(errno), now);
    return;
  }
  int one = 1;
  ::setsockopt(l.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  l.rbuf.clear();
  l.wbuf.clear();
  l.seq = 0;
  l.bind_deadline = now + config_.bind_timeout_ms;
  if (::connect(l.fd, res->ai_addr, res->ai_addrlen) != 0 && errno != EINPROGRESS) {
    drop(l, "connect to " + config_.host + ":" + port + ": " + std::strerror(errno), now);
    return;
  }
  l.st = Link::St::kConnecting;
}

void Session::on_readable(Link& l, int64_t now) {
  char buf[65536];
  for (;;) {
    ssize_t n = ::recv(l.fd, buf, sizeof buf, 0);
    if (n > 0) {
      l.rbuf.append(buf, static_cast<std::size_t>(n));
      if (static_cast<std::size_t>(n) < sizeof buf) break;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    drop(l, n == 0 ? "the SMSC closed the connection" : std::string(std::strerror(errno)), now);
    return;
  }
  std::size_t at = 0;
  while (l.fd >= 0) {
    Pdu pdu;
    std::size_t used = 0;
    FrameResult r =
        next_frame(std::string_view(l.rbuf).substr(at), config_.max_pdu_size, &pdu, &used);
    if (r == FrameResult::kNeedMore) break;
    if (r == FrameResult::kBadLength) {
      send_pdu(l, encode_header_only(cmd::kGenericNack, status::kInvCmdLen, pdu.sequence));
      flush(l);
      drop(l, "PDU with an invalid command_length (stream position lost)", now);
      return;
    }
    at += used;
    on_pdu(l, pdu, now);
  }
  if (l.fd >= 0) l.rbuf.erase(0, at);
}

void Session::poll_once() {
  std::vector<pollfd> fds;
  fds.push_back(pollfd{wake_[0], POLLIN, 0});
  for (const auto& l : links_) {
    short ev = POLLIN;
    if (l->st == Link::St::kConnecting || !l->wbuf.empty()) ev |= POLLOUT;
    fds.push_back(pollfd{l->fd, static_cast<short>(l->fd >= 0 ? ev : 0), 0});
  }
  int timeout = 100;
  if (!ready_.empty() && config_.rate_per_bind > 0) timeout = 2;
  ::poll(fds.data(), fds.size(), timeout);
  if ((fds[0].revents & POLLIN) != 0) {
    char drain[256];
    while (::read(wake_[0], drain, sizeof drain) > 0) {
    }
  }
  int64_t now = mono_ms();
  for (std::size_t i = 0; i < links_.size(); ++i) {
    Link& l = *links_[i];
    const short re = fds[i + 1].revents;
    if (l.fd < 0 || re == 0) continue;
    if (l.st == Link::St::kConnecting && (re & (POLLOUT | POLLERR | POLLHUP)) != 0) {
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(l.fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) {
        drop(l,
             "connect to " + config_.host + ":" + std::to_string(config_.port) + ": " +
                 std::strerror(err),
             now);
        continue;
      }
      BindRequest b;
      b.command_id = l.bind_cmd;
      b.system_id = config_.system_id;
      b.password = config_.password;
      b.system_type = config_.system_type;
      const uint32_t seq = next_seq(l);
      l.outstanding[seq] = Link::Out{l.bind_cmd, l.bind_deadline, false, {}};
      send_pdu(l, encode_bind(b, seq));
      l.st = Link::St::kBinding;
    } else if ((re & (POLLIN | POLLERR | POLLHUP)) != 0) {
      on_readable(l, now);
    }
  }
  for (auto& l : links_) timers(*l, now);
  dispatch(now);
  for (auto& l : links_) flush(*l);
  {
    std::lock_guard lock(mu_);
    int out = 0;
    for (const auto& l : links_) out += l->submits_out;
    stats_.outstanding = out;
  }
  sink_.on_tick();
}

void Session::run() {
  update_state();
  while (!stopping_) poll_once();
  // Unbind what is bound, wait up to a second for the answers, then close everything.
  const int64_t until = mono_ms() + 1'000;
  for (auto& l : links_) {
    if (l->st != Link::St::kBound) continue;
    const uint32_t seq = next_seq(*l);
    l->outstanding[seq] = Link::Out{cmd::kUnbind, until, false, {}};
    send_pdu(*l, encode_header_only(cmd::kUnbind, 0, seq));
    l->st = Link::St::kUnbinding;
    flush(*l);
  }
  while (mono_ms() < until && std::any_of(links_.begin(), links_.end(), [](const auto& l) {
           return l->st == Link::St::kUnbinding;
         })) {
    std::vector<pollfd> fds;
    for (const auto& l : links_)
      fds.push_back(pollfd{l->fd, static_cast<short>(l->fd >= 0 ? POLLIN : 0), 0});
    ::poll(fds.data(), fds.size(), 50);
    const int64_t now = mono_ms();
    for (auto& l : links_) {
      if (l->fd >= 0 && l->st == Link::St::kUnbinding) on_readable(*l, now);
    }
  }
  for (auto& l : links_) {
    if (l->fd >= 0) ::close(l->fd);
    l->fd = -1;
  }
}

}  // namespace sms
