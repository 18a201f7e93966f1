// The cluster mode's presale access codes (services/stores.hpp, AccessCodeStore): each call
// one statement, so atomic across nodes.
#include <boost/json.hpp>

#include "stores/postgres/store.hpp"

namespace boxoffice::postgres {
namespace {

// Texts as a JSON array, for `jsonb_array_elements_text($n)`: a list in one parameter.
std::string json_list(const std::vector<std::string>& texts) {
  boost::json::array list;
  for (const std::string& text : texts) list.emplace_back(text);
  return boost::json::serialize(list);
}

constexpr std::string_view unique_violation = "23505";

// Why a code of these presales can't be spent (it was not, or could not be).
Status refusal(Connection& db, std::int64_t event_id, const std::string& hash,
               const std::string& presales) {
  auto found = db.query("access_code_uses",
                        "SELECT uses_left FROM access_codes WHERE event_id = $1 AND code_hash = $2 "
                        "AND presale_id IN (SELECT jsonb_array_elements_text($3::jsonb))",
                        {std::to_string(event_id), hash, presales});
  if (!found) return std::move(found).error();
  if (found->size() == 0) {
    return make_error(Errc::access_code_invalid, "no such access code for a presale open now",
                      {.reason = "unknown"});
  }
  if (found->integer(0, 0) == 0) {
    return make_error(Errc::access_code_invalid, "the access code has no use left",
                      {.reason = "used_up"});
  }
  return ok_status();
}

}  // namespace

Status Store::add_access_codes(std::int64_t event_id, const std::string& presale_id,
                               std::uint32_t uses, const std::vector<std::string>& hashes) {
  auto lease = pool_.acquire();
  if (!lease) return std::move(lease).error();
  auto added = (*lease)->query(
      "add_access_codes",
      "INSERT INTO access_codes (event_id, code_hash, presale_id, uses_left) "
      "SELECT $1, hash, $2, $3 FROM jsonb_array_elements_text($4::jsonb) AS hash",
      {std::to_string(event_id), presale_id, std::to_string(uses), json_list(hashes)});
  if (!added && added.error().facts.sqlstate == unique_violation) {
    return make_error(Errc::conflict, "an access code the event has already");
  }
  if (!added) return std::move(added).error();
  return ok_status();
}

Status Store::spend_access_code(std::int64_t event_id, const std::string& hash,
                                const std::vector<std::string>& presales) {
  auto lease = pool_.acquire();
  if (!lease) return std::move(lease).error();
  auto spent = (*lease)->query("spend_access_code",
                               "UPDATE access_codes SET uses_left = uses_left - 1 "
                               "WHERE event_id = $1 AND code_hash = $2 AND uses_left > 0 "
                               "AND presale_id IN (SELECT jsonb_array_elements_text($3::jsonb))",
                               {std::to_string(event_id), hash, json_list(presales)});
  if (!spent) return std::move(spent).error();
  if (spent->affected() == 1) return ok_status();
  return refusal(**lease, event_id, hash, json_list(presales));
}

Status Store::give_back_access_code(std::int64_t event_id, const std::string& hash) {
  auto lease = pool_.acquire();
  if (!lease) return std::move(lease).error();
  auto given = (*lease)->query("give_back_access_code",
                               "UPDATE access_codes SET uses_left = uses_left + 1 "
                               "WHERE event_id = $1 AND code_hash = $2",
                               {std::to_string(event_id), hash});
  if (!given) return std::move(given).error();
  return ok_status();
}

Status Store::check_access_code(std::int64_t event_id, const std::string& hash,
                                const std::vector<std::string>& presales) {
  auto lease = pool_.acquire();
  if (!lease) return std::move(lease).error();
  return refusal(**lease, event_id, hash, json_list(presales));
}

}  // namespace boxoffice::postgres
