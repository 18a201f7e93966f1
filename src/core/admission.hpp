// The arithmetic of one event's virtual waiting room, with time passed in: deterministic, so
// it is tested with a simulated clock (tests/core/admission_test.cpp).
//
// Everyone who joins gets the next number (0, 1, 2, ...). People are admitted by *rank*: a
// serving counter `served` says that ranks below it have been let in. After the sale opens a
// person's rank is their number (first come, first served). The N people who joined before
// the open (the pre-queue, from pre_queue_opens_at) hold the numbers 0..N-1, and their ranks
// are a keyed pseudo-random permutation of 0..N-1 (a Feistel network over the next power of
// four with cycle walking, keyed by a secret drawn when the room is made): so the pre-queue
// is let in in random order, nobody can predict or improve their place, and the rank of a
// number is computed from the number alone — no per-person state, only N and the key.
//
// The serving counter advances like a token bucket: credit grows at admit_per_second (at most
// one second's worth banked), and each unit of credit admits the next rank while someone is
// waiting and fewer than active_limit sessions are active. An admitted rank holds its place
// for admission_claim_ms only, until its holder claims it by asking for their status (which
// hands them the access token): a number that never asks (a bot's flood of joins) is skipped
// after that and counted, instead of taking a place for a whole session. A claimed session
// lasts session_seconds or until it is freed (checkout done, holds released), which gives its
// place to the next person at once. Only admitted sessions are stored, so the state is
// bounded by active_limit, whatever the length of the line.
//
// Not thread-safe: the service (services/waiting_room) serialises calls.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "core/time.hpp"

namespace boxoffice {

using ShuffleKey = std::array<unsigned char, 16>;  // crypto_shorthash (SipHash-2-4) key

// How long an admitted number keeps its place before its holder asks for it: pages poll every
// 1 to 3 s and streams look every second, so a present fan claims well within it.
inline constexpr UnixMillis admission_claim_ms = 10'000;

struct AdmissionSettings {
  std::uint32_t active_limit = 1;
  std::uint32_t admit_per_second = 1;
  std::uint32_t session_seconds = 60;
  UnixMillis queue_opens_at = 0;  // joining allowed from here (pre_queue_opens_at or sale open)
  UnixMillis sale_opens_at = 0;   // on_sale_at: the pre-queue is shuffled and admission starts
  friend bool operator==(const AdmissionSettings&, const AdmissionSettings&) = default;
};

// The rank of pre-queue number `number` among `size` people: a permutation of 0..size-1
// chosen by `key`. Requires number < size.
std::uint64_t shuffled_rank(std::uint64_t number, std::uint64_t size, const ShuffleKey& key);
// Its inverse: the number whose rank is `rank`. Requires rank < size.
std::uint64_t unshuffled_number(std::uint64_t rank, std::uint64_t size, const ShuffleKey& key);

// Numbers [begin, end).
struct NumberRange {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
  bool contains(std::uint64_t number) const { return begin <= number && number < end; }
  friend bool operator==(const NumberRange&, const NumberRange&) = default;
};

// How many ranges of lost numbers a room keeps: one per crash of the process that kept it.
inline constexpr std::size_t lost_ranges_max = 64;

// An admitted session, as saved.
struct AdmittedSession {
  std::uint64_t session = 0;  // its rank
  UnixMillis expires_at = 0;  // until claimed, its claim's deadline
  bool claimed = false;
  friend bool operator==(const AdmittedSession&, const AdmittedSession&) = default;
};

// A room's counters, as saved (its sessions apart: see SessionChanges).
struct AdmissionState {
  std::uint64_t issued = 0;
  std::uint64_t served = 0;
  std::optional<std::uint64_t> pre_queue_size;
  double credit = 0;
  UnixMillis last_tick = 0;
  std::optional<double> measured_rate;
  std::uint64_t skipped = 0;
  std::vector<NumberRange> lost;  // numbers handed out whose holders were forgotten
  friend bool operator==(const AdmissionState&, const AdmissionState&) = default;
};

// The sessions that changed since they were last taken: `put` those admitted or claimed (as
// they are now), `gone` those that ended. `all`: `put` is every session, and whatever was saved
// before is to be forgotten (the first save, or when more changed than are remembered).
struct SessionChanges {
  bool all = false;
  std::vector<AdmittedSession> put;
  std::vector<std::uint64_t> gone;
  bool empty() const { return !all && put.empty() && gone.empty(); }
};

// sold_out is not the room's: the edge says it when the event has nothing left to sell.
enum class QueueState { pre_queue, waiting, admitted, ended, sold_out };

struct QueueStatus {
  QueueState state = QueueState::waiting;
  std::uint64_t position = 0;  // people before you, plus you (waiting); 0 once admitted
  std::uint64_t eta_seconds = 0;
  std::uint64_t session = 0;  // admitted: the session id (= rank)
  UnixMillis session_expires_at = 0;
};

// What a room's shared counters say at some moment: enough to tell anyone still in line
// where they stand, from their number alone.
struct LineCounters {
  std::uint64_t issued = 0;                     // numbers handed out
  std::uint64_t served = 0;                     // ranks below this have been let in
  std::optional<std::uint64_t> pre_queue_size;  // set when the sale opened
  double admission_rate = 0;                    // per second, measured (or the setting)
};

// The rank (order of admission) of `number`: shuffled within the pre-queue, else the number.
std::uint64_t rank_in_line(std::uint64_t number, const LineCounters& line, const ShuffleKey& key);

// Where `number` stands while it is still in line (pre_queue or waiting, with position and
// estimated wait); nullopt once its rank has been served: whether its session is admitted or
// ended is the sessions' business.
std::optional<QueueStatus> place_in_line(std::uint64_t number, const LineCounters& line,
                                         const AdmissionSettings& settings, const ShuffleKey& key,
                                         UnixMillis now);

// When a page that polls should ask again, in seconds: at the open for the pre-queue (whose
// places are drawn then), after half the estimated wait while waiting (again and again, so an
// estimate that was too long is caught in time), every `max` once sold out (tickets may come
// back); never sooner than 1 nor later than `max`. 0 when there is nothing to wait for
// (admitted, ended). A line of half a million polling every few seconds would be more new
// connections than the server's other work: far back, a poll a minute tells as much.
std::uint32_t poll_after_seconds(const QueueStatus& status, std::uint32_t max);

class Admission {
 public:
  Admission(AdmissionSettings settings, const ShuffleKey& key);
  // A room as it was saved, with its sessions, told that the numbers `lost` (empty or within
  // [state.issued, `resume_at`)) were handed out after the save; numbering resumes at
  // `resume_at` (>= state.issued). Its sessions' changes start with all of them.
  Admission(AdmissionSettings settings, const ShuffleKey& key, AdmissionState state,
            const std::vector<AdmittedSession>& sessions, std::uint64_t resume_at);

