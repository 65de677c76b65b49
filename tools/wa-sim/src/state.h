// The simulator's in-memory world: WABAs, phone numbers, templates, users, messages, media.
// Guarded by Sim's mutex; nothing here is persisted.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "json.h"
#include "rate.h"

namespace wasim {

struct AccessToken {
  int64_t expires_at_s = 0;  // 0: never expires (system-user token)
  std::set<std::string> permissions;
  // WABAs the token's system user has been given (Meta's asset assignment); empty = every WABA.
  std::set<std::string> wabas;
};

struct Waba {
  std::string id;
  std::string name;
  bool business_verified = false;
  int max_phone_numbers = 2;  // registered numbers per portfolio; 20 once verified
  std::string messaging_limit = "TIER_250";
  std::string override_uri;
  std::vector<int64_t> template_creations_ms;
  std::map<std::string, int64_t> deleted_names_ms;           // name -> when it was deleted
  std::map<std::string, int64_t> reached_outside_window_ms;  // wa_id -> last business-initiated
};

struct PhoneNumber {
  std::string id;
  std::string waba_id;
  std::string cc;
  std::string number;  // national part, digits only
  std::string verified_name;
  std::string code_verification_status = "NOT_VERIFIED";
  std::string name_status = "PENDING_REVIEW";
  std::string status = "PENDING";
  std::string quality_rating = "UNKNOWN";
  std::string platform_type = "NOT_APPLICABLE";
  std::string account_mode = "LIVE";
  std::string throughput_level = "STANDARD";
  std::string messaging_limit_tier = "TIER_250";
  std::optional<std::string> new_display_name;
  std::optional<std::string> new_name_status;
  int64_t name_approved_ms = 0;  // approval of new_display_name; re-register within 14 days
  std::vector<int64_t> name_changes_ms;
  std::optional<std::string> code;  // last verification code sent
  int64_t code_sent_ms = 0;
  bool code_expired = false;
  std::optional<std::string> pin;
  int wrong_pins = 0;
  int64_t last_pin_attempt_ms = 0;
  std::vector<int64_t> registrations_ms;  // register + deregister calls, for the 10/72 h limit
  std::string oba_status = "NOT_STARTED";
  bool is_official = false;
  std::string override_uri;
  std::string data_localization_region;
  bool identity_key_check = false;  // user_identity_change: docs/whatsapp-cloud-api.md §1.12
  Obj business_profile;
  double mps = 80;
  int64_t maintenance_until_ms = 0;  // throughput upgrade in progress -> 131057
  bool spam_limited = false;         // marketing sends fail 131048 (quality-based spam limit)
  TokenBucket throughput;

  std::string digits() const { return cc + number; }
};

struct Template {
  std::string id;
  std::string waba_id;
  std::string name;
  std::string language;
  std::string category;
  std::string parameter_format = "POSITIONAL";
  Arr components;
  std::string status = "PENDING";
  std::string reason = "NONE";
  std::string quality = "UNKNOWN";
  int64_t created_ms = 0;
  uint64_t created_seq = 0;        // creation order when the clock has not moved
  uint64_t review_generation = 0;  // an edit invalidates a scheduled review
};

struct User {
  std::string state = "ok";  // ok | not_whatsapp | blocked
  bool read_receipts = true;
  std::string name = "Test User";
  bool marketing_opt_out = false;  // -> 131050
  bool marketing_capped = false;   // -> 131049
  std::string identity_key_hash;   // current identity; a send with another hash fails 137000
};

struct SentMessage {
  std::string wamid;
  std::string phone_number_id;
  std::string input;
  std::string wa_id;
  std::string type;
  std::string category;      // pricing category
  std::string pricing_type;  // regular | free_customer_service
  std::string conversation_id;
  std::optional<std::string> biz_opaque;
  std::vector<std::string> statuses;
  Obj request;
  int64_t at_ms = 0;
};

struct InboundMessage {
  std::string wamid;
  std::string phone_number_id;
  std::string from;
  std::string type;
  int64_t at_ms = 0;
  bool read = false;
  int64_t read_at_ms = 0;  // when the business first marked it (or a later one) read
  int read_requests = 0;   // mark-as-read calls naming exactly this message
};

struct Media {
  std::string id;
  std::string phone_number_id;
  std::string mime_type;
  std::string sha256;
  std::string data;
  int64_t at_ms = 0;
};

// Fault injection: the next `remaining` requests whose path matches `pattern` (glob, `*`).
struct Fault {
  std::string pattern;
  std::string method;  // empty: any
  int remaining = 1;
  int http_status = 0;  // 0: no error response, only the delay
  int code = 0;
  int64_t delay_ms = 0;
};

using PairKey = std::pair<std::string, std::string>;  // (phone number id, wa_id)

struct Settings {
  bool csw_sync_error = false;  // 131047 synchronously instead of a failed status webhook
  int verify_code_error = 100;
  int max_wrong_pins = 5;
  int64_t code_ttl_ms = 10 * 60 * 1000;
  int64_t sent_delay_ms = 0;
  int64_t delivered_delay_ms = 1000;  // negative: never delivered
  int64_t read_delay_ms = 2000;       // negative: never read
  bool skip_delivered = false;
  int64_t review_delay_ms = 5000;
  std::string review_outcome = "APPROVED";
  std::string review_reason = "NONE";
  bool held_for_quality = false;
  int webhook_major = 24;  // webhook payload version: conversation omitted from v24
  double default_mps = 80;
  double pair_rate_per_s = 1.0 / 6.0;
  double pair_burst = 45;
  int64_t name_reuse_block_ms = 30LL * 24 * 3600 * 1000;
  int templates_per_hour = 100;
  std::string app_callback;  // --webhook-url
  // Whether the last GET handshake (§4.1) against app_callback succeeded. Run when the URL is
  // configured through /_sim/config, as Meta's "Verify and save"; a URL from the command line is
  // not verified until /_sim/webhooks/verify (the receiver usually starts after the simulator).
  bool app_callback_verified = false;
  std::string verify_token;
  std::vector<std::string> versions;      // empty: any vNN.N
  bool mirror_throughput_errors = false;  // also send 130429 as a value.errors webhook
  bool hyphen_template_language = false;  // "en-US" in template webhooks, as Meta's sample
  bool enforce_messaging_limit = true;    // unique users outside the window per 24 h
  int messaging_limit_error = 131048;     // no documented code: configurable
};

}  // namespace wasim
