#include "window.hpp"

#include <algorithm>
#include <charconv>

namespace wa {

std::string WindowStore::key(std::string_view phone_number_id, std::string_view customer) {
  return "win/" + std::string(phone_number_id) + "/" + digits_only(customer);
}

void WindowStore::on_inbound(std::string_view pnid, std::string_view customer, int64_t at_ms) {
  if (at_ms <= last_inbound_ms(pnid, customer)) return;
  host_.kv_put(key(pnid, customer), std::to_string(at_ms));
}

void WindowStore::close(std::string_view pnid, std::string_view customer) {
  host_.kv_put(key(pnid, customer), "0");
}

int64_t WindowStore::last_inbound_ms(std::string_view pnid, std::string_view customer) const {
  std::optional<std::string> raw = host_.kv_get(key(pnid, customer));
  if (!raw) return 0;
  int64_t v = 0;
  auto r = std::from_chars(raw->data(), raw->data() + raw->size(), v);
  return r.ec == std::errc() ? v : 0;
}

int64_t WindowStore::expires_at_ms(std::string_view pnid, std::string_view customer,
                                   int64_t hint_ms) const {
  std::optional<std::string> raw = host_.kv_get(key(pnid, customer));
  // An explicit close ("0") outranks the host's hint until the customer writes again.
  int64_t last = last_inbound_ms(pnid, customer);
  if (!(raw && *raw == "0")) last = std::max(last, hint_ms);
  return last == 0 ? 0 : last + kWindowMs;
}

bool WindowStore::is_open(std::string_view pnid, std::string_view customer, int64_t now_ms,
                          int64_t hint_ms) const {
  return now_ms < expires_at_ms(pnid, customer, hint_ms);
}

}  // namespace wa
