// `switchboard whatsapp numbers|templates ...`: every onboarding and template operation of the
// WhatsApp plugin, sent to the running daemon as POST /v1/channels/{instance}/ops/{op} (admin
// token), plus a template send through the conversation API. The token comes from --token or
// SB_TOKEN and is never printed; the URL from --url, SB_URL, or the http section of --config.
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/URI.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <ostream>
#include <random>
#include <sstream>
#include <thread>

#include "app/cli.h"
#include "app/whatsapp_cli.h"
#include "config/config.h"
#include "core/text_input.h"

namespace sb::app {
namespace {

using JsonObj = Poco::JSON::Object;
using ObjPtr = Poco::JSON::Object::Ptr;

constexpr std::string_view kHelp =
    "usage: switchboard whatsapp <numbers|templates> <command> [options]\n"
    "\n"
    "A client of the running daemon's REST API: WhatsApp onboarding and templates are the\n"
    "channel operations of POST /v1/channels/{instance}/ops/{op} (admin token).\n"
    "\n"
    "numbers list                       every number of the instance with its state\n"
    "numbers show [--number ID]         one number's full state\n"
    "numbers add --cc CC --phone DIGITS --name VERIFIED_NAME   create a number in the WABA\n"
    "numbers add --phone-number-id ID                          attach an existing one\n"
    "        both take [--waba-id ID] [--token-ref SECRET_NAME]: the number's WABA (default:\n"
    "        the instance's) and the instance secret holding its WABA's access token\n"
    "        (default: access_token); Meta is asked with that token\n"
    "numbers request-code [--number ID] [--method SMS|VOICE] [--language en]\n"
    "numbers verify-code [--number ID] --code DIGITS\n"
    "numbers set-pin [--number ID] --pin 6DIGITS          two-step verification\n"
    "numbers register [--number ID] --pin 6DIGITS [--region CC]\n"
    "numbers deregister [--number ID]\n"
    "numbers display-name [--number ID] --name NAME      starts Meta's name review\n"
    "numbers request-official [--number ID] --website URL --country CC --language LANG\n"
    "        [--parent-brand NAME] [--link URL]... [--info TEXT]   official business account\n"
    "numbers refresh [--number ID]      read the number(s) from Meta, then show them\n"
    "\n"
    "templates list [--status S] [--name N] [--sync]\n"
    "templates sync                     replace the local copy with the WABAs' templates\n"
    "  list, sync, create and delete take [--waba-id ID] [--token-ref SECRET_NAME]: another\n"
    "  WABA than the instance's (its token: that of a number of it, or --token-ref);\n"
    "  show, wait and preview take [--waba-id ID] (templates are kept per WABA)\n"
    "templates show NAME --language L\n"
    "templates create --file FILE.json\n"
    "templates create --name N --language L --category UTILITY|MARKETING|AUTHENTICATION\n"
    "        --body TEXT [--example VALUE]... [--header TEXT [--header-example VALUE]]\n"
    "        [--footer TEXT] [--quick-reply TEXT]... [--url-button TEXT=URL]\n"
    "        [--phone-button TEXT=+NUMBER]\n"
    "templates validate (same options as create)   local checks only\n"
    "templates wait NAME --language L [--status APPROVED] [--timeout SECONDS]\n"
    "templates delete NAME [--language L]          all languages without --language\n"
    "templates preview NAME --language L [--param VALUE]... [--header-param VALUE]\n"
    "templates send NAME --language L --to NUMBER [--param VALUE]... [--header-param VALUE]\n"
    "        [--conversation ID] [--idempotency-key KEY] [--wait SECONDS]\n"
    "        sends in the customer's open conversation on the instance, else starts one (the\n"
    "        customer need not have written first); --conversation ID sends in that one.\n"
    "        Waits up to --wait seconds (default 10, 0 = not at all) for WhatsApp's answer and\n"
    "        exits 1 with its reason when the message failed\n"
    "\n"
    "options (everywhere):\n"
    "  --url URL        the daemon (default: $SB_URL, else the http section of --config,\n"
    "                   else http://127.0.0.1:8080)\n"
    "  --config FILE    the daemon's config file, only to find its port\n"
    "  --token TOKEN    an admin API token (default: $SB_TOKEN); never printed\n"
    "  --instance ID    the whatsapp channel instance (default: the only one)\n"
    "  --json           print the API's JSON answer instead of text\n"
    "  --verbose, -v    errors also show the API's error code and HTTP status\n"
    "\n"
    "exit codes: 0 ok, 1 the API refused or a sent message failed (the reason is printed),\n"
    "64 usage, 69 the daemon could not be reached\n";

// One parsed command line: flag values (repeatable flags keep every value) and positionals.
struct Args {
  std::map<std::string, std::vector<std::string>> values;
  std::vector<std::string> positional;
  bool json = false;
  bool verbose = false;  // errors with the API's code and HTTP status

