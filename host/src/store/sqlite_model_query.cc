// A contact's timeline (keyset-paged) and full-text search over message text (FTS5).
#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>

#include "store/sqlite_model.h"

namespace sb::store {
namespace {

// "<created_at hex>.<id hex>": opaque to callers, checked strictly when it comes back.
std::string encode_cursor(int64_t created_at_ms, int64_t id) {
  auto hex = [](int64_t v) {
    char buf[20];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, static_cast<uint64_t>(v), 16);
    return std::string(buf, end);
  };
  return hex(created_at_ms) + "." + hex(id);
}

bool decode_cursor(std::string_view cursor, int64_t& created_at_ms, int64_t& id) {
  const auto dot = cursor.find('.');
  if (dot == std::string_view::npos) return false;
  auto parse = [](std::string_view s, int64_t& out) {
    uint64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return false;
    if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return false;
    out = static_cast<int64_t>(v);
    return true;
  };
  return parse(cursor.substr(0, dot), created_at_ms) && parse(cursor.substr(dot + 1), id);
}

// Words are separated by white space and control characters (a NUL would end FTS5's parse in
// the middle of a string).
bool separates(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u <= 0x20 || u == 0x7f;
}

// Whether the tokenizer (unicode61) can find a token in the word: ASCII punctuation alone ("*",
// "-", "^", "\"\"") is only separators. Non-ASCII bytes may be letters, so they count.
bool has_token(std::string_view word) {
  return std::any_of(word.begin(), word.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x80 || std::isalnum(u);
  });
}

// Every word becomes a quoted FTS5 string (inner quotes doubled), so user input is never parsed
// as query syntax (no AND/OR/NOT/NEAR, column filters, prefix '*' or initial '^') and all words
// must match. Words of punctuation only are dropped; empty when no word is left.
std::string fts_all_words(std::string_view text) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && separates(text[i])) ++i;
    size_t end = i;
    while (end < text.size() && !separates(text[end])) ++end;
    if (end == i) break;
    const std::string_view word = text.substr(i, end - i);
    i = end;
    if (!has_token(word)) continue;
    if (!out.empty()) out += ' ';
    out += '"';
    for (char c : word) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  }
  return out;
}

// The scope's conversation ids as a JSON array for json_each() (one bound value, any length).
std::string scope_json(const ConversationScope& scope) {
  std::string out = "[";
  if (scope) {
    for (size_t i = 0; i < scope->size(); ++i) {
      if (i != 0) out += ',';
      out += std::to_string((*scope)[i]);
    }
  }
  return out + "]";
}

}  // namespace

Result<TimelinePage> SqliteModel::timeline(int64_t contact_id, std::string_view cursor, int limit,
                                           const ConversationScope& scope) {
  int64_t before_at = std::numeric_limits<int64_t>::max();
  int64_t before_id = std::numeric_limits<int64_t>::max();
  if (!cursor.empty() && !decode_cursor(cursor, before_at, before_id)) {
    return invalid_argument("invalid timeline cursor");
  }
  limit = std::clamp(limit, 1, 500);
  const std::string scope_ids = scope_json(scope);  // bound SQLITE_STATIC: outlives the query
  // Keyset paging newest first: rows inserted after the first page sort before the cursor, so
  // later pages neither repeat nor skip anything.
  auto q = db_.prepare("SELECT" SB_STORE_MESSAGE_COLUMNS
                       "FROM messages m WHERE m.contact_id = ?1 AND "
                       "(m.created_at_ms, m.id) < (?2, ?3) AND (?5 = 0 OR m.conversation_id IN "
                       "(SELECT value FROM json_each(?6))) "
                       "ORDER BY m.created_at_ms DESC, m.id DESC LIMIT ?4");
  if (!q) return q.status();
  (*q)->bind(1, contact_id).bind(2, before_at).bind(3, before_id).bind(4, int64_t{limit} + 1);
  (*q)->bind(5, int64_t{scope.has_value()}).bind(6, scope_ids);
  TimelinePage page;
  int rc;
  while ((rc = (*q)->step()) == SQLITE_ROW) page.messages.push_back(read_message_row(**q));
  if (rc != SQLITE_DONE) return db_.error("read timeline", rc);
  if (page.messages.size() > static_cast<size_t>(limit)) {
    page.messages.pop_back();
    const auto& last = page.messages.back();
    page.next_cursor = encode_cursor(last.created_at_ms, last.id);
  }
  return page;
}

Result<std::vector<SearchHit>> SqliteModel::search(const SearchQuery& query) {
  const std::string match = fts_all_words(query.text);
  if (match.empty()) return invalid_argument("has no word to search for (only punctuation)");
  // Without a contact, FTS5 walks its matches in rowid order, newest first, and stops once the
  // filters have let `limit` through; the snippet is built only for those. Message ids grow with
  // the store's clock, so rowid order is time order. (Ordering by created_at_ms instead made SQLite
  // build a snippet for every match and sort them all: 150x slower on 20k messages, seconds on a
  // million.) With a contact, its own few messages drive the loop (CROSS JOIN fixes the order) and
  // each is checked against the index by rowid, instead of filtering every match in the store.
  // The contact test is a plain equality when a contact is given, so the planner can use the
  // contact's timeline index (an "?2 = 0 OR ..." form hides it).
  static constexpr const char* kOtherFilters =
      "AND (?3 = '' OR m.instance_id = ?3) AND m.created_at_ms >= ?4 "
      "AND (?5 = 0 OR m.created_at_ms < ?5) ";
  const std::string sql =
      query.contact_id != 0
          ? std::string("SELECT" SB_STORE_MESSAGE_COLUMNS
                        ", snippet(messages_fts, 0, '[', ']', '...', 12) "
                        "FROM messages m CROSS JOIN messages_fts ON messages_fts.rowid = m.id "
                        "WHERE m.contact_id = ?2 AND messages_fts MATCH ?1 ") +
                kOtherFilters + "ORDER BY m.id DESC LIMIT ?6"
          : std::string("SELECT" SB_STORE_MESSAGE_COLUMNS
                        ", snippet(messages_fts, 0, '[', ']', '...', 12) "
                        "FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid "
                        "WHERE messages_fts MATCH ?1 AND ?2 = 0 ") +
                kOtherFilters + "ORDER BY messages_fts.rowid DESC LIMIT ?6";
  auto q = db_.prepare(sql);
  if (!q) return q.status();
  (*q)->bind(1, match).bind(2, query.contact_id).bind(3, query.instance_id);
  (*q)->bind(4, query.from_ms).bind(5, query.to_ms);
  (*q)->bind(6, int64_t{std::clamp(query.limit, 1, 500)});
  std::vector<SearchHit> out;
  int rc;
  while ((rc = (*q)->step()) == SQLITE_ROW) {
    out.push_back({read_message_row(**q), (*q)->text(kMessageColumnCount)});
  }
  if (rc != SQLITE_DONE) return db_.error("search messages", rc);
  return out;
}

}  // namespace sb::store
