// Session internals shared by session.cpp (the SMPP protocol: binds, submits, responses,
// timers) and session_io.cpp (sockets, poll, the thread's loop). Not part of the plugin's API.
#pragma once

#include "rate.hpp"
#include "session.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sms {

inline int64_t mono_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

struct Session::Job {
  int64_t message_id = 0;
  std::vector<std::string> bodies;
  std::vector<std::string> ids;
  std::size_t accepted = 0;
  bool done = false;
};

struct Session::Link {
  enum class St { kIdle, kConnecting, kBinding, kBound, kUnbinding };
  struct Out {
    uint32_t command_id = 0;
    int64_t deadline = 0;
    bool has_part = false;
    Part part;
  };
  int index = 0;
  uint32_t bind_cmd = cmd::kBindTransceiver;
  St st = St::kIdle;
  int fd = -1;
  std::string rbuf, wbuf;
  uint32_t seq = 0;
  std::map<uint32_t, Out> outstanding;
  int submits_out = 0;
  int64_t next_connect_at = 0, bind_deadline = 0, bound_at = 0, last_rx = 0;
  int64_t enquire_deadline = 0, paused_until = 0;
  SubmitRate rate;
  int attempts = 0;
  std::string fail_reason;
  bool can_tx() const { return bind_cmd != cmd::kBindReceiver; }
  bool can_rx() const { return bind_cmd != cmd::kBindTransmitter; }
  const char* kind() const {
    return bind_cmd == cmd::kBindTransceiver   ? "transceiver"
           : bind_cmd == cmd::kBindTransmitter ? "transmitter"
                                               : "receiver";
  }
};

}  // namespace sms
