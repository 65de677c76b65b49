#include "text.hpp"

#include <array>

namespace sms {
namespace {

constexpr char32_t kNone = 0xFFFF;
constexpr uint8_t kEsc = 0x1B;

// GSM 03.38 default alphabet, indexed by septet.
constexpr std::array<char32_t, 128> kGsm = {
    0x40,  0xA3,  0x24, 0xA5,  0xE8, 0xE9,  0xF9,  0xEC,  0xF2,  0xC7,  0x0A,  0xD8,  0xF8,
    0x0D,  0xC5,  0xE5, 0x394, 0x5F, 0x3A6, 0x393, 0x39B, 0x3A9, 0x3A0, 0x3A8, 0x3A3, 0x398,
    0x39E, kNone, 0xC6, 0xE6,  0xDF, 0xC9,  0x20,  0x21,  0x22,  0x23,  0xA4,  0x25,  0x26,
    0x27,  0x28,  0x29, 0x2A,  0x2B, 0x2C,  0x2D,  0x2E,  0x2F,  0x30,  0x31,  0x32,  0x33,
    0x34,  0x35,  0x36, 0x37,  0x38, 0x39,  0x3A,  0x3B,  0x3C,  0x3D,  0x3E,  0x3F,  0xA1,
    0x41,  0x42,  0x43, 0x44,  0x45, 0x46,  0x47,  0x48,  0x49,  0x4A,  0x4B,  0x4C,  0x4D,
    0x4E,  0x4F,  0x50, 0x51,  0x52, 0x53,  0x54,  0x55,  0x56,  0x57,  0x58,  0x59,  0x5A,
    0xC4,  0xD6,  0xD1, 0xDC,  0xA7, 0xBF,  0x61,  0x62,  0x63,  0x64,  0x65,  0x66,  0x67,
    0x68,  0x69,  0x6A, 0x6B,  0x6C, 0x6D,  0x6E,  0x6F,  0x70,  0x71,  0x72,  0x73,  0x74,
    0x75,  0x76,  0x77, 0x78,  0x79, 0x7A,  0xE4,  0xF6,  0xF1,  0xFC,  0xE0};

struct Ext {
  uint8_t septet;
  char32_t cp;
};
// The extension table: the only escapes generated (ESC + septet).
constexpr std::array<Ext, 10> kExt = {{{0x0A, 0x0C},
                                       {0x14, U'^'},
                                       {0x28, U'{'},
                                       {0x29, U'}'},
                                       {0x2F, U'\\'},
                                       {0x3C, U'['},
                                       {0x3D, U'~'},
                                       {0x3E, U']'},
                                       {0x40, U'|'},
                                       {0x65, 0x20AC}}};

void append_utf16be(std::string& out, char32_t cp) {
  auto unit = [&out](uint32_t u) {
    out.push_back(static_cast<char>((u >> 8) & 0xFF));
    out.push_back(static_cast<char>(u & 0xFF));
  };
  if (cp >= 0x10000) {
    uint32_t v = static_cast<uint32_t>(cp) - 0x10000;
    unit(0xD800 + (v >> 10));
    unit(0xDC00 + (v & 0x3FF));
  } else {
    unit(static_cast<uint32_t>(cp));
  }
}

}  // namespace

std::string_view to_string(Encoding e) {
  switch (e) {
    case Encoding::kGsm7:
      return "gsm7";
    case Encoding::kUcs2:
      return "ucs2";
    case Encoding::kLatin1:
      return "latin1";
  }
  return "gsm7";
}

uint8_t data_coding_of(Encoding e) {
  switch (e) {
    case Encoding::kUcs2:
      return 0x08;
    case Encoding::kLatin1:
      return 0x03;
    case Encoding::kGsm7:
      break;
  }
  return 0x00;
}

std::string_view to_string(Concat c) {
  switch (c) {
    case Concat::kUdh8:
      return "udh8";
    case Concat::kUdh16:
      return "udh16";
    case Concat::kSar:
      return "sar";
    case Concat::kPayload:
      return "payload";
  }
  return "udh8";
}

std::optional<Concat> concat_from(std::string_view name) {
  for (Concat c : {Concat::kUdh8, Concat::kUdh16, Concat::kSar, Concat::kPayload}) {
    if (to_string(c) == name) return c;
  }
  return std::nullopt;
}

std::optional<std::vector<char32_t>> utf8_decode(std::string_view s) {
  std::vector<char32_t> out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    int n = 0;
    char32_t cp = 0;
    if (c < 0x80) {
      cp = c;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return std::nullopt;
    }
    if (i + static_cast<std::size_t>(n) >= s.size()) return std::nullopt;
    for (int k = 1; k <= n; ++k) {
      auto cc = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
      if ((cc & 0xC0) != 0x80) return std::nullopt;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr char32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
    out.push_back(cp);
    i += static_cast<std::size_t>(n) + 1;
  }
  return out;
}

void utf8_append(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string gsm_encode_char(char32_t cp) {
  for (std::size_t i = 0; i < kGsm.size(); ++i) {
    if (kGsm[i] == cp) return std::string(1, static_cast<char>(i));
  }
  for (const Ext& e : kExt) {
    if (e.cp == cp) return std::string{static_cast<char>(kEsc), static_cast<char>(e.septet)};
  }
  return {};
}

std::string gsm_decode(std::string_view octets) {
  std::string out;
  out.reserve(octets.size());
  for (std::size_t i = 0; i < octets.size(); ++i) {
    auto s = static_cast<uint8_t>(octets[i] & 0x7F);
    if (s != kEsc) {
      utf8_append(out, kGsm[s]);
      continue;
    }
    if (i + 1 >= octets.size()) break;  // a trailing lone ESC is dropped
    auto next = static_cast<uint8_t>(octets[++i] & 0x7F);
    char32_t cp = U' ';
    if (next != kEsc) {
      cp = kGsm[next];
      for (const Ext& e : kExt) {
        if (e.septet == next) cp = e.cp;
      }
    }
    utf8_append(out, cp);
  }
  return out;
}

std::string ucs2_decode(std::string_view octets) {
  std::string out;
  std::size_t n = octets.size() / 2;
  auto unit = [&](std::size_t k) -> uint32_t {
    return (static_cast<uint32_t>(static_cast<uint8_t>(octets[2 * k])) << 8) |
           static_cast<uint8_t>(octets[2 * k + 1]);
  };
  for (std::size_t k = 0; k < n; ++k) {
    uint32_t u = unit(k);
    if (u >= 0xD800 && u <= 0xDBFF && k + 1 < n && unit(k + 1) >= 0xDC00 && unit(k + 1) <= 0xDFFF) {
      utf8_append(out, 0x10000 + ((u - 0xD800) << 10) + (unit(k + 1) - 0xDC00));
      ++k;
    } else if (u >= 0xD800 && u <= 0xDFFF) {
      utf8_append(out, 0xFFFD);
    } else {
      utf8_append(out, u);
    }
  }
  if (octets.size() % 2 != 0) utf8_append(out, 0xFFFD);
  return out;
}

std::string latin1_decode(std::string_view octets) {
  std::string out;
  for (char c : octets) utf8_append(out, static_cast<uint8_t>(c));
  return out;
}

std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    auto b = static_cast<uint8_t>(c);
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0x0F]);
  }
  return out;
}

