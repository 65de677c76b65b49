// Switchboard plugin SDK for C++20: views over the C ABI, a Host wrapper, the Channel base class
// and the SB_PLUGIN macro that turns a Channel subclass into a loadable plugin. Header-only; works
// with -fno-exceptions and -fno-rtti. Everything here is a convenience over abi.h: the ABI is the
// contract.
#pragma once

#if __cplusplus < 202002L
#error "switchboard/sdk.hpp needs C++20"
#endif

#include <switchboard/abi.h>
#include <switchboard/sdk/channel.hpp>  // Channel, SendResult, CanSendQuery/Answer, Health
#include <switchboard/sdk/core.hpp>  // has_field/has_slot, read_struct, Error, Status, Result, sinks
#include <switchboard/sdk/host.hpp>      // Host
#include <switchboard/sdk/http.hpp>      // WebhookRequest/Response, HttpRequest/Response
#include <switchboard/sdk/messages.hpp>  // OutboundMessage, InboundMessage, DeliveryReport, Attachment
#include <switchboard/sdk/plugin.hpp>  // SB_PLUGIN, plugin_entry<C>()
