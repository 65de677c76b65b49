#include "routing/text.h"

#include <algorithm>
#include <array>
#include <utility>

namespace sb::routing {
namespace {

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool word_byte(char c) {
  auto u = static_cast<unsigned char>(c);
  return (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u >= 0x80;
}

std::string lowered(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), lower);
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string safe_value(std::string_view v) {
  if (v.size() > kMaxPlaceholderValue) {
    size_t cut = kMaxPlaceholderValue;
    while (cut > 0 && (static_cast<unsigned char>(v[cut]) & 0xC0) == 0x80) --cut;
    v = v.substr(0, cut);
  }
  std::string out(v);
  for (auto& c : out) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) c = ' ';
  }
  return out;
}

}  // namespace

bool contains_keyword(std::string_view text, std::string_view keyword) {
  const std::string k = lowered(trim(keyword));
  if (k.empty()) return false;
  const std::string t = lowered(text);
  for (size_t at = t.find(k); at != std::string::npos; at = t.find(k, at + 1)) {
    const bool starts = at == 0 || !word_byte(t[at - 1]) || !word_byte(k.front());
    const size_t end = at + k.size();
    const bool ends = end == t.size() || !word_byte(t[end]) || !word_byte(k.back());
    if (starts && ends) return true;
  }
  return false;
}

bool contains_any_keyword(std::string_view text, std::span<const std::string> keywords) {
  return std::any_of(keywords.begin(), keywords.end(),
                     [&](const std::string& k) { return contains_keyword(text, k); });
}

bool same_language(std::string_view message_language, std::string_view rule_language) {
  auto primary = [](std::string_view s) { return lowered(s.substr(0, s.find_first_of("-_"))); };
  auto m = primary(message_language);
  return !m.empty() && m == primary(rule_language);
}

std::string guess_language(std::string_view text) {
  // Frequent short words that are rare in the other languages listed.
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 7> kWords{{
      {"en", "the and is are you my to have not with please what this"},
      {"de", "der die das und ist ich nicht mit bitte mein ein eine wie habe sie"},
      {"fr", "le la les et est je pas avec mon une vous pour bonjour merci"},
      {"es", "el los las y es yo con mi una por para hola gracias usted"},
      {"it", "il lo gli sono io non con mio una per ciao grazie sei"},
      {"nl", "de het een en ik niet met mijn je u is zijn bedankt hallo"},
      {"pt", "o os as e eu com meu uma por para obrigado olá voce você"},
  }};
  std::array<int, kWords.size()> score{};
  const std::string t = lowered(text);
  size_t i = 0;
  while (i < t.size()) {
    while (i < t.size() && !word_byte(t[i])) ++i;
    size_t start = i;
    while (i < t.size() && word_byte(t[i])) ++i;
    std::string_view word(t.data() + start, i - start);
    if (word.empty()) continue;
    for (size_t l = 0; l < kWords.size(); ++l) {
      std::string_view list = kWords[l].second;
      while (!list.empty()) {
        size_t sp = list.find(' ');
        if (list.substr(0, sp) == word) {
          ++score[l];
          break;
        }
        list = sp == std::string_view::npos ? std::string_view() : list.substr(sp + 1);
      }
    }
  }
  size_t best = 0;
  for (size_t l = 1; l < score.size(); ++l) {
    if (score[l] > score[best]) best = l;
  }
  const int runner_up = [&] {
    int r = 0;
    for (size_t l = 0; l < score.size(); ++l) {
      if (l != best) r = std::max(r, score[l]);
    }
    return r;
  }();
  if (score[best] < 2 || score[best] == runner_up) return {};
  return std::string(kWords[best].first);
}

std::string render(std::string_view tmpl, const Placeholders& values) {
  std::string out;
  out.reserve(tmpl.size());
  size_t i = 0;
  while (i < tmpl.size()) {
    size_t open = tmpl.find("{{", i);
    if (open == std::string_view::npos) break;
    size_t close = tmpl.find("}}", open + 2);
    if (close == std::string_view::npos) break;
    out.append(tmpl.substr(i, open - i));
    auto name = trim(tmpl.substr(open + 2, close - open - 2));
    auto it = values.find(name);
    if (it != values.end()) {
      out += safe_value(it->second);
    } else {
      out.append(tmpl.substr(open, close + 2 - open));
    }
    i = close + 2;
  }
  out.append(tmpl.substr(i));
  return out;
}

}  // namespace sb::routing