  // The organizer changed the room's settings: they apply from the next call on (sessions
  // admitted already keep their expiry).
  void change_settings(const AdmissionSettings& settings) { settings_ = settings; }
  // The next number, or nullopt before queue_opens_at.
  std::optional<std::uint64_t> join(UnixMillis now);
  // Where `number` stands at `now` (advances first); an admitted number's session is claimed
  // by this (it lasts session_seconds from its claim). nullopt for a number never handed out.
  std::optional<QueueStatus> status(std::uint64_t number, UnixMillis now);
  // Opens the sale when due, expires sessions, and admits what the rate and limit allow.
  void advance(UnixMillis now);
  // Is `session` admitted and not yet expired or freed at `now`?
  bool is_active(std::uint64_t session, UnixMillis now) const;
  // Ends `session` now (checkout done or holds released); false if it was not active.
  bool free(std::uint64_t session);

  // The counters as they are, to be saved.
  AdmissionState state() const;
  // The sessions' changes since the last call (or since the room was made or restored).
  SessionChanges take_session_changes();
  // The changes taken last were not saved: the next take answers every session.
  void forget_taken_changes() { all_sessions_changed_ = true; }

  LineCounters line() const { return {issued_, served_, pre_queue_size_, admission_rate()}; }
  std::uint64_t issued() const { return issued_; }
  std::uint64_t served() const { return served_; }
  std::uint64_t waiting() const { return issued_ - served_ - lost_ahead_; }
  std::size_t active() const { return by_session_.size(); }
  // Admitted numbers whose holder never claimed the place in time.
  std::uint64_t skipped() const { return skipped_; }
  bool opened() const { return pre_queue_size_.has_value(); }
  // Admissions per second over the last 5 s window in which someone was always waiting;
  // the setting before any such window.
  double admission_rate() const;

 private:
  static constexpr UnixMillis rate_window_ms = 5'000;
  // Sessions whose changes are remembered one by one between takes; beyond, all are.
  static constexpr std::size_t session_changes_max = 65'536;
  // Lost numbers of the pre-queue whose ranks are kept, sorted, to count them out of positions
  // (8 MiB); beyond, positions in the pre-queue count them (the line still passes them).
  static constexpr std::size_t lost_pre_queue_ranks_max = 1 << 20;

  bool is_lost(std::uint64_t number) const;
  bool is_lost_rank(std::uint64_t rank) const;
  // Lost numbers after the pre-queue whose ranks are in [from, to).
  std::uint64_t lost_after_pre_queue(std::uint64_t from, std::uint64_t to) const;
  std::uint64_t count_lost_ahead() const;
  // Lost pre-queue ranks in [from, to): kept ones counted, else none.
  std::uint64_t lost_pre_queue_ranks(std::uint64_t from, std::uint64_t to) const;
  void rank_lost_pre_queue();  // at the open, or at a restore after it
  void session_changed(std::uint64_t session);

  AdmissionSettings settings_;
  ShuffleKey key_;
  std::uint64_t issued_ = 0;
  std::uint64_t served_ = 0;
  std::optional<std::uint64_t> pre_queue_size_;  // set at the open
  double credit_ = 0;
  UnixMillis last_tick_ = 0;
  struct Session {
    UnixMillis expires_at = 0;
    bool claimed = false;
  };

  std::map<std::uint64_t, Session> by_session_;               // by session
  std::set<std::pair<UnixMillis, std::uint64_t>> by_expiry_;  // (expires_at, session)
  UnixMillis window_start_ = 0;
  std::uint64_t window_served_ = 0;
  bool window_idle_ = false;  // the line was empty at some point of this window
  std::optional<double> measured_rate_;
  std::uint64_t skipped_ = 0;
  std::vector<NumberRange> lost_;
  std::uint64_t lost_ahead_ = 0;  // lost numbers whose ranks the serving counter has not passed
  std::optional<std::vector<std::uint64_t>> lost_pre_queue_ranks_;  // sorted, once opened
  std::set<std::uint64_t> changed_sessions_;
  bool all_sessions_changed_ = true;  // nothing taken yet
};

}  // namespace boxoffice