Decoding decoding_of(uint8_t dc) {
  switch (dc) {
    case 0x00:
      return Decoding::kGsm7;
    case 0x01:
      return Decoding::kAscii;
    case 0x03:
      return Decoding::kLatin1;
    case 0x08:
    case 0x18:
      return Decoding::kUcs2;
    default:
      break;
  }
  if (dc >= 0xF0) return (dc & 0x04) != 0 ? Decoding::kBinary : Decoding::kGsm7;
  if (dc >= 0xC0 && dc <= 0xDF) return Decoding::kGsm7;
  if (dc >= 0xE0 && dc <= 0xEF) return Decoding::kUcs2;
  if (dc >= 0x10 && dc <= 0x3F) {
    switch ((dc >> 2) & 0x03) {
      case 0:
        return Decoding::kGsm7;
      case 2:
        return Decoding::kUcs2;
      default:
        return Decoding::kBinary;
    }
  }
  return Decoding::kBinary;
}

std::string decode_text(uint8_t data_coding, std::string_view octets, bool* binary) {
  if (binary != nullptr) *binary = false;
  switch (decoding_of(data_coding)) {
    case Decoding::kGsm7:
      return gsm_decode(octets);
    case Decoding::kUcs2:
      return ucs2_decode(octets);
    case Decoding::kLatin1:
      return latin1_decode(octets);
    case Decoding::kAscii: {
      std::string out;
      for (char c : octets) out.push_back((static_cast<uint8_t>(c) & 0x80) != 0 ? '?' : c);
      return out;
    }
    case Decoding::kBinary:
      break;
  }
  if (binary != nullptr) *binary = true;
  return hex(octets);
}

