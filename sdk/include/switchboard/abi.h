/*
 * Switchboard plugin ABI, version 1.
 *
 * This header is the only contract between the `switchboard` host and a channel plugin. It is C11
 * and valid C++; it includes only <stddef.h> and <stdint.h>. A plugin built against SDK 1.0 loads
 * unchanged into every 1.x host. See sdk/ABI_POLICY.md for what a minor version may add.
 *
 * Rules that hold for every declaration below:
 *  - Every struct starts with `uint32_t struct_size` (set by whoever fills the struct to sizeof of
 * its own definition) and only ever grows at the end. A reader copies min(struct_size, sizeof(own))
 * into a zeroed struct of its own, so fields it does not know read as zero. `sb_str` is the one
 * exception: it is a frozen pair that will never grow.
 *  - Strings are UTF-8 `{data, size}`, not NUL-terminated unless said so. Every pointer handed
 * across is valid only for the duration of the call; the receiver copies what it keeps.
 *  - Neither side frees memory the other allocated. Variable-size output travels through sinks.
 *  - No exceptions cross this boundary. Functions return an `int32_t` status (SB_OK, or an
 * SB_ERR_*); details go to an error sink.
 *  - Threading tags: [instance strand] = called serialized per channel instance, never concurrently
 *    with another [instance strand] call of the same instance; [any thread] = thread-safe, may be
 * called from any thread including the instance strand; [load] = called once, on the loader thread.
 *  - A NULL function slot means "not supported"; slots marked (required) must be non-NULL.
 */
#ifndef SWITCHBOARD_ABI_H
#define SWITCHBOARD_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------------
 * Versions and symbols (since 1.0)
 * ------------------------------------------------------------------------------------------------
 */
#define SB_ABI_MAJOR 1
#define SB_ABI_MINOR 1

/* The single symbol a plugin exports. Its name carries the major version, so a host of another
 * major never finds it. It must return a pointer to a static entry and have no other effect. */
#define SB_PLUGIN_ENTRY_SYMBOL "sb_plugin_entry_v1"

#if defined(_WIN32)
#define SB_EXPORT __declspec(dllexport)
#else
#define SB_EXPORT __attribute__((visibility("default")))
#endif

/* ---------------------------------------------------------------------------------------------------
 * Status codes (since 1.0). Zero and positive values are successes; negative values are errors.
 * ------------------------------------------------------------------------------------------------
 */
#define SB_OK 0
#define SB_DUPLICATE 1 /* submit_inbound: already stored earlier; nothing changed (a success). */
#define SB_PENDING 2   /* send: accepted, the result follows through host->complete_send. */

#define SB_ERR_INVALID_ARG (-1)  /* the caller's input is wrong; do not retry unchanged */
#define SB_ERR_UNSUPPORTED (-2)  /* the operation or content type is not supported */
#define SB_ERR_TRANSIENT (-3)    /* temporary failure (network, 5xx); retry with backoff */
#define SB_ERR_RATE_LIMITED (-4) /* provider throttled; retry later (see retry_after_ms) */
#define SB_ERR_AUTH (-5)         /* credentials missing, wrong or expired */
#define SB_ERR_REJECTED (-6)     /* provider refused this message for good; never retried */
#define SB_ERR_NOT_FOUND (-7)    /* a key, route or object does not exist */
#define SB_ERR_STATE (-8)        /* wrong state for this call (e.g. not started, already stopped) */
#define SB_ERR_INTERNAL (-9)     /* a bug or an unexpected condition on the callee's side */
#define SB_ERR_TIMEOUT (-10)     /* an operation ran out of time; treat as transient */
/* since 1.1: complete_send only: the request reached the provider but its answer never came (the
 * connection dropped, the response timed out), so whether the provider accepted it is unknown and
 * a resend could duplicate it. The host neither resends nor fails the message: the outbox puts it
 * in `reconcile` for a supervisor. A 1.0 host treats it as a non-retryable error. */
#define SB_ERR_UNKNOWN_OUTCOME (-11)

/* Log levels (since 1.0). */
#define SB_LOG_TRACE 0
#define SB_LOG_DEBUG 1
#define SB_LOG_INFO 2
#define SB_LOG_WARN 3
#define SB_LOG_ERROR 4

