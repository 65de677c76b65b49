// The one place that turns WhatsAppChannel into a loadable plugin. SB_PLUGIN_ID & co. come from
// sb_add_plugin(), so the entry always agrees with manifest.json.
#include "whatsapp_channel.hpp"

SB_PLUGIN(wa::WhatsAppChannel, SB_PLUGIN_ID, SB_PLUGIN_VERSION, SB_PLUGIN_KIND,
          SB_PLUGIN_DESCRIPTION,
          SB_CAP_SEND_TEXT | SB_CAP_RECEIVE | SB_CAP_DELIVERY_REPORTS | SB_CAP_ATTACHMENTS |
              SB_CAP_TEMPLATES | SB_CAP_WEBHOOKS | SB_CAP_READ_RECEIPTS | SB_CAP_INTERACTIVE |
              SB_CAP_THREADING)
