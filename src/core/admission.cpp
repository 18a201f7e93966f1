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

}  // namespace

std::uint64_t shuffled_rank(std::uint64_t number, std::uint64_t size, const ShuffleKey& key) {
  BOXOFFICE_CHECK(number < size);
  if (size <= 1) return 0;
  unsigned bits = 0;
  while (bits < 64 && (size - 1) >> bits) ++bits;
  const unsigned half_bits = std::max(half_bits_min, (bits + 1) / 2);
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

Admission::Admission(AdmissionSettings settings, const ShuffleKey& key)
    : settings_(settings), key_(key) {
  BOXOFFICE_CHECK(settings_.active_limit > 0 && settings_.admit_per_second > 0);
  BOXOFFICE_CHECK(settings_.queue_opens_at <= settings_.sale_opens_at);
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

void Admission::advance(UnixMillis now) {
  if (!opened()) {
    if (now < settings_.sale_opens_at) return;
    pre_queue_size_ = issued_;
    last_tick_ = settings_.sale_opens_at;
    window_start_ = settings_.sale_opens_at;
  }
  while (!by_expiry_.empty() && by_expiry_.begin()->first <= now) {
    const auto session = by_session_.find(by_expiry_.begin()->second);
    if (!session->second.claimed) ++skipped_;
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
  const auto admit = std::min({static_cast<std::uint64_t>(std::floor(credit_)), waiting(), space});
  const UnixMillis claim_by = now + admission_claim_ms;
  for (std::uint64_t i = 0; i < admit; ++i) {
    by_session_.emplace(served_ + i, Session{claim_by, false});
    by_expiry_.emplace(claim_by, served_ + i);
  }
  served_ += admit;
  credit_ -= static_cast<double>(admit);
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
  if (number >= issued_) return std::nullopt;
  advance(now);
  const LineCounters counters = line();
  if (auto in_line = place_in_line(number, counters, settings_, key_, now)) return in_line;
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
  return true;
}

}  // namespace boxoffice
