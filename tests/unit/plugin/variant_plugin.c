/* One test plugin, compiled once per defect (SBT_VARIANT), so the loader meets each failure for
 * real. */
#include <string.h>
#include <switchboard/abi.h>

#define V_GOOD 0
#define V_NULL_ENTRY 1
#define V_SMALL_STRUCT 2
#define V_MAJOR2 3
#define V_MINOR_TOO_NEW 4
#define V_NULL_SEND 5
#define V_NULL_INIT 6
#define V_INIT_FAILS 7
#define V_BAD_UTF8 8
#define V_NO_ENTRY 9

static int g_init_calls;
static int g_deinit_calls;

SB_EXPORT int sbtest_init_calls(void) {
  return g_init_calls;
}
SB_EXPORT int sbtest_deinit_calls(void) {
  return g_deinit_calls;
}

static int32_t v_init(const sb_host_api* api, const sb_error_sink* err) {
  (void)api;
  ++g_init_calls;
  if (SBT_VARIANT == V_INIT_FAILS) {
    static const char kMsg[] = "token file missing";
    sb_error_info info;
    memset(&info, 0, sizeof info);
    info.struct_size = sizeof info;
    info.message.data = kMsg;
    info.message.size = sizeof kMsg - 1;
    err->set(err->ctx, &info);
    return SB_ERR_AUTH;
  }
  return SB_OK;
}
static void v_deinit(void) {
  ++g_deinit_calls;
}
static int32_t v_create(const sb_create_params* p, sb_channel** out, const sb_error_sink* err) {
  (void)p;
  (void)out;
  (void)err;
  return SB_ERR_UNSUPPORTED;
}
static void v_destroy(sb_channel* ch) {
  (void)ch;
}
static int32_t v_start(sb_channel* ch, const sb_error_sink* err) {
  (void)ch;
  (void)err;
  return SB_OK;
}
static void v_stop(sb_channel* ch) {
  (void)ch;
}
static int32_t v_send(sb_channel* ch, const sb_outbound_message* m, const sb_output_sink* id,
                      const sb_error_sink* err) {
  (void)ch;
  (void)m;
  (void)id;
  (void)err;
  return SB_OK;
}
static int32_t v_health(sb_channel* ch, const sb_output_sink* details) {
  (void)ch;
  (void)details;
  return SB_STATE_RUNNING;
}

static const sb_channel_vtable kVtable = {sizeof(sb_channel_vtable),
                                          0,
                                          v_destroy,
                                          v_start,
                                          v_stop,
                                          SBT_VARIANT == V_NULL_SEND ? NULL : v_send,
                                          NULL,
                                          NULL,
                                          NULL,
                                          NULL,
                                          NULL,
                                          v_health};

static const sb_plugin_entry kEntry = {
    SBT_VARIANT == V_SMALL_STRUCT ? 8 : sizeof(sb_plugin_entry),
    SBT_VARIANT == V_MAJOR2 ? 2 : SB_ABI_MAJOR,
    SBT_VARIANT == V_MINOR_TOO_NEW ? 7 : 0,
    SB_STR_LIT("variant"),
    SB_STR_LIT("1.0.0"),
    SB_STR_LIT("test"),
    {SBT_VARIANT == V_BAD_UTF8 ? "bad \xC3\x28 text" : "a test plugin",
     SBT_VARIANT == V_BAD_UTF8 ? 11 : 13},
    SB_CAP_SEND_TEXT | SB_CAP_WEBHOOKS,
    SBT_VARIANT == V_NULL_INIT ? NULL : v_init,
    v_deinit,
    v_create,
    &kVtable};

#if SBT_VARIANT == V_NO_ENTRY
SB_EXPORT const sb_plugin_entry* sb_plugin_entry_v2(void) {
  return &kEntry;
}
#else
const sb_plugin_entry* sb_plugin_entry_v1(void) {
  return SBT_VARIANT == V_NULL_ENTRY ? NULL : &kEntry;
}
#endif
