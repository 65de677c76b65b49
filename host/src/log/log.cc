#include "log/log.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <map>
#include <mutex>
#include <vector>

#include <spdlog/details/log_msg.h>
#include <spdlog/formatter.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/dist_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

namespace sb::log {
namespace {

constexpr const char* kTextPattern = "%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ [%n] %v";

// One JSON object per line: {"ts":"...","level":"...","logger":"...","msg":"..."}.
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    std::string line = "{\"ts\":\"" + utc_timestamp(msg.time) + "\",\"level\":\"";
    auto level = spdlog::level::to_string_view(msg.level);
    line.append(level.data(), level.size());
    line += "\",\"logger\":\"";
    line += json_escape(std::string_view(msg.logger_name.data(), msg.logger_name.size()));
    line += "\",\"msg\":\"";
    line += json_escape(std::string_view(msg.payload.data(), msg.payload.size()));
    line += "\"}\n";
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }

 private:
  static std::string utc_timestamp(spdlog::log_clock::time_point tp) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(tp.time_since_epoch()).count();
    std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[40];
    size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(ms % 1000));
    return buf;
  }
};

// The one sink every logger writes to: it redacts configured secrets, then fans out to the real
// sinks (stderr, file), which can be swapped while other threads log.
class RedactingDistSink final : public spdlog::sinks::dist_sink_mt {
 public:
  void set_secrets(std::vector<std::string> secrets) {
    std::lock_guard lock(mutex_);
    secrets_ = std::move(secrets);
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    if (secrets_.empty()) return spdlog::sinks::dist_sink_mt::sink_it_(msg);
    std::string_view payload(msg.payload.data(), msg.payload.size());
    std::string clean = redact(payload, secrets_);
    spdlog::details::log_msg copy = msg;
    copy.payload = spdlog::string_view_t(clean.data(), clean.size());
    spdlog::sinks::dist_sink_mt::sink_it_(copy);
  }

 private:
  std::vector<std::string> secrets_;  // guarded by the base sink's mutex_
};

std::unique_ptr<spdlog::formatter> make_formatter(bool json) {
  if (json) return std::make_unique<JsonFormatter>();
  return std::make_unique<spdlog::pattern_formatter>(kTextPattern, spdlog::pattern_time_type::utc);
}

// Logging is process-wide by nature (plugins log from any thread through the host), so the set of
// sinks and loggers lives here, behind a mutex. Every logger writes to one shared dist_sink; a
// re-init swaps the dist_sink's children, which is safe while other threads log.
class LogState {
 public:
  LogState() : root_(std::make_shared<RedactingDistSink>()) {
    auto err = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    err->set_formatter(make_formatter(false));
    root_->set_sinks({err});
  }

  sb::Status init(const LogOptions& options) {
    auto level = parse_level(options.level);
    if (!level) {
      return sb::invalid_argument("invalid log level \"" + options.level +
                                  "\": expected trace, debug, info, warn or error");
    }
    std::vector<std::shared_ptr<spdlog::sinks::sink>> sinks;
    auto err = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    err->set_formatter(make_formatter(options.json));
    sinks.push_back(err);
    if (options.file) {
      try {
        auto file = std::make_shared<spdlog::sinks::basic_file_sink_mt>(options.file->string());
        file->set_formatter(make_formatter(options.json));
        sinks.push_back(file);
      } catch (const spdlog::spdlog_ex& e) {
        return sb::invalid_argument("cannot open log file " + options.file->string() + ": " +
                                    e.what());
      }
    }
    std::lock_guard lock(mutex_);
    level_ = *level;
    root_->set_sinks(std::move(sinks));
    for (auto& [name, lg] : loggers_) lg->set_level(level_);
    return sb::Status::ok();
  }

  void set_secrets(std::vector<std::string> secrets) { root_->set_secrets(std::move(secrets)); }

  std::shared_ptr<spdlog::logger> get(std::string_view name) {
    std::lock_guard lock(mutex_);
    auto it = loggers_.find(name);
    if (it != loggers_.end()) return it->second;
    auto lg = std::make_shared<spdlog::logger>(std::string(name), root_);
    lg->set_level(level_);
    lg->flush_on(spdlog::level::info);
    loggers_.emplace(std::string(name), lg);
    return lg;
  }

 private:
  std::mutex mutex_;
  std::shared_ptr<RedactingDistSink> root_;
  spdlog::level::level_enum level_ = spdlog::level::info;
  std::map<std::string, std::shared_ptr<spdlog::logger>, std::less<>> loggers_;
};

LogState& state() {
  static LogState s;
  return s;
}

// Length of the valid UTF-8 sequence starting at text[i], or 0 if it is not valid.
size_t utf8_sequence_length(std::string_view text, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char c = byte(i);
  size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || i + len > text.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  // Reject overlong forms, surrogates and values above U+10FFFF.
  if (len == 2 && c < 0xC2) return 0;
  if (len == 3 && c == 0xE0 && byte(i + 1) < 0xA0) return 0;
  if (len == 3 && c == 0xED && byte(i + 1) >= 0xA0) return 0;
  if (len == 4 && c == 0xF0 && byte(i + 1) < 0x90) return 0;
  if (len == 4 && (c > 0xF4 || (c == 0xF4 && byte(i + 1) >= 0x90))) return 0;
  return len;
}

}  // namespace

sb::Status init_logging(const LogOptions& options) {
  return state().init(options);
}

std::shared_ptr<spdlog::logger> logger(std::string_view name) {
  return state().get(name);
}

void set_redacted_secrets(std::vector<std::string> secrets) {
  std::erase_if(secrets, [](const std::string& s) { return s.empty(); });
  state().set_secrets(std::move(secrets));
}

std::optional<spdlog::level::level_enum> parse_level(std::string_view name) {
  using spdlog::level::level_enum;
  static constexpr std::pair<std::string_view, level_enum> kLevels[] = {
      {"trace", level_enum::trace},       {"debug", level_enum::debug},  {"info", level_enum::info},
      {"warn", level_enum::warn},         {"warning", level_enum::warn}, {"error", level_enum::err},
      {"critical", level_enum::critical}, {"off", level_enum::off},
  };
  for (const auto& [n, level] : kLevels) {
    if (n == name) return level;
  }
  return std::nullopt;
}

std::string redact(std::string_view text, std::span<const std::string> secrets) {
  // Longest first, so a secret that contains another is replaced whole.
  std::vector<std::string_view> sorted;
  for (const auto& s : secrets) {
    if (!s.empty()) sorted.emplace_back(s);
  }
  std::sort(sorted.begin(), sorted.end(),
            [](std::string_view a, std::string_view b) { return a.size() > b.size(); });
  std::string out(text);
  for (auto secret : sorted) {
    size_t pos = 0;
    while ((pos = out.find(secret, pos)) != std::string::npos) {
      out.replace(pos, secret.size(), "***");
      pos += 3;
    }
  }
  return out;
}

std::string json_escape(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size() + 8);
  for (size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      size_t len = utf8_sequence_length(text, i);
      if (len == 0) {
        out += "\\ufffd";  // invalid UTF-8 would make the whole line invalid JSON
        ++i;
      } else {
        out.append(text.substr(i, len));
        i += len;
      }
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  return out;
}

}  // namespace sb::log
