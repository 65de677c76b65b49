/* The smallest complete C plugin: every required slot, nothing else. */
#include <switchboard/abi.h>

_Static_assert(sizeof(SB_PLUGIN_ID) == sizeof("cplug"), "sb_add_plugin defines SB_PLUGIN_ID");

/* Not static, yet it must stay out of the dynamic symbol table (hidden visibility). */
int cplug_helper(void) {
  return SB_PLUGIN_ABI_MINOR_REQUIRED;
}

static int32_t init(const sb_host_api* api, const sb_error_sink* err) {
  (void)err;
  return api != NULL && api->abi_major == SB_ABI_MAJOR ? SB_OK : SB_ERR_UNSUPPORTED;
}
static int32_t create(const sb_create_params* params, sb_channel** out, const sb_error_sink* err) {
  (void)params;
  (void)out;
  (void)err;
  return SB_ERR_UNSUPPORTED;
}
static void destroy(sb_channel* ch) {
  (void)ch;
}
static int32_t start(sb_channel* ch, const sb_error_sink* err) {
  (void)ch;
  (void)err;
  return SB_OK;
}
static void stop(sb_channel* ch) {
  (void)ch;
}
static int32_t send(sb_channel* ch, const sb_outbound_message* msg, const sb_output_sink* id,
                    const sb_error_sink* err) {
  (void)ch;
  (void)msg;
  (void)id;
  (void)err;
  return SB_ERR_UNSUPPORTED;
}

static const sb_channel_vtable kVtable = {
    sizeof(sb_channel_vtable), 0, destroy, start, stop, send, NULL, NULL, NULL, NULL, NULL, NULL};
static const sb_plugin_entry kEntry = {sizeof(sb_plugin_entry),
                                       SB_ABI_MAJOR,
                                       SB_PLUGIN_ABI_MINOR_REQUIRED,
                                       SB_STR_LIT(SB_PLUGIN_ID),
                                       SB_STR_LIT(SB_PLUGIN_VERSION),
                                       SB_STR_LIT(SB_PLUGIN_KIND),
                                       SB_STR_LIT(SB_PLUGIN_DESCRIPTION),
                                       SB_CAP_SEND_TEXT,
                                       init,
                                       NULL,
                                       create,
                                       &kVtable};

const sb_plugin_entry* sb_plugin_entry_v1(void) {
  return &kEntry;
}
