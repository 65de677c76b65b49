/* A plain-C channel plugin that exercises the host API, for the runtime's unit and integration
 * tests. Every [instance strand] entry point checks that no other strand call of the same
 * instance is in flight and that nothing runs after stop; violations are counted and exported. */
#define _POSIX_C_SOURCE 200809L
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <switchboard/abi.h>

#define MAX_CHANNELS 64

struct sb_channel {
  const sb_host_api* api;
  sb_host_ctx* host;
  atomic_int in_flight;
  atomic_int stopped;
  atomic_int destroyed;
  int storm;
  int fail_start;
  int degrade;
};

/* Channels are never freed (destroy only marks them) so a callback arriving too late is counted,
 * not a use-after-free. */
static struct sb_channel g_channels[MAX_CHANNELS];
static atomic_int g_channel_count;
static const sb_host_api* g_api;

static atomic_long g_overlaps, g_late, g_callbacks, g_init_calls, g_deinit_calls, g_sends;
static atomic_long g_timer_in_stop = -1, g_post_in_stop = 1;

SB_EXPORT long sbtest_counter(const char* name) {
  if (strcmp(name, "overlaps") == 0) return g_overlaps;
  if (strcmp(name, "late") == 0) return g_late;
  if (strcmp(name, "callbacks") == 0) return g_callbacks;
  if (strcmp(name, "init") == 0) return g_init_calls;
  if (strcmp(name, "deinit") == 0) return g_deinit_calls;
  if (strcmp(name, "sends") == 0) return g_sends;
  if (strcmp(name, "timer_in_stop") == 0) return g_timer_in_stop;
  if (strcmp(name, "post_in_stop") == 0) return g_post_in_stop;
  return -1;
}

static void enter(struct sb_channel* ch) {
  if (atomic_fetch_add(&ch->in_flight, 1) != 0) atomic_fetch_add(&g_overlaps, 1);
  if (atomic_load(&ch->stopped) || atomic_load(&ch->destroyed)) atomic_fetch_add(&g_late, 1);
}
static void leave(struct sb_channel* ch) {
  atomic_fetch_sub(&ch->in_flight, 1);
}

static void nap_us(long us) {
  struct timespec ts = {0, us * 1000};
  nanosleep(&ts, NULL);
}

static void set_error(const sb_error_sink* err, const char* message, const char* code) {
  sb_error_info info;
  memset(&info, 0, sizeof info);
  info.struct_size = sizeof info;
  info.message.data = message;
  info.message.size = strlen(message);
  if (code != NULL) {
    info.provider_code.data = code;
    info.provider_code.size = strlen(code);
  }
  if (err != NULL && err->set != NULL) err->set(err->ctx, &info);
}

static void write_str(const sb_output_sink* out, const char* s) {
  out->write(out->ctx, s, strlen(s));
}
static void reply(const sb_webhook_response* resp, const char* s) {
  resp->write_body(resp->ctx, s, strlen(s));
}

static int has(sb_str haystack, const char* needle) {
  size_t n = strlen(needle);
  if (haystack.data == NULL || haystack.size < n) return 0;
  for (size_t i = 0; i + n <= haystack.size; ++i) {
    if (memcmp(haystack.data + i, needle, n) == 0) return 1;
  }
  return 0;
}

static int eq(sb_str s, const char* lit) {
  size_t n = strlen(lit);
  return s.size == n && (n == 0 || memcmp(s.data, lit, n) == 0);
}

/* Value of `key` in a query string like "a=1&b=2", copied into buf (no decoding). */
static const char* query_get(sb_str q, const char* key, char* buf, size_t cap) {
  size_t klen = strlen(key);
  size_t i = 0;
  while (i < q.size) {
    size_t end = i;
    while (end < q.size && q.data[end] != '&') ++end;
    if (end - i > klen && memcmp(q.data + i, key, klen) == 0 && q.data[i + klen] == '=') {
      size_t vlen = end - i - klen - 1;
      if (vlen >= cap) vlen = cap - 1;
      memcpy(buf, q.data + i + klen + 1, vlen);
      buf[vlen] = '\0';
      return buf;
    }
    i = end + 1;
  }
  return NULL;
}

/* --- the storm: self-rearming timers and posts, to race against stop ------------------------ */

static void storm_timer(void* user);
static void storm_post(void* user) {
  struct sb_channel* ch = user;
  enter(ch);
  atomic_fetch_add(&g_callbacks, 1);
  nap_us(50);
  ch->api->post(ch->host, storm_post, ch);
  leave(ch);
}
static void storm_timer(void* user) {
  struct sb_channel* ch = user;
  enter(ch);
  atomic_fetch_add(&g_callbacks, 1);
  nap_us(50);
  ch->api->set_timer(ch->host, 1, storm_timer, ch);
  leave(ch);
}

