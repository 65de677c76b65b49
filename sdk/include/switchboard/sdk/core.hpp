// Part of switchboard/sdk.hpp: reading peers' structs safely, errors as values, output sinks.
#pragma once

#include <switchboard/abi.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace switchboard {

// ---------------------------------------------------------------------------------------------------
// Strings and structs across the boundary
// ---------------------------------------------------------------------------------------------------

inline std::string_view view(sb_str s) noexcept {
  return s.data != nullptr ? std::string_view(s.data, s.size) : std::string_view();
}
inline sb_str to_sb_str(std::string_view s) noexcept {
  return sb_str{s.data(), s.size()};
}

// Where a field ends inside its struct: offsetof(field) + sizeof(field), from a member pointer.
template <class S, class M>
std::size_t field_end(M S::*member) noexcept {
  static const S probe{};
  const auto* base = reinterpret_cast<const unsigned char*>(&probe);
  const auto* field = reinterpret_cast<const unsigned char*>(&(probe.*member));
  return static_cast<std::size_t>(field - base) + sizeof(M);
}

// True when `s` (filled by the other side) is large enough to contain `member`. This is the check
// every reader makes before touching a field or slot that a peer of an older minor may not have.
template <class S, class M>
bool has_field(const S* s, M S::*member) noexcept {
  return s != nullptr && field_end(member) <= s->struct_size;
}

// For function slots: present in the struct and non-NULL.
template <class S, class M>
bool has_slot(const S* s, M S::*member) noexcept {
  return has_field(s, member) && s->*member != nullptr;
}

// Copy min(struct_size, sizeof(T)) of a peer's struct into a zeroed T: unknown fields read as zero.
template <class T>
T read_struct(const T* p) noexcept {
  T out{};
  if (p == nullptr) return out;
  std::size_t n = std::min<std::size_t>(p->struct_size, sizeof(T));
  std::memcpy(static_cast<void*>(&out), static_cast<const void*>(p), n);
  out.struct_size = static_cast<uint32_t>(n);
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Errors as values
// ---------------------------------------------------------------------------------------------------

inline std::string_view status_name(int32_t status) noexcept {
  switch (status) {
    case SB_OK:
      return "OK";
    case SB_DUPLICATE:
      return "DUPLICATE";
    case SB_PENDING:
      return "PENDING";
    case SB_ERR_INVALID_ARG:
      return "INVALID_ARG";
    case SB_ERR_UNSUPPORTED:
      return "UNSUPPORTED";
    case SB_ERR_TRANSIENT:
      return "TRANSIENT";
    case SB_ERR_RATE_LIMITED:
      return "RATE_LIMITED";
    case SB_ERR_AUTH:
      return "AUTH";
    case SB_ERR_REJECTED:
      return "REJECTED";
    case SB_ERR_NOT_FOUND:
      return "NOT_FOUND";
    case SB_ERR_STATE:
      return "STATE";
    case SB_ERR_INTERNAL:
      return "INTERNAL";
    case SB_ERR_TIMEOUT:
      return "TIMEOUT";
    case SB_ERR_UNKNOWN_OUTCOME:
      return "UNKNOWN_OUTCOME";
    default:
      return "UNKNOWN";
  }
}

// The details of a failed call, as sb_error_info carries them.
struct Error {
  Error() = default;
  Error(int32_t status_, std::string message_, bool retryable_ = false,
        std::chrono::milliseconds retry_after_ = {}, std::string provider_code_ = {})
      : status(status_),
        message(std::move(message_)),
        retryable(retryable_),
        retry_after(retry_after_),
        provider_code(std::move(provider_code_)) {}

  int32_t status = SB_ERR_INTERNAL;
  std::string message;
  bool retryable = false;
  std::chrono::milliseconds retry_after{0};
  std::string provider_code;

  static Error invalid_arg(std::string m) { return {SB_ERR_INVALID_ARG, std::move(m)}; }
  static Error unsupported(std::string m) { return {SB_ERR_UNSUPPORTED, std::move(m)}; }
  static Error transient(std::string m, std::chrono::milliseconds after = {}) {
    return {SB_ERR_TRANSIENT, std::move(m), true, after};
  }
  static Error rate_limited(std::string m, std::chrono::milliseconds after = {}) {
    return {SB_ERR_RATE_LIMITED, std::move(m), true, after};
  }
  static Error auth(std::string m) { return {SB_ERR_AUTH, std::move(m)}; }
  static Error rejected(std::string m, std::string provider_code = {}) {
    return {SB_ERR_REJECTED, std::move(m), false, {}, std::move(provider_code)};
  }
  static Error not_found(std::string m) { return {SB_ERR_NOT_FOUND, std::move(m)}; }
  static Error state(std::string m) { return {SB_ERR_STATE, std::move(m)}; }
  static Error internal(std::string m) { return {SB_ERR_INTERNAL, std::move(m)}; }

  // Copy what a peer wrote into an error sink (its pointers die with the call).
  static Error from_info(int32_t status, const sb_error_info* info) {
    Error e;
    e.status = status;
    if (info == nullptr) return e;
    sb_error_info i = read_struct(info);
    e.retryable = i.retryable != 0;
    e.retry_after = std::chrono::milliseconds(i.retry_after_ms);
    e.message = std::string(view(i.message));
    e.provider_code = std::string(view(i.provider_code));
    return e;
  }
};

// OK, or an Error.
class Status {
 public:
  Status() = default;
  Status(Error e) : error_(std::move(e)) {
    if (error_->status >= 0) error_->status = SB_ERR_INTERNAL;  // an error must be an SB_ERR_*
  }
  static Status ok() { return {}; }
  bool is_ok() const noexcept { return !error_.has_value(); }
  explicit operator bool() const noexcept { return is_ok(); }
  int32_t code() const noexcept { return error_ ? error_->status : SB_OK; }
  const Error& error() const {
    static const Error kNone{SB_OK, {}};
    return error_ ? *error_ : kNone;
  }

 private:
  std::optional<Error> error_;
};

// A value, or the Error explaining why there is none.
template <class T>
class Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  Result(Error e) : v_(std::in_place_index<1>, std::move(e)) {}
  bool is_ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return is_ok(); }
  T& value() & { return *std::get_if<0>(&v_); }
  const T& value() const& { return *std::get_if<0>(&v_); }
  T&& value() && { return std::move(*std::get_if<0>(&v_)); }
  T* operator->() { return std::get_if<0>(&v_); }
  const T* operator->() const { return std::get_if<0>(&v_); }
  const Error& error() const { return *std::get_if<1>(&v_); }
  int32_t code() const noexcept { return is_ok() ? SB_OK : std::get_if<1>(&v_)->status; }

 private:
  std::variant<T, Error> v_;
};

