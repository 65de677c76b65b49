// Onboarding of business numbers (§1) through invoke: add_number, request_code, verify_code,
// set_pin, register, deregister, set_display_name, request_official_account, refresh, get_number,
// list_numbers. Added numbers are usable at once (inbound, sends), without a config change.
// Each number's state lives in kv ("num/<phone_number_id>") and is shown to operators:
// verification, display name and its review, quality rating, messaging tier, throughput,
// official-account status. Account webhooks (§1.13) update the same state.
#pragma once

#include "config.hpp"
#include "graph.hpp"
#include "webhook.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace wa {

class Onboarding {
 public:
  // `on_throughput(pnid, mps)` is told when Meta raises or sets a number's throughput level.
  Onboarding(const sw::Host& host, const Config& config, const GraphClient& graph,
             std::function<void(const std::string&, double)> on_throughput)
      : host_(host), config_(config), graph_(graph), on_throughput_(std::move(on_throughput)) {}

  // Runs op; nullopt when op is not an onboarding operation.
  std::optional<sw::Result<std::string>> invoke(std::string_view op, const json::Value& in);

  // An account-level webhook change (name, quality, alerts, security, capability, account).
  void apply_change(const AccountChange& change);

  json::Value state(const std::string& phone_number_id) const;
  std::vector<std::string> known_numbers() const;  // configured and added ones
  // The phone-number id of a known number given by id or display number.
  std::optional<std::string> resolve(std::string_view id_or_display) const;

 private:
  void save(const std::string& pnid, const json::Value& st);
  void patch(const std::string& pnid,
             std::initializer_list<std::pair<const char*, json::Value>> kv);
  std::optional<std::string> pnid_by_display(std::string_view display) const;
  sw::Result<std::string> pnid_arg(const json::Value& in) const;
  void remember(const std::string& pnid);  // adds to the kv list of added numbers
  void apply_number_fields(const std::string& pnid, const json::Value& fields);

  sw::Result<std::string> add_number(const json::Value& in);
  sw::Result<std::string> attach_number(const json::Value& in);
  sw::Result<std::string> request_code(const json::Value& in);
  sw::Result<std::string> verify_code(const json::Value& in);
  sw::Result<std::string> set_pin(const json::Value& in);
  sw::Result<std::string> register_number(const json::Value& in);
  sw::Result<std::string> deregister(const json::Value& in);
  sw::Result<std::string> set_display_name(const json::Value& in);
  sw::Result<std::string> request_official_account(const json::Value& in);
  sw::Result<std::string> refresh(const json::Value& in);
  sw::Result<std::string> get_number(const json::Value& in);
  sw::Result<std::string> list_numbers() const;

  const sw::Host& host_;
  const Config& config_;
  const GraphClient& graph_;
  std::function<void(const std::string&, double)> on_throughput_;
};

// Meta's throughput level as messages per second (§5.5).
double mps_for_level(std::string_view level);

}  // namespace wa