  std::string get(const std::string& flag) const {
    auto it = values.find(flag);
    return it == values.end() || it->second.empty() ? "" : it->second.back();
  }
  const std::vector<std::string>& all(const std::string& flag) const {
    static const std::vector<std::string> kNone;
    auto it = values.find(flag);
    return it == values.end() ? kNone : it->second;
  }
  bool has(const std::string& flag) const { return values.count(flag) > 0; }
};

struct Spec {
  std::vector<std::string> flags;     // --x VALUE, the last one wins
  std::vector<std::string> repeated;  // --x VALUE, every one kept
  std::vector<std::string> bools;     // --x
  size_t max_positional = 0;
};

const std::vector<std::string> kGlobalFlags = {"--url", "--token", "--config", "--instance"};

// args[from..]: --flag VALUE or --flag=VALUE, globals allowed anywhere.
bool parse_args(const std::vector<std::string>& args, size_t from, const Spec& spec, Args& out,
                std::string& problem) {
  auto in = [](const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
  };
  for (size_t i = from; i < args.size(); ++i) {
    std::string a = args[i];
    if (a == "--json") {
      out.json = true;
      continue;
    }
    if (a == "--verbose" || a == "-v") {
      out.verbose = true;
      continue;
    }
    if (!a.starts_with("--")) {
      if (out.positional.size() >= spec.max_positional) {
        problem = "unexpected argument \"" + a + "\"";
        return false;
      }
      out.positional.push_back(a);
      continue;
    }
    std::optional<std::string> value;
    if (auto eq = a.find('='); eq != std::string::npos) {
      value = a.substr(eq + 1);
      a = a.substr(0, eq);
    }
    if (in(spec.bools, a)) {
      if (value) {
        problem = a + " takes no value";
        return false;
      }
      out.values[a].push_back("true");
      continue;
    }
    if (!in(kGlobalFlags, a) && !in(spec.flags, a) && !in(spec.repeated, a)) {
      problem = "unknown option " + a;
      return false;
    }
    if (!value) {
      if (i + 1 >= args.size()) {
        problem = a + " needs a value";
        return false;
      }
      value = args[++i];
    }
    if (!in(spec.repeated, a)) out.values[a].clear();
    out.values[a].push_back(*value);
  }
  return true;
}

std::string dump(const Poco::Dynamic::Var& v) {
  std::ostringstream s;
  Poco::JSON::Stringifier::condense(v, s);
  return s.str();
}

ObjPtr parse_object(const std::string& text) {
  try {
    return Poco::JSON::Parser().parse(text).extract<ObjPtr>();
  } catch (const std::exception&) {
    return nullptr;
  }
}

std::string digits_of(const std::string& s) {
  std::string d;
  for (char c : s) {
    if (c >= '0' && c <= '9') d += c;
  }
  return d;
}

// The connection to the daemon and the instance the command is about.
class Session {
 public:
  Session(const Args& args, std::ostream& err, const WaCliEnv& env)
      : args_(args), err_(err), env_(env) {}

  // Resolves URL, token and transport; false (with the exit code) when that fails.
  bool open(int& code) {
    std::string url = args_.get("--url");
    if (url.empty()) url = env_.getenv("SB_URL").value_or("");
    if (url.empty() && !args_.get("--config").empty()) {
      auto cfg = config::load_config(args_.get("--config"));
      if (!cfg) {
        code = fail(kExitUsage, "--config: " + cfg.status().message());
        return false;
      }
      std::string host = cfg->http.host;
      if (host.empty() || host == "0.0.0.0" || host == "::") host = "127.0.0.1";
      url = "http://" + host + ":" + std::to_string(cfg->http.port);
    }
    if (url.empty()) url = "http://127.0.0.1:8080";
    std::string token = args_.get("--token");
    if (token.empty()) token = env_.getenv("SB_TOKEN").value_or("");
    if (token.empty()) {
      code = fail(kExitUsage,
                  "an admin API token is required: --token TOKEN or SB_TOKEN "
                  "(create one with `switchboard tokens create`)");
      return false;
    }
    auto t = env_.connect(url, token);
    if (!t) {
      code = fail(kExitUsage, t.status().message());
      return false;
    }
    transport_ = std::move(*t);
    return true;
  }

  // A request whose 2xx answer is returned; otherwise prints the error and sets code.
  std::optional<ApiReply> call(const ApiRequest& req, int& code) {
    auto r = transport_(req);
    if (!r) {
      code = fail(kExitUnavailable, r.status().message());
      return std::nullopt;
    }
    if (r->status < 200 || r->status > 299) {
      std::string hint;
      if (r->status == 401) hint = " (is the token right and not revoked?)";
      if (r->status == 403) hint = " (channel operations need an admin token)";
      code = fail(kExitFailure, api_error_text(*r, args_.verbose) + hint);
      return std::nullopt;
    }
    return *r;
  }

