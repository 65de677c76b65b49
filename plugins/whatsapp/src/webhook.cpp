#include "webhook.hpp"

#include <map>

namespace wa {

namespace {

std::string render_location(const json::Value& loc) {
  std::string t = "[location]";
  if (std::string n = str_of(loc, "name"); !n.empty()) t += " " + n;
  if (std::string a = str_of(loc, "address"); !a.empty()) t += ", " + a;
  const json::Value* lat = loc.find("latitude");
  const json::Value* lon = loc.find("longitude");
  if (lat != nullptr && lon != nullptr) {
    t += " (" + lat->dump() + ", " + lon->dump() + ")";
  }
  return t;
}

std::string render_contacts(const json::Value& msg) {
  std::vector<std::string> names;
  for (const auto& c : arr_of(msg, "contacts").items()) {
    std::string n = str_of(obj_of(c, "name"), "formatted_name");
    for (const auto& p : arr_of(c, "phones").items()) n += " " + str_of(p, "phone");
    names.push_back(n);
  }
  return "[contacts] " + join(names, "; ");
}

std::string render_interactive(const json::Value& i) {
  std::string kind = str_of(i, "type");
  const json::Value& reply = obj_of(i, kind);
  if (kind == "nfm_reply") return "[form] " + str_of(reply, "body");
  std::string title = str_of(reply, "title");
  if (title.empty()) title = str_of(reply, "id");
  return title.empty() ? "[" + kind + "]" : title;
}

bool is_media(const std::string& type) {
  return type == "image" || type == "video" || type == "audio" || type == "document" ||
         type == "sticker";
}

sw::AttachmentData attachment_of(const std::string& type, const json::Value& media) {
  sw::AttachmentData a;
  a.kind = type;
  a.mime_type = str_of(media, "mime_type");
  a.filename = str_of(media, "filename");
  a.url = str_of(media, "url");
  a.provider_media_id = str_of(media, "id");
  a.caption = str_of(media, "caption");
  return a;
}

// Everything but the envelope fields the ABI message carries anyway.
json::Value payload_of(const json::Value& msg) {
  json::Value p = json::Value::object();
  for (const auto& [k, v] : msg.members()) {
    if (k != "from" && k != "id" && k != "timestamp") p.set(k, v);
  }
  return p;
}

void parse_messages(const json::Value& value, ParsedDelivery& out) {
  const json::Value& meta = obj_of(value, "metadata");
  std::string pnid = str_of(meta, "phone_number_id");
  std::map<std::string, std::string> names;
  for (const auto& c : arr_of(value, "contacts").items()) {
    std::string key = str_of(c, "wa_id");
    if (key.empty()) key = str_of(c, "user_id");
    names[key] = str_of(obj_of(c, "profile"), "name");
  }
  for (const auto& m : arr_of(value, "messages").items()) {
    ParsedInbound in;
    in.phone_number_id = pnid;
    in.type = str_of(m, "type");
    in.sender = str_of(m, "from");
    bool phone = !in.sender.empty();
    if (!phone) in.sender = str_of(m, "from_user_id");
    in.sent_at_ms = int_of(m, "timestamp").value_or(0) * 1000;
    in.opens_window = in.type != "system";
    sw::InboundMessage& msg = in.message;
    msg.provider_message_id(str_of(m, "id"))
        .from(phone ? "+" + in.sender : in.sender, phone ? "phone" : "whatsapp_user_id")
        .to(pnid)
        .content_type(in.type.empty() ? "unknown" : in.type)
        .text(render_text(in.type, m))
        .payload_json(payload_of(m).dump())
        .raw(m.dump())
        .sent_at_ms(in.sent_at_ms);
    if (auto it = names.find(in.sender); it != names.end() && !it->second.empty()) {
      msg.from_name(it->second);
    }
    std::string reply_to = str_of(obj_of(m, "context"), "id");
    if (in.type == "reaction") reply_to = str_of(obj_of(m, "reaction"), "message_id");
    if (!reply_to.empty()) msg.reply_to_provider_id(reply_to);
    if (in.type == "system") msg.flags(SB_INBOUND_SYSTEM);
    if (is_media(in.type)) msg.add_attachment(attachment_of(in.type, obj_of(m, in.type)));
    out.inbound.push_back(std::move(in));
  }
  for (const auto& s : arr_of(value, "statuses").items()) {
    ParsedStatus st;
    st.phone_number_id = pnid;
    st.recipient = str_of(s, "recipient_id");
    st.callback_data = str_of(s, "biz_opaque_callback_data");
    sw::DeliveryReport& r = st.report;
    r.status = delivery_status(str_of(s, "status"));
    r.provider_message_id = str_of(s, "id");
    r.timestamp_ms = int_of(s, "timestamp").value_or(0) * 1000;
    const json::Value& errors = arr_of(s, "errors");
    if (!errors.items().empty()) {
      st.error = parse_webhook_error(errors.items()[0]);
      r.error_code = std::to_string(st.error->code);
      r.error_text = st.error->message;
      if (!st.error->details.empty()) r.error_text += ": " + st.error->details;
    }
    json::Value extra = json::Value::object();
    extra.set("meta_status", str_of(s, "status"));
    for (const char* key : {"pricing", "conversation", "recipient_id", "biz_opaque_callback_data",
                            "recipient_type", "recipient_user_id"}) {
      if (const json::Value* v = s.find(key)) extra.set(key, *v);
    }
    r.extra_json = extra.dump();
    r.raw = s.dump();
    out.statuses.push_back(std::move(st));
  }
  for (const auto& e : arr_of(value, "errors").items()) {
    out.errors.push_back({pnid, parse_webhook_error(e)});
  }
}

}  // namespace

int32_t delivery_status(std::string_view s) {
  if (s == "sent") return SB_DELIVERY_SENT;
  if (s == "delivered") return SB_DELIVERY_DELIVERED;
  if (s == "read" || s == "played") return SB_DELIVERY_READ;
  if (s == "failed") return SB_DELIVERY_FAILED;
  if (s == "accepted" || s == "held_for_quality_assessment") return SB_DELIVERY_QUEUED;
  return 0;
}

std::string render_text(const std::string& type, const json::Value& m) {
  const json::Value& body = obj_of(m, type);
  if (type == "text") return str_of(body, "body");
  if (is_media(type)) {
    std::string caption = str_of(body, "caption");
    if (!caption.empty()) return caption;
    std::string name = str_of(body, "filename");
    if (type == "audio" && body.find("voice") != nullptr && body.find("voice")->as_bool()) {
      return "[voice message]";
    }
    return "[" + type + "]" + (name.empty() ? "" : " " + name);
  }
  if (type == "location") return render_location(body);
  if (type == "contacts") return render_contacts(m);
  if (type == "interactive") return render_interactive(body);
  if (type == "button") {
    std::string t = str_of(body, "text");
    return t.empty() ? str_of(body, "payload") : t;
  }
  if (type == "reaction") {
    std::string e = str_of(body, "emoji");
    return e.empty() ? "[reaction removed]" : e;
  }
  if (type == "order") {
    return "[order] " + std::to_string(arr_of(body, "product_items").items().size()) + " item(s)" +
           (str_of(body, "text").empty() ? "" : ": " + str_of(body, "text"));
  }
  if (type == "system") return str_of(body, "body");
  if (type == "request_welcome") return "[chat opened]";
  if (type == "unsupported" || type == "unknown") {
    std::string t = str_of(obj_of(m, "unsupported"), "type");
    return "[unsupported message" + (t.empty() ? "" : ": " + t) + "]";
  }
  return "[" + type + "]";
}

std::optional<ParsedDelivery> parse_delivery(std::string_view body, std::string* why) {
  std::string err;
  std::optional<json::Value> doc = json::parse(body, &err);
  if (!doc || !doc->is_object()) {
    *why = "body is not a JSON object" + (err.empty() ? "" : ": " + err);
    return std::nullopt;
  }
  if (str_of(*doc, "object") != "whatsapp_business_account") {
    *why = "object is not \"whatsapp_business_account\"";
    return std::nullopt;
  }
  ParsedDelivery out;
  for (const auto& entry : arr_of(*doc, "entry").items()) {
    for (const auto& change : arr_of(entry, "changes").items()) {
      std::string field = str_of(change, "field");
      const json::Value& value = obj_of(change, "value");
      if (field == "messages") {
        parse_messages(value, out);
      } else {
        out.changes.push_back(
            {str_of(entry, "id"), int_of(entry, "time").value_or(0), field, value});
      }
    }
  }
  return out;
}

}  // namespace wa
