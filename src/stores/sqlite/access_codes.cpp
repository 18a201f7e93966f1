// The embedded mode's presale access codes (services/stores.hpp, AccessCodeStore).
#include <boost/json.hpp>

#include "stores/sqlite/store.hpp"

namespace boxoffice::sqlite {
namespace {

Error failure(const std::exception& e) { return store_error(e, "the database failed: "); }

// The presales as a JSON array, for `presale_id IN (SELECT value FROM json_each(?))`.
std::string json_list(const std::vector<std::string>& presales) {
  boost::json::array list;
  for (const std::string& presale : presales) list.emplace_back(presale);
  return boost::json::serialize(list);
}

// Why a code of these presales can't be spent (it was not, or could not be).
Status refusal(SQLite::Database& db, std::int64_t event_id, const std::string& hash,
               const std::string& presales) {
  SQLite::Statement select(
      db,
      "SELECT uses_left FROM access_codes WHERE event_id = ? AND code_hash = ? "
      "AND presale_id IN (SELECT value FROM json_each(?))");
  select.bind(1, event_id);
  select.bind(2, hash);
  select.bind(3, presales);
  if (!select.executeStep()) {
    return make_error(Errc::access_code_invalid, "no such access code for a presale open now",
                      {.reason = "unknown"});
  }
  if (select.getColumn(0).getInt64() == 0) {
    return make_error(Errc::access_code_invalid, "the access code has no use left",
                      {.reason = "used_up"});
  }
  return ok_status();
}

}  // namespace

Status Store::add_access_codes(std::int64_t event_id, const std::string& presale_id,
                               std::uint32_t uses, const std::vector<std::string>& hashes) try {
  auto lock = db_.lock();
  SQLite::Database& db = db_.connection();
  SQLite::Transaction transaction(db);
  SQLite::Statement insert(db,
                           "INSERT OR IGNORE INTO access_codes "
                           "(event_id, code_hash, presale_id, uses_left) VALUES (?, ?, ?, ?)");
  for (const std::string& hash : hashes) {
    insert.bind(1, event_id);
    insert.bind(2, hash);
    insert.bind(3, presale_id);
    insert.bind(4, static_cast<std::int64_t>(uses));
    if (insert.exec() != 1) {  // rolled back as the transaction goes out of scope
      return make_error(Errc::conflict, "an access code the event has already");
    }
    insert.reset();
  }
  transaction.commit();
  return ok_status();
} catch (const std::exception& e) {
  return failure(e);
}

Status Store::spend_access_code(std::int64_t event_id, const std::string& hash,
                                const std::vector<std::string>& presales) try {
  auto lock = db_.lock();
  SQLite::Database& db = db_.connection();
  const std::string list = json_list(presales);
  SQLite::Statement spend(db,
                          "UPDATE access_codes SET uses_left = uses_left - 1 "
                          "WHERE event_id = ? AND code_hash = ? AND uses_left > 0 "
                          "AND presale_id IN (SELECT value FROM json_each(?))");
  spend.bind(1, event_id);
  spend.bind(2, hash);
  spend.bind(3, list);
  if (spend.exec() == 1) return ok_status();
  return refusal(db, event_id, hash, list);
} catch (const std::exception& e) {
  return failure(e);
}

Status Store::give_back_access_code(std::int64_t event_id, const std::string& hash) try {
  auto lock = db_.lock();
  SQLite::Statement give_back(db_.connection(),
                              "UPDATE access_codes SET uses_left = uses_left + 1 "
                              "WHERE event_id = ? AND code_hash = ?");
  give_back.bind(1, event_id);
  give_back.bind(2, hash);
  give_back.exec();
  return ok_status();
} catch (const std::exception& e) {
  return failure(e);
}

Status Store::check_access_code(std::int64_t event_id, const std::string& hash,
                                const std::vector<std::string>& presales) try {
  auto lock = db_.lock();
  return refusal(db_.connection(), event_id, hash, json_list(presales));
} catch (const std::exception& e) {
  return failure(e);
}

}  // namespace boxoffice::sqlite
