/* A plain-C channel that appends every send's message id to a file before answering, so a test
 * can count, across a kill -9 of the host, how often the provider was asked to send each message.
 * Config: {"log":"/abs/path","delay_ms":N} (the delay follows the write: a kill then lands
 * between the provider having the message and the host recording it). */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <switchboard/abi.h>

struct sb_channel {
  char log[1024];
  long delay_ms;
};

static struct sb_channel g_channels[8];
static int g_count;

/* The string value of "key":"..." in a flat JSON object (no escapes), or "" when absent. */
static void json_str(sb_str json, const char* key, char* out, size_t cap) {
  char pat[64];
  snprintf(pat, sizeof pat, "\"%s\":\"", key);
  out[0] = 0;
  for (size_t i = 0; json.data != NULL && i + strlen(pat) <= json.size; ++i) {
    if (memcmp(json.data + i, pat, strlen(pat)) != 0) continue;
    size_t j = i + strlen(pat), n = 0;
    while (j < json.size && json.data[j] != '"' && n + 1 < cap) out[n++] = json.data[j++];
    out[n] = 0;
    return;
  }
}

static long json_int(sb_str json, const char* key) {
  char pat[64];
  snprintf(pat, sizeof pat, "\"%s\":", key);
  for (size_t i = 0; json.data != NULL && i + strlen(pat) < json.size; ++i) {
    if (memcmp(json.data + i, pat, strlen(pat)) == 0) return atol(json.data + i + strlen(pat));
  }
  return 0;
}

static int32_t p_init(const sb_host_api* api, const sb_error_sink* err) {
  (void)api;
  (void)err;
  return SB_OK;
}
static void p_deinit(void) {}

static int32_t p_create(const sb_create_params* p, sb_channel** out, const sb_error_sink* err) {
  (void)err;
  if (g_count >= 8) return SB_ERR_INTERNAL;
  struct sb_channel* ch = &g_channels[g_count++];
  json_str(p->config_json, "log", ch->log, sizeof ch->log);
  ch->delay_ms = json_int(p->config_json, "delay_ms");
  if (ch->log[0] == 0) return SB_ERR_INVALID_ARG;
  *out = ch;
  return SB_OK;
}
static void p_destroy(sb_channel* ch) {
  (void)ch;
}
static int32_t p_start(sb_channel* ch, const sb_error_sink* err) {
  (void)ch;
  (void)err;
  return SB_OK;
}
static void p_stop(sb_channel* ch) {
  (void)ch;
}

static int32_t p_send(sb_channel* ch, const sb_outbound_message* msg, const sb_output_sink* id,
                      const sb_error_sink* err) {
  (void)err;
  char line[64];
  int n = snprintf(line, sizeof line, "%lld\n", (long long)msg->message_id);
  int fd = open(ch->log, O_WRONLY | O_APPEND | O_CREAT, 0644);
  if (fd < 0) return SB_ERR_TRANSIENT;
  /* One write() of a short line with O_APPEND: in the file even if the process dies next. */
  ssize_t w = write(fd, line, (size_t)n);
  close(fd);
  if (w != n) return SB_ERR_TRANSIENT;
  if (ch->delay_ms > 0) {
    struct timespec ts = {ch->delay_ms / 1000, (ch->delay_ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
  }
  char pid[64];
  int k = snprintf(pid, sizeof pid, "probe-%lld", (long long)msg->message_id);
  id->write(id->ctx, pid, (size_t)k);
  return SB_OK;
}

static const sb_channel_vtable kVtable = {
    sizeof(sb_channel_vtable), 0, p_destroy, p_start, p_stop, p_send};

static const sb_plugin_entry kEntry = {sizeof(sb_plugin_entry),
                                       SB_ABI_MAJOR,
                                       0,
                                       SB_STR_LIT("outbox_probe"),
                                       SB_STR_LIT("0.1.0"),
                                       SB_STR_LIT("test"),
                                       SB_STR_LIT("Outbox crash test channel"),
                                       SB_CAP_SEND_TEXT,
                                       p_init,
                                       p_deinit,
                                       p_create,
                                       &kVtable};

SB_EXPORT const sb_plugin_entry* sb_plugin_entry_v1(void) {
  return &kEntry;
}
