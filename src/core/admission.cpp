#include "core/admission.hpp"

#include <sodium.h>

#include <algorithm>
#include <cmath>

#include "core/check.hpp"

namespace boxoffice {
namespace {

constexpr int feistel_rounds = 8;
// Halves of at least this width: a Feistel network only makes even permutations, and on a
// tiny domain that shows; on 256 values cycle-walked down to a small size it does not.
constexpr unsigned half_bits_min = 4;

std::uint64_t round_function(std::uint64_t right, int round, const ShuffleKey& key) {
  static_assert(crypto_shorthash_KEYBYTES == std::tuple_size_v<ShuffleKey>);
  unsigned char input[9];
  for (int i = 0; i < 8; ++i) input[i] = static_cast<unsigned char>(right >> (8 * i));
  input[8] = static_cast<unsigned char>(round);
  unsigned char out[crypto_shorthash_BYTES];
  crypto_shorthash(out, input, sizeof input, key.data());
  std::uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value |= std::uint64_t{out[i]} << (8 * i);
  return value;
}

// A permutation of 0..4^half_bits-1: a balanced Feistel network, each half `half_bits` wide.
std::uint64_t feistel(std::uint64_t value, unsigned half_bits, const ShuffleKey& key) {
  const std::uint64_t mask = (std::uint64_t{1} << half_bits) - 1;
  std::uint64_t left = value >> half_bits;
  std::uint64_t right = value & mask;
  for (int round = 0; round < feistel_rounds; ++round) {
    const std::uint64_t next = left ^ (round_function(right, round, key) & mask);
    left = right;
    right = next;
  }
  return (left << half_bits) | right;
}

// The inverse of feistel: the rounds undone in reverse order.
std::uint64_t feistel_inverse(std::uint64_t value, unsigned half_bits, const ShuffleKey& key) {
  const std::uint64_t mask = (std::uint64_t{1} << half_bits) - 1;
  std::uint64_t left = value >> half_bits;
  std::uint64_t right = value & mask;
  for (int round = feistel_rounds - 1; round >= 0; --round) {
    const std::uint64_t previous = right ^ (round_function(left, round, key) & mask);
    right = left;
    left = previous;
  }
  return (left << half_bits) | right;
}

unsigned half_bits_of(std::uint64_t size) {
  unsigned bits = 0;
  while (bits < 64 && (size - 1) >> bits) ++bits;
  return std::max(half_bits_min, (bits + 1) / 2);
}

}  // namespace

std::uint64_t shuffled_rank(std::uint64_t number, std::uint64_t size, const ShuffleKey& key) {
  BOXOFFICE_CHECK(number < size);
  if (size <= 1) return 0;
  const unsigned half_bits = half_bits_of(size);
  // Cycle walking: apply the permutation of the larger domain until the value falls inside
  // 0..size-1. It ends (the cycle through `number` comes back into range) and is a
  // permutation of the smaller domain; the domain is below max(256, 4·size), so for large
  // sizes few steps are expected.
  std::uint64_t value = number;
  do {
    value = feistel(value, half_bits, key);
  } while (value >= size);
  return value;
}

std::uint64_t unshuffled_number(std::uint64_t rank, std::uint64_t size, const ShuffleKey& key) {
  BOXOFFICE_CHECK(rank < size);
  if (size <= 1) return 0;
  const unsigned half_bits = half_bits_of(size);
  // Walking the inverse permutation's cycle back to the range undoes the forward walk.
  std::uint64_t value = rank;
  do {
    value = feistel_inverse(value, half_bits, key);
  } while (value >= size);
  return value;
}

Admission::Admission(AdmissionSettings settings, const ShuffleKey& key)
    : settings_(settings), key_(key) {
  BOXOFFICE_CHECK(settings_.active_limit > 0 && settings_.admit_per_second > 0);
  BOXOFFICE_CHECK(settings_.queue_opens_at <= settings_.sale_opens_at);
}

Admission::Admission(AdmissionSettings settings, const ShuffleKey& key, AdmissionState state,
                     const std::vector<AdmittedSession>& sessions, std::uint64_t resume_at)
    : Admission(settings, key) {
  BOXOFFICE_CHECK(state.served <= state.issued && state.issued <= resume_at);
  BOXOFFICE_CHECK(!state.pre_queue_size || *state.pre_queue_size <= state.issued);
  BOXOFFICE_CHECK(state.lost.size() <= lost_ranges_max);
  for (const NumberRange& range : state.lost) {
    BOXOFFICE_CHECK(range.begin < range.end && range.end <= state.issued);
  }
  issued_ = resume_at;
  served_ = state.served;
  pre_queue_size_ = state.pre_queue_size;
  credit_ = state.credit;
  last_tick_ = state.last_tick;
  measured_rate_ = state.measured_rate;
  skipped_ = state.skipped;
  lost_ = std::move(state.lost);
  if (resume_at > state.issued) lost_.push_back({state.issued, resume_at});
  BOXOFFICE_CHECK(lost_.size() <= lost_ranges_max);
  if (pre_queue_size_) rank_lost_pre_queue();
  lost_ahead_ = count_lost_ahead();
  window_start_ = last_tick_;
  window_served_ = served_;
  for (const AdmittedSession& session : sessions) {
    by_session_.insert_or_assign(session.session, Session{session.expires_at, session.claimed});
    by_expiry_.emplace(session.expires_at, session.session);
  }
}

bool Admission::is_lost(std::uint64_t number) const {
  return std::any_of(lost_.begin(), lost_.end(),
                     [number](const NumberRange& range) { return range.contains(number); });
}

bool Admission::is_lost_rank(std::uint64_t rank) const {
  if (pre_queue_size_ && rank < *pre_queue_size_) {
    if (lost_pre_queue_ranks_) {
      return std::binary_search(lost_pre_queue_ranks_->begin(), lost_pre_queue_ranks_->end(), rank);
    }
    return is_lost(unshuffled_number(rank, *pre_queue_size_, key_));
  }
  return is_lost(rank);
}

void Admission::rank_lost_pre_queue() {
  lost_pre_queue_ranks_.reset();
  std::uint64_t count = 0;
  for (const NumberRange& range : lost_) {
    count += std::min(range.end, *pre_queue_size_) - std::min(range.begin, *pre_queue_size_);
  }
  if (count > lost_pre_queue_ranks_max) return;
  std::vector<std::uint64_t> ranks;
  ranks.reserve(count);
  for (const NumberRange& range : lost_) {
    for (std::uint64_t number = range.begin; number < std::min(range.end, *pre_queue_size_);
         ++number) {
      ranks.push_back(shuffled_rank(number, *pre_queue_size_, key_));
    }
  }
  std::sort(ranks.begin(), ranks.end());
  lost_pre_queue_ranks_ = std::move(ranks);
}

std::uint64_t Admission::lost_pre_queue_ranks(std::uint64_t from, std::uint64_t to) const {
  if (!lost_pre_queue_ranks_ || from >= to) return 0;
  const auto& ranks = *lost_pre_queue_ranks_;
  return static_cast<std::uint64_t>(std::lower_bound(ranks.begin(), ranks.end(), to) -
                                    std::lower_bound(ranks.begin(), ranks.end(), from));
}

std::uint64_t Admission::lost_after_pre_queue(std::uint64_t from, std::uint64_t to) const {
  from = std::max(from, pre_queue_size_.value_or(0));
  std::uint64_t count = 0;
  for (const NumberRange& range : lost_) {
    const std::uint64_t begin = std::max(range.begin, from);
    const std::uint64_t end = std::min(range.end, to);
    if (begin < end) count += end - begin;
  }
  return count;
}

// Once, at a restore: the lost numbers of the pre-queue one by one (their ranks are shuffled),
// the others as ranges.
std::uint64_t Admission::count_lost_ahead() const {
  if (!pre_queue_size_) return lost_after_pre_queue(0, issued_);
  std::uint64_t count = lost_after_pre_queue(served_, issued_);
  if (lost_pre_queue_ranks_) return count + lost_pre_queue_ranks(served_, *pre_queue_size_);
  for (const NumberRange& range : lost_) {
    for (std::uint64_t number = range.begin; number < std::min(range.end, *pre_queue_size_);
         ++number) {
      if (shuffled_rank(number, *pre_queue_size_, key_) >= served_) ++count;
    }
  }
  return count;
}

void Admission::session_changed(std::uint64_t session) {
  if (all_sessions_changed_) return;
  if (changed_sessions_.size() >= session_changes_max) {
    all_sessions_changed_ = true;
    changed_sessions_.clear();
    return;
  }
  changed_sessions_.insert(session);
}

AdmissionState Admission::state() const {
  return {issued_, served_, pre_queue_size_, credit_, last_tick_, measured_rate_, skipped_, lost_};
}

SessionChanges Admission::take_session_changes() {
  SessionChanges changes;
  changes.all = all_sessions_changed_;
  const auto put = [&changes](std::uint64_t session, const Session& kept) {
    changes.put.push_back({session, kept.expires_at, kept.claimed});
  };
  if (changes.all) {
    for (const auto& [session, kept] : by_session_) put(session, kept);
  } else {
    for (const std::uint64_t session : changed_sessions_) {
      const auto found = by_session_.find(session);
      if (found == by_session_.end()) {
        changes.gone.push_back(session);
      } else {
        put(session, found->second);
      }
    }
  }
  changed_sessions_.clear();
  all_sessions_changed_ = false;
  return changes;
}

std::optional<std::uint64_t> Admission::join(UnixMillis now) {
  if (now < settings_.queue_opens_at) return std::nullopt;
  advance(now);  // a join at or after the open is never counted in the pre-queue
  return issued_++;
}

std::uint64_t rank_in_line(std::uint64_t number, const LineCounters& line, const ShuffleKey& key) {
  if (line.pre_queue_size && number < *line.pre_queue_size) {
    return shuffled_rank(number, *line.pre_queue_size, key);
  }
  return number;
}

std::optional<QueueStatus> place_in_line(std::uint64_t number, const LineCounters& line,
                                         const AdmissionSettings& settings, const ShuffleKey& key,
                                         UnixMillis now) {
  QueueStatus status;
  if (!line.pre_queue_size) {
    status.state = QueueState::pre_queue;
    status.position = line.issued;  // at most this many before you; the draw is at the open
    const UnixMillis until_open = std::max<UnixMillis>(0, settings.sale_opens_at - now);
    status.eta_seconds =
        static_cast<std::uint64_t>((until_open + millis_per_second - 1) / millis_per_second);
    return status;
  }
  const std::uint64_t rank = rank_in_line(number, line, key);
  if (rank < line.served) return std::nullopt;
  status.state = QueueState::waiting;
  status.position = rank - line.served + 1;
  // A rate measured as nothing (everyone's place taken) still promises some progress.
  const double rate = std::max(line.admission_rate, 0.1);
  status.eta_seconds =
      static_cast<std::uint64_t>(std::ceil(static_cast<double>(status.position) / rate));
  return status;
}

std::uint32_t poll_after_seconds(const QueueStatus& status, std::uint32_t max) {
  const auto within = [max](std::uint64_t seconds) {
    return static_cast<std::uint32_t>(std::clamp<std::uint64_t>(seconds, 1, std::max(1u, max)));
  };
  switch (status.state) {
    case QueueState::pre_queue:
      return within(status.eta_seconds);
    case QueueState::waiting:
      return within(status.eta_seconds / 2);
    case QueueState::sold_out:
      return within(max);
    case QueueState::admitted:
    case QueueState::ended:
      return 0;
  }
  return 0;
}

void Admission::advance(UnixMillis now) {
  if (!opened()) {
    if (now < settings_.sale_opens_at) return;
    pre_queue_size_ = issued_;
    if (!lost_.empty()) rank_lost_pre_queue();
    last_tick_ = settings_.sale_opens_at;
    window_start_ = settings_.sale_opens_at;
  }
  while (!by_expiry_.empty() && by_expiry_.begin()->first <= now) {
    const auto session = by_session_.find(by_expiry_.begin()->second);
    if (!session->second.claimed) ++skipped_;
    session_changed(session->first);
    by_session_.erase(session);
    by_expiry_.erase(by_expiry_.begin());
  }
  if (now > last_tick_) {
    const double rate = settings_.admit_per_second;
    credit_ = std::min(rate, credit_ + static_cast<double>(now - last_tick_) * rate / 1000.0);
    last_tick_ = now;
  }
  const std::uint64_t space =
      settings_.active_limit - std::min<std::uint64_t>(settings_.active_limit, active());
  const auto admit = std::min(static_cast<std::uint64_t>(std::floor(credit_)), space);
  const UnixMillis claim_by = now + admission_claim_ms;
  std::uint64_t admitted = 0;
  for (;;) {
    // Lost numbers' ranks are passed at no cost: nobody holds them.
    while (lost_ahead_ > 0 && served_ < issued_ && is_lost_rank(served_)) {
      ++served_;
      --lost_ahead_;
    }
    if (admitted == admit || served_ == issued_) break;
    by_session_.emplace(served_, Session{claim_by, false});
    by_expiry_.emplace(claim_by, served_);
    session_changed(served_);
    ++served_;
    ++admitted;
  }
  credit_ -= static_cast<double>(admitted);
  BOXOFFICE_CHECK(active() <= settings_.active_limit);
  // A window in which the line ran empty measures the arrivals, not the admission rate: it
  // keeps the previous measurement.
  if (waiting() == 0) window_idle_ = true;
  if (now - window_start_ >= rate_window_ms) {
    if (!window_idle_) {
      measured_rate_ = static_cast<double>(served_ - window_served_) * 1000.0 /
                       static_cast<double>(now - window_start_);
    }
    window_start_ = now;
    window_served_ = served_;
    window_idle_ = false;
  }
}

double Admission::admission_rate() const {
  return measured_rate_.value_or(static_cast<double>(settings_.admit_per_second));
}

std::optional<QueueStatus> Admission::status(std::uint64_t number, UnixMillis now) {
  if (number >= issued_ || (!lost_.empty() && is_lost(number))) return std::nullopt;
  advance(now);
  const LineCounters counters = line();
  if (auto in_line = place_in_line(number, counters, settings_, key_, now)) {
    // Lost numbers ahead are nobody: before the open all of them, after it those ranked
    // before this number (the pre-queue's through their kept ranks).
    if (lost_ahead_ > 0 && in_line->state == QueueState::pre_queue) {
      in_line->position -= std::min(in_line->position, lost_ahead_);
    } else if (lost_ahead_ > 0) {
      const std::uint64_t rank = rank_in_line(number, counters, key_);
      in_line->position -=
          lost_after_pre_queue(served_, rank) + lost_pre_queue_ranks(served_, rank);
    }
    return in_line;
  }
  const std::uint64_t rank = rank_in_line(number, counters, key_);
  QueueStatus status;
  const auto session = by_session_.find(rank);
  if (session == by_session_.end()) {
    status.state = QueueState::ended;
    return status;
  }
  if (!session->second.claimed) {
    by_expiry_.erase({session->second.expires_at, rank});
    session->second = {now + static_cast<UnixMillis>(settings_.session_seconds) * millis_per_second,
                       true};
    by_expiry_.emplace(session->second.expires_at, rank);
    session_changed(rank);
  }
  status.state = QueueState::admitted;
  status.session = rank;
  status.session_expires_at = session->second.expires_at;
  return status;
}

bool Admission::is_active(std::uint64_t session, UnixMillis now) const {
  const auto found = by_session_.find(session);
  return found != by_session_.end() && now < found->second.expires_at;
}

bool Admission::free(std::uint64_t session) {
  const auto found = by_session_.find(session);
  if (found == by_session_.end()) return false;
  by_expiry_.erase({found->second.expires_at, session});
  by_session_.erase(found);
  session_changed(session);
  return true;
}

}  // namespace boxoffice
