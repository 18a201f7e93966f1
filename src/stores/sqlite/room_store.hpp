// The embedded mode's waiting rooms across restarts (services/room_store.hpp), in a SQLite file
// of their own in the data dir (`waiting-rooms.sqlite`): a row per room (counters, settings,
// epoch and shuffle key, the numbers reserved) and a row per admitted session.
//
// A file apart from the source of truth's: a batch of the rooms (every 100 ms in a sale) never
// waits for an order's commit nor makes one wait, and the file's numbered migrations are its
// own. Losing it loses the lines (the rooms start afresh, older tokens are refused), never an
// order. Durable at commit (fsync), as the reservation of numbers must be.
#pragma once

#include <filesystem>

#include "services/room_store.hpp"
#include "stores/sqlite/database.hpp"

namespace boxoffice::sqlite {

class RoomStore final : public boxoffice::RoomStore {
 public:
  // Throws SQLite::Exception when the file can't be opened or migrated.
  explicit RoomStore(const std::filesystem::path& file);

  Result<std::vector<SavedRoom>> load_rooms() override;
  Status save_rooms(const std::vector<SavedRoom>& rooms) override;

 private:
  Database db_;
};

}  // namespace boxoffice::sqlite
