// Onboarding of business numbers (docs/whatsapp-cloud-api.md §1) through invoke: add_number,
// request_code, verify_code, set_pin, register, deregister, set_display_name,
// request_official_account, refresh, get_number, list_numbers. Added numbers are usable at once
// (inbound, sends), without a config change.
// Each number's state lives in kv ("num/<phone_number_id>") and is shown to operators:
// verification, display name and its review, quality rating, messaging tier, throughput,
// official-account status. Account webhooks (§1.13) update the same state.
// A number may belong to another WABA than the instance's default one and use its own token: the
// state keeps the WABA id and the token's secret NAME ("token"; never the value), so both survive
// restarts; every Graph call for the number goes through graph_for(pnid).
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
  // SB_OK, or the host's error when the new state could not be saved (Meta must deliver again).
  int32_t apply_change(const AccountChange& change);

  // Reads a number's state from the Graph API (what "refresh" does for one number) and saves it.
  sw::Status load_from_graph(const std::string& pnid);

  json::Value state(const std::string& phone_number_id) const;
  std::vector<std::string> known_numbers() const;  // configured and added ones
  // The phone-number id of a known number given by id or display number.
  std::optional<std::string> resolve(std::string_view id_or_display) const;

  // The secret name of a number's token ("access_token" unless it was added with its own) and
  // its WABA (the instance's waba_id unless it was added with another).
  std::string token_for(const std::string& pnid) const;
  std::string waba_for(const std::string& pnid) const;
  GraphClient graph_for(const std::string& pnid) const {
    return graph_.with_token(token_for(pnid));
  }
  // The token to use for WABA-level calls (templates): `token` if given (it must name a secret),
  // else the token of a number of that WABA, else the default one for the instance's own WABA.
  sw::Result<GraphClient> graph_for_waba(const std::string& waba_id, std::string_view token) const;
  // invalid_argument naming `token` when no secret of that name is configured (value never shown).
  sw::Status check_token(std::string_view token) const;

 private:
  // Both answer the host's kv_put status (logged when it failed).
  int32_t save(const std::string& pnid, const json::Value& st);
  int32_t patch(const std::string& pnid,
                std::initializer_list<std::pair<const char*, json::Value>> kv);
  std::optional<std::string> pnid_by_display(std::string_view display) const;
  sw::Result<std::string> pnid_arg(const json::Value& in) const;
  void remember(const std::string& pnid);  // adds to the kv list of added numbers
  int32_t apply_number_fields(const std::string& pnid, const json::Value& fields);

  sw::Result<std::string> add_number(const json::Value& in);
  sw::Result<std::string> attach_number(const json::Value& in, const std::string& waba,
                                        const std::string& token);
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
