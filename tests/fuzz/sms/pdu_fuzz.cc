// libFuzzer target: the SMPP framing and PDU decoders on arbitrary bytes, as a session reads them
// from a socket. Built and run briefly by scripts/fuzz-sms (clang, -fsanitize=fuzzer,address).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "pdu.hpp"
#include "text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::size_t at = 0;
  while (at < in.size()) {
    sms::Pdu pdu;
    std::size_t used = 0;
    const sms::FrameResult r = sms::next_frame(in.substr(at), 4096, &pdu, &used);
    if (r != sms::FrameResult::kPdu) break;
    at += used;
    std::string err;
    if (auto sm = sms::decode_short_message(pdu.body, &err)) {
      if (auto u = sms::split_udh(sm->short_message)) {
        (void)sms::decode_text(sm->data_coding, u->payload);
      }
      (void)sms::sar_of(sm->tlvs);
      (void)sms::decode_text(sm->data_coding, sm->short_message);
      (void)sms::encode_short_message(*sm);
    }
    (void)sms::decode_data_sm(pdu.body, &err);
    (void)sms::decode_bind(pdu);
    (void)sms::decode_message_id(pdu.body);
    (void)sms::command_name(pdu.command_id);
    (void)sms::status_name(pdu.status);
  }
  if (size > 0) (void)sms::decode_text(data[0], in.substr(1));
  return 0;
}