  // --instance, else the only whatsapp instance the daemon runs.
  std::optional<std::string> instance(int& code) {
    if (std::string id = args_.get("--instance"); !id.empty()) return id;
    auto r = call({"GET", "/v1/channels", "", ""}, code);
    if (!r) return std::nullopt;
    std::vector<std::string> ids;
    ObjPtr body = parse_object(r->body);
    auto items = body ? body->getArray("items") : nullptr;
    for (size_t i = 0; items && i < items->size(); ++i) {
      ObjPtr c = items->getObject(static_cast<unsigned>(i));
      if (c && c->optValue<std::string>("plugin", "") == "whatsapp") {
        ids.push_back(c->optValue<std::string>("id", ""));
      }
    }
    if (ids.size() == 1) return ids[0];
    std::string list;
    for (const auto& id : ids) list += (list.empty() ? "" : ", ") + id;
    code = fail(kExitUsage, ids.empty() ? "the daemon runs no whatsapp instance"
                                        : "several whatsapp instances (" + list +
                                              "): pick one with --instance");
    return std::nullopt;
  }

  // A channel operation; its answer as an object.
  ObjPtr op(const std::string& instance, const std::string& name, const JsonObj& input, int& code,
            std::string* raw = nullptr) {
    std::string encoded;
    Poco::URI::encode(instance, "/?#%&=+ ", encoded);
    const std::string path = "/v1/channels/" + encoded + "/ops/" + name;
    auto r = call({"POST", path, dump(input), ""}, code);
    if (!r) return nullptr;
    if (raw) *raw = r->body;
    ObjPtr o = parse_object(r->body);
    if (!o) code = fail(kExitFailure, "the API answered something that is not a JSON object");
    return o;
  }

  int fail(int code, const std::string& message) {
    err_ << "error: " << message << "\n";
    return code;
  }