// ---------------------------------------------------------------------------------------------------
// Sinks: how variable-size output crosses the boundary without either side freeing the other's
// memory
// ---------------------------------------------------------------------------------------------------

// An sb_output_sink that appends to a std::string it owns.
class StringSink {
 public:
  StringSink() : sink_{sizeof(sb_output_sink), this, &StringSink::write} {}
  StringSink(const StringSink&) = delete;
  StringSink& operator=(const StringSink&) = delete;
  const sb_output_sink* get() const noexcept { return &sink_; }
  const std::string& str() const& noexcept { return data_; }
  std::string take() { return std::move(data_); }

 private:
  static void write(void* ctx, const char* data, std::size_t size) {
    if (data != nullptr && size > 0) static_cast<StringSink*>(ctx)->data_.append(data, size);
  }
  sb_output_sink sink_;
  std::string data_;
};

// An sb_error_sink that keeps a copy of what the callee reports.
class ErrorSink {
 public:
  ErrorSink() : sink_{sizeof(sb_error_sink), this, &ErrorSink::set} {}
  ErrorSink(const ErrorSink&) = delete;
  ErrorSink& operator=(const ErrorSink&) = delete;
  const sb_error_sink* get() const noexcept { return &sink_; }
  bool was_set() const noexcept { return set_; }
  // The callee's details for `status`; a generic message when it reported none.
  Error error(int32_t status) const {
    Error e = error_;
    e.status = status;
    if (!set_) e.message = std::string(status_name(status));
    return e;
  }

 private:
  static void set(void* ctx, const sb_error_info* info) {
    auto* self = static_cast<ErrorSink*>(ctx);
    self->error_ = Error::from_info(SB_ERR_INTERNAL, info);
    self->set_ = true;
  }
  sb_error_sink sink_;
  Error error_;
  bool set_ = false;
};

// Writing into sinks the peer gave us; every check a careful writer makes.
inline void write_to(const sb_output_sink* sink, std::string_view data) noexcept {
  if (has_slot(sink, &sb_output_sink::write) && !data.empty()) {
    sink->write(sink->ctx, data.data(), data.size());
  }
}

inline void set_error(const sb_error_sink* sink, const Error& e) noexcept {
  if (!has_slot(sink, &sb_error_sink::set)) return;
  sb_error_info info{};
  info.struct_size = sizeof(info);
  info.retryable = e.retryable ? 1 : 0;
  info.retry_after_ms = static_cast<int64_t>(e.retry_after.count());
  info.message = to_sb_str(e.message);
  info.provider_code = to_sb_str(e.provider_code);
  sink->set(sink->ctx, &info);
}

}  // namespace switchboard
