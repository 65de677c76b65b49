// The one place that turns SmsChannel into a loadable plugin. SB_PLUGIN_ID & co. come from
// sb_add_plugin(), so the entry always agrees with manifest.json.
#include "sms_channel.hpp"

SB_PLUGIN(sms::SmsChannel, SB_PLUGIN_ID, SB_PLUGIN_VERSION, SB_PLUGIN_KIND, SB_PLUGIN_DESCRIPTION,
          SB_CAP_SEND_TEXT | SB_CAP_RECEIVE | SB_CAP_DELIVERY_REPORTS)