 private:
  const Args& args_;
  std::ostream& err_;
  const WaCliEnv& env_;
  ApiTransport transport_;
};

struct Ctx {
  const Args& args;
  std::ostream& out;
  std::ostream& err;
  const WaCliEnv& env;
};

int usage(std::ostream& err, const std::string& problem) {
  err << "error: " << problem << "\nsee `switchboard whatsapp --help`\n";
  return kExitUsage;
}

// Runs one op against the resolved instance and prints `show(answer)` (or the raw JSON).
int run_op(const Ctx& c, const std::string& op, const JsonObj& input,
           const std::function<std::string(const JsonObj&)>& show) {
  Session s(c.args, c.err, c.env);
  int code = kExitOk;
  if (!s.open(code)) return code;
  auto instance = s.instance(code);
  if (!instance) return code;
  std::string raw;
  ObjPtr answer = s.op(*instance, op, input, code, &raw);
  if (!answer) return code;
  if (c.args.json) {
    c.out << raw << "\n";
  } else {
    c.out << show(*answer);
  }
  return kExitOk;
}

std::string show_number_answer(const JsonObj& a) {
  ObjPtr n = a.has("number") ? a.getObject("number") : nullptr;
  return n ? format_number(*n) : format_number(a);
}

std::string show_numbers_answer(const JsonObj& a) {
  auto arr = a.getArray("numbers");
  return arr ? format_numbers(*arr) : format_numbers(Poco::JSON::Array());
}

void set_number(const Args& a, JsonObj& in) {
  if (std::string n = a.get("--number"); !n.empty()) in.set("phone_number_id", n);
}

// ---- numbers ----------------------------------------------------------------------------------

int numbers_cmd(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err,
                const WaCliEnv& env) {
  const std::string sub = argv.size() > 2 ? argv[2] : "";
  static const std::map<std::string, Spec> kSpecs = {
      {"list", {}},
      {"show", {{"--number"}, {}, {}, 0}},
      {"add",
       {{"--cc", "--phone", "--name", "--phone-number-id", "--waba-id", "--token-ref"}, {}, {}, 0}},
      {"request-code", {{"--number", "--method", "--language"}, {}, {}, 0}},
      {"verify-code", {{"--number", "--code"}, {}, {}, 0}},
      {"set-pin", {{"--number", "--pin"}, {}, {}, 0}},
      {"register", {{"--number", "--pin", "--region"}, {}, {}, 0}},
      {"deregister", {{"--number"}, {}, {}, 0}},
      {"display-name", {{"--number", "--name"}, {}, {}, 0}},
      {"request-official",
       {{"--number", "--website", "--country", "--language", "--parent-brand", "--info"},
        {"--link"},
        {},
        0}},
      {"refresh", {{"--number"}, {}, {}, 0}},
  };
  auto spec = kSpecs.find(sub);
  if (spec == kSpecs.end()) {
    return usage(
        err, sub.empty() ? "numbers needs a command" : "unknown numbers command \"" + sub + "\"");
  }
  Args a;
  std::string problem;
  if (!parse_args(argv, 3, spec->second, a, problem)) return usage(err, problem);
  const Ctx c{a, out, err, env};
  JsonObj in;
  set_number(a, in);
  auto need = [&](const std::string& flag) {
    if (a.get(flag).empty()) problem = flag + " is required";
    return a.get(flag);
  };

  if (sub == "list") return run_op(c, "list_numbers", in, show_numbers_answer);
  if (sub == "show") return run_op(c, "get_number", in, show_number_answer);
  if (sub == "refresh") return run_op(c, "refresh", in, show_numbers_answer);
  if (sub == "deregister") return run_op(c, "deregister", in, show_number_answer);
  if (sub == "add") {
    if (!a.get("--waba-id").empty()) in.set("waba_id", a.get("--waba-id"));
    if (!a.get("--token-ref").empty()) in.set("token", a.get("--token-ref"));
    if (!a.get("--phone-number-id").empty()) {
      if (a.has("--cc") || a.has("--phone") || a.has("--name")) {
        return usage(err,
                     "give either --phone-number-id (an existing number) or --cc, --phone "
                     "and --name (a new one)");
      }
      in.set("phone_number_id", a.get("--phone-number-id"));
    } else {
      in.set("cc", digits_of(need("--cc")));
      in.set("phone_number", need("--phone"));
      in.set("verified_name", need("--name"));
    }
  } else if (sub == "request-code") {
    std::string method = a.get("--method");
    std::transform(method.begin(), method.end(), method.begin(), ::toupper);
    if (method.empty()) method = "SMS";
    if (method != "SMS" && method != "VOICE") return usage(err, "--method must be SMS or VOICE");
    in.set("code_method", method);
    in.set("language", a.get("--language").empty() ? "en" : a.get("--language"));
  } else if (sub == "verify-code") {
    in.set("code", need("--code"));
  } else if (sub == "set-pin") {
    in.set("pin", need("--pin"));
  } else if (sub == "register") {
    in.set("pin", need("--pin"));
    if (!a.get("--region").empty()) in.set("data_localization_region", a.get("--region"));
  } else if (sub == "display-name") {
    in.set("display_name", need("--name"));
  } else if (sub == "request-official") {
    in.set("business_website_url", need("--website"));
    in.set("primary_country_of_operation", need("--country"));
    in.set("primary_language", need("--language"));
    if (!a.get("--parent-brand").empty())
      in.set("parent_business_or_brand", a.get("--parent-brand"));
    if (!a.get("--info").empty()) in.set("additional_supporting_information", a.get("--info"));
    if (!a.all("--link").empty()) {
      Poco::JSON::Array links;
      for (const auto& l : a.all("--link")) links.add(l);
      in.set("supporting_links", links);
    }
  }
  if (!problem.empty()) return usage(err, problem);
  static const std::map<std::string, std::string> kOps = {
      {"add", "add_number"},
      {"request-code", "request_code"},
      {"verify-code", "verify_code"},
      {"set-pin", "set_pin"},
      {"register", "register"},
      {"display-name", "set_display_name"},
      {"request-official", "request_official_account"}};
  return run_op(c, kOps.at(sub), in, show_number_answer);
}

// ---- templates --------------------------------------------------------------------------------

// TEXT=VALUE split at the first '='.
bool split_pair(const std::string& s, std::string& left, std::string& right) {
  auto eq = s.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == s.size()) return false;
  left = s.substr(0, eq);
  right = s.substr(eq + 1);
  return true;
}

// The create form of a template from --file or from flags; nullptr with `problem` set.
ObjPtr template_from_args(const Args& a, std::string& problem) {
  if (!a.get("--file").empty()) {
    for (const char* f : {"--name", "--body", "--category", "--header", "--footer"}) {
      if (a.has(f)) {
        problem = std::string("--file and ") + f + " do not go together";
        return nullptr;
      }
    }
    std::ifstream in(a.get("--file"), std::ios::binary);
    if (!in) {
      problem = "--file: cannot read " + a.get("--file");
      return nullptr;
    }
    std::stringstream text;
    text << in.rdbuf();
    ObjPtr t = parse_object(text.str());
    if (!t) problem = "--file: " + a.get("--file") + " is not a JSON object";
    if (t && !a.get("--language").empty()) t->set("language", a.get("--language"));
    return t;
  }
  for (const char* f : {"--name", "--language", "--category", "--body"}) {
    if (a.get(f).empty()) {
      problem = std::string(f) + " is required (or --file FILE)";
      return nullptr;
    }
  }
  ObjPtr t = new JsonObj;
  t->set("name", a.get("--name"));
  t->set("language", a.get("--language"));
  std::string category = a.get("--category");
  std::transform(category.begin(), category.end(), category.begin(), ::toupper);
  t->set("category", category);
  Poco::JSON::Array comps;
  if (!a.get("--header").empty()) {
    JsonObj h;
    h.set("type", "HEADER");
    h.set("format", "TEXT");
    h.set("text", a.get("--header"));
    if (!a.get("--header-example").empty()) {
      JsonObj ex;
      Poco::JSON::Array values;
      values.add(a.get("--header-example"));
      ex.set("header_text", values);
      h.set("example", ex);
    }
    comps.add(h);
  }
  JsonObj body;
  body.set("type", "BODY");
  body.set("text", a.get("--body"));
  if (!a.all("--example").empty()) {
    Poco::JSON::Array row, rows;
    for (const auto& v : a.all("--example")) row.add(v);
    rows.add(row);
    JsonObj ex;
    ex.set("body_text", rows);
    body.set("example", ex);
  }
  comps.add(body);
  if (!a.get("--footer").empty()) {
    JsonObj f;
    f.set("type", "FOOTER");
    f.set("text", a.get("--footer"));
    comps.add(f);
  }
  Poco::JSON::Array buttons;
  for (const auto& q : a.all("--quick-reply")) {
    JsonObj b;
    b.set("type", "QUICK_REPLY");
    b.set("text", q);
    buttons.add(b);
  }
  for (const auto& u : a.all("--url-button")) {
    std::string text, url;
    if (!split_pair(u, text, url)) {
      problem = "--url-button: TEXT=URL";
      return nullptr;
    }
    JsonObj b;
    b.set("type", "URL");
    b.set("text", text);
    b.set("url", url);
    buttons.add(b);
  }
  if (!a.get("--phone-button").empty()) {
    std::string text, phone;
    if (!split_pair(a.get("--phone-button"), text, phone)) {
      problem = "--phone-button: TEXT=+NUMBER";
      return nullptr;
    }
    JsonObj b;
    b.set("type", "PHONE_NUMBER");
    b.set("text", text);
    b.set("phone_number", phone);
    buttons.add(b);
  }
  if (buttons.size() > 0) {
    JsonObj bs;
    bs.set("type", "BUTTONS");
    bs.set("buttons", buttons);
    comps.add(bs);
  }
  t->set("components", comps);
  return t;
}

// The send form's components from --header-param and --param (text parameters, in order).
Poco::JSON::Array send_components(const Args& a) {
  Poco::JSON::Array comps;
  auto params = [](const std::vector<std::string>& values) {
    Poco::JSON::Array ps;
    for (const auto& v : values) {
      JsonObj p;
      p.set("type", "text");
      p.set("text", v);
      ps.add(p);
    }
    return ps;
  };
  if (a.has("--header-param")) {
    JsonObj h;
    h.set("type", "header");
    h.set("parameters", params(a.all("--header-param")));
    comps.add(h);
  }
  if (a.has("--param")) {
    JsonObj b;
    b.set("type", "body");
    b.set("parameters", params(a.all("--param")));
    comps.add(b);
  }
  return comps;
}

std::string show_preview(const JsonObj& a) {
  std::ostringstream out;
  out << a.optValue<std::string>("text", "") << "\n";
  out << "status: " << a.optValue<std::string>("status", "-")
      << ", sendable: " << (a.optValue<bool>("sendable", false) ? "yes" : "no") << "\n";
  auto problems = a.getArray("problems");
  for (size_t i = 0; problems && i < problems->size(); ++i) {
    ObjPtr p = problems->getObject(static_cast<unsigned>(i));
    if (p) {
      out << "problem: " << p->optValue<std::string>("field", "") << ": "
          << p->optValue<std::string>("message", "") << "\n";
    }
  }
  return out.str();
}

// Polls GET /v1/messages/{id} until the channel has answered: exit 0 once the provider took the
// message, 1 with its reason when it failed. Still queued at the deadline is no failure (the
// outbox keeps trying): a note says so.
int await_outcome(const Ctx& c, Session& s, const JsonObj& accepted, int wait_seconds) {
  const std::string id = accepted.has("id") ? accepted.get("id").toString() : "";
  if (id.empty()) return kExitOk;
  constexpr auto kPoll = std::chrono::milliseconds(250);
  const int polls = wait_seconds * 4;
  int code = kExitOk;
  for (int i = 0;; ++i) {
    auto r = s.call({"GET", "/v1/messages/" + id, "", ""}, code);
    if (!r) return code;
    ObjPtr m = parse_object(r->body);
    const std::string status = m ? m->optValue<std::string>("status", "") : "";
    if (status == "sent" || status == "delivered" || status == "read") return kExitOk;
    if (status == "failed") {
      std::string reason, provider_code;
      auto history = m->getArray("status_history");
      for (size_t k = 0; history && k < history->size(); ++k) {
        ObjPtr e = history->getObject(static_cast<unsigned>(k));
        if (!e || e->optValue<std::string>("status", "") != "failed") continue;
        reason = e->optValue<std::string>("error_text", "");
        provider_code = e->optValue<std::string>("error_code", "");
      }
      return s.fail(kExitFailure, "message " + id + " failed: " +
                                      (reason.empty() ? "the channel gave no reason" : reason) +
                                      (provider_code.empty() ? "" : " (" + provider_code + ")"));
    }
    if (i >= polls) break;
    if (c.env.sleep) {
      c.env.sleep(kPoll);
    } else {
      std::this_thread::sleep_for(kPoll);
    }
  }
  c.err << "note: message " << id << " is still queued after " << wait_seconds
        << " s; the outbox keeps trying (GET /v1/messages/" << id << " shows its status)\n";
  return kExitOk;
}

int template_send(const Ctx& c, const std::string& name) {
  const Args& a = c.args;
  if (a.get("--language").empty()) return usage(c.err, "--language is required");
  const std::string to = a.get("--to"), conversation = a.get("--conversation");
  if (to.empty() && conversation.empty()) {
    return usage(c.err, "--to NUMBER (or --conversation ID) is required");
  }
  if (conversation.empty() && digits_of(to).size() < 6) {
    return usage(c.err, "--to: a phone number in E.164 form (+4915112345678)");
  }
  int wait_seconds = 10;
  if (a.has("--wait")) {
    auto w = parse_integer(a.get("--wait"), 0, 600);
    if (!w) return usage(c.err, "--wait: 0..600 seconds");
    wait_seconds = static_cast<int>(*w);
  }
  Session s(a, c.err, c.env);
  int code = kExitOk;
  if (!s.open(code)) return code;
  auto instance = s.instance(code);
  if (!instance) return code;
  JsonObj payload;
  payload.set("name", name);
  payload.set("language", a.get("--language"));
  Poco::JSON::Array comps = send_components(a);
  if (comps.size() > 0) payload.set("components", comps);
  JsonObj message;
  message.set("content_type", "template");
  message.set("payload", payload);
  std::string key = a.get("--idempotency-key");
  if (key.empty()) key = c.env.new_idempotency_key();

  // Without --conversation the API finds the customer (normalising the number as inbound
  // messages are), joins their open conversation on the instance or starts one.
  std::optional<ApiReply> r;
  if (conversation.empty()) {
    JsonObj recipient;
    recipient.set("address", to);
    JsonObj body;
    body.set("instance_id", *instance);
    body.set("to", recipient);
    body.set("message", message);
    r = s.call({"POST", "/v1/conversations", dump(body), key}, code);
  } else {
    r = s.call({"POST", "/v1/conversations/" + conversation + "/messages", dump(message), key},
               code);
  }
  if (!r) return code;
  ObjPtr answer = parse_object(r->body);
  // The message either way: a start answers {conversation, message, duplicate}.
  ObjPtr m = answer && answer->has("message") ? answer->getObject("message") : answer;
  ObjPtr conv = answer ? answer->getObject("conversation") : nullptr;
  if (m && answer && answer->has("duplicate")) m->set("duplicate", answer->get("duplicate"));
  if (a.json) {
    c.out << (m ? dump(m) : r->body) << "\n";
    return wait_seconds > 0 && m ? await_outcome(c, s, *m, wait_seconds) : kExitOk;
  }
  const std::string id = m && m->has("id") ? m->get("id").toString() : "?";
  std::string where = conversation;
  if (m && m->has("conversation_id")) where = m->get("conversation_id").toString();
  if (conv && conv->has("reference")) {
    where += " (" + conv->optValue<std::string>("reference", "") + ")";
  }
  c.out << "template " << name << " (" << a.get("--language") << ") queued as message " << id
        << " in conversation " << where << " (status "
        << (m ? m->optValue<std::string>("status", "-") : "-") << ")"
        << (r->status == 200 ? "; this idempotency key was used before: not sent again" : "")
        << "\n";
  return wait_seconds > 0 && m ? await_outcome(c, s, *m, wait_seconds) : kExitOk;
}

// Polls template_get until the wanted status (or a final other one, or the timeout).
int template_wait(const Ctx& c, const std::string& name) {
  const Args& a = c.args;
  if (a.get("--language").empty()) return usage(c.err, "--language is required");
  std::string wanted = a.get("--status").empty() ? "APPROVED" : a.get("--status");
  std::transform(wanted.begin(), wanted.end(), wanted.begin(), ::toupper);
  int timeout_s = 60;
  if (!a.get("--timeout").empty()) {
    // Read from its text: 4294967297 is refused, never taken as 1.
    auto t = parse_integer(a.get("--timeout"), 1, 86400);
    if (!t) return usage(c.err, "--timeout: 1..86400 seconds");
    timeout_s = static_cast<int>(*t);
  }
  Session s(a, c.err, c.env);
  int code = kExitOk;
  if (!s.open(code)) return code;
  auto instance = s.instance(code);
  if (!instance) return code;
  JsonObj in;
  in.set("name", name);
  in.set("language", a.get("--language"));
  if (!a.get("--waba-id").empty()) in.set("waba_id", a.get("--waba-id"));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  std::string status, raw;
  for (;;) {
    ObjPtr t = s.op(*instance, "template_get", in, code, &raw);
    if (!t) return code;
    status = t->optValue<std::string>("status", "");
    if (status == wanted) break;
    const bool final = status == "REJECTED" || status == "DISABLED";
    if (final || std::chrono::steady_clock::now() >= deadline) {
      return s.fail(kExitFailure,
                    "template " + name + " (" + a.get("--language") + ") is " +
                        (status.empty() ? "unknown" : status) +
                        (final ? "" : " after " + std::to_string(timeout_s) + " s") + ", not " +
                        wanted +
                        (t->has("reason") ? ": " + t->optValue<std::string>("reason", "") : ""));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  if (a.json) {
    c.out << raw << "\n";
  } else {
    c.out << "template " << name << " (" << a.get("--language") << ") is " << status << "\n";
  }
  return kExitOk;
}

int templates_cmd(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err,
                  const WaCliEnv& env) {
  const std::string sub = argv.size() > 2 ? argv[2] : "";
  const Spec create = {
      {"--file", "--name", "--language", "--category", "--body", "--header", "--header-example",
       "--footer", "--phone-button", "--waba-id", "--token-ref"},
      {"--example", "--quick-reply", "--url-button"},
      {},
      0};
  const std::map<std::string, Spec> specs = {
      {"list", {{"--status", "--name", "--waba-id", "--token-ref"}, {}, {"--sync"}, 0}},
      {"sync", {{"--waba-id", "--token-ref"}, {}, {}, 0}},
      {"show", {{"--language", "--waba-id"}, {}, {}, 1}},
      {"create", create},
      {"validate", create},
      {"wait", {{"--language", "--status", "--timeout", "--waba-id"}, {}, {}, 1}},
      {"delete", {{"--language", "--waba-id", "--token-ref"}, {}, {}, 1}},
      {"preview", {{"--language", "--waba-id"}, {"--param", "--header-param"}, {}, 1}},
      {"send",
       {{"--language", "--to", "--conversation", "--idempotency-key", "--wait"},
        {"--param", "--header-param"},
        {},
        1}},
  };
  auto spec = specs.find(sub);
  if (spec == specs.end()) {
    return usage(err, sub.empty() ? "templates needs a command"
                                  : "unknown templates command \"" + sub + "\"");
  }
  Args a;
  std::string problem;
  if (!parse_args(argv, 3, spec->second, a, problem)) return usage(err, problem);
  const Ctx c{a, out, err, env};
  const std::string name = a.positional.empty() ? "" : a.positional[0];
  if (spec->second.max_positional == 1 && name.empty()) {
    return usage(err, "templates " + sub + " needs the template NAME");
  }
  if (sub == "send") return template_send(c, name);
  if (sub == "wait") return template_wait(c, name);
  JsonObj in;
  // Another WABA than the instance's, and the secret holding its token.
  JsonObj waba;
  if (!a.get("--waba-id").empty()) waba.set("waba_id", a.get("--waba-id"));
  if (!a.get("--token-ref").empty()) waba.set("token", a.get("--token-ref"));
  if (sub != "list") in = waba;
  if (sub == "list") {
    if (!a.get("--status").empty()) in.set("status", a.get("--status"));
    if (!a.get("--name").empty()) in.set("name", a.get("--name"));
    if (!a.get("--waba-id").empty()) in.set("waba_id", a.get("--waba-id"));
    if (a.has("--sync")) {
      Session s(a, err, env);
      int code = kExitOk;
      if (!s.open(code)) return code;
      auto instance = s.instance(code);
      if (!instance || !s.op(*instance, "template_sync", waba, code)) return code;
    }
    return run_op(c, "template_list", in, [](const JsonObj& r) {
      auto arr = r.getArray("templates");
      return arr ? format_templates(*arr) : format_templates(Poco::JSON::Array());
    });
  }
  if (sub == "sync") {
    return run_op(c, "template_sync", in, [](const JsonObj& r) {
      return std::to_string(r.optValue<int64_t>("templates", 0)) +
             " template(s) synced from the WABA\n";
    });
  }
  if (sub == "show") {
    if (a.get("--language").empty()) return usage(err, "--language is required");
    in.set("name", name);
    in.set("language", a.get("--language"));
    return run_op(c, "template_get", in, [](const JsonObj& r) { return format_template(r); });
  }
  if (sub == "delete") {
    in.set("name", name);
    if (!a.get("--language").empty()) in.set("language", a.get("--language"));
    return run_op(c, "template_delete", in, [name](const JsonObj& r) {
      return "template " + name + " deleted (" + std::to_string(r.optValue<int64_t>("removed", 0)) +
             " language(s) removed locally)\n";
    });
  }
  if (sub == "preview") {
    if (a.get("--language").empty()) return usage(err, "--language is required");
    in.set("name", name);
    in.set("language", a.get("--language"));
    in.set("components", send_components(a));
    return run_op(c, "template_preview", in, show_preview);
  }
  // create / validate
  ObjPtr t = template_from_args(a, problem);
  if (!t) return usage(err, problem);
  if (sub == "validate") {
    Session s(a, err, env);
    int code = kExitOk;
    if (!s.open(code)) return code;
    auto instance = s.instance(code);
    if (!instance) return code;
    std::string raw;
    ObjPtr r = s.op(*instance, "template_validate", *t, code, &raw);
    if (!r) return code;
    const bool ok = r->optValue<bool>("ok", false);
    if (a.json) {
      out << raw << "\n";
    } else if (ok) {
      out << "template is valid\n";
    } else {
      auto errors = r->getArray("errors");
      for (size_t i = 0; errors && i < errors->size(); ++i) {
        ObjPtr e = errors->getObject(static_cast<unsigned>(i));
        if (e) {
          err << "error: " << e->optValue<std::string>("field", "") << ": "
              << e->optValue<std::string>("message", "") << "\n";
        }
      }
    }
    return ok ? kExitOk : kExitFailure;
  }
  // The template itself, or wrapped with the WABA it goes to.
  JsonObj create_in = *t;
  if (waba.size() > 0) {
    create_in = waba;
    create_in.set("template", t);
  }
  return run_op(c, "template_create", create_in, [](const JsonObj& r) {
    ObjPtr rec = r.getObject("template");
    return "created; Meta reviews it (see `templates wait`)\n" +
           (rec ? format_template(*rec) : std::string());
  });
}

}  // namespace

WaCliEnv default_wa_cli_env() {
  WaCliEnv env;
  env.getenv = [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
  env.connect = [](const std::string& url, const std::string& token) {
    return http_transport(url, token);
  };
  env.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  env.new_idempotency_key = [] {
    std::random_device rd;
    std::ostringstream s;
    s << "cli-" << std::hex << rd() << rd() << rd();
    return s.str();
  };
  return env;
}

int whatsapp_command(const std::vector<std::string>& given, std::ostream& out, std::ostream& err,
                     const WaCliEnv& env) {
  // Options before the group (`whatsapp --instance wa-2 numbers list`) move behind the command.
  std::vector<std::string> args(given.begin(), given.begin() + (given.empty() ? 0 : 1));
  std::vector<std::string> leading;
  size_t i = 1;
  while (i < given.size() && (given[i].starts_with("--") || given[i] == "-v") &&
         given[i] != "--help") {
    const std::string flag = given[i].substr(0, given[i].find('='));
    const bool takes_value =
        std::find(kGlobalFlags.begin(), kGlobalFlags.end(), flag) != kGlobalFlags.end() &&
        given[i].find('=') == std::string::npos;
    leading.push_back(given[i++]);
    if (takes_value && i < given.size()) leading.push_back(given[i++]);
  }
  args.insert(args.end(), given.begin() + static_cast<std::ptrdiff_t>(std::min(i, given.size())),
              given.end());
  if (args.size() > 3) {
    args.insert(args.begin() + 3, leading.begin(), leading.end());
  } else {
    args.insert(args.end(), leading.begin(), leading.end());
  }
  const std::string group = args.size() > 1 ? args[1] : "";
  const bool help = std::any_of(args.begin(), args.end(),
                                [](const std::string& a) { return a == "--help" || a == "-h"; });
  if (help || group == "help") {
    out << kHelp;
    return kExitOk;
  }
  if (group == "numbers") return numbers_cmd(args, out, err, env);
  if (group == "templates") return templates_cmd(args, out, err, env);
  err << "error: "
      << (group.empty() ? "whatsapp needs numbers or templates"
                        : "unknown whatsapp command \"" + group + "\"")
      << "\n"
      << kHelp;
  return kExitUsage;
}

}  // namespace sb::app
