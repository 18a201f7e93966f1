#include "stores/sqlite/room_store.hpp"

#include <bit>
#include <string>

#include "core/numbers.hpp"

namespace boxoffice::sqlite {
namespace {

// Numbered migrations: append, never edit one that has shipped. Unsigned 64-bit numbers (the
// epoch is random) are kept as the signed integers of the same bits.
const std::vector<std::string_view> migrations = {
    R"sql(
      CREATE TABLE rooms (
        event_id INTEGER PRIMARY KEY,
        epoch INTEGER NOT NULL,
        shuffle_key BLOB NOT NULL,
        active_limit INTEGER NOT NULL,
        admit_per_second INTEGER NOT NULL,
        session_seconds INTEGER NOT NULL,
        queue_opens_at INTEGER NOT NULL,
        sale_opens_at INTEGER NOT NULL,
        issued INTEGER NOT NULL,
        served INTEGER NOT NULL,
        pre_queue_size INTEGER,
        credit REAL NOT NULL,
        last_tick INTEGER NOT NULL,
        measured_rate REAL,
        skipped INTEGER NOT NULL,
        lost TEXT NOT NULL,
        reserved INTEGER NOT NULL
      );
      CREATE TABLE room_sessions (
        event_id INTEGER NOT NULL,
        session INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        claimed INTEGER NOT NULL,
        PRIMARY KEY (event_id, session)
      ) WITHOUT ROWID;
    )sql",
};

Error failure(const std::exception& e) { return store_error(e, "the waiting rooms' file: "); }

std::int64_t bits(std::uint64_t value) { return std::bit_cast<std::int64_t>(value); }
std::uint64_t unsigned_of(const SQLite::Column& column) {
  return std::bit_cast<std::uint64_t>(column.getInt64());
}

// "begin-end,begin-end"
std::string encode_lost(const std::vector<NumberRange>& lost) {
  std::string text;
  for (const NumberRange& range : lost) {
    if (!text.empty()) text += ',';
    text += std::to_string(range.begin);
    text += '-';
    text += std::to_string(range.end);
  }
  return text;
}

std::optional<std::vector<NumberRange>> decode_lost(std::string_view text) {
  std::vector<NumberRange> lost;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    const std::size_t dash = item.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    const auto begin = parse_whole_number<std::uint64_t>(item.substr(0, dash));
    const auto end = parse_whole_number<std::uint64_t>(item.substr(dash + 1));
    if (!begin || !end || *begin >= *end) return std::nullopt;
    lost.push_back({*begin, *end});
  }
  return lost;
}

// A row that can't be a room's (edited by hand, or damaged) is an error, not a guess.
Result<SavedRoom> room_of(SQLite::Statement& row) {
  SavedRoom room;
  room.event_id = row.getColumn(0).getInt64();
  room.epoch = unsigned_of(row.getColumn(1));
  const SQLite::Column key = row.getColumn(2);
  if (static_cast<std::size_t>(key.getBytes()) != room.key.size()) {
    return make_error(Errc::store_failed, "a waiting room's shuffle key is damaged");
  }
  const auto* key_bytes = static_cast<const unsigned char*>(key.getBlob());
  std::copy(key_bytes, key_bytes + room.key.size(), room.key.begin());
  room.settings = {static_cast<std::uint32_t>(row.getColumn(3).getInt64()),
                   static_cast<std::uint32_t>(row.getColumn(4).getInt64()),
                   static_cast<std::uint32_t>(row.getColumn(5).getInt64()),
                   row.getColumn(6).getInt64(), row.getColumn(7).getInt64()};
  AdmissionState& state = room.state;
  state.issued = unsigned_of(row.getColumn(8));
  state.served = unsigned_of(row.getColumn(9));
  if (!row.getColumn(10).isNull()) state.pre_queue_size = unsigned_of(row.getColumn(10));
  state.credit = row.getColumn(11).getDouble();
  state.last_tick = row.getColumn(12).getInt64();
  if (!row.getColumn(13).isNull()) state.measured_rate = row.getColumn(13).getDouble();
  state.skipped = unsigned_of(row.getColumn(14));
  auto lost = decode_lost(row.getColumn(15).getString());
  room.reserved = unsigned_of(row.getColumn(16));
  if (!lost || lost->size() > lost_ranges_max || state.served > state.issued ||
      state.issued > room.reserved || room.settings.active_limit == 0 ||
      room.settings.admit_per_second == 0 ||
      room.settings.queue_opens_at > room.settings.sale_opens_at ||
      (state.pre_queue_size && *state.pre_queue_size > state.issued)) {
    return make_error(Errc::store_failed, "a waiting room's counters are damaged");
  }
  state.lost = std::move(*lost);
  room.sessions.all = true;
  return room;
}

