// Test control: inject an inbound user message (docs/whatsapp-cloud-api.md §4.3/§4.4). Fills the
// fields a real payload carries, opens/refreshes the customer service window and sends the webhook.
#include <Poco/Base64Decoder.h>
#include <Poco/SHA2Engine.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "sim.h"

namespace wasim {

namespace {

const std::set<std::string> kInboundTypes = {
    "text",     "image",    "video",    "audio",           "document",
    "sticker",  "location", "contacts", "interactive",     "button",
    "reaction", "order",    "system",   "request_welcome", "unsupported"};

// The file a test gives as "data_base64" in the media object, or nullopt when absent.
std::optional<std::string> mediaData(const Poco::JSON::Object::Ptr& media) {
  auto b64 = getStr(media, "data_base64");
  if (!b64) return std::nullopt;
  std::istringstream in(*b64);
  Poco::Base64Decoder decoder(in);
  std::string out((std::istreambuf_iterator<char>(decoder)), std::istreambuf_iterator<char>());
  return out;
}

std::string sha256Hex(const std::string& data) {
  Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
  engine.update(data);
  return Poco::DigestEngine::digestToHex(engine.digest());
}

std::string defaultMime(const std::string& type) {
  if (type == "image") return "image/jpeg";
  if (type == "video") return "video/mp4";
  if (type == "audio") return "audio/ogg; codecs=opus";
  if (type == "document") return "application/pdf";
  return "image/webp";
}

Obj require(const Obj& in, const std::string& key) {
  auto o = getObj(in, key);
  if (!o) throw err(100, "inbound " + key + " object is required");
  return deepCopy(o);
}

}  // namespace

Response Sim::injectInbound(Request& req) {
  const Obj& in = req.params;
  auto pnid = getStr(in, "phone_number_id").value_or("");
  PhoneNumber* pn = findNumber(pnid);
  if (!pn) throw err(100, "phone_number_id does not name a simulated number");
  auto from = getStr(in, "from").value_or("");
  if (from.empty() || !std::all_of(from.begin(), from.end(), ::isdigit))
    throw err(100, "from must be the sender's wa_id (digits)");
  const std::string type = getStr(in, "type").value_or("text");
  if (!kInboundTypes.count(type)) throw err(100, "unknown inbound type '" + type + "'");

  const int64_t now = clock_.nowMs();
  auto msg = newObj();
  const std::string wamid = getStr(in, "id").value_or(ids_.wamid());
  msg->set("from", from);
  msg->set("id", wamid);
  msg->set("timestamp", std::to_string(getInt(in, "timestamp").value_or(now / 1000)));
  if (auto ctx = getObj(in, "context")) msg->set("context", deepCopy(ctx));
  if (auto ref = getObj(in, "referral")) msg->set("referral", deepCopy(ref));
  msg->set("type", type);

  if (type == "image" || type == "video" || type == "audio" || type == "document" ||
      type == "sticker") {
    auto media = getObj(in, type) ? deepCopy(getObj(in, type)) : newObj();
    // Register the media so GET /{media-id} and the download URL work for the plugin.
    Media m;
    m.id = getStr(media, "id").value_or(ids_.node());
    m.phone_number_id = pn->id;
    m.mime_type = getStr(media, "mime_type").value_or(defaultMime(type));
    std::optional<std::string> data;
    try {
      data = mediaData(media);
    } catch (const std::exception&) {
      throw err(100, "data_base64 is not valid base64");
    }
    media->remove("data_base64");
    m.data = data ? std::move(*data) : "wa-sim inbound " + type + " " + m.id;
    m.sha256 = sha256Hex(m.data);
    m.at_ms = now;
    media->set("id", m.id);
    media->set("mime_type", m.mime_type);
    media->set("sha256", m.sha256);
    if (type == "audio" && !media->has("voice")) media->set("voice", false);
    if (type == "document" && !media->has("filename")) media->set("filename", "document.pdf");
    if (type == "sticker" && !media->has("animated")) media->set("animated", false);
    media_[m.id] = std::move(m);
    msg->set(type, media);
  } else if (type == "contacts") {
    auto list = getArr(in, "contacts");
    if (!list || list->size() == 0) throw err(100, "inbound contacts array is required");
    msg->set("contacts", deepCopyArr(list));
  } else if (type == "location") {
    auto loc = require(in, "location");
    if (!getDouble(loc, "latitude") || !getDouble(loc, "longitude"))
      throw err(100, "location needs latitude and longitude");
    msg->set("location", loc);
  } else if (type == "interactive") {
    auto it = require(in, "interactive");
    static const std::set<std::string> kKinds = {"button_reply", "list_reply", "nfm_reply",
                                                 "call_permission_reply"};
    if (!kKinds.count(getStr(it, "type").value_or("")))
      throw err(100,
                "interactive.type must be button_reply, list_reply, nfm_reply or "
                "call_permission_reply");
    msg->set("interactive", it);
  } else if (type == "unsupported") {
    auto u = getObj(in, "unsupported") ? deepCopy(getObj(in, "unsupported")) : newObj();
    if (!u->has("type")) u->set("type", "unknown");
    msg->set("unsupported", u);
    auto errors = newArr();
    errors->add(webhookError(131051, "Message type is currently not supported."));
    msg->set("errors", errors);
  } else if (type != "request_welcome") {
    msg->set(type, require(in, type));  // text, button, reaction, order, system
  }

  auto contact = newObj();
  auto profile = newObj();
  const User user = users_.count(from) ? users_.at(from) : User{};
  profile->set("name", getStr(in, "name").value_or(user.name));
  contact->set("profile", profile);
  contact->set("wa_id", from);
  if (pn->identity_key_check && !user.identity_key_hash.empty())
    contact->set("identity_key_hash", user.identity_key_hash);
  auto contacts = newArr();
  contacts->add(contact);
  auto messages = newArr();
  messages->add(msg);
  auto value = newObj();
  value->set("messaging_product", "whatsapp");
  value->set("metadata", metadata(*pn));
  value->set("contacts", contacts);
  value->set("messages", messages);

  // Any user message (not a system notice) opens or refreshes the 24-hour window.
  if (type != "system") last_user_message_ms_[{pn->id, from}] = now;
  pn->throughput.take(now, pn->mps, pn->mps);  // inbound counts against throughput too
  inbound_[wamid] = InboundMessage{wamid, pn->id, from, type, now, false, 0, 0};
  dispatcher_.enqueue(Update{callbackFor(*pn), pn->waba_id, "messages", value, false}, now);

  auto out = newObj();
  out->set("id", wamid);
  return respond(out);
}

}  // namespace wasim
