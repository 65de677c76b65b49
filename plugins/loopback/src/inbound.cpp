#include "inbound.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <utility>

namespace loopback {

namespace sw = switchboard;

namespace {

constexpr std::array<std::string_view, 6> kAttachmentKinds{"image", "document", "audio",
                                                           "video", "sticker",  "file"};

std::optional<sw::AttachmentData> parse_attachment(const json::Value& v, const std::string& at,
                                                   InputError& err) {
  ObjectReader r(v, at, err);
  r.only({"kind", "mime_type", "filename", "url", "media_id", "caption", "size_bytes"});
  sw::AttachmentData a;
  a.kind = r.str("kind", true, false).value_or("");
  if (r.ok() && std::find(kAttachmentKinds.begin(), kAttachmentKinds.end(), a.kind) ==
                    kAttachmentKinds.end()) {
    r.fail("kind", "must be image, document, audio, video, sticker or file");
  }
  a.mime_type = r.str("mime_type", false).value_or("");
  a.filename = r.str("filename", false).value_or("");
  a.url = r.str("url", false).value_or("");
  a.provider_media_id = r.str("media_id", false).value_or("");
  a.caption = r.str("caption", false).value_or("");
  a.size_bytes = r.integer("size_bytes", -1, -1, std::numeric_limits<int64_t>::max());
  if (!r.ok()) return std::nullopt;
  return a;
}

std::optional<sw::InboundMessage> parse_message(const json::Value& v, const std::string& at,
                                                const InboundDefaults& d, InputError& err) {
  ObjectReader r(v, at, err);
  r.only({"id", "from", "text", "from_name", "content_type", "automated", "attachments", "to",
          "reply_to", "thread_key", "sent_at_ms", "payload", "from_kind"});
  std::optional<std::string> id = r.str("id", true, false);
  std::optional<std::string> from = r.str("from", true, false);
  std::optional<std::string> text = r.str("text", false);
  sw::InboundMessage m;
  if (const json::Value* list = r.find("attachments"); list != nullptr && r.ok()) {
    if (!list->is_array()) {
      r.fail("attachments", "must be an array");
    } else {
      for (std::size_t i = 0; i < list->items().size(); ++i) {
        std::optional<sw::AttachmentData> a =
            parse_attachment(list->items()[i], path(path(at, "attachments"), i), err);
        if (!a) return std::nullopt;
        m.add_attachment(std::move(*a));
      }
    }
  }
  bool has_attachments =
      r.ok() && r.find("attachments") != nullptr && !r.find("attachments")->items().empty();
  if (r.ok() && !text && !has_attachments) r.fail("text", "a string is required");
  if (const json::Value* payload = r.find("payload"); payload != nullptr && r.ok()) {
    if (!payload->is_object()) r.fail("payload", "must be a JSON object");
    m.payload_json(payload->dump());
  }
  m.provider_message_id(id.value_or(""))
      .from(from.value_or(""), r.str("from_kind", false, false).value_or(d.from_kind))
      .from_name(r.str("from_name", false).value_or(""))
      .to(r.str("to", false, false).value_or(d.to))
      .content_type(r.str("content_type", false, false).value_or("text"))
      .text(text.value_or(""))
      .reply_to_provider_id(r.str("reply_to", false).value_or(""))
      .thread_key(r.str("thread_key", false).value_or(""))
      .sent_at_ms(r.integer("sent_at_ms", d.now_ms, 0, std::numeric_limits<int64_t>::max()))
      .flags(r.boolean("automated", false) ? SB_INBOUND_AUTOMATED : 0u)
      .raw(v.dump());
  if (!r.ok()) return std::nullopt;
  return m;
}

}  // namespace

std::optional<std::vector<sw::InboundMessage>> parse_inbound(const json::Value& doc,
                                                             const InboundDefaults& d,
                                                             InputError& err) {
  std::vector<sw::InboundMessage> out;
  const json::Value* batch = doc.is_object() ? doc.find("messages") : nullptr;
  if (batch == nullptr) {
    std::optional<sw::InboundMessage> m = parse_message(doc, "", d, err);
    if (!m) return std::nullopt;
    out.push_back(std::move(*m));
    return out;
  }
  ObjectReader top(doc, "", err);
  top.only({"messages"});
  if (!top.ok()) return std::nullopt;
  if (!batch->is_array() || batch->items().empty() || batch->items().size() > kMaxBatch) {
    top.fail("messages", "must be an array of 1 to " + std::to_string(kMaxBatch) + " messages");
    return std::nullopt;
  }
  for (std::size_t i = 0; i < batch->items().size(); ++i) {
    std::optional<sw::InboundMessage> m =
        parse_message(batch->items()[i], path("messages", i), d, err);
    if (!m) return std::nullopt;
    out.push_back(std::move(*m));
  }
  return out;
}

}  // namespace loopback