/* Instance states reported through report_state and health (since 1.0). */
#define SB_STATE_STARTING 1
#define SB_STATE_RUNNING 2
#define SB_STATE_DEGRADED 3 /* running, but something needs an operator (e.g. token expired) */
#define SB_STATE_FAILED 4
#define SB_STATE_STOPPED 5

/* Delivery statuses in sb_delivery_report.status (since 1.0). */
#define SB_DELIVERY_QUEUED 1    /* accepted by the provider, not yet sent on */
#define SB_DELIVERY_SENT 2      /* left the provider towards the recipient */
#define SB_DELIVERY_DELIVERED 3 /* reached the recipient's device or mailbox */
#define SB_DELIVERY_READ 4      /* the recipient read it */
#define SB_DELIVERY_FAILED 5    /* will not be delivered; see error_code / error_text */

/* can_send modes (since 1.0). */
#define SB_SEND_MODE_FREE_TEXT 1 /* any content may be sent now */
#define SB_SEND_MODE_TEMPLATE_ONLY \
  2                            /* only pre-approved templates (e.g. outside WhatsApp's window) */
#define SB_SEND_MODE_BLOCKED 3 /* nothing may be sent now */

/* Capability bits in sb_plugin_entry.capabilities (since 1.0). */
#define SB_CAP_SEND_TEXT (1ull << 0)
#define SB_CAP_RECEIVE (1ull << 1)
#define SB_CAP_DELIVERY_REPORTS (1ull << 2)
#define SB_CAP_ATTACHMENTS (1ull << 3)
#define SB_CAP_TEMPLATES (1ull << 4)
#define SB_CAP_WEBHOOKS (1ull << 5)
#define SB_CAP_READ_RECEIPTS (1ull << 6)
#define SB_CAP_INTERACTIVE (1ull << 7)
#define SB_CAP_THREADING (1ull << 8)

/* Flags in sb_inbound_message.flags (since 1.0). */
#define SB_INBOUND_AUTOMATED \
  (1u << 0)                         /* sent by a machine (auto-reply, bounce): never auto-answer */
#define SB_INBOUND_SYSTEM (1u << 1) /* a provider/system notice rather than a person's message */

/* ---------------------------------------------------------------------------------------------------
 * Basic types (since 1.0)
 * ------------------------------------------------------------------------------------------------
 */

/* A UTF-8 string view. Frozen: never grows. Empty is {NULL, 0} or {"", 0}. */
typedef struct sb_str {
  const char* data;
  size_t size;
} sb_str;

/* For static initialisers of string literals: SB_STR_LIT("echo"). */
#define SB_STR_LIT(s) \
  { (s), sizeof(s) - 1 }

/* Opaque handles. The host owns sb_host_ctx (one per channel instance); the plugin owns sb_channel.
 */
typedef struct sb_host_ctx sb_host_ctx;
typedef struct sb_channel sb_channel;

/* Receives variable-size output (bytes, text, JSON). `write` may be called several times; the data
 * appends. The data pointer is valid only during the write call. */
typedef struct sb_output_sink {
  uint32_t struct_size;
  void* ctx;
  void (*write)(void* ctx, const char* data, size_t size);
} sb_output_sink;

/* Details of a failure. Filled by the failing side, read and copied by the other during `set`. */
typedef struct sb_error_info {
  uint32_t struct_size;
  int32_t retryable;      /* non-zero: the same call may succeed later */
  int64_t retry_after_ms; /* a hint (0 = none), e.g. from a provider's Retry-After */
  sb_str message;         /* human readable; never contains secrets */
  sb_str provider_code;   /* the provider's own error code as text, e.g. "131047"; may be empty */
} sb_error_info;

/* Receives the error details of a failing call. `set` may be called at most once per call. */
typedef struct sb_error_sink {
  uint32_t struct_size;
  void* ctx;
  void (*set)(void* ctx, const sb_error_info* info);
} sb_error_sink;

/* ---------------------------------------------------------------------------------------------------
 * Messages (since 1.0)
 * ------------------------------------------------------------------------------------------------
 */

