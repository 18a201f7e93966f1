// Where the embedded mode keeps its waiting rooms across restarts (stores/sqlite/room_store):
// each room's counters, settings and admitted sessions, saved in batches by the in-process
// counters (stores/memory/queue_counters), never on a join or a status poll.
//
// A saved room says `reserved`: no number at or above it was handed out in the room. The
// counters keep handing out numbers only below the reservation saved last, so a restart after
// a crash resumes numbering there and never gives a number twice; the numbers between the
// saved `issued` and `reserved` are lost (core/admission.hpp).
//
// Both methods are all-or-nothing and safe to call from any thread; store_unavailable when the
// disk can't serve now, store_failed for a bug.
#pragma once

#include <cstdint>
#include <vector>

#include "core/admission.hpp"
#include "core/errors.hpp"

namespace boxoffice {

struct SavedRoom {
  std::int64_t event_id = 0;
  std::uint64_t epoch = 0;  // as in its tokens
  ShuffleKey key{};
  AdmissionSettings settings;  // as last seen: the catalog's replace them at the next call
  AdmissionState state;
  std::uint64_t reserved = 0;  // >= state.issued
  SessionChanges sessions;     // since the room was last saved; loaded: all of them
};

class RoomStore {
 public:
  virtual ~RoomStore() = default;

  // Every room saved, each with all its sessions (sessions.all).
  virtual Result<std::vector<SavedRoom>> load_rooms() = 0;
  // Keeps each room's row (made or replaced) and applies its session changes.
  virtual Status save_rooms(const std::vector<SavedRoom>& rooms) = 0;
};

}  // namespace boxoffice
