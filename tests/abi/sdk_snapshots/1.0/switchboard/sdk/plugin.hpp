// Part of switchboard/sdk.hpp: the C side of a plugin (noexcept trampolines, the constant entry
// and vtable) and the SB_PLUGIN macro that emits them.
#pragma once

#include <switchboard/sdk/channel.hpp>
#include <switchboard/sdk/core.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

#if defined(__cpp_exceptions)
#include <exception>
#endif

// Defaults for plugins not built with sb_add_plugin(), which defines these from its arguments.
#ifndef SB_PLUGIN_ABI_MINOR_REQUIRED
#define SB_PLUGIN_ABI_MINOR_REQUIRED 0
#endif

namespace switchboard {

// ---------------------------------------------------------------------------------------------------
// The C side: trampolines and the entry, emitted by SB_PLUGIN
// ---------------------------------------------------------------------------------------------------

// The entry of plugin class C; SB_PLUGIN defines it. Lets a fake host load a plugin compiled into
// the same binary through its real C entry and vtable.
template <class C>
const sb_plugin_entry* plugin_entry() noexcept;

namespace detail {

// Runs `body`; an exception becomes `on_error(status, message)` and its return value.
template <class Body, class OnError>
auto guarded(Body&& body, OnError&& on_error) noexcept -> decltype(body()) {
#if defined(__cpp_exceptions)
  try {
    return body();
  } catch (const std::exception& e) {
    return on_error(std::string_view(e.what()));
  } catch (...) {
    return on_error(std::string_view("unknown exception"));
  }
#else
  (void)on_error;
  return body();
#endif
}

inline Channel* channel(sb_channel* ch) noexcept {
  return reinterpret_cast<Channel*>(ch);
}

inline int32_t fail(const sb_error_sink* err, const Error& e) noexcept {
  set_error(err, e);
  return e.status < 0 ? e.status : SB_ERR_INTERNAL;
}

inline auto internal_to(const sb_error_sink* err) {
  return [err](std::string_view what) { return fail(err, Error::internal(std::string(what))); };
}

template <class C>
struct Trampolines {
  static int32_t init(const sb_host_api* api, const sb_error_sink* err) noexcept {
    if (api == nullptr || !has_field(api, &sb_host_api::abi_minor)) {
      return fail(err, Error::invalid_arg("no host api"));
    }
    if (api->abi_major != SB_ABI_MAJOR) {
      return fail(err, Error::unsupported("host ABI major " + std::to_string(api->abi_major)));
    }
    return SB_OK;
  }

  static int32_t create(const sb_create_params* params, sb_channel** out,
                        const sb_error_sink* err) noexcept {
    return guarded(
        [&]() -> int32_t {
          if (params == nullptr || out == nullptr) return fail(err, Error::invalid_arg("null"));
          sb_create_params p = read_struct(params);
          if (p.host_api == nullptr) return fail(err, Error::invalid_arg("no host api"));
          auto instance = std::make_unique<C>(Host(p.host_api, p.host), view(p.instance_id),
                                              view(p.config_json));
          *out = reinterpret_cast<sb_channel*>(static_cast<Channel*>(instance.release()));
          return SB_OK;
        },
        internal_to(err));
  }

  static void destroy(sb_channel* ch) noexcept {
    guarded([&] { std::unique_ptr<Channel> owned(channel(ch)); }, [](std::string_view) {});
  }

  static int32_t start(sb_channel* ch, const sb_error_sink* err) noexcept {
    return guarded(
        [&]() -> int32_t {
          Status s = channel(ch)->start();
          return s ? SB_OK : fail(err, s.error());
        },
        internal_to(err));
  }

  static void stop(sb_channel* ch) noexcept {
    guarded([&] { channel(ch)->stop(); },
            [&](std::string_view what) {
              channel(ch)->host().error(std::string("stop threw: ") + std::string(what));
            });
  }

  static int32_t send(sb_channel* ch, const sb_outbound_message* msg,
                      const sb_output_sink* provider_id, const sb_error_sink* err) noexcept {
    return guarded(
        [&]() -> int32_t {
          if (msg == nullptr) return fail(err, Error::invalid_arg("no message"));
          SendResult r = channel(ch)->send(OutboundMessage(msg));
          if (r.is_pending()) return SB_PENDING;
          if (r.is_error()) return fail(err, r.error());
          write_to(provider_id, r.provider_id());
          return SB_OK;
        },
        internal_to(err));
  }

  static int32_t handle_webhook(sb_channel* ch, const sb_webhook_request* req,
                                const sb_webhook_response* resp) noexcept {
    return guarded(
        [&]() -> int32_t {
          if (req == nullptr) return SB_ERR_INVALID_ARG;
          WebhookResponse response(resp);
          Status s = channel(ch)->handle_webhook(WebhookRequest(req), response);
          if (!s) channel(ch)->host().warn("webhook: " + s.error().message);
          return s.code();
        },
        [&](std::string_view what) -> int32_t {
          channel(ch)->host().error(std::string("webhook handler threw: ") + std::string(what));
          return SB_ERR_INTERNAL;
        });
  }

  static int32_t config_schema(const sb_output_sink* out) noexcept {
    return guarded(
        [&]() -> int32_t {
          write_to(out, C::config_schema());
          return SB_OK;
        },
        [](std::string_view) -> int32_t { return SB_ERR_INTERNAL; });
  }