typedef struct sb_attachment {
  uint32_t struct_size;
  uint32_t reserved0;
  sb_str kind;      /* "image", "document", "audio", "video", "sticker", "file" */
  sb_str mime_type; /* e.g. "image/jpeg"; may be empty */
  sb_str filename;
  sb_str url;               /* where the content can be fetched, if known */
  sb_str provider_media_id; /* the provider's id for the media, if any */
  sb_str caption;
  int64_t size_bytes; /* -1 when unknown */
} sb_attachment;

/* A message the host asks the channel to send. */
typedef struct sb_outbound_message {
  uint32_t struct_size;
  uint32_t attachment_count;
  int64_t message_id;     /* the host's id; quote it in complete_send and delivery reports */
  sb_str idempotency_key; /* stable across retries of the same message */
  sb_str to;              /* recipient address: E.164 phone, e-mail address, channel-specific id */
  sb_str from;            /* sender identity within the instance (business number, mailbox); may be
                             empty for the instance default */
  sb_str content_type;    /* "text", "template", "media", "interactive", "reaction", ... */
  sb_str text;            /* the body for "text"; a fallback rendering otherwise */
  sb_str payload_json;    /* structured, channel-specific content (template parameters, buttons) */
  sb_str reply_to_provider_id; /* provider id of the message this replies to; may be empty */
  sb_str thread_key;           /* conversation key the channel uses for threading; may be empty */
  const sb_attachment* const* attachments; /* attachment_count pointers */
} sb_outbound_message;

/* A message the channel received from its provider. */
typedef struct sb_inbound_message {
  uint32_t struct_size;
  uint32_t flags;              /* SB_INBOUND_* */
  sb_str provider_message_id;  /* required: the dedupe key within the instance */
  sb_str from;                 /* sender address as the provider gives it */
  sb_str from_kind;            /* "phone", "email", or a channel-specific kind ("whatsapp_id") */
  sb_str from_name;            /* display name, if the provider gives one */
  sb_str to;                   /* our address it was sent to (business number, mailbox) */
  sb_str content_type;         /* "text", "image", "location", ... */
  sb_str text;                 /* the text, or a readable rendering of non-text content */
  sb_str payload_json;         /* structured, channel-specific fields */
  sb_str raw;                  /* the provider's payload verbatim, kept by the host */
  sb_str reply_to_provider_id; /* provider id of the message this replies to */
  sb_str thread_key;           /* e.g. the e-mail References root */
  int64_t sent_at_ms;          /* provider's timestamp (Unix ms); 0 when unknown */
  uint32_t attachment_count;
  uint32_t reserved0;
  const sb_attachment* const* attachments;
} sb_inbound_message;

/* A status change of a message the host sent earlier. */
typedef struct sb_delivery_report {
  uint32_t struct_size;
  int32_t status;             /* SB_DELIVERY_* */
  int64_t message_id;         /* the host's id if the channel knows it, else 0 */
  sb_str provider_message_id; /* how the provider names the message */
  int64_t timestamp_ms;       /* when the status happened (Unix ms); 0 = now */
  sb_str error_code;          /* provider code for FAILED */
  sb_str error_text;
  sb_str extra_json; /* channel-specific facts, e.g. {"pricing":{"category":"utility",...}} */
  sb_str raw;        /* the provider's payload verbatim */
} sb_delivery_report;

/* ---------------------------------------------------------------------------------------------------
 * Webhooks (since 1.0). The host owns the HTTP server; it mounts routes a channel registers under
 * /webhooks/<instance-id>/<path> and hands each request to the channel's handle_webhook.
 * ------------------------------------------------------------------------------------------------
 */

typedef struct sb_webhook_request {
  uint32_t struct_size;
  uint32_t reserved0;
  sb_str method;  /* "GET", "POST", ... */
  sb_str path;    /* the path below /webhooks/<instance-id>, starting with '/' */
  sb_str query;   /* raw query string without '?' */
  sb_str headers; /* "Name: value\r\n" lines, names as received */
  sb_str body;    /* exact bytes received (signatures are computed over these) */
  sb_str remote_addr;
} sb_webhook_request;

/* The channel writes its answer through this. If the channel never calls set_status, the host
 * answers 200 when handle_webhook returns SB_OK and a JSON error otherwise. */
