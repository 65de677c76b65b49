#include "test_host.h"

#include <algorithm>
#include <cstring>
#include <string_view>

namespace sb::abi_test {
namespace {

std::string copy(sb_str s) {
  return s.data == nullptr ? std::string() : std::string(s.data, s.size);
}

// The reader's rule from abi.h: copy min(struct_size, sizeof) into a zeroed struct of our own.
template <class T>
T read_struct(const T* from) {
  T out{};
  std::memcpy(&out, from, std::min<size_t>(from->struct_size, sizeof(T)));
  return out;
}

}  // namespace

const sb_host_api* TestHost::api() {
  static const sb_host_api kApi = [] {
    sb_host_api a{};
    a.struct_size = sizeof(sb_host_api);
    a.abi_major = SB_ABI_MAJOR;
    a.abi_minor = SB_ABI_MINOR;
    a.log = [](sb_host_ctx* ctx, int32_t level, const char* message, size_t size) {
      of(ctx).logs.emplace_back(level, std::string(message, size));
    };
    a.submit_inbound = &TestHost::submit_inbound;
    a.report_delivery = [](sb_host_ctx*, const sb_delivery_report*) -> int32_t {
      return SB_ERR_NOT_FOUND;
    };
    a.report_state = [](sb_host_ctx* ctx, int32_t state, const char* reason, size_t size) {
      of(ctx).states.emplace_back(state, std::string(reason, size));
    };
    a.set_timer = &TestHost::set_timer;
    a.cancel_timer = &TestHost::cancel_timer;
    a.post = &TestHost::post;
    a.http_request = [](sb_host_ctx*, const sb_http_request*, const sb_http_response_sink*,
                        const sb_error_sink*) -> int32_t { return SB_ERR_UNSUPPORTED; };
    a.register_webhook = [](sb_host_ctx*, const char*, size_t) -> int32_t { return SB_OK; };
    a.kv_get = [](sb_host_ctx* ctx, const char* key, size_t key_size,
                  const sb_output_sink* out) -> int32_t {
      auto& kv = of(ctx).kv_;
      auto it = kv.find(std::string_view(key, key_size));
      if (it == kv.end()) return SB_ERR_NOT_FOUND;
      out->write(out->ctx, it->second.data(), it->second.size());
      return SB_OK;
    };
    a.kv_put = [](sb_host_ctx* ctx, const char* key, size_t key_size, const char* value,
                  size_t value_size) -> int32_t {
      of(ctx).kv_[std::string(key, key_size)] = std::string(value, value_size);
      return SB_OK;
    };
    a.kv_delete = [](sb_host_ctx* ctx, const char* key, size_t key_size) -> int32_t {
      auto& kv = of(ctx).kv_;
      auto it = kv.find(std::string_view(key, key_size));
      if (it == kv.end()) return SB_ERR_NOT_FOUND;
      kv.erase(it);
      return SB_OK;
    };
    a.get_secret = [](sb_host_ctx*, const char*, size_t, const sb_output_sink*) -> int32_t {
      return SB_ERR_NOT_FOUND;
    };
    a.now_ms = [](sb_host_ctx* ctx) -> int64_t { return of(ctx).now_ms_; };
    a.get_extension = [](sb_host_ctx*, const char*, size_t) -> const void* { return nullptr; };
    a.complete_send = [](sb_host_ctx*, int64_t, int32_t, const char*, size_t,
                         const sb_error_info*) -> int32_t { return SB_ERR_NOT_FOUND; };
    return a;
  }();
  return &kApi;
}

int32_t TestHost::submit_inbound(sb_host_ctx* ctx, const sb_inbound_message* const* messages,
                                 uint32_t count, int32_t* statuses) {
  TestHost& host = of(ctx);
  int32_t first_error = SB_OK;
  for (uint32_t i = 0; i < count; ++i) {
    const sb_inbound_message m = read_struct(messages[i]);
    InboundRecord r{copy(m.provider_message_id), copy(m.from), copy(m.from_kind),
                    copy(m.content_type), copy(m.text)};
    if (r.provider_message_id.empty()) {
      statuses[i] = SB_ERR_INVALID_ARG;
    } else if (!host.seen_provider_ids_.insert(r.provider_message_id).second) {
      statuses[i] = SB_DUPLICATE;
    } else {
      statuses[i] = SB_OK;
      host.inbound.push_back(std::move(r));
    }
    if (statuses[i] < 0 && first_error == SB_OK) first_error = statuses[i];
  }
  return first_error;
}

uint64_t TestHost::set_timer(sb_host_ctx* ctx, uint64_t delay_ms, sb_task_fn fn, void* user_data) {
  TestHost& host = of(ctx);
  if (host.stopping_ || fn == nullptr) return 0;
  const uint64_t id = host.next_timer_id_++;
  host.timers_[id] = Timer{host.now_ms_ + static_cast<int64_t>(delay_ms), fn, user_data};
  ++host.timers_set;
  return id;
}

int32_t TestHost::cancel_timer(sb_host_ctx* ctx, uint64_t timer_id) {
  TestHost& host = of(ctx);
  if (host.timers_.erase(timer_id) == 0) return SB_ERR_NOT_FOUND;
  ++host.timers_cancelled;
  return SB_OK;
}

int32_t TestHost::post(sb_host_ctx* ctx, sb_task_fn fn, void* user_data) {
  TestHost& host = of(ctx);
  if (host.stopping_ || fn == nullptr) return SB_ERR_STATE;
  host.timers_[host.next_timer_id_++] = Timer{host.now_ms_, fn, user_data};
  return SB_OK;
}

void TestHost::advance(int64_t ms) {
  now_ms_ += ms;
  for (;;) {
    auto due = std::min_element(timers_.begin(), timers_.end(), [](const auto& a, const auto& b) {
      return a.second.due_ms < b.second.due_ms;
    });
    if (due == timers_.end() || due->second.due_ms > now_ms_) return;
    const Timer t = due->second;
    timers_.erase(due);
    ++timers_fired;
    t.fn(t.user_data);
  }
}

StringSink::StringSink() {
  sink.struct_size = sizeof sink;
  sink.ctx = this;
  sink.write = [](void* ctx, const char* data, size_t size) {
    static_cast<StringSink*>(ctx)->data.append(data, size);
  };
}

ErrorCapture::ErrorCapture() {
  sink.struct_size = sizeof sink;
  sink.ctx = this;
  sink.set = [](void* ctx, const sb_error_info* info) {
    auto* self = static_cast<ErrorCapture*>(ctx);
    ++self->calls;
    self->message = copy(read_struct(info).message);
  };
}

}  // namespace sb::abi_test
