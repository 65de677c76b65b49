// SMPP 3.4 PDU encoding and decoding against the reference byte dumps, and framing of bad input.
#include "pdu.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

namespace sms {
namespace {

std::string bytes(std::string_view hexs) {
  std::string out;
  std::istringstream in{std::string(hexs)};
  std::string tok;
  while (in >> tok) out.push_back(static_cast<char>(std::stoi(tok, nullptr, 16)));
  return out;
}

TEST(SmsPdu, HeaderOnlyVectors) {
  EXPECT_EQ(encode_header_only(cmd::kEnquireLink, 0, 7),
            bytes("00 00 00 10 00 00 00 15 00 00 00 00 00 00 00 07"));
  EXPECT_EQ(encode_header_only(cmd::kEnquireLink | cmd::kRespBit, 0, 7),
            bytes("00 00 00 10 80 00 00 15 00 00 00 00 00 00 00 07"));
  EXPECT_EQ(encode_header_only(cmd::kGenericNack, status::kInvCmdId, 5),
            bytes("00 00 00 10 80 00 00 00 00 00 00 03 00 00 00 05"));
  EXPECT_EQ(encode(Pdu{cmd::kDeliverSm | cmd::kRespBit, 0, 9, encode_message_id_body("")}),
            bytes("00 00 00 11 80 00 00 05 00 00 00 00 00 00 00 09 00"));
}

TEST(SmsPdu, BindTransceiverVector) {
  BindRequest b;
  b.system_id = "sb";
  b.password = "secret";
  EXPECT_EQ(encode_bind(b, 1), bytes("00 00 00 1f 00 00 00 09 00 00 00 00 00 00 00 01 73 62 00 73 "
                                     "65 63 72 65 74 00 00 34 00 00 00"));
  Pdu p;
  std::size_t used = 0;
  ASSERT_EQ(next_frame(encode_bind(b, 1), kDefaultMaxPduSize, &p, &used), FrameResult::kPdu);
  auto back = decode_bind(p);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->system_id, "sb");
  EXPECT_EQ(back->password, "secret");
}

TEST(SmsPdu, SubmitSmVectorAndRoundTrip) {
  ShortMessage sm;
  sm.source_ton = 5;
  sm.source_addr = "Switchbd";
  sm.dest_ton = 1;
  sm.dest_npi = 1;
  sm.dest_addr = "447700900123";
  sm.registered_delivery = 1;
  sm.short_message = bytes("48 69 20 1b 65");
  auto body = encode_short_message(sm);
  ASSERT_TRUE(body);
  EXPECT_EQ(encode(Pdu{cmd::kSubmitSm, 0, 2, *body}),
            bytes("00 00 00 3a 00 00 00 04 00 00 00 00 00 00 00 02 00 05 00 53 77 69 74 63 68 62 "
                  "64 00 01 01 34 34 37 37 30 30 39 30 30 31 32 33 00 00 00 00 00 00 01 00 00 00 "
                  "05 48 69 20 1b 65"));
  sm.tlvs.push_back({tag::kSarMsgRefNum, bytes("01 02")});
  sm.tlvs.push_back({0x1234, "zz"});  // unknown TLVs are kept, and skipped by readers
  std::string err;
  auto back = decode_short_message(*encode_short_message(sm), &err);
  ASSERT_TRUE(back) << err;
  EXPECT_EQ(back->dest_addr, "447700900123");
  EXPECT_EQ(back->short_message, sm.short_message);
  ASSERT_EQ(back->tlvs.size(), 2u);
  sm.dest_addr = std::string(21, '1');  // longer than the field allows
  EXPECT_FALSE(encode_short_message(sm));
}

TEST(SmsPdu, SubmitSmRespWithAndWithoutBody) {
  Pdu p;
  std::size_t used = 0;
  ASSERT_EQ(next_frame(bytes("00 00 00 19 80 00 00 04 00 00 00 00 00 00 00 02 30 61 31 62 32 63 "
                             "33 64 00"),
                       kDefaultMaxPduSize, &p, &used),
            FrameResult::kPdu);
  EXPECT_EQ(used, 25u);
  EXPECT_EQ(decode_message_id(p.body), "0a1b2c3d");
  ASSERT_EQ(next_frame(bytes("00 00 00 10 80 00 00 04 00 00 00 58 00 00 00 03"), kDefaultMaxPduSize,
                       &p, &used),
            FrameResult::kPdu);
  EXPECT_EQ(p.status, status::kThrottled);
  EXPECT_EQ(decode_message_id(p.body), "");
  EXPECT_EQ(decode_message_id(std::string(1, '\0')), "");
  EXPECT_FALSE(decode_message_id("abc"));  // no NUL
}

TEST(SmsPdu, FramingRejectsBadLengthsAndWaitsForMore) {
  Pdu p;
  std::size_t used = 0;
  EXPECT_EQ(next_frame(bytes("00 00 00"), 1000, &p, &used), FrameResult::kNeedMore);
  EXPECT_EQ(next_frame(bytes("00 00 00 10 00 00 00 15 00"), 1000, &p, &used),
            FrameResult::kNeedMore);
  EXPECT_EQ(next_frame(bytes("00 00 00 08 00 00 00 15 00 00 00 00 00 00 00 07"), 1000, &p, &used),
            FrameResult::kBadLength);
  EXPECT_EQ(p.sequence, 7u);
  EXPECT_EQ(next_frame(bytes("00 01 00 00 00 00 00 04 00 00 00 00 00 00 00 09"), 1000, &p, &used),
            FrameResult::kBadLength);
  EXPECT_EQ(p.sequence, 9u);
  // Two PDUs in one buffer come off one at a time.
  std::string two =
      encode_header_only(cmd::kEnquireLink, 0, 1) + encode_header_only(cmd::kEnquireLink, 0, 2);
  ASSERT_EQ(next_frame(two, 1000, &p, &used), FrameResult::kPdu);
  ASSERT_EQ(next_frame(std::string_view(two).substr(used), 1000, &p, &used), FrameResult::kPdu);
  EXPECT_EQ(p.sequence, 2u);
}

TEST(SmsPdu, TruncatedBodiesAreErrorsNeverOverreads) {
  ShortMessage sm;
  sm.dest_addr = "4477";
  sm.short_message = "hello";
  sm.tlvs.push_back({tag::kMessageState, "\x02"});
  std::string body = *encode_short_message(sm);
  for (std::size_t n = 0; n < body.size(); ++n) {
    std::string err;
    auto r = decode_short_message(std::string_view(body).substr(0, n), &err);
    // Cutting inside the mandatory fields or a TLV fails; cutting exactly before the TLV is valid.
    if (r) {
      EXPECT_EQ(n, body.size() - 5) << n;
    } else {
      EXPECT_FALSE(err.empty()) << n;
    }
  }
  std::string err;
  EXPECT_FALSE(decode_short_message(std::string(30, 'x'), &err));  // no NUL in service_type
  EXPECT_FALSE(decode_data_sm(std::string(1, '\0'), &err));
}

TEST(SmsPdu, UdhAndSar) {
  auto s = split_udh(bytes("05 00 03 2a 03 02 41 42"));
  ASSERT_TRUE(s && s->concat);
  EXPECT_EQ(s->concat->ref, 0x2a);
  EXPECT_EQ(s->concat->total, 3);
  EXPECT_EQ(s->concat->seq, 2);
  EXPECT_EQ(s->payload, "AB");
  auto s16 = split_udh(bytes("06 08 04 01 02 02 01 43"));
  ASSERT_TRUE(s16 && s16->concat);
  EXPECT_TRUE(s16->concat->ref16);
  EXPECT_EQ(s16->concat->ref, 0x0102);
  EXPECT_EQ(make_udh(*s16->concat), bytes("06 08 04 01 02 02 01"));
  EXPECT_EQ(make_udh(*s->concat), bytes("05 00 03 2a 03 02"));
  EXPECT_FALSE(split_udh(bytes("09 00 03")));        // UDHL past the end
  EXPECT_FALSE(split_udh(bytes("03 00 05 01 41")));  // IE past the header
  auto other = split_udh(bytes("03 24 01 00 41"));   // a national shift IE: no concat
  ASSERT_TRUE(other);
  EXPECT_FALSE(other->concat);
  std::vector<Tlv> sar = {{tag::kSarMsgRefNum, bytes("00 07")},
                          {tag::kSarTotalSegments, bytes("02")},
                          {tag::kSarSegmentSeqnum, bytes("01")}};
  auto c = sar_of(sar);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->ref, 7);
  EXPECT_EQ(c->total, 2);
  sar.pop_back();
  EXPECT_FALSE(sar_of(sar));
}

TEST(SmsPdu, Names) {
  EXPECT_EQ(status_name(status::kThrottled), "ESME_RTHROTTLED");
  EXPECT_EQ(status_name(0x4A1), "0x000004A1");
  EXPECT_EQ(command_name(cmd::kSubmitSm | cmd::kRespBit), "submit_sm_resp");
  EXPECT_EQ(command_name(cmd::kGenericNack), "generic_nack");
}

}  // namespace
}  // namespace sms