typedef struct sb_webhook_response {
  uint32_t struct_size;
  void* ctx;
  void (*set_status)(void* ctx, int32_t http_status);
  void (*add_header)(void* ctx, const char* name, size_t name_size, const char* value,
                     size_t value_size);
  void (*write_body)(void* ctx, const char* data, size_t size);
} sb_webhook_response;

/* ---------------------------------------------------------------------------------------------------
 * Outbound HTTP through the host (since 1.0)
 * ------------------------------------------------------------------------------------------------
 */

typedef struct sb_http_request {
  uint32_t struct_size;
  uint32_t timeout_ms; /* 0 = host default */
  sb_str method;
  sb_str url;     /* absolute http:// or https:// URL */
  sb_str headers; /* "Name: value\r\n" lines */
  sb_str body;
} sb_http_request;

typedef struct sb_http_response_sink {
  uint32_t struct_size;
  void* ctx;
  void (*status)(void* ctx, int32_t http_status);
  void (*header)(void* ctx, const char* name, size_t name_size, const char* value,
                 size_t value_size);
  void (*body)(void* ctx, const char* data, size_t size);
} sb_http_response_sink;

/* ---------------------------------------------------------------------------------------------------
 * can_send (since 1.0): the channel's own rules about what may be sent now.
 * ------------------------------------------------------------------------------------------------
 */

typedef struct sb_can_send_query {
  uint32_t struct_size;
  uint32_t reserved0;
  sb_str to;           /* recipient address */
  sb_str from;         /* sender identity within the instance; may be empty */
  sb_str content_type; /* what the caller wants to send ("text", "template", ...) */
  int64_t
      last_inbound_at_ms; /* when the host last stored a message from this recipient, 0 = never */
  /* since 1.1: the structured content the send would carry, as sb_outbound_message.payload_json
   * (e.g. the template's name, language and parameters); empty when the message has none. A host
   * of 1.0 does not fill it: its struct_size ends before this field, so it reads as absent. */
  sb_str payload_json;
} sb_can_send_query;

/* Filled by the channel. The host zeroes it and sets struct_size; the channel writes only fields
 * that fit in struct_size. The reason goes through the reason sink of can_send. */
typedef struct sb_can_send_result {
  uint32_t struct_size;
  int32_t allowed; /* non-zero: content_type may be sent now */
  int32_t mode;    /* SB_SEND_MODE_* */
  int32_t reserved0;
  int64_t expires_at_ms; /* when the current mode ends (Unix ms), 0 = no known end */
} sb_can_send_result;

/* ---------------------------------------------------------------------------------------------------
 * The host's services, handed to the plugin (since 1.0). Grows only at the end; a plugin built
 * against a newer minor must check struct_size before calling a slot added after 1.0 (sdk.hpp does
 * this). Every function is [any thread] unless said otherwise and takes the instance's sb_host_ctx.
 * ------------------------------------------------------------------------------------------------
 */

typedef void (*sb_task_fn)(void* user_data);

