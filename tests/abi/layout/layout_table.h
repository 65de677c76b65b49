/*
 * Every boundary struct, field and constant of the Switchboard C ABI, in declaration order.
 *
 * Included once, by layout_dump.c, which defines SB_STRUCT(type), SB_FIELD(type, field) and
 * SB_VALUE(macro) first. When a minor version appends something, add it here under
 * `#if SB_ABI_MINOR >= N` so the same table still compiles against the frozen 1.0 headers.
 * The dumper checks that the fields listed tile each struct exactly, so a field added to abi.h but
 * forgotten here fails the layout tests instead of going unnoticed.
 */
#ifndef SB_ABI_LAYOUT_TABLE_H
#define SB_ABI_LAYOUT_TABLE_H

static void layout_table_structs(emitter* e) {
  SB_STRUCT(sb_str);
  SB_FIELD(sb_str, data);
  SB_FIELD(sb_str, size);

  SB_STRUCT(sb_output_sink);
  SB_FIELD(sb_output_sink, struct_size);
  SB_FIELD(sb_output_sink, ctx);
  SB_FIELD(sb_output_sink, write);

  SB_STRUCT(sb_error_info);
  SB_FIELD(sb_error_info, struct_size);
  SB_FIELD(sb_error_info, retryable);
  SB_FIELD(sb_error_info, retry_after_ms);
  SB_FIELD(sb_error_info, message);
  SB_FIELD(sb_error_info, provider_code);

  SB_STRUCT(sb_error_sink);
  SB_FIELD(sb_error_sink, struct_size);
  SB_FIELD(sb_error_sink, ctx);
  SB_FIELD(sb_error_sink, set);

  SB_STRUCT(sb_attachment);
  SB_FIELD(sb_attachment, struct_size);
  SB_FIELD(sb_attachment, reserved0);
  SB_FIELD(sb_attachment, kind);
  SB_FIELD(sb_attachment, mime_type);
  SB_FIELD(sb_attachment, filename);
  SB_FIELD(sb_attachment, url);
  SB_FIELD(sb_attachment, provider_media_id);
  SB_FIELD(sb_attachment, caption);
  SB_FIELD(sb_attachment, size_bytes);

  SB_STRUCT(sb_outbound_message);
  SB_FIELD(sb_outbound_message, struct_size);
  SB_FIELD(sb_outbound_message, attachment_count);
  SB_FIELD(sb_outbound_message, message_id);
  SB_FIELD(sb_outbound_message, idempotency_key);
  SB_FIELD(sb_outbound_message, to);
  SB_FIELD(sb_outbound_message, from);
  SB_FIELD(sb_outbound_message, content_type);
  SB_FIELD(sb_outbound_message, text);
  SB_FIELD(sb_outbound_message, payload_json);
  SB_FIELD(sb_outbound_message, reply_to_provider_id);
  SB_FIELD(sb_outbound_message, thread_key);
  SB_FIELD(sb_outbound_message, attachments);

  SB_STRUCT(sb_inbound_message);
  SB_FIELD(sb_inbound_message, struct_size);
  SB_FIELD(sb_inbound_message, flags);
  SB_FIELD(sb_inbound_message, provider_message_id);
  SB_FIELD(sb_inbound_message, from);
  SB_FIELD(sb_inbound_message, from_kind);
  SB_FIELD(sb_inbound_message, from_name);
  SB_FIELD(sb_inbound_message, to);
  SB_FIELD(sb_inbound_message, content_type);
  SB_FIELD(sb_inbound_message, text);
  SB_FIELD(sb_inbound_message, payload_json);
  SB_FIELD(sb_inbound_message, raw);
  SB_FIELD(sb_inbound_message, reply_to_provider_id);
  SB_FIELD(sb_inbound_message, thread_key);
  SB_FIELD(sb_inbound_message, sent_at_ms);
  SB_FIELD(sb_inbound_message, attachment_count);
  SB_FIELD(sb_inbound_message, reserved0);
  SB_FIELD(sb_inbound_message, attachments);

  SB_STRUCT(sb_delivery_report);
  SB_FIELD(sb_delivery_report, struct_size);
  SB_FIELD(sb_delivery_report, status);
  SB_FIELD(sb_delivery_report, message_id);
  SB_FIELD(sb_delivery_report, provider_message_id);
  SB_FIELD(sb_delivery_report, timestamp_ms);
  SB_FIELD(sb_delivery_report, error_code);
  SB_FIELD(sb_delivery_report, error_text);
  SB_FIELD(sb_delivery_report, extra_json);
  SB_FIELD(sb_delivery_report, raw);

  SB_STRUCT(sb_webhook_request);
  SB_FIELD(sb_webhook_request, struct_size);
  SB_FIELD(sb_webhook_request, reserved0);
  SB_FIELD(sb_webhook_request, method);
  SB_FIELD(sb_webhook_request, path);
  SB_FIELD(sb_webhook_request, query);
  SB_FIELD(sb_webhook_request, headers);
  SB_FIELD(sb_webhook_request, body);
  SB_FIELD(sb_webhook_request, remote_addr);

  SB_STRUCT(sb_webhook_response);
  SB_FIELD(sb_webhook_response, struct_size);
  SB_FIELD(sb_webhook_response, ctx);
  SB_FIELD(sb_webhook_response, set_status);
  SB_FIELD(sb_webhook_response, add_header);
  SB_FIELD(sb_webhook_response, write_body);

  SB_STRUCT(sb_http_request);
  SB_FIELD(sb_http_request, struct_size);
  SB_FIELD(sb_http_request, timeout_ms);
  SB_FIELD(sb_http_request, method);
  SB_FIELD(sb_http_request, url);
  SB_FIELD(sb_http_request, headers);
  SB_FIELD(sb_http_request, body);

  SB_STRUCT(sb_http_response_sink);
  SB_FIELD(sb_http_response_sink, struct_size);
  SB_FIELD(sb_http_response_sink, ctx);
  SB_FIELD(sb_http_response_sink, status);
  SB_FIELD(sb_http_response_sink, header);
  SB_FIELD(sb_http_response_sink, body);

  SB_STRUCT(sb_can_send_query);
  SB_FIELD(sb_can_send_query, struct_size);
  SB_FIELD(sb_can_send_query, reserved0);
  SB_FIELD(sb_can_send_query, to);
  SB_FIELD(sb_can_send_query, from);
  SB_FIELD(sb_can_send_query, content_type);
  SB_FIELD(sb_can_send_query, last_inbound_at_ms);
#if SB_ABI_MINOR >= 1
  SB_FIELD(sb_can_send_query, payload_json);
#endif

  SB_STRUCT(sb_can_send_result);
  SB_FIELD(sb_can_send_result, struct_size);
  SB_FIELD(sb_can_send_result, allowed);
  SB_FIELD(sb_can_send_result, mode);
  SB_FIELD(sb_can_send_result, reserved0);
  SB_FIELD(sb_can_send_result, expires_at_ms);

  SB_STRUCT(sb_host_api);
  SB_FIELD(sb_host_api, struct_size);
  SB_FIELD(sb_host_api, abi_major);
  SB_FIELD(sb_host_api, abi_minor);
  SB_FIELD(sb_host_api, log);
  SB_FIELD(sb_host_api, submit_inbound);
  SB_FIELD(sb_host_api, report_delivery);
  SB_FIELD(sb_host_api, report_state);
  SB_FIELD(sb_host_api, set_timer);
  SB_FIELD(sb_host_api, cancel_timer);
  SB_FIELD(sb_host_api, post);
  SB_FIELD(sb_host_api, http_request);
  SB_FIELD(sb_host_api, register_webhook);
  SB_FIELD(sb_host_api, kv_get);
  SB_FIELD(sb_host_api, kv_put);
  SB_FIELD(sb_host_api, kv_delete);
  SB_FIELD(sb_host_api, get_secret);
  SB_FIELD(sb_host_api, now_ms);
  SB_FIELD(sb_host_api, get_extension);
  SB_FIELD(sb_host_api, complete_send);

  SB_STRUCT(sb_create_params);
  SB_FIELD(sb_create_params, struct_size);
  SB_FIELD(sb_create_params, reserved0);
  SB_FIELD(sb_create_params, host_api);
  SB_FIELD(sb_create_params, host);
  SB_FIELD(sb_create_params, instance_id);
  SB_FIELD(sb_create_params, config_json);

  SB_STRUCT(sb_channel_vtable);
  SB_FIELD(sb_channel_vtable, struct_size);
  SB_FIELD(sb_channel_vtable, reserved0);
  SB_FIELD(sb_channel_vtable, destroy);
  SB_FIELD(sb_channel_vtable, start);
  SB_FIELD(sb_channel_vtable, stop);
  SB_FIELD(sb_channel_vtable, send);
  SB_FIELD(sb_channel_vtable, handle_webhook);
  SB_FIELD(sb_channel_vtable, config_schema);
  SB_FIELD(sb_channel_vtable, validate_config);
  SB_FIELD(sb_channel_vtable, can_send);
  SB_FIELD(sb_channel_vtable, invoke);
  SB_FIELD(sb_channel_vtable, health);

  SB_STRUCT(sb_plugin_entry);
  SB_FIELD(sb_plugin_entry, struct_size);
  SB_FIELD(sb_plugin_entry, abi_major);
  SB_FIELD(sb_plugin_entry, abi_minor_required);
  SB_FIELD(sb_plugin_entry, id);
  SB_FIELD(sb_plugin_entry, version);
  SB_FIELD(sb_plugin_entry, channel_kind);
  SB_FIELD(sb_plugin_entry, description);
  SB_FIELD(sb_plugin_entry, capabilities);
  SB_FIELD(sb_plugin_entry, init);
  SB_FIELD(sb_plugin_entry, deinit);
  SB_FIELD(sb_plugin_entry, create);
  SB_FIELD(sb_plugin_entry, vtable);
}