std::size_t single_capacity(Encoding e) {
  return e == Encoding::kGsm7 ? 160 : e == Encoding::kUcs2 ? 70 : 140;
}

std::size_t part_capacity(Encoding e, Concat c) {
  const bool udh16 = c == Concat::kUdh16;
  switch (e) {
    case Encoding::kGsm7:
      return udh16 ? 152 : 153;
    case Encoding::kUcs2:
      return udh16 ? 66 : 67;
    case Encoding::kLatin1:
      return udh16 ? 133 : 134;
  }
  return 153;
}

std::optional<Plan> plan_text(std::string_view utf8, const SplitOptions& options,
                              PlanError* error) {
  auto fail = [error](std::string m) -> std::optional<Plan> {
    if (error != nullptr) error->message = std::move(m);
    return std::nullopt;
  };
  auto cps = utf8_decode(utf8);
  if (!cps) return fail("text is not valid UTF-8");
  if (cps->empty()) return fail("text is empty");

  // Each character's octets in the chosen encoding; a part boundary never falls inside one.
  std::vector<std::string> chunks;
  chunks.reserve(cps->size());
  Encoding enc = Encoding::kGsm7;
  for (char32_t cp : *cps) {
    std::string g = gsm_encode_char(cp);
    if (g.empty()) {
      enc = Encoding::kUcs2;
      break;
    }
    chunks.push_back(std::move(g));
  }
  if (enc == Encoding::kUcs2 && options.allow_latin1) {
    bool fits = true;
    for (char32_t cp : *cps) fits = fits && cp <= 0xFF;
    if (fits) enc = Encoding::kLatin1;
  }
  if (enc != Encoding::kGsm7) {
    chunks.clear();
    for (char32_t cp : *cps) {
      std::string c;
      if (enc == Encoding::kLatin1) {
        c.push_back(static_cast<char>(cp));
      } else {
        append_utf16be(c, cp);
      }
      chunks.push_back(std::move(c));
    }
  }
  const std::size_t octets_per_unit = enc == Encoding::kUcs2 ? 2 : 1;
  std::size_t total = 0;
  for (const auto& c : chunks) total += c.size();

  Plan plan;
  plan.encoding = enc;
  plan.data_coding = data_coding_of(enc);
  plan.characters = cps->size();
  plan.units = total / octets_per_unit;

  const std::size_t single = single_capacity(enc) * octets_per_unit;
  if (total <= single || options.concat == Concat::kPayload) {
    if (options.concat == Concat::kPayload && total > 65535) {
      return fail("text is longer than message_payload allows (65535 octets)");
    }
    std::string all;
    all.reserve(total);
    for (const auto& c : chunks) all += c;
    plan.parts.push_back(std::move(all));
    plan.units_per_part = total <= single ? single_capacity(enc) : 65535 / octets_per_unit;
    plan.units_left = plan.units_per_part - plan.units;
    return plan;
  }
  const std::size_t cap = part_capacity(enc, options.concat) * octets_per_unit;
  std::string cur;
  for (const auto& c : chunks) {
    if (cur.size() + c.size() > cap) {
      plan.parts.push_back(std::move(cur));
      cur.clear();
    }
    cur += c;
  }
  plan.parts.push_back(std::move(cur));
  const int limit = options.max_parts < 255 ? options.max_parts : 255;
  if (plan.parts.size() > static_cast<std::size_t>(limit)) {
    return fail("text needs " + std::to_string(plan.parts.size()) + " parts; at most " +
                std::to_string(limit) + " are allowed");
  }
  plan.units_per_part = cap / octets_per_unit;
  plan.units_left = plan.units_per_part - plan.parts.back().size() / octets_per_unit;
  return plan;
}

}  // namespace sms
