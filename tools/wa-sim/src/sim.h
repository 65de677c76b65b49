// The simulator: routes Graph API and test-control requests over the in-memory state.
// Handlers run under one mutex (a test double values simple, serial semantics over throughput)
// and report failures by throwing GraphError, which handle() turns into the error body of
// docs/whatsapp-cloud-api.md §6.1.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "clock.h"
#include "errors.h"
#include "ids.h"
#include "options.h"
#include "request.h"
#include "scheduler.h"
#include "state.h"
#include "webhooks.h"

namespace wasim {

class Sim {
 public:
  explicit Sim(Options opts);
  ~Sim();
  Sim(const Sim&) = delete;
  Sim& operator=(const Sim&) = delete;

  void start();
  void stop();
  void setBaseUrl(std::string url) { base_url_ = std::move(url); }
  size_t maxBody(const std::string& path) const;

  // Never throws: every failure becomes a Graph-style error response.
  Response handle(Request& req);

 private:
  friend class SimAccess;
  Response graph(Request& req);
  Response control(Request& req);
  std::optional<Fault> takeFault(const Request& req);
  // waba_id: the WABA the node belongs to; a token scoped to other WABAs gets code 200.
  void authorize(const Request& req, const std::string& permission,
                 const std::string& waba_id = {});
  void checkVersion(const std::string& segment) const;
  Response respond(const Obj& body, int status = 200);
  Response success();

  // numbers.cc
  Response createNumber(Request& req, Waba& waba);
  Response listNumbers(Request& req, Waba& waba);
  Response getWaba(Request& req, Waba& waba);
  Response subscribeApps(Request& req, Waba& waba);
  Response requestCode(Request& req, PhoneNumber& pn);
  Response verifyCode(Request& req, PhoneNumber& pn);
  Response updateNumber(Request& req, PhoneNumber& pn);
  Response registerNumber(Request& req, PhoneNumber& pn);
  Response deregisterNumber(Request& req, PhoneNumber& pn);
  Response requestOba(Request& req, PhoneNumber& pn);
  Response getOba(Request& req, PhoneNumber& pn);
  Response updateSettings(Request& req, PhoneNumber& pn);
  Response businessProfile(Request& req, PhoneNumber& pn);
  Response getNumber(Request& req, PhoneNumber& pn);
  Obj numberJson(const PhoneNumber& pn, const std::string& fields);
  void countRegistration(PhoneNumber& pn);
  std::string displayNumber(const PhoneNumber& pn) const;

  // templates.cc
  Response createTemplate(Request& req, Waba& waba);
  Response listTemplates(Request& req, Waba& waba);
  Response deleteTemplates(Request& req, Waba& waba);
  Response getTemplate(Request& req, Template& t);
  Response updateTemplate(Request& req, Template& t);
  Obj templateJson(const Template& t, const std::string& fields);
  void scheduleReview(Template& t);
  void setTemplateStatus(Template& t, const std::string& status, const std::string& reason);
  void emitTemplateEvent(const Template& t, const std::string& field, const Obj& value);

  // messages.cc
  Response sendMessage(Request& req, PhoneNumber& pn);
  Response markRead(Request& req, PhoneNumber& pn);
  void scheduleStatuses(const SentMessage& m, bool in_window, std::optional<int> fail_code,
                        const std::string& fail_details);
  void emitStatus(const std::string& wamid, const std::string& status, bool with_pricing,
                  std::optional<int> fail_code, const std::string& fail_details);
  void checkThroughput(PhoneNumber& pn);
  bool windowOpen(const std::string& pnid, const std::string& wa_id) const;
  bool reachOutsideWindow(const PhoneNumber& pn, const std::string& wa_id);

  // media.cc
  Response uploadMedia(Request& req, PhoneNumber& pn);
  Response getMedia(Request& req, Media& m);
  Response downloadMedia(Request& req);

  // inbound.cc
  Response injectInbound(Request& req);

  // control.cc
  Response createWaba(const Obj& in);
  Response createFixtureNumber(const Obj& in, const std::string& waba_id);
  Response controlNumber(Request& req, PhoneNumber& pn, const std::string& action);
  Response controlTemplate(Request& req, Template& t, const std::string& action);
  Response controlMessage(Request& req, const std::string& wamid);
  void emitValueError(const PhoneNumber& pn, int code, const std::string& details);
  void reset();
  void loadFixtures();  // the config file's "wabas", at start and on reset

  // Webhooks: where an update for this number / WABA goes (§8 routing precedence).
  std::string callbackFor(const PhoneNumber& pn) const;
  std::string callbackForWaba(const Waba& waba) const;
  void emitAccount(const std::string& url, const std::string& waba_id, const std::string& field,
                   const Obj& value);
  Obj metadata(const PhoneNumber& pn) const;

  PhoneNumber* findNumber(const std::string& id);
  Waba* findWaba(const std::string& id);
  Template* findTemplate(const std::string& id);

  Options opts_;
  std::string base_url_;
  SimClock clock_;
  Ids ids_;
  Scheduler scheduler_{clock_};
  Dispatcher dispatcher_{clock_, ids_};

  std::mutex mu_;
  Settings settings_;
  std::map<std::string, AccessToken> tokens_;
  std::map<std::string, Waba> wabas_;
  std::map<std::string, PhoneNumber> numbers_;
  std::map<std::string, Template> templates_;
  std::map<std::string, User> users_;
  std::map<std::string, SentMessage> sent_;
  std::vector<std::string> sent_order_;
  std::map<std::string, InboundMessage> inbound_;
  std::map<std::string, Media> media_;
  std::map<PairKey, int64_t> last_user_message_ms_;  // the customer service window
  std::map<PairKey, TokenBucket> pair_buckets_;
  std::vector<Fault> faults_;
  uint64_t template_seq_ = 0;
};

}  // namespace wasim