/* --- timers driven by webhooks -------------------------------------------------------------- */

struct timer_job {
  struct sb_channel* ch;
  char provider_id[64];
};
static struct timer_job g_jobs[256];
static atomic_int g_job_count;

static void submit_one(struct sb_channel* ch, const char* provider_id, const char* text) {
  sb_inbound_message m;
  memset(&m, 0, sizeof m);
  m.struct_size = sizeof m;
  m.provider_message_id.data = provider_id;
  m.provider_message_id.size = strlen(provider_id);
  m.from.data = "+15550001";
  m.from.size = 9;
  m.content_type.data = "text";
  m.content_type.size = 4;
  m.text.data = text;
  m.text.size = strlen(text);
  const sb_inbound_message* batch[1] = {&m};
  int32_t status = 0;
  ch->api->submit_inbound(ch->host, batch, 1, &status);
}

static void timer_fired(void* user) {
  struct timer_job* job = user;
  enter(job->ch);
  submit_one(job->ch, job->provider_id, "from a timer");
  leave(job->ch);
}

static struct timer_job* new_job(struct sb_channel* ch, const char* provider_id) {
  int i = atomic_fetch_add(&g_job_count, 1) % 256;
  g_jobs[i].ch = ch;
  snprintf(g_jobs[i].provider_id, sizeof g_jobs[i].provider_id, "%s", provider_id);
  return &g_jobs[i];
}

/* --- pending sends ------------------------------------------------------------------------- */

struct pending {
  struct sb_channel* ch;
  int64_t message_id;
};
static struct pending g_pending[256];
static atomic_int g_pending_count;

static void complete_pending(void* user) {
  struct pending* p = user;
  enter(p->ch);
  char id[64];
  snprintf(id, sizeof id, "prov-pending-%lld", (long long)p->message_id);
  p->ch->api->complete_send(p->ch->host, p->message_id, SB_OK, id, strlen(id), NULL);
  leave(p->ch);
}

/* --- outbound HTTP through the host --------------------------------------------------------- */

struct fetch_result {
  int32_t status;
  char body[4096];
  size_t size;
  char error[512];
};
static void fetch_status(void* ctx, int32_t status) {
  ((struct fetch_result*)ctx)->status = status;
}
static void fetch_body(void* ctx, const char* data, size_t size) {
  struct fetch_result* r = ctx;
  size_t room = sizeof r->body - r->size;
  if (size > room) size = room;
  memcpy(r->body + r->size, data, size);
  r->size += size;
}
static void fetch_error(void* ctx, const sb_error_info* info) {
  struct fetch_result* r = ctx;
  size_t n = info->message.size < sizeof r->error - 1 ? info->message.size : sizeof r->error - 1;
  memcpy(r->error, info->message.data, n);
  r->error[n] = '\0';
}

/* GETs the URL in the body; answers "<status> <body>" or fails with the host's status. */
static int32_t fetch(struct sb_channel* ch, const sb_webhook_request* req,
                     const sb_webhook_response* resp) {
  char buf[32];
  const char* timeout = query_get(req->query, "timeout", buf, sizeof buf);
  static struct fetch_result r; /* strand calls never overlap, and the test fetches serially */
  memset(&r, 0, sizeof r);
  sb_http_request hr;
  memset(&hr, 0, sizeof hr);
  hr.struct_size = sizeof hr;
  hr.timeout_ms = timeout == NULL ? 0 : (uint32_t)atoi(timeout);
  hr.method.data = "GET";
  hr.method.size = 3;
  hr.url = req->body;
  hr.headers.data = "X-From-Plugin: yes\r\n";
  hr.headers.size = strlen(hr.headers.data);
  sb_http_response_sink sink = {sizeof sink, &r, fetch_status, NULL, fetch_body};
  sb_error_sink err = {sizeof err, &r, fetch_error};
  int32_t rc = ch->api->http_request(ch->host, &hr, &sink, &err);
  if (rc != SB_OK) return rc;
  char head[32];
  snprintf(head, sizeof head, "%d ", r.status);
  reply(resp, head);
  resp->write_body(resp->ctx, r.body, r.size);
  return SB_OK;
}

/* --- entry points --------------------------------------------------------------------------- */

static int32_t t_init(const sb_host_api* api, const sb_error_sink* err) {
  (void)err;
  g_api = api;
  atomic_fetch_add(&g_init_calls, 1);
  return SB_OK;
}
static void t_deinit(void) {
  atomic_fetch_add(&g_deinit_calls, 1);
}