/* Numeric constants: their values are ABI too (a renumbered status code breaks every plugin). */
static void layout_table_values(emitter* e) {
  SB_VALUE(SB_ABI_MAJOR);
  SB_VALUE(SB_ABI_MINOR);
  SB_VALUE(SB_OK);
  SB_VALUE(SB_DUPLICATE);
  SB_VALUE(SB_PENDING);
  SB_VALUE(SB_ERR_INVALID_ARG);
  SB_VALUE(SB_ERR_UNSUPPORTED);
  SB_VALUE(SB_ERR_TRANSIENT);
  SB_VALUE(SB_ERR_RATE_LIMITED);
  SB_VALUE(SB_ERR_AUTH);
  SB_VALUE(SB_ERR_REJECTED);
  SB_VALUE(SB_ERR_NOT_FOUND);
  SB_VALUE(SB_ERR_STATE);
  SB_VALUE(SB_ERR_INTERNAL);
  SB_VALUE(SB_ERR_TIMEOUT);
  SB_VALUE(SB_LOG_TRACE);
  SB_VALUE(SB_LOG_DEBUG);
  SB_VALUE(SB_LOG_INFO);
  SB_VALUE(SB_LOG_WARN);
  SB_VALUE(SB_LOG_ERROR);
  SB_VALUE(SB_STATE_STARTING);
  SB_VALUE(SB_STATE_RUNNING);
  SB_VALUE(SB_STATE_DEGRADED);
  SB_VALUE(SB_STATE_FAILED);
  SB_VALUE(SB_STATE_STOPPED);
  SB_VALUE(SB_DELIVERY_QUEUED);
  SB_VALUE(SB_DELIVERY_SENT);
  SB_VALUE(SB_DELIVERY_DELIVERED);
  SB_VALUE(SB_DELIVERY_READ);
  SB_VALUE(SB_DELIVERY_FAILED);
  SB_VALUE(SB_SEND_MODE_FREE_TEXT);
  SB_VALUE(SB_SEND_MODE_TEMPLATE_ONLY);
  SB_VALUE(SB_SEND_MODE_BLOCKED);
  SB_VALUE(SB_CAP_SEND_TEXT);
  SB_VALUE(SB_CAP_RECEIVE);
  SB_VALUE(SB_CAP_DELIVERY_REPORTS);
  SB_VALUE(SB_CAP_ATTACHMENTS);
  SB_VALUE(SB_CAP_TEMPLATES);
  SB_VALUE(SB_CAP_WEBHOOKS);
  SB_VALUE(SB_CAP_READ_RECEIPTS);
  SB_VALUE(SB_CAP_INTERACTIVE);
  SB_VALUE(SB_CAP_THREADING);
  SB_VALUE(SB_INBOUND_AUTOMATED);
  SB_VALUE(SB_INBOUND_SYSTEM);
#if SB_ABI_MINOR >= 1
  SB_VALUE(SB_ERR_UNKNOWN_OUTCOME);
#endif
}

#endif /* SB_ABI_LAYOUT_TABLE_H */
