// libFuzzer target: delivery receipt parsing (Appendix B text and TLVs), id normalisation and the
// receipt tracker's matching, on arbitrary input. Built and run briefly by scripts/fuzz-sms.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "receipt.hpp"
#include "receipt_tracker.hpp"
#include "text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  // The first octet splits the input into a TLV area and the receipt text.
  const std::size_t cut = size > 0 ? data[0] % (size) : 0;
  std::vector<sms::Tlv> tlvs;
  std::string_view t = in.substr(size > 0 ? 1 : 0, cut > 0 ? cut - 1 : 0);
  while (t.size() >= 3) {
    const auto len = static_cast<std::size_t>(static_cast<uint8_t>(t[2]) % 70);
    const std::size_t take = len < t.size() - 3 ? len : t.size() - 3;
    tlvs.push_back({static_cast<uint16_t>(static_cast<uint8_t>(t[0]) & 1 ? 0x001E : 0x0427),
                    std::string(t.substr(3, take))});
    t.remove_prefix(3 + take);
  }
  const std::string text(in.substr(cut));
  sms::ReceiptTracker tracker(1000, 10000);
  tracker.record(1, {"0A1B2C3D", "169552957", ""}, 0);
  if (auto r = sms::parse_receipt(text, tlvs)) {
    (void)sms::map_stat(r->stat);
    (void)sms::parse_receipt_date(r->done_date);
    (void)sms::alternate_ids(r->id);
    sms::ReceiptUpdate u;
    (void)tracker.apply(*r, 1, &u);
    (void)tracker.expire(2000);
  }
  (void)sms::normalize_id(text);
  (void)sms::alternate_ids(text);
  (void)sms::gsm_decode(text);
  (void)sms::ucs2_decode(text);
  sms::PlanError e;
  (void)sms::plan_text(text, {}, &e);
  return 0;
}