void save_room(SQLite::Database& db, const SavedRoom& room) {
  SQLite::Statement upsert(db,
                           "INSERT OR REPLACE INTO rooms VALUES "
                           "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  const AdmissionState& state = room.state;
  upsert.bind(1, room.event_id);
  upsert.bind(2, bits(room.epoch));
  upsert.bind(3, room.key.data(), static_cast<int>(room.key.size()));
  upsert.bind(4, static_cast<std::int64_t>(room.settings.active_limit));
  upsert.bind(5, static_cast<std::int64_t>(room.settings.admit_per_second));
  upsert.bind(6, static_cast<std::int64_t>(room.settings.session_seconds));
  upsert.bind(7, room.settings.queue_opens_at);
  upsert.bind(8, room.settings.sale_opens_at);
  upsert.bind(9, bits(state.issued));
  upsert.bind(10, bits(state.served));
  if (state.pre_queue_size) upsert.bind(11, bits(*state.pre_queue_size));
  upsert.bind(12, state.credit);
  upsert.bind(13, state.last_tick);
  if (state.measured_rate) upsert.bind(14, *state.measured_rate);
  upsert.bind(15, bits(state.skipped));
  upsert.bind(16, encode_lost(state.lost));
  upsert.bind(17, bits(room.reserved));
  upsert.exec();

  if (room.sessions.all) {
    SQLite::Statement clear(db, "DELETE FROM room_sessions WHERE event_id = ?");
    clear.bind(1, room.event_id);
    clear.exec();
  }
  SQLite::Statement gone(db, "DELETE FROM room_sessions WHERE event_id = ? AND session = ?");
  for (const std::uint64_t session : room.sessions.gone) {
    gone.bind(1, room.event_id);
    gone.bind(2, bits(session));
    gone.exec();
    gone.reset();
  }
  SQLite::Statement put(db, "INSERT OR REPLACE INTO room_sessions VALUES (?, ?, ?, ?)");
  for (const AdmittedSession& session : room.sessions.put) {
    put.bind(1, room.event_id);
    put.bind(2, bits(session.session));
    put.bind(3, session.expires_at);
    put.bind(4, session.claimed ? 1 : 0);
    put.exec();
    put.reset();
  }
}

}  // namespace

RoomStore::RoomStore(const std::filesystem::path& file) : db_(file, migrations) {}

Result<std::vector<SavedRoom>> RoomStore::load_rooms() try {
  auto lock = db_.lock();
  SQLite::Database& db = db_.connection();
  std::vector<SavedRoom> rooms;
  SQLite::Statement select(db, "SELECT * FROM rooms ORDER BY event_id");
  while (select.executeStep()) {
    auto room = room_of(select);
    if (!room) return std::move(room).error();
    rooms.push_back(std::move(*room));
  }
  SQLite::Statement sessions(db,
                             "SELECT session, expires_at, claimed FROM room_sessions "
                             "WHERE event_id = ? ORDER BY session");
  for (SavedRoom& room : rooms) {
    sessions.bind(1, room.event_id);
    while (sessions.executeStep()) {
      room.sessions.put.push_back({unsigned_of(sessions.getColumn(0)),
                                   sessions.getColumn(1).getInt64(),
                                   sessions.getColumn(2).getInt() != 0});
    }
    sessions.reset();
  }
  return rooms;
} catch (const std::exception& e) {
  return failure(e);
}

Status RoomStore::save_rooms(const std::vector<SavedRoom>& rooms) try {
  auto lock = db_.lock();
  SQLite::Transaction transaction(db_.connection());
  for (const SavedRoom& room : rooms) save_room(db_.connection(), room);
  transaction.commit();
  return ok_status();
} catch (const std::exception& e) {
  return failure(e);
}

}  // namespace boxoffice::sqlite
