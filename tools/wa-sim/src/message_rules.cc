#include "message_rules.h"

#include <set>

#include "errors.h"

namespace wasim {

namespace {

std::string requireText(const Obj& o, const std::string& key, const std::string& where) {
  auto v = getStr(o, key);
  if (!v || v->empty()) throw err(131008, where + "." + key + " is required");
  return *v;
}

void maxLen(const std::string& s, size_t limit, const std::string& where) {
  if (utf8Length(s) > limit)
    throw err(131009, where + " must be at most " + std::to_string(limit) + " characters");
}

void validateMedia(const std::string& type, const Obj& m,
                   const std::function<bool(const std::string&)>& media_exists) {
  const bool has_id = m->has("id"), has_link = m->has("link");
  if (has_id == has_link) throw err(131009, type + ": exactly one of id or link is required");
  if (has_link) {
    auto link = getStr(m, "link").value_or("");
    if (!link.starts_with("http://") && !link.starts_with("https://"))
      throw err(131009, type + ".link must be an http(s) URL");
  } else if (!media_exists(getStr(m, "id").value_or(""))) {
    throw err(131009, type + ".id is not an uploaded media id of this number");
  }
  if (m->has("caption")) {
    if (type == "audio" || type == "sticker")
      throw err(131009, type + " messages do not take a caption");
    maxLen(getStr(m, "caption").value_or(""), 1024, type + ".caption");
  }
  if (m->has("filename") && type != "document")
    throw err(131009, "filename is only allowed for documents");
}

void validateButtons(const Obj& interactive, const Obj& action) {
  auto buttons = getArr(action, "buttons");
  if (!buttons || buttons->size() == 0 || buttons->size() > 3)
    throw err(131009, "interactive.action.buttons must hold 1 to 3 buttons");
  std::set<std::string> titles, button_ids;
  for (size_t i = 0; i < buttons->size(); ++i) {
    auto b = buttons->getObject(static_cast<unsigned>(i));
    auto reply = b ? getObj(b, "reply") : nullptr;
    if (!reply || getStr(b, "type") != "reply")
      throw err(131009, "interactive buttons must be {type: reply, reply: {id, title}}");
    const auto id = requireText(reply, "id", "button.reply");
    const auto title = requireText(reply, "title", "button.reply");
    maxLen(id, 256, "button.reply.id");
    maxLen(title, 20, "button.reply.title");
    if (id.front() == ' ' || id.back() == ' ')
      throw err(131009, "button.reply.id cannot have leading or trailing spaces");
    if (!titles.insert(title).second) throw err(131009, "button titles must be unique");
    if (!button_ids.insert(id).second) throw err(131009, "button ids must be unique");
  }
  (void)interactive;
}

void validateList(const Obj& action) {
  maxLen(requireText(action, "button", "interactive.action"), 20, "interactive.action.button");
  auto sections = getArr(action, "sections");
  if (!sections || sections->size() == 0 || sections->size() > 10)
    throw err(131009, "interactive.action.sections must hold 1 to 10 sections");
  size_t rows_total = 0;
  std::set<std::string> row_ids;
  for (size_t i = 0; i < sections->size(); ++i) {
    auto s = sections->getObject(static_cast<unsigned>(i));
    if (!s) throw err(131009, "sections[] must be objects");
    auto title = getStr(s, "title");
    if (sections->size() > 1 && (!title || title->empty()))
      throw err(131008, "section title is required when there is more than one section");
    if (title) maxLen(*title, 24, "section.title");
    auto rows = getArr(s, "rows");
    if (!rows || rows->size() == 0) throw err(131009, "each section needs at least one row");
    rows_total += rows->size();
    for (size_t r = 0; r < rows->size(); ++r) {
      auto row = rows->getObject(static_cast<unsigned>(r));
      if (!row) throw err(131009, "rows[] must be objects");
      const auto id = requireText(row, "id", "row");
      maxLen(id, 200, "row.id");
      maxLen(requireText(row, "title", "row"), 24, "row.title");
      if (auto d = getStr(row, "description")) maxLen(*d, 72, "row.description");
      if (!row_ids.insert(id).second) throw err(131009, "row ids must be unique");
    }
  }
  if (rows_total > 10) throw err(131009, "a list may hold at most 10 rows in total");
}

void validateInteractive(const Obj& it) {
  const auto kind = requireText(it, "type", "interactive");
  if (auto header = getObj(it, "header"); header && getStr(header, "type") == "text")
    maxLen(getStr(header, "text").value_or(""), 60, "interactive.header.text");
  if (auto footer = getObj(it, "footer"))
    maxLen(getStr(footer, "text").value_or(""), 60, "interactive.footer.text");
  auto body = getObj(it, "body");
  auto action = getObj(it, "action");
  if (kind == "button" || kind == "list") {
    if (!body) throw err(131008, "interactive.body is required");
    maxLen(requireText(body, "text", "interactive.body"), 1024, "interactive.body.text");
    if (!action) throw err(131008, "interactive.action is required");
    kind == "button" ? validateButtons(it, action) : validateList(action);
    return;
  }
  if (kind == "cta_url") {
    auto p = action ? getObj(action, "parameters") : nullptr;
    if (!p) throw err(131008, "interactive.action.parameters is required for cta_url");
    requireText(p, "display_text", "action.parameters");
    requireText(p, "url", "action.parameters");
    return;
  }
  static const std::set<std::string> kOther = {"product",
                                               "product_list",
                                               "catalog_message",
                                               "flow",
                                               "location_request_message",
                                               "call_permission_request"};
  if (!kOther.count(kind)) throw err(131009, "Unknown interactive type '" + kind + "'");
  if (!action && kind != "location_request_message" && kind != "call_permission_request")
    throw err(131008, "interactive.action is required");
}

}  // namespace

size_t utf8Length(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

void validateContent(const std::string& type, const Obj& body,
                     const std::function<bool(const std::string&)>& media_exists) {
  if (type == "text") {
    maxLen(requireText(body, "body", "text"), 4096, "text.body");
  } else if (type == "image" || type == "video" || type == "audio" || type == "document" ||
             type == "sticker") {
    validateMedia(type, body, media_exists);
  } else if (type == "location") {
    if (!getDouble(body, "latitude") || !getDouble(body, "longitude"))
      throw err(131008, "location.latitude and location.longitude are required");
  } else if (type == "interactive") {
    validateInteractive(body);
  }
}

}  // namespace wasim