typedef struct sb_host_api {
  uint32_t struct_size;
  uint16_t abi_major; /* SB_ABI_MAJOR of the host */
  uint16_t abi_minor; /* SB_ABI_MINOR of the host */

  /* --- since 1.0 --- */

  /* Log a line under the plugin's id. Never pass secrets. */
  void (*log)(sb_host_ctx* host, int32_t level, const char* message, size_t size);

  /* Store received messages durably. Blocks until they are committed (group commit batches
   * concurrent callers), so a channel may acknowledge its provider as soon as this returns SB_OK.
   * statuses[i] receives SB_OK (stored), SB_DUPLICATE (seen before; nothing changed) or an SB_ERR_*
   * for an invalid message. Returns SB_OK when every message was stored or was a duplicate, else
   * the first error.
   * At most 1000 messages per call: a larger count (or NULL messages/statuses) is refused as a
   * whole with SB_ERR_INVALID_ARG, nothing stored and statuses left unwritten. A plugin with more
   * messages must split them into several calls (sdk.hpp's Host::submit_inbound does), and must
   * acknowledge its provider only when every call stored every message; otherwise it answers so
   * that the provider delivers again (e.g. HTTP 503): duplicates make redelivery safe. */
  int32_t (*submit_inbound)(sb_host_ctx* host, const sb_inbound_message* const* messages,
                            uint32_t count, int32_t* statuses);

  /* Record a delivery status change. Committed when it returns SB_OK. Statuses apply monotonically:
   * a late "delivered" never overrides "read". SB_ERR_NOT_FOUND when the message is unknown. */
  int32_t (*report_delivery)(sb_host_ctx* host, const sb_delivery_report* report);

  /* Tell the host the instance's state (SB_STATE_*), with a reason shown to operators. */
  void (*report_state)(sb_host_ctx* host, int32_t state, const char* reason, size_t size);

  /* Run fn(user_data) on the instance strand after delay_ms. Returns a timer id (never 0), or 0
   * when the instance is stopping. Nothing fires after the instance's stop returns. */
  uint64_t (*set_timer)(sb_host_ctx* host, uint64_t delay_ms, sb_task_fn fn, void* user_data);
  /* Cancel a timer. SB_OK if it will not fire, SB_ERR_NOT_FOUND if it already fired or is unknown.
   */
  int32_t (*cancel_timer)(sb_host_ctx* host, uint64_t timer_id);
  /* Run fn(user_data) on the instance strand soon. SB_ERR_STATE when the instance is stopping. */
  int32_t (*post)(sb_host_ctx* host, sb_task_fn fn, void* user_data);

  /* Perform an HTTP request and block until the response has been delivered to the sink.
   * SB_OK when a response (any HTTP status) arrived; SB_ERR_TRANSIENT / SB_ERR_TIMEOUT on network
   * failure, with details in err. */
  int32_t (*http_request)(sb_host_ctx* host, const sb_http_request* request,
                          const sb_http_response_sink* response, const sb_error_sink* err);

  /* Ask the host to route /webhooks/<instance-id><path> to handle_webhook. path starts with '/'.
   * [instance strand] during create or start. */
  int32_t (*register_webhook)(sb_host_ctx* host, const char* path, size_t size);

  /* Per-instance durable key-value storage. kv_get writes the value to out, or returns
   * SB_ERR_NOT_FOUND. kv_put and kv_delete are committed when they return. */
  int32_t (*kv_get)(sb_host_ctx* host, const char* key, size_t key_size, const sb_output_sink* out);
  int32_t (*kv_put)(sb_host_ctx* host, const char* key, size_t key_size, const char* value,
                    size_t value_size);
  int32_t (*kv_delete)(sb_host_ctx* host, const char* key, size_t key_size);

  /* Resolve a secret the operator configured for this instance (e.g. "access_token"), wherever the
   * host keeps it (environment, file). SB_ERR_NOT_FOUND when not configured. Never log the value.
   */
  int32_t (*get_secret)(sb_host_ctx* host, const char* name, size_t size,
                        const sb_output_sink* out);

  /* The host's clock, Unix ms. Use it instead of the system clock so tests can control time. */
  int64_t (*now_ms)(sb_host_ctx* host);

  /* An optional service by id, as a struct starting with uint32_t struct_size; NULL if absent. */
  const void* (*get_extension)(sb_host_ctx* host, const char* id, size_t size);

  /* Finish a send that returned SB_PENDING: status is SB_OK (provider_message_id set) or an
   * SB_ERR_* with err describing it (may be NULL); SB_ERR_UNKNOWN_OUTCOME (since 1.1) when the
   * provider may or may not have it. Call exactly once per pending send. */
  int32_t (*complete_send)(sb_host_ctx* host, int64_t message_id, int32_t status,
                           const char* provider_message_id, size_t provider_message_id_size,
                           const sb_error_info* err);
} sb_host_api;

/* ---------------------------------------------------------------------------------------------------
 * Creating an instance (since 1.0)
 * ------------------------------------------------------------------------------------------------
 */

typedef struct sb_create_params {
  uint32_t struct_size;
  uint32_t reserved0;
  const sb_host_api* host_api; /* valid until the library is unloaded (never, in production) */
  sb_host_ctx* host;           /* this instance's context; valid until destroy returns */
  sb_str instance_id;          /* the operator's name for the instance, e.g. "wa-sales" */
  sb_str config_json;          /* the instance's configuration, validated by validate_config */
} sb_create_params;

