#include "send.hpp"

#include <charconv>
#include <optional>
#include <set>

namespace wa {

namespace {

json::Value envelope(const SendInput& in, std::string_view type) {
  json::Value b = json::Value::object();
  b.set("messaging_product", "whatsapp");
  b.set("recipient_type", "individual");
  b.set("to", in.to);
  b.set("type", std::string(type));
  return b;
}

constexpr std::size_t kMaxCallbackData = 512;

void add_context(json::Value& body, const SendInput& in) {
  if (in.reply_to.empty()) return;
  json::Value ctx = json::Value::object();
  ctx.set("message_id", in.reply_to);
  body.set("context", std::move(ctx));
}

sw::Result<json::Value> text_body(const SendInput& in) {
  if (in.text.empty()) return sw::Error::invalid_arg("text: required for a text message");
  if (utf8_length(in.text) > kMaxTextBody) {
    return sw::Error::invalid_arg("text: longer than 4096 characters");
  }
  json::Value b = envelope(in, "text");
  json::Value t = json::Value::object();
  const json::Value* preview = in.payload.find("preview_url");
  t.set("preview_url", preview != nullptr && preview->as_bool());
  t.set("body", in.text);
  b.set("text", std::move(t));
  add_context(b, in);
  return b;
}

std::string media_type(const sw::AttachmentData& a, std::string_view content_type) {
  std::string kind = content_type != "media" ? std::string(content_type) : a.kind;
  if (kind == "file") return "document";
  return kind;
}

// A host that passes no attachments (the REST API) describes the one medium in the payload:
// {"link"|"media_id", "caption"?, "filename"?, "kind"? (for content_type "media")}.
std::optional<sw::AttachmentData> payload_attachment(const SendInput& in) {
  const json::Value& p = in.payload;
  if (!p.is_object()) return std::nullopt;
  std::string link = str_of(p, "link");
  std::string id = str_of(p, "media_id");
  if (id.empty()) id = str_of(p, "id");
  if (link.empty() && id.empty()) return std::nullopt;
  return sw::AttachmentData{str_of(p, "kind"),
                            str_of(p, "mime_type"),
                            str_of(p, "filename"),
                            link,
                            id,
                            str_of(p, "caption"),
                            -1};
}

sw::Result<json::Value> media_body(const SendInput& in) {
  std::optional<sw::AttachmentData> from_payload;
  if (in.attachments.empty()) from_payload = payload_attachment(in);
  if (in.attachments.size() != 1 && !from_payload) {
    return sw::Error::invalid_arg(
        "attachments: a media message carries exactly one attachment (or payload.link / "
        "payload.media_id)");
  }
  const sw::AttachmentData& a = from_payload ? *from_payload : in.attachments[0];
  std::string type = media_type(a, in.content_type);
  static const std::set<std::string> kTypes = {"image", "video", "audio", "document", "sticker"};
  if (!kTypes.contains(type)) {
    return sw::Error::invalid_arg(
        "attachments[0].kind: must be image, video, audio, document, "
        "sticker or file");
  }
  bool has_id = !a.provider_media_id.empty();
  bool has_link = !a.url.empty();
  if (has_id == has_link) {
    return sw::Error::invalid_arg(
        "attachments[0]: exactly one of provider_media_id or url (payload: media_id or link)");
  }
  if (has_link && !a.url.starts_with("https://") && !a.url.starts_with("http://")) {
    return sw::Error::invalid_arg("attachments[0].url: must be an http(s) URL");
  }
  json::Value m = json::Value::object();
  if (has_id) {
    m.set("id", a.provider_media_id);
  } else {
    m.set("link", a.url);
  }
  std::string caption = a.caption.empty() ? in.text : a.caption;
  if (!caption.empty() && type != "audio" && type != "sticker") m.set("caption", caption);
  if (type == "document" && !a.filename.empty()) m.set("filename", a.filename);
  json::Value b = envelope(in, type);
  b.set(type, std::move(m));
  add_context(b, in);
  return b;
}

sw::Result<json::Value> template_body(const SendInput& in) {
  const json::Value& p = in.payload;
  std::string name = str_of(p, "name");
  if (name.empty()) return sw::Error::invalid_arg("payload.name: the template name is required");
  json::Value lang = json::Value::object();
  const json::Value* l = p.find("language");
  if (l != nullptr && l->is_object()) {
    lang = *l;
  } else if (l != nullptr && l->is_string() && !l->as_string().empty()) {
    lang.set("code", l->as_string());
  } else {
    return sw::Error::invalid_arg("payload.language: the template language is required");
  }
  if (str_of(lang, "code").empty())
    return sw::Error::invalid_arg("payload.language.code: required");
  json::Value t = json::Value::object();
  t.set("name", name);
  t.set("language", std::move(lang));
  if (const json::Value* c = p.find("components"); c != nullptr) {
    if (!c->is_array()) return sw::Error::invalid_arg("payload.components: must be an array");
    t.set("components", *c);
  }
  json::Value b = envelope(in, "template");
  b.set("template", std::move(t));
  add_context(b, in);
  return b;
}

sw::Result<json::Value> interactive_body(const SendInput& in) {
  const json::Value* inter = in.payload.find("interactive");
  const json::Value& i = inter != nullptr ? *inter : in.payload;
  if (!i.is_object()) return sw::Error::invalid_arg("payload: the interactive object is required");
  std::vector<std::string> problems = check_interactive(i);
  if (!problems.empty()) return sw::Error::invalid_arg(join(problems, "; "));
  json::Value b = envelope(in, "interactive");
  b.set("interactive", i);
  add_context(b, in);
  return b;
}

sw::Result<json::Value> reaction_body(const SendInput& in) {
  std::string target = str_of(in.payload, "message_id");
  if (target.empty()) target = in.reply_to;
  if (target.empty()) {
    return sw::Error::invalid_arg("reply_to_provider_id: the message to react to is required");
  }
  const json::Value* e = in.payload.find("emoji");
  std::string emoji = e != nullptr && e->is_string() ? e->as_string() : in.text;
  json::Value r = json::Value::object();
  r.set("message_id", target);
  r.set("emoji", emoji);  // empty removes the reaction
  json::Value b = envelope(in, "reaction");
  b.set("reaction", std::move(r));
  return b;
}

sw::Result<json::Value> location_body(const SendInput& in) {
  const json::Value* lat = in.payload.find("latitude");
  const json::Value* lon = in.payload.find("longitude");
  if (lat == nullptr || lon == nullptr || !lat->is_number() || !lon->is_number()) {
    return sw::Error::invalid_arg("payload.latitude/longitude: numbers required");
  }
  json::Value loc = json::Value::object();
  loc.set("latitude", *lat);
  loc.set("longitude", *lon);
  for (const char* k : {"name", "address"}) {
    if (!str_of(in.payload, k).empty()) loc.set(k, str_of(in.payload, k));
  }
  json::Value b = envelope(in, "location");
  b.set("location", std::move(loc));
  add_context(b, in);
  return b;
}

sw::Result<json::Value> contacts_body(const SendInput& in) {
  const json::Value* contacts = in.payload.find("contacts");
  if (contacts == nullptr || !contacts->is_array() || contacts->items().empty()) {
    return sw::Error::invalid_arg("payload.contacts: a non-empty array of contact cards");
  }
  for (std::size_t i = 0; i < contacts->items().size(); ++i) {
    if (str_of(obj_of(contacts->items()[i], "name"), "formatted_name").empty()) {
      return sw::Error::invalid_arg("payload.contacts[" + std::to_string(i) +
                                    "].name.formatted_name: required");
    }
  }
  json::Value b = envelope(in, "contacts");
  b.set("contacts", *contacts);
  add_context(b, in);
  return b;
}

sw::Result<json::Value> read_body(const SendInput& in) {
  std::string target = str_of(in.payload, "message_id");
  if (target.empty()) target = in.reply_to;
  if (target.empty()) {
    return sw::Error::invalid_arg("reply_to_provider_id: the inbound message to mark read");
  }
  json::Value b = json::Value::object();
  b.set("messaging_product", "whatsapp");
  b.set("status", "read");
  b.set("message_id", target);
  if (in.payload.find("typing_indicator") != nullptr) {
    json::Value ti = json::Value::object();
    ti.set("type", "text");
    b.set("typing_indicator", std::move(ti));
  }
  return b;
}

void check_len(std::vector<std::string>& out, const json::Value& obj, std::string_view key,
               std::size_t max, const std::string& where, bool required) {
  std::string v = str_of(obj, key);
  if (v.empty() && required) out.push_back(where + ": required");
  if (utf8_length(v) > max) {
    out.push_back(where + ": longer than " + std::to_string(max) + " characters");
  }
}

}  // namespace

std::string normalize_recipient(std::string_view to, std::string_view default_country) {
  std::string_view t = to;
  while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
  if (t.find('.') != std::string_view::npos) return std::string(t);  // a BSUID
  std::string digits = digits_only(t);
  if (t.starts_with('+')) return "+" + digits;
  if (digits.starts_with("00")) return "+" + digits.substr(2);
  if (!default_country.empty() && digits.starts_with('0')) {
    return "+" + std::string(default_country) + digits.substr(1);
  }
  return digits;
}

bool needs_window(std::string_view ct) {
  return ct != "template" && ct != "read";
}

std::vector<std::string> check_interactive(const json::Value& i) {
  std::vector<std::string> out;
  std::string type = str_of(i, "type");
  check_len(out, obj_of(i, "body"), "text", 1024, "interactive.body.text", type != "product");
  check_len(out, obj_of(i, "footer"), "text", 60, "interactive.footer.text", false);
  if (str_of(obj_of(i, "header"), "type") == "text") {
    check_len(out, obj_of(i, "header"), "text", 60, "interactive.header.text", true);
  }
  const json::Value& action = obj_of(i, "action");
  if (type == "button") {
    const auto& buttons = arr_of(action, "buttons").items();
    if (buttons.empty() || buttons.size() > 3) out.push_back("interactive.action.buttons: 1 to 3");
    std::set<std::string> titles;
    for (std::size_t k = 0; k < buttons.size(); ++k) {
      std::string where = "interactive.action.buttons[" + std::to_string(k) + "].reply";
      const json::Value& r = obj_of(buttons[k], "reply");
      check_len(out, r, "title", 20, where + ".title", true);
      check_len(out, r, "id", 256, where + ".id", true);
      if (!titles.insert(str_of(r, "title")).second) out.push_back(where + ".title: not unique");
    }
  } else if (type == "list") {
    check_len(out, action, "button", 20, "interactive.action.button", true);
    const auto& sections = arr_of(action, "sections").items();
    if (sections.empty() || sections.size() > 10) {
      out.push_back("interactive.action.sections: 1 to 10");
    }
    std::size_t rows = 0;
    for (std::size_t s = 0; s < sections.size(); ++s) {
      std::string where = "interactive.action.sections[" + std::to_string(s) + "]";
      check_len(out, sections[s], "title", 24, where + ".title", sections.size() > 1);
      const auto& rs = arr_of(sections[s], "rows").items();
      for (std::size_t r = 0; r < rs.size(); ++r) {
        std::string rw = where + ".rows[" + std::to_string(r) + "]";
        check_len(out, rs[r], "title", 24, rw + ".title", true);
        check_len(out, rs[r], "id", 200, rw + ".id", true);
        check_len(out, rs[r], "description", 72, rw + ".description", false);
      }
      rows += rs.size();
    }
    if (rows == 0 || rows > 10) out.push_back("interactive.action.sections: 1 to 10 rows in total");
  } else if (type.empty()) {
    out.push_back("interactive.type: required");
  }
  return out;
}

std::string callback_data_for(std::string_view instance_id, int64_t message_id) {
  if (message_id <= 0) return {};
  std::string data = "sb:" + std::string(instance_id) + ":" + std::to_string(message_id);
  return data.size() <= kMaxCallbackData ? data : std::string();
}

int64_t message_id_from_callback(std::string_view instance_id, std::string_view data) {
  std::string prefix = "sb:" + std::string(instance_id) + ":";
  if (!data.starts_with(prefix)) return 0;
  std::string_view digits = data.substr(prefix.size());
  int64_t id = 0;
  auto r = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  return r.ec == std::errc() && r.ptr == digits.data() + digits.size() ? id : 0;
}

sw::Result<json::Value> build_send_body(const SendInput& in) {
  sw::Result<json::Value> body = build_message_body(in);
  if (body && !in.callback_data.empty() && in.content_type != "read") {
    body->set("biz_opaque_callback_data", in.callback_data);
  }
  return body;
}

sw::Result<json::Value> build_message_body(const SendInput& in) {
  const std::string& ct = in.content_type;
  if (ct == "read") return read_body(in);
  if (in.to.empty()) return sw::Error::invalid_arg("to: the recipient is required");
  if (ct == "text" || ct.empty()) return text_body(in);
  if (ct == "template") return template_body(in);
  if (ct == "media" || ct == "image" || ct == "video" || ct == "audio" || ct == "document" ||
      ct == "sticker") {
    return media_body(in);
  }
  if (ct == "interactive") return interactive_body(in);
  if (ct == "reaction") return reaction_body(in);
  if (ct == "location") return location_body(in);
  if (ct == "contacts") return contacts_body(in);
  return sw::Error::unsupported("content_type \"" + ct + "\" is not supported by WhatsApp");
}

}  // namespace wa