  static int32_t validate_config(const char* json, std::size_t size,
                                 const sb_error_sink* err) noexcept {
    return guarded(
        [&]() -> int32_t {
          Status s = C::validate_config(json != nullptr ? std::string_view(json, size)
                                                        : std::string_view());
          return s ? SB_OK : fail(err, s.error());
        },
        internal_to(err));
  }

  static int32_t can_send(sb_channel* ch, const sb_can_send_query* query,
                          sb_can_send_result* result, const sb_output_sink* reason) noexcept {
    return guarded(
        [&]() -> int32_t {
          if (query == nullptr || result == nullptr) return SB_ERR_INVALID_ARG;
          CanSendAnswer a = channel(ch)->can_send(CanSendQuery(query));
          // Write only what fits in the host's struct.
          if (has_field(result, &sb_can_send_result::allowed)) result->allowed = a.allowed ? 1 : 0;
          if (has_field(result, &sb_can_send_result::mode)) result->mode = a.mode;
          if (has_field(result, &sb_can_send_result::expires_at_ms)) {
            result->expires_at_ms = a.expires_at_ms;
          }
          write_to(reason, a.reason);
          return SB_OK;
        },
        [&](std::string_view what) -> int32_t {
          write_to(reason, what);
          return SB_ERR_INTERNAL;
        });
  }

  static int32_t invoke(sb_channel* ch, const char* op, std::size_t op_size, const char* json_in,
                        std::size_t json_in_size, const sb_output_sink* json_out,
                        const sb_error_sink* err) noexcept {
    return guarded(
        [&]() -> int32_t {
          std::string_view o = op != nullptr ? std::string_view(op, op_size) : std::string_view();
          std::string_view in =
              json_in != nullptr ? std::string_view(json_in, json_in_size) : std::string_view();
          Result<std::string> r = channel(ch)->invoke(o, in);
          if (!r) return fail(err, r.error());
          write_to(json_out, r.value());
          return SB_OK;
        },
        internal_to(err));
  }

  static int32_t health(sb_channel* ch, const sb_output_sink* details_json) noexcept {
    return guarded(
        [&]() -> int32_t {
          Health h = channel(ch)->health();
          write_to(details_json, h.details_json);
          return h.state;
        },
        [&](std::string_view what) -> int32_t {
          channel(ch)->host().error(std::string("health threw: ") + std::string(what));
          return SB_ERR_INTERNAL;
        });
  }

  // The static hooks are optional: a class without them gets a NULL slot ("not supported").
  static constexpr int32_t (*config_schema_slot())(const sb_output_sink*) {
    if constexpr (requires { C::config_schema(); }) {
      return &config_schema;
    } else {
      return nullptr;
    }
  }
  static constexpr int32_t (*validate_config_slot())(const char*, std::size_t,
                                                     const sb_error_sink*) {
    if constexpr (requires { C::validate_config(std::string_view()); }) {
      return &validate_config;
    } else {
      return nullptr;
    }
  }

  static constexpr sb_channel_vtable kVtable = {
      sizeof(sb_channel_vtable),
      0,
      &destroy,
      &start,
      &stop,
      &send,
      &handle_webhook,
      config_schema_slot(),
      validate_config_slot(),
      &can_send,
      &invoke,
      &health,
  };
};

template <class C>
constexpr sb_plugin_entry make_entry(sb_str id, sb_str version, sb_str kind, sb_str description,
                                     uint64_t capabilities, uint16_t abi_minor_required) {
  static_assert(std::is_base_of_v<Channel, C>, "SB_PLUGIN needs a switchboard::Channel subclass");
  return sb_plugin_entry{
      sizeof(sb_plugin_entry),
      SB_ABI_MAJOR,
      abi_minor_required,
      id,
      version,
      kind,
      description,
      capabilities,
      &Trampolines<C>::init,
      nullptr,
      &Trampolines<C>::create,
      &Trampolines<C>::kVtable,
  };
}

}  // namespace detail
}  // namespace switchboard

// Registers ChannelClass as this library's plugin: defines its constant entry and vtable and the
// exported `sb_plugin_entry_v1`. Use once per plugin library, at global scope. id, version, kind
// and description are string literals (sb_add_plugin() defines SB_PLUGIN_ID & co. to keep them
// equal to the manifest); capabilities is an SB_CAP_* mask.
#define SB_PLUGIN(ChannelClass, id, version, kind, description, capabilities)                  \
  template <>                                                                                  \
  const sb_plugin_entry* ::switchboard::plugin_entry<ChannelClass>() noexcept {                \
    static constexpr sb_plugin_entry kEntry = ::switchboard::detail::make_entry<ChannelClass>( \
        SB_STR_LIT(id), SB_STR_LIT(version), SB_STR_LIT(kind), SB_STR_LIT(description),        \
        (capabilities), SB_PLUGIN_ABI_MINOR_REQUIRED);                                         \
    return &kEntry;                                                                            \
  }                                                                                            \
  extern "C" SB_EXPORT const sb_plugin_entry* sb_plugin_entry_v1(void) {                       \
    return ::switchboard::plugin_entry<ChannelClass>();                                        \
  }
