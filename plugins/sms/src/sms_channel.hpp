// The SMS channel: one instance is one SMPP account at one SMSC, with one or more binds
// (session.hpp). send() encodes and splits the text (text.hpp), queues its submit_sm parts and
// answers pending; the outcome comes back through complete_send from the session's thread. Receipts
// become delivery reports (receipt_tracker.hpp); MO messages are stored through submit_inbound
// before the deliver_sm_resp goes out (inbound.cpp). "preview" tells what a text costs before
// sending it.
#pragma once

#include "config.hpp"
#include "reassembly.hpp"
#include "receipt_tracker.hpp"
#include "session.hpp"

#include <switchboard/sdk.hpp>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace sms {

class SmsChannel : public sw::Channel, public SessionSink {
 public:
  SmsChannel(sw::Host host, std::string_view instance_id, std::string_view config_json);
  ~SmsChannel() override;

  static std::string config_schema() { return config_schema_json(); }
  static sw::Status validate_config(std::string_view json);

  sw::Status start() override;
  void stop() override;
  sw::SendResult send(const sw::OutboundMessage& message) override;
  sw::CanSendAnswer can_send(const sw::CanSendQuery& query) override;
  sw::Result<std::string> invoke(std::string_view op, std::string_view json_in) override;
  sw::Health health() override;

 private:
  // SessionSink, on the session's thread.
  void on_outcome(int64_t message_id, const SubmitOutcome& outcome) override;
  uint32_t on_deliver(const ShortMessage& sm, uint32_t command_id) override;
  void on_state(int32_t state, const std::string& reason) override;
  void on_log(int32_t level, const std::string& message) override;
  void on_tick() override;
  void complete(int64_t message_id, const SubmitOutcome& outcome);  // on the strand

  // inbound.cpp
  uint32_t on_receipt(const ShortMessage& sm);
  uint32_t on_mo(const ShortMessage& sm);
  uint32_t store_mo(const ShortMessage& sm, const std::string& id, std::string text,
                    std::string payload_json, std::string raw);
  uint32_t on_mo_part(const ShortMessage& sm, const ConcatInfo& c, std::string payload);
  void store_reassembled(const Reassembled& r);
  void restore_parts();
  std::string mo_id(std::string_view fingerprint);
  void report(const ReceiptUpdate& u);

  sw::Result<std::string> preview(std::string_view json_in);
  std::string sender_for(std::string_view from) const;

  std::string instance_id_;
  sw::Status config_status_;
  Config config_;
  std::unique_ptr<Session> session_;
  std::map<std::string, uint16_t> concat_refs_;  // (sender, destination) -> next reference
  std::string degraded_;                         // set when start found no usable config/secret

  // Session thread only.
  ReceiptTracker receipts_;
  Reassembler reassembler_;
  std::map<std::string, int64_t> mo_seen_;  // MO fingerprint -> first seen (dedupe window)

  mutable std::mutex mu_;  // guards the counters below, read by health()
  uint64_t mo_stored_ = 0, mo_duplicates_ = 0, receipts_matched_ = 0, receipts_unmatched_ = 0;
  uint64_t receipts_bad_ = 0;
  int32_t state_ = SB_STATE_STARTING;
  std::string state_reason_;
};

}  // namespace sms