static int32_t t_create(const sb_create_params* p, sb_channel** out, const sb_error_sink* err) {
  int n = atomic_fetch_add(&g_channel_count, 1);
  if (n >= MAX_CHANNELS) {
    set_error(err, "too many test channels", NULL);
    return SB_ERR_INTERNAL;
  }
  struct sb_channel* ch = &g_channels[n];
  ch->api = p->host_api;
  ch->host = p->host;
  ch->storm = has(p->config_json, "\"storm\":true");
  ch->fail_start = has(p->config_json, "\"fail_start\":true");
  ch->degrade = has(p->config_json, "\"degrade\":true");
  static const char* const kPaths[] = {"/inbound", "/echo",     "/fail",   "/kv",
                                       "/timer",   "/cancel",   "/secret", "/now",
                                       "/log",     "/delivery", "/sleep",  "/fetch"};
  for (size_t i = 0; i < sizeof kPaths / sizeof kPaths[0]; ++i) {
    if (ch->api->register_webhook(ch->host, kPaths[i], strlen(kPaths[i])) != SB_OK) {
      set_error(err, "register_webhook failed", NULL);
      return SB_ERR_INTERNAL;
    }
  }
  *out = ch;
  return SB_OK;
}

static void t_destroy(sb_channel* ch) {
  /* destroy follows stop by contract, so only overlap is checked here, and a second destroy. */
  if (atomic_fetch_add(&ch->in_flight, 1) != 0) atomic_fetch_add(&g_overlaps, 1);
  if (atomic_exchange(&ch->destroyed, 1)) atomic_fetch_add(&g_late, 1);
  atomic_fetch_sub(&ch->in_flight, 1);
}

static int32_t t_start(sb_channel* ch, const sb_error_sink* err) {
  enter(ch);
  int32_t rc = SB_OK;
  if (ch->fail_start) {
    set_error(err, "cannot log in to provider", NULL);
    rc = SB_ERR_AUTH;
  } else {
    if (ch->storm) {
      for (int i = 0; i < 4; ++i) {
        ch->api->set_timer(ch->host, 0, storm_timer, ch);
        ch->api->post(ch->host, storm_post, ch);
      }
    }
    if (ch->degrade) {
      static const char kWhy[] = "token expires soon";
      ch->api->report_state(ch->host, SB_STATE_DEGRADED, kWhy, sizeof kWhy - 1);
    }
  }
  leave(ch);
  return rc;
}

static void t_stop(sb_channel* ch) {
  enter(ch);
  atomic_store(&ch->stopped, 1);
  /* Both must be refused from here on. */
  g_timer_in_stop = (long)ch->api->set_timer(ch->host, 0, storm_timer, ch);
  g_post_in_stop = ch->api->post(ch->host, storm_post, ch);
  leave(ch);
}

static int32_t t_send(sb_channel* ch, const sb_outbound_message* msg, const sb_output_sink* id,
                      const sb_error_sink* err) {
  enter(ch);
  atomic_fetch_add(&g_sends, 1);
  nap_us(200); /* widen the window an overlapping call would hit */
  int32_t rc = SB_OK;
  if (eq(msg->to, "reject")) {
    set_error(err, "recipient blocked", "131047");
    rc = SB_ERR_REJECTED;
  } else if (eq(msg->to, "transient")) {
    set_error(err, "provider 503", NULL);
    rc = SB_ERR_TRANSIENT;
  } else if (eq(msg->to, "pending")) {
    int i = atomic_fetch_add(&g_pending_count, 1) % 256;
    g_pending[i].ch = ch;
    g_pending[i].message_id = msg->message_id;
    ch->api->post(ch->host, complete_pending, &g_pending[i]);
    rc = SB_PENDING;
  } else {
    char buf[64];
    snprintf(buf, sizeof buf, "prov-%lld", (long long)msg->message_id);
    write_str(id, buf);
  }
  leave(ch);
  return rc;
}

