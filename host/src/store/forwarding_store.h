// A Store that hands every call to another one. Decorators (group commit, the cost ledger) derive
// from it and override only the calls they change.
#pragma once

#include <memory>
#include <utility>

#include "store/store.h"

namespace sb::store {

class ForwardingStore : public Store {
 public:
  Result<std::vector<InsertOutcome>> insert_inbound(std::span<const InboundMessage> b) override {
    return inner_->insert_inbound(b);
  }
  Result<std::vector<std::vector<InsertOutcome>>> insert_inbound_groups(
      std::span<const std::span<const InboundMessage>> g) override {
    return inner_->insert_inbound_groups(g);
  }
  Result<std::vector<InboundResult>> insert_inbound_resolved(
      std::span<const InboundMessage> b) override {
    return inner_->insert_inbound_resolved(b);
  }
  Result<std::vector<std::vector<InboundResult>>> insert_inbound_resolved_groups(
      std::span<const std::span<const InboundMessage>> g) override {
    return inner_->insert_inbound_resolved_groups(g);
  }
  Result<int64_t> insert_outbound(const OutboundMessage& m) override {
    return inner_->insert_outbound(m);
  }
  Status set_provider_id(int64_t id, std::string_view pid) override {
    return inner_->set_provider_id(id, pid);
  }
  using Store::apply_delivery;
  Status apply_delivery(const DeliveryUpdate& u, DeliveryApplied* applied) override {
    return inner_->apply_delivery(u, applied);
  }
  Result<std::optional<std::string>> kv_get(std::string_view i, std::string_view k) override {
    return inner_->kv_get(i, k);
  }
  Status kv_put(std::string_view i, std::string_view k, std::string_view v) override {
    return inner_->kv_put(i, k, v);
  }
  Status kv_delete(std::string_view i, std::string_view k) override {
    return inner_->kv_delete(i, k);
  }
  Result<std::vector<InstanceCounters>> counters() override { return inner_->counters(); }
  Result<std::optional<MessageRecord>> get_message(int64_t id) override {
    return inner_->get_message(id);
  }
  Result<std::optional<MessageRecord>> find_inbound(std::string_view i,
                                                    std::string_view p) override {
    return inner_->find_inbound(i, p);
  }
  Result<std::vector<StatusEvent>> status_history(int64_t id) override {
    return inner_->status_history(id);
  }
  Result<std::vector<Attachment>> attachments(int64_t id) override {
    return inner_->attachments(id);
  }
  ModelStore* model() override { return inner_->model(); }
  OutboxStore* outbox() override { return inner_->outbox(); }
  RoutingStore* routing() override { return inner_->routing(); }
  CostStore* costs() override { return inner_->costs(); }
  int schema_version() const override { return inner_->schema_version(); }
  uint64_t commit_count() const override { return inner_->commit_count(); }

 protected:
  explicit ForwardingStore(std::unique_ptr<Store> inner) : inner_(std::move(inner)) {}
  Store& inner() { return *inner_; }

 private:
  std::unique_ptr<Store> inner_;
};

}  // namespace sb::store
