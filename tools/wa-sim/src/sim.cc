#include "sim.h"

#include <Poco/String.h>

#include <algorithm>
#include <regex>
#include <thread>

namespace wasim {

namespace {

bool globMatch(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

GraphError unknownNode(const std::string& id, const std::string& method) {
  GraphError e = err(100, "Object with ID '" + id + "' does not exist");
  e.subcode = 33;
  e.message = "Unsupported " + Poco::toLower(method) + " request. Object with ID '" + id +
              "' does not exist, cannot be loaded due to missing permissions, or does not "
              "support this operation.";
  return e;
}

GraphError unknownEdge(const std::string& edge) {
  GraphError e = err(100, "Unknown path components: /" + edge);
  e.message = "Unknown path components: /" + edge;
  return e;
}

constexpr const char* kMessaging = "whatsapp_business_messaging";
constexpr const char* kManagement = "whatsapp_business_management";

}  // namespace

Sim::Sim(Options opts) : opts_(std::move(opts)) {
  settings_ = opts_.settings;
  tokens_ = opts_.tokens;
  if (opts_.seed) ids_.seed(*opts_.seed);
  dispatcher_.configure(opts_.webhooks);
  loadFixtures();
}

void Sim::loadFixtures() {
  if (!opts_.fixtures) return;
  if (auto wabas = getArr(opts_.fixtures, "wabas")) {
    for (size_t i = 0; i < wabas->size(); ++i) {
      try {
        createWaba(wabas->getObject(static_cast<unsigned>(i)));
      } catch (const GraphError& e) {
        throw std::runtime_error("config wabas[" + std::to_string(i) + "]: " + e.details);
      }
    }
  }
}

Sim::~Sim() {
  stop();
}

void Sim::start() {
  scheduler_.start();
  dispatcher_.start();
}

void Sim::stop() {
  scheduler_.stop();
  dispatcher_.stop();
}

size_t Sim::maxBody(const std::string& path) const {
  return path.ends_with("/media") ? opts_.max_media_body : opts_.max_body;
}

Response Sim::respond(const Obj& body, int status) {
  return Response{status, dump(body)};
}

Response Sim::success() {
  auto o = newObj();
  o->set("success", true);
  return respond(o);
}

Response Sim::handle(Request& req) {
  try {
    if (req.path == "/_sim" || req.path.starts_with("/_sim/")) {
      std::lock_guard lock(mu_);
      return control(req);
    }
    if (req.path.starts_with("/_media/")) {
      std::lock_guard lock(mu_);
      return downloadMedia(req);
    }
    std::optional<Fault> fault;
    {
      std::lock_guard lock(mu_);
      fault = takeFault(req);
    }
    if (fault && fault->delay_ms > 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(fault->delay_ms));
    if (fault && fault->http_status > 0) {
      int code = fault->code;
      if (code == 0) code = fault->http_status == 429 ? 130429 : fault->http_status >= 500 ? 2 : 1;
      GraphError e = err(code, "Injected fault");
      e.http_status = fault->http_status;
      throw e;
    }
    std::lock_guard lock(mu_);
    return graph(req);
  } catch (const GraphError& e) {
    Response r;
    r.status = e.http_status ? *e.http_status : errorHttpStatus(e.code);
    r.body = dump(errorBody(e, ids_.fbtrace()));
    return r;
  } catch (const std::exception& ex) {
    GraphError e = err(131000, ex.what());
    return Response{500, dump(errorBody(e, ids_.fbtrace()))};
  }
}

std::optional<Fault> Sim::takeFault(const Request& req) {
  for (auto it = faults_.begin(); it != faults_.end(); ++it) {
    if (!it->method.empty() && Poco::icompare(it->method, req.method) != 0) continue;
    if (!globMatch(it->pattern, req.path)) continue;
    Fault f = *it;
    if (--it->remaining <= 0) faults_.erase(it);
    return f;
  }
  return std::nullopt;
}

void Sim::checkVersion(const std::string& segment) const {
  static const std::regex kVersion("^v[0-9]{1,2}\\.[0-9]$");
  bool ok = std::regex_match(segment, kVersion);
  if (ok && !settings_.versions.empty())
    ok = std::find(settings_.versions.begin(), settings_.versions.end(), segment) !=
         settings_.versions.end();
  if (!ok) {
    GraphError e = err(100, "Unknown or unsupported API version '" + segment + "'");
    e.message = "Unknown path components: /" + segment;
    throw e;
  }
}

void Sim::authorize(const Request& req, const std::string& permission, const std::string& waba_id) {
  GraphError e = err(190, "");
  if (!req.bearer || req.bearer->empty()) {
    e.message = "An active access token must be used to query information about the current user.";
    e.details = "missing access token";
    throw e;
  }
  auto it = tokens_.find(*req.bearer);
  if (it == tokens_.end()) {
    e.message = "Invalid OAuth access token - Cannot parse access token";
    e.details = "invalid access token";
    e.subcode = 467;
    throw e;
  }
  if (it->second.expires_at_s != 0 && clock_.nowSec() >= it->second.expires_at_s) {
    e.message = "Error validating access token: Session has expired.";
    e.details = "access token expired";
    e.subcode = 463;
    throw e;
  }
  if (!it->second.permissions.count(permission)) {
    GraphError p = err(200, "Requires " + permission + " permission");
    p.message = "(#200) Requires " + permission + " permission to manage the object";
    throw p;
  }
  if (!waba_id.empty() && !it->second.wabas.empty() && !it->second.wabas.count(waba_id)) {
    GraphError p = err(200, "Permissions error");
    p.message = "(#200) The access token has no permission on WhatsApp Business Account " + waba_id;
    throw p;
  }
}

Response Sim::graph(Request& req) {
  const auto& seg = req.segments;
  if (seg.empty()) throw err(100, "Missing API version");
  checkVersion(seg[0]);
  if (seg.size() < 2) throw err(100, "Missing node id");
  const std::string& id = seg[1];
  const std::string edge = seg.size() > 2 ? seg[2] : "";
  if (seg.size() > 3) throw unknownEdge(seg[2] + "/" + seg[3]);
  const std::string& m = req.method;

  if (Waba* waba = findWaba(id)) {
    authorize(req, kManagement, waba->id);
    if (edge.empty() && m == "GET") return getWaba(req, *waba);
    if (edge == "phone_numbers" && m == "POST") return createNumber(req, *waba);
    if (edge == "phone_numbers" && m == "GET") return listNumbers(req, *waba);
    if (edge == "message_templates" && m == "POST") return createTemplate(req, *waba);
    if (edge == "message_templates" && m == "GET") return listTemplates(req, *waba);
    if (edge == "message_templates" && m == "DELETE") return deleteTemplates(req, *waba);
    if (edge == "subscribed_apps") return subscribeApps(req, *waba);
    throw unknownEdge(edge);
  }
  if (PhoneNumber* pn = findNumber(id)) {
    if (edge == "messages" && m == "POST") {
      authorize(req, kMessaging, pn->waba_id);
      if (getStr(req.params, "status") == "read") return markRead(req, *pn);
      return sendMessage(req, *pn);
    }
    if (edge == "media" && m == "POST") {
      authorize(req, kMessaging, pn->waba_id);
      return uploadMedia(req, *pn);
    }
    authorize(req, kManagement, pn->waba_id);
    if (edge.empty() && m == "GET") return getNumber(req, *pn);
    if (edge.empty() && m == "POST") return updateNumber(req, *pn);
    if (edge == "request_code" && m == "POST") return requestCode(req, *pn);
    if (edge == "verify_code" && m == "POST") return verifyCode(req, *pn);
    if (edge == "register" && m == "POST") return registerNumber(req, *pn);
    if (edge == "deregister" && m == "POST") return deregisterNumber(req, *pn);
    if (edge == "official_business_account" && m == "POST") return requestOba(req, *pn);
    if (edge == "official_business_account" && m == "GET") return getOba(req, *pn);
    if (edge == "settings" && m == "POST") return updateSettings(req, *pn);
    if (edge == "whatsapp_business_profile") return businessProfile(req, *pn);
    throw unknownEdge(edge);
  }
  if (Template* t = findTemplate(id)) {
    authorize(req, kManagement, t->waba_id);
    if (edge.empty() && m == "GET") return getTemplate(req, *t);
    if (edge.empty() && m == "POST") return updateTemplate(req, *t);
    throw unknownEdge(edge);
  }
  if (auto it = media_.find(id); it != media_.end()) {
    authorize(req, kMessaging);
    if (edge.empty() && m == "GET") return getMedia(req, it->second);
    if (edge.empty() && m == "DELETE") {
      media_.erase(it);
      return success();
    }
    throw unknownEdge(edge);
  }
  throw unknownNode(id, m);
}

PhoneNumber* Sim::findNumber(const std::string& id) {
  auto it = numbers_.find(id);
  return it == numbers_.end() ? nullptr : &it->second;
}

Waba* Sim::findWaba(const std::string& id) {
  auto it = wabas_.find(id);
  return it == wabas_.end() ? nullptr : &it->second;
}

Template* Sim::findTemplate(const std::string& id) {
  auto it = templates_.find(id);
  return it == templates_.end() ? nullptr : &it->second;
}

std::string Sim::callbackForWaba(const Waba& waba) const {
  return waba.override_uri.empty() ? settings_.app_callback : waba.override_uri;
}

std::string Sim::callbackFor(const PhoneNumber& pn) const {
  if (!pn.override_uri.empty()) return pn.override_uri;
  auto it = wabas_.find(pn.waba_id);
  return it == wabas_.end() ? settings_.app_callback : callbackForWaba(it->second);
}

void Sim::emitAccount(const std::string& url, const std::string& waba_id, const std::string& field,
                      const Obj& value) {
  dispatcher_.enqueue(Update{url, waba_id, field, value, true}, clock_.nowMs());
}

Obj Sim::metadata(const PhoneNumber& pn) const {
  auto md = newObj();
  md->set("display_phone_number", pn.digits());
  md->set("phone_number_id", pn.id);
  return md;
}

}  // namespace wasim