/* ---------------------------------------------------------------------------------------------------
 * The channel's functions (since 1.0). One static table per plugin, shared by its instances.
 * ------------------------------------------------------------------------------------------------
 */

typedef struct sb_channel_vtable {
  uint32_t struct_size;
  uint32_t reserved0;

  /* --- since 1.0 --- */

  /* (required) [instance strand] Free the instance. Called once, after stop. */
  void (*destroy)(sb_channel* ch);
  /* (required) [instance strand] Begin work: connect, register webhooks, arm timers. */
  int32_t (*start)(sb_channel* ch, const sb_error_sink* err);
  /* (required) [instance strand] Stop work. After it returns the channel makes no host call except
   * log, and no timer or post of this instance fires. */
  void (*stop)(sb_channel* ch);
  /* (required) [instance strand] Send a message. SB_OK with the provider's id written to
   * provider_id, SB_PENDING (finish with complete_send), or an SB_ERR_* with details in err. */
  int32_t (*send)(sb_channel* ch, const sb_outbound_message* msg, const sb_output_sink* provider_id,
                  const sb_error_sink* err);
  /* [instance strand] Handle a provider request on a registered route. Verify signatures here. */
  int32_t (*handle_webhook)(sb_channel* ch, const sb_webhook_request* req,
                            const sb_webhook_response* resp);
  /* [any thread] Write the JSON Schema of the instance configuration. No instance needed. */
  int32_t (*config_schema)(const sb_output_sink* out);
  /* [any thread] Check an instance configuration before create; field-level message in err. */
  int32_t (*validate_config)(const char* json, size_t size, const sb_error_sink* err);
  /* [instance strand] What may be sent now to query->to. The reason (for people) goes to reason. */
  int32_t (*can_send)(sb_channel* ch, const sb_can_send_query* query, sb_can_send_result* result,
                      const sb_output_sink* reason);
  /* [instance strand] A channel-specific control operation (onboarding, templates, ...): op names
   * it, json_in carries its arguments, the JSON answer goes to json_out. */
  int32_t (*invoke)(sb_channel* ch, const char* op, size_t op_size, const char* json_in,
                    size_t json_in_size, const sb_output_sink* json_out, const sb_error_sink* err);
  /* [instance strand] Current state (SB_STATE_*) and a JSON object of details for operators. */
  int32_t (*health)(sb_channel* ch, const sb_output_sink* details_json);
} sb_channel_vtable;

/* ---------------------------------------------------------------------------------------------------
 * The plugin entry (since 1.0). Returned by sb_plugin_entry_v1(); must be static and constant.
 * ------------------------------------------------------------------------------------------------
 */

typedef struct sb_plugin_entry {
  uint32_t struct_size;
  uint16_t abi_major;          /* must be SB_ABI_MAJOR (1) */
  uint16_t abi_minor_required; /* the lowest host minor this plugin needs */
  sb_str id;                   /* unique plugin id, [a-z0-9_-]+, equal to manifest.json's */
  sb_str version;              /* the plugin's own version, e.g. "1.2.0" */
  sb_str channel_kind;         /* "whatsapp", "sms", "email", "echo", ... */
  sb_str description;          /* one line for people */
  uint64_t capabilities;       /* SB_CAP_* bits */

  /* (required) [load] Once after loading, before any create. host_api stays valid. */
  int32_t (*init)(const sb_host_api* host_api, const sb_error_sink* err);
  /* [load] Once at host shutdown, after every instance is destroyed. May be NULL. */
  void (*deinit)(void);
  /* (required) [instance strand] Make an instance. On SB_OK, *out is the plugin's handle. */
  int32_t (*create)(const sb_create_params* params, sb_channel** out, const sb_error_sink* err);
  /* (required) The channel functions, static. */
  const sb_channel_vtable* vtable;
} sb_plugin_entry;

typedef const sb_plugin_entry* (*sb_plugin_entry_fn)(void);

/* Declared here so a plugin gets the exact signature checked; the plugin defines it. */
SB_EXPORT const sb_plugin_entry* sb_plugin_entry_v1(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SWITCHBOARD_ABI_H */
