// Merging contacts moves rows and records each one, so un-merge can move exactly those back.
#include "store/sqlite_model.h"

namespace sb::store {

using sqlite::Stmt;

Result<int64_t> SqliteModel::merge_contacts(int64_t survivor_id, int64_t merged_id,
                                            std::string_view actor, std::string_view reason,
                                            int64_t now_ms) {
  if (survivor_id == merged_id) return invalid_argument("cannot merge a contact into itself");
  if (actor.empty()) return invalid_argument("merge needs an actor");
  for (int64_t id : {survivor_id, merged_id}) {
    auto c = get_contact(id);
    if (!c) return c.status();
    if (!*c) return not_found("no contact with id " + std::to_string(id));
    if ((*c)->merged_into != 0) {
      return failed_precondition("contact " + std::to_string(id) + " is merged into " +
                                 std::to_string((*c)->merged_into));
    }
  }
  int64_t merge_id = 0;
  {
    auto q = db_.prepare(
        "INSERT INTO contact_merges (survivor_id, merged_id, actor, reason, merged_at_ms) "
        "VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!q) return q.status();
    (*q)->bind(1, survivor_id).bind(2, merged_id).bind(3, actor).bind(4, reason).bind(5, now_ms);
    if (auto st = run("record merge", **q); !st) return st;
    merge_id = sqlite3_last_insert_rowid(db_.handle());
  }
  // Record first, then move: the record lists exactly the rows the merged contact owned.
  constexpr std::string_view kRecord[] = {
      "INSERT INTO contact_merge_moves (merge_id, kind, row_id) "
      "SELECT ?1, 'identity', id FROM identities WHERE contact_id = ?2",
      "INSERT INTO contact_merge_moves (merge_id, kind, row_id) "
      "SELECT ?1, 'conversation', id FROM conversations WHERE contact_id = ?2",
      "INSERT INTO contact_merge_moves (merge_id, kind, row_id) "
      "SELECT ?1, 'message', id FROM messages WHERE contact_id = ?2",
      "UPDATE identities SET contact_id = ?3 WHERE contact_id = ?2",
      "UPDATE conversations SET contact_id = ?3, updated_at_ms = ?4 WHERE contact_id = ?2",
      "UPDATE messages SET contact_id = ?3 WHERE contact_id = ?2",
      "UPDATE contacts SET merged_into = ?3, updated_at_ms = ?4 WHERE id = ?2",
  };
  for (auto sql : kRecord) {
    auto q = db_.prepare(sql);
    if (!q) return q.status();
    (*q)->bind(1, merge_id).bind(2, merged_id).bind(3, survivor_id);
    if (sql.find("?4") != std::string_view::npos) (*q)->bind(4, now_ms);
    if (auto st = run("merge contacts", **q); !st) return st;
  }
  return merge_id;
}

Status SqliteModel::move_recorded(int64_t merge_id, std::string_view kind, int64_t to_contact) {
  auto q = kind == "identity"
               ? db_.prepare(
                     "UPDATE identities SET contact_id = ?2 WHERE id IN (SELECT row_id FROM "
                     "contact_merge_moves WHERE merge_id = ?1 AND kind = 'identity')")
           : kind == "conversation"
               ? db_.prepare(
                     "UPDATE conversations SET contact_id = ?2 WHERE id IN (SELECT row_id FROM "
                     "contact_merge_moves WHERE merge_id = ?1 AND kind = 'conversation')")
               // A message follows its conversation back, even one that arrived after the merge:
               // a conversation belongs to one contact.
               : db_.prepare(
                     "UPDATE messages SET contact_id = ?2 WHERE id IN (SELECT row_id FROM "
                     "contact_merge_moves WHERE merge_id = ?1 AND kind = 'message') OR "
                     "conversation_id IN (SELECT row_id FROM contact_merge_moves "
                     "WHERE merge_id = ?1 AND kind = 'conversation')");
  if (!q) return q.status();
  (*q)->bind(1, merge_id).bind(2, to_contact);
  return run("unmerge", **q);
}

Status SqliteModel::unmerge(int64_t merge_id, std::string_view actor, int64_t now_ms) {
  if (actor.empty()) return invalid_argument("unmerge needs an actor");
  auto merge = get_merge(merge_id);
  if (!merge) return merge.status();
  if (!*merge) return not_found("no merge with id " + std::to_string(merge_id));
  const MergeRecord& m = **merge;
  if (m.unmerged_at_ms != 0) {
    return failed_precondition("merge " + std::to_string(merge_id) + " was already undone");
  }
  auto survivor = get_contact(m.survivor_id);
  if (!survivor) return survivor.status();
  if (*survivor && (*survivor)->merged_into != 0) {
    return failed_precondition(
        "contact " + std::to_string(m.survivor_id) + " has since been merged into " +
        std::to_string((*survivor)->merged_into) + "; undo that merge first");
  }
  for (std::string_view kind : {"identity", "conversation", "message"}) {
    if (auto st = move_recorded(merge_id, kind, m.merged_id); !st) return st;
  }
  {
    auto q =
        db_.prepare("UPDATE contacts SET merged_into = NULL, updated_at_ms = ?2 WHERE id = ?1");
    if (!q) return q.status();
    (*q)->bind(1, m.merged_id).bind(2, now_ms);
    if (auto st = run("unmerge contact", **q); !st) return st;
  }
  auto q =
      db_.prepare("UPDATE contact_merges SET unmerged_at_ms = ?2, unmerged_by = ?3 WHERE id = ?1");
  if (!q) return q.status();
  (*q)->bind(1, merge_id).bind(2, now_ms).bind(3, actor);
  return run("record unmerge", **q);
}

Result<std::optional<MergeRecord>> SqliteModel::read_merge(Stmt& q) {
  int rc = q.step();
  if (rc == SQLITE_DONE) return std::optional<MergeRecord>();
  if (rc != SQLITE_ROW) return db_.error("read merge", rc);
  MergeRecord r;
  r.id = q.int64(0);
  r.survivor_id = q.int64(1);
  r.merged_id = q.int64(2);
  r.actor = q.text(3);
  r.reason = q.text(4);
  r.merged_at_ms = q.int64(5);
  r.unmerged_at_ms = q.int64(6);
  r.unmerged_by = q.text(7);
  r.moved_identities = q.int64(8);
  r.moved_conversations = q.int64(9);
  r.moved_messages = q.int64(10);
  return std::optional<MergeRecord>(std::move(r));
}

#define SB_MERGE_COLUMNS                                                                         \
  " g.id, g.survivor_id, g.merged_id, g.actor, g.reason, g.merged_at_ms, g.unmerged_at_ms, "     \
  "g.unmerged_by, "                                                                              \
  "(SELECT COUNT(*) FROM contact_merge_moves WHERE merge_id = g.id AND kind = 'identity'), "     \
  "(SELECT COUNT(*) FROM contact_merge_moves WHERE merge_id = g.id AND kind = 'conversation'), " \
  "(SELECT COUNT(*) FROM contact_merge_moves WHERE merge_id = g.id AND kind = 'message') "

Result<std::optional<MergeRecord>> SqliteModel::get_merge(int64_t merge_id) {
  auto q = db_.prepare("SELECT" SB_MERGE_COLUMNS "FROM contact_merges g WHERE g.id = ?1");
  if (!q) return q.status();
  (*q)->bind(1, merge_id);
  return read_merge(**q);
}

Result<std::vector<MergeRecord>> SqliteModel::merges_of(int64_t contact_id) {
  auto q = db_.prepare("SELECT" SB_MERGE_COLUMNS
                       "FROM contact_merges g WHERE g.survivor_id = ?1 OR g.merged_id = ?1 "
                       "ORDER BY g.id");
  if (!q) return q.status();
  (*q)->bind(1, contact_id);
  std::vector<MergeRecord> out;
  while (true) {
    auto one = read_merge(**q);
    if (!one) return one.status();
    if (!*one) return out;
    out.push_back(std::move(**one));
  }
}

}  // namespace sb::store