static int32_t t_handle_webhook(sb_channel* ch, const sb_webhook_request* req,
                                const sb_webhook_response* resp) {
  enter(ch);
  int32_t rc = SB_OK;
  char a[256], b[256];
  if (eq(req->path, "/inbound")) {
    const char* pid = query_get(req->query, "id", a, sizeof a);
    if (pid == NULL) {
      rc = SB_ERR_INVALID_ARG;
    } else {
      sb_inbound_message m;
      memset(&m, 0, sizeof m);
      m.struct_size = sizeof m;
      m.provider_message_id.data = pid;
      m.provider_message_id.size = strlen(pid);
      m.from.data = "+15550001";
      m.from.size = 9;
      m.content_type.data = "text";
      m.content_type.size = 4;
      m.text = req->body;
      m.raw = req->body;
      const sb_inbound_message* batch[1] = {&m};
      int32_t status = 0;
      rc = ch->api->submit_inbound(ch->host, batch, 1, &status);
      if (rc >= 0) reply(resp, status == SB_DUPLICATE ? "duplicate" : "stored");
    }
  } else if (eq(req->path, "/echo")) {
    resp->set_status(resp->ctx, 201);
    resp->add_header(resp->ctx, "X-Test", 6, "yes", 3);
    resp->add_header(resp->ctx, "Bad\r\nName", 9, "x", 1); /* must be dropped */
    resp->add_header(resp->ctx, "Content-Type", 12, "application/octet-stream", 24);
    resp->write_body(resp->ctx, req->body.data, req->body.size);
  } else if (eq(req->path, "/fail")) {
    rc = SB_ERR_REJECTED;
  } else if (eq(req->path, "/kv")) {
    const char* key = query_get(req->query, "key", a, sizeof a);
    if (key == NULL) {
      rc = SB_ERR_INVALID_ARG;
    } else if (eq(req->method, "PUT")) {
      rc = ch->api->kv_put(ch->host, key, strlen(key), req->body.data, req->body.size);
    } else if (eq(req->method, "DELETE")) {
      rc = ch->api->kv_delete(ch->host, key, strlen(key));
    } else {
      sb_output_sink out = {sizeof out, resp->ctx, resp->write_body};
      rc = ch->api->kv_get(ch->host, key, strlen(key), &out);
    }
  } else if (eq(req->path, "/timer") || eq(req->path, "/cancel")) {
    const char* ms = query_get(req->query, "ms", a, sizeof a);
    const char* pid = query_get(req->query, "id", b, sizeof b);
    if (ms == NULL || pid == NULL) {
      rc = SB_ERR_INVALID_ARG;
    } else {
      uint64_t t = ch->api->set_timer(ch->host, (uint64_t)atoll(ms), timer_fired, new_job(ch, pid));
      if (t == 0) {
        rc = SB_ERR_STATE;
      } else if (eq(req->path, "/cancel")) {
        int32_t c1 = ch->api->cancel_timer(ch->host, t);
        int32_t c2 = ch->api->cancel_timer(ch->host, t);
        snprintf(a, sizeof a, "%d %d", c1, c2);
        reply(resp, a);
      }
    }
  } else if (eq(req->path, "/secret")) {
    const char* name = query_get(req->query, "name", a, sizeof a);
    sb_output_sink out = {sizeof out, resp->ctx, resp->write_body};
    rc =
        name == NULL ? SB_ERR_INVALID_ARG : ch->api->get_secret(ch->host, name, strlen(name), &out);
  } else if (eq(req->path, "/now")) {
    snprintf(a, sizeof a, "%lld", (long long)ch->api->now_ms(ch->host));
    reply(resp, a);
  } else if (eq(req->path, "/log")) {
    ch->api->log(ch->host, SB_LOG_WARN, req->body.data, req->body.size);
  } else if (eq(req->path, "/delivery")) {
    const char* pid = query_get(req->query, "id", a, sizeof a);
    const char* st = query_get(req->query, "status", b, sizeof b);
    if (pid == NULL || st == NULL) {
      rc = SB_ERR_INVALID_ARG;
    } else {
      sb_delivery_report r;
      memset(&r, 0, sizeof r);
      r.struct_size = sizeof r;
      r.status = atoi(st);
      r.provider_message_id.data = pid;
      r.provider_message_id.size = strlen(pid);
      rc = ch->api->report_delivery(ch->host, &r);
    }
  } else if (eq(req->path, "/fetch")) {
    rc = fetch(ch, req, resp);
  } else if (eq(req->path, "/sleep")) {
    const char* ms = query_get(req->query, "ms", a, sizeof a);
    nap_us(ms == NULL ? 0 : atol(ms) * 1000);
  } else {
    rc = SB_ERR_NOT_FOUND;
  }
  leave(ch);
  return rc;
}

static int32_t t_health(sb_channel* ch, const sb_output_sink* details) {
  (void)ch;
  write_str(details, "{}");
  return SB_STATE_RUNNING;
}

static const sb_channel_vtable kVtable = {
    sizeof(sb_channel_vtable), 0,    t_destroy, t_start, t_stop, t_send,
    t_handle_webhook,          NULL, NULL,      NULL,    NULL,   t_health};

static const sb_plugin_entry kEntry = {sizeof(sb_plugin_entry),
                                       SB_ABI_MAJOR,
                                       0,
                                       SB_STR_LIT(SB_PLUGIN_ID),
                                       SB_STR_LIT(SB_PLUGIN_VERSION),
                                       SB_STR_LIT(SB_PLUGIN_KIND),
                                       SB_STR_LIT(SB_PLUGIN_DESCRIPTION),
                                       SB_CAP_SEND_TEXT | SB_CAP_RECEIVE | SB_CAP_WEBHOOKS,
                                       t_init,
                                       t_deinit,
                                       t_create,
                                       &kVtable};

const sb_plugin_entry* sb_plugin_entry_v1(void) {
  return &kEntry;
}
