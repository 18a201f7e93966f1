// The waiting room's arithmetic under a simulated clock: order, fairness, the active limit
// and the admission rate. Every random choice comes from a fixed seed.
#include "core/admission.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <set>
#include <vector>

namespace boxoffice {
namespace {

constexpr UnixMillis open_ms = 1'000'000;

ShuffleKey key_of(std::uint64_t seed) {
  std::mt19937_64 random(seed);
  ShuffleKey key{};
  for (auto& byte : key) byte = static_cast<unsigned char>(random());
  return key;
}

AdmissionSettings settings(std::uint32_t limit, std::uint32_t rate, std::uint32_t session_s = 600) {
  AdmissionSettings s;
  s.active_limit = limit;
  s.admit_per_second = rate;
  s.session_seconds = session_s;
  s.queue_opens_at = open_ms - 3'600'000;
  s.sale_opens_at = open_ms;
  return s;
}

TEST(ShuffledRank, IsAPermutationForEverySize) {
  for (std::uint64_t size : {1, 2, 3, 5, 16, 17, 100, 1000, 4097}) {
    std::set<std::uint64_t> ranks;
    for (std::uint64_t n = 0; n < size; ++n) {
      const std::uint64_t rank = shuffled_rank(n, size, key_of(size));
      EXPECT_LT(rank, size);
      ranks.insert(rank);
    }
    EXPECT_EQ(ranks.size(), size) << size;
  }
}

TEST(ShuffledRank, UnshuffledNumberIsItsInverse) {
  for (std::uint64_t size : {1, 2, 3, 17, 100, 4097}) {
    for (std::uint64_t n = 0; n < size; ++n) {
      EXPECT_EQ(unshuffled_number(shuffled_rank(n, size, key_of(size)), size, key_of(size)), n)
          << size;
    }
  }
}

// Chi-square on the rank of person 0 among 10 pre-queue joiners over 20,000 keys: with 9
// degrees of freedom the statistic exceeds 27.88 with probability 0.001 when uniform.
TEST(ShuffledRank, PreQueueIsAUniformShuffle) {
  constexpr std::uint64_t size = 10;
  constexpr int trials = 20'000;
  for (std::uint64_t who : {std::uint64_t{0}, size - 1}) {
    std::vector<int> counts(size, 0);
    for (int seed = 0; seed < trials; ++seed) ++counts[shuffled_rank(who, size, key_of(seed))];
    double chi_square = 0;
    const double expected = static_cast<double>(trials) / size;
    for (int count : counts) chi_square += (count - expected) * (count - expected) / expected;
    EXPECT_LT(chi_square, 27.88) << "person " << who;
  }
  // And pairs are not correlated: person 0 ahead of person 1 about half the time.
  int ahead = 0;
  for (int seed = 0; seed < trials; ++seed) {
    ahead += shuffled_rank(0, size, key_of(seed)) < shuffled_rank(1, size, key_of(seed));
  }
  EXPECT_NEAR(ahead, trials / 2, 4 * std::sqrt(trials / 4.0));  // 4 standard deviations
}

TEST(Admission, NoJoiningBeforeTheQueueOpensNoAdmissionBeforeTheSale) {
  Admission room(settings(10, 100), key_of(1));
  EXPECT_FALSE(room.join(open_ms - 3'600'001));
  const auto number = room.join(open_ms - 1000);
  ASSERT_TRUE(number);
  room.advance(open_ms - 1);
  EXPECT_EQ(room.served(), 0U);
  const auto status = room.status(*number, open_ms - 1);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->state, QueueState::pre_queue);
  EXPECT_EQ(status->eta_seconds, 1U);
  EXPECT_FALSE(room.status(*number + 1, open_ms));  // never handed out
}

TEST(Admission, PostOpenArrivalsAdmittedInArrivalOrderWithinTheLimit) {
  constexpr std::uint32_t limit = 25;
  Admission room(settings(limit, 40, 30), key_of(7));
  std::mt19937_64 random(20261129);
  std::vector<std::uint64_t> numbers;
  std::vector<UnixMillis> admitted_at;  // by number
  std::uint64_t next = 0;               // the first number not yet seen admitted
  UnixMillis now = open_ms;
  for (int step = 0; step < 20'000; ++step) {
    now += static_cast<UnixMillis>(random() % 20);
    if (random() % 3 == 0) {
      numbers.push_back(*room.join(now));
      admitted_at.push_back(-1);
    }
    room.advance(now);
    ASSERT_LE(room.active(), limit);
    for (; next < numbers.size(); ++next) {
      const auto status = room.status(next, now);
      ASSERT_TRUE(status);
      if (status->state != QueueState::admitted) break;
      admitted_at[next] = now;
      EXPECT_EQ(status->session, next);   // rank = number after the open
      if (random() % 2) room.free(next);  // half check out quickly, half let sessions expire
    }
    // Nobody behind the first one still waiting is in.
    for (std::uint64_t later = next; later < std::min<std::uint64_t>(next + 5, numbers.size());
         ++later) {
      ASSERT_EQ(room.status(later, now)->state, QueueState::waiting) << later;
    }
  }
  // Arrival order: numbers are admitted in increasing order, each no later than the next.
  for (std::size_t n = 1; n < numbers.size(); ++n) {
    EXPECT_EQ(numbers[n], numbers[n - 1] + 1);
    if (admitted_at[n] >= 0) {
      EXPECT_GE(admitted_at[n - 1], 0) << n;
      EXPECT_GE(admitted_at[n], admitted_at[n - 1]) << n;
    }
  }
  EXPECT_GT(room.served(), 100U);
}

TEST(Admission, ActiveLimitHoldsUntilSessionsEndOrAreFreed) {
  Admission room(settings(3, 100, 60), key_of(3));
  for (int i = 0; i < 10; ++i) (void)room.join(open_ms);
  room.advance(open_ms + 10'000);
  EXPECT_EQ(room.active(), 3U);
  EXPECT_EQ(room.served(), 3U);
  ASSERT_EQ(room.status(3, open_ms + 10'000)->state, QueueState::waiting);
  EXPECT_EQ(room.status(3, open_ms + 10'000)->position, 1U);
  // A checkout frees a place at once.
  EXPECT_TRUE(room.free(1));
  EXPECT_FALSE(room.free(1));
  EXPECT_FALSE(room.is_active(1, open_ms + 10'001));
  EXPECT_EQ(room.status(1, open_ms + 10'001)->state, QueueState::ended);
  EXPECT_EQ(room.status(3, open_ms + 10'001)->state, QueueState::admitted);
  EXPECT_EQ(room.active(), 3U);
  // A session lasts session_seconds from its claim: the status that hands out its token.
  const auto admitted = room.status(0, open_ms + 10'001);
  EXPECT_EQ(admitted->session_expires_at, open_ms + 70'001);
  EXPECT_EQ(room.status(0, open_ms + 20'000)->session_expires_at, open_ms + 70'001);  // once
  // Number 2 never asked: its place goes to the next in line after admission_claim_ms.
  room.advance(open_ms + 10'000 + admission_claim_ms);
  EXPECT_EQ(room.skipped(), 1U);
  EXPECT_EQ(room.status(2, open_ms + 10'000 + admission_claim_ms)->state, QueueState::ended);
  EXPECT_EQ(room.served(), 5U);  // 4 came in
  EXPECT_EQ(room.active(), 3U);  // 0, 3 (claimed by their status), 4
  // Abandoned sessions free theirs when they expire.
  EXPECT_TRUE(room.is_active(0, open_ms + 70'000));
  room.advance(open_ms + 70'001);
  EXPECT_FALSE(room.is_active(0, open_ms + 70'001));
  EXPECT_EQ(room.skipped(), 2U);  // 4 never asked either
  EXPECT_EQ(room.active(), 3U);
}

// A flood of numbers that never ask takes each place for admission_claim_ms, not a session:
// a fan behind 3,000 of them, with 5 places and 30 s sessions, waits 3,000 / 5 claim periods
// (100 minutes) where it waited 3,000 / 5 sessions (5 hours). The join limit per client is
// what keeps one client from making the 3,000.
TEST(Admission, NumbersThatNeverAskAreSkippedAndTheLineMovesOn) {
  Admission room(settings(5, 100, 30), key_of(5));
  for (int i = 0; i < 3'000; ++i) (void)room.join(open_ms);
  const auto fan = *room.join(open_ms);
  UnixMillis now = open_ms;
  while (room.status(fan, now)->state != QueueState::admitted) {
    now += 1'000;  // the fan polls every second; nobody else asks
    ASSERT_LT(now, open_ms + 7'200'000);
  }
  EXPECT_EQ(room.skipped(), 3'000U);
  EXPECT_LE(now - open_ms, 3'000 / 5 * admission_claim_ms + admission_claim_ms);
}

TEST(Admission, RateWithinFivePercentOverASimulatedMinute) {
  for (std::uint32_t rate : {7U, 50U, 333U}) {
    Admission room(settings(1'000'000, rate), key_of(rate));
    std::mt19937_64 random(rate);
    for (int i = 0; i < 100'000; ++i) (void)room.join(open_ms - 1);
    UnixMillis now = open_ms;
    while (now < open_ms + 60'000) {
      now += 1 + static_cast<UnixMillis>(random() % 250);  // irregular polling
      room.advance(std::min(now, open_ms + 60'000));
    }
    const double expected = 60.0 * rate;
    EXPECT_NEAR(static_cast<double>(room.served()), expected, expected * 0.05) << rate;
    EXPECT_NEAR(room.admission_rate(), rate, rate * 0.05) << rate;
  }
}

TEST(Admission, AnEmptyLineDoesNotLowerTheMeasuredRate) {
  Admission room(settings(1'000, 10), key_of(5));
  (void)room.join(open_ms);
  for (UnixMillis now = open_ms; now <= open_ms + 20'000; now += 100) room.advance(now);
  EXPECT_EQ(room.admission_rate(), 10.0);  // one admission in 20 s, but nobody else waited
  for (int i = 0; i < 1'000; ++i) (void)room.join(open_ms + 20'000);
  for (UnixMillis now = open_ms + 20'000; now <= open_ms + 30'000; now += 100) room.advance(now);
  EXPECT_NEAR(room.admission_rate(), 10.0, 0.5);
  const auto status = room.status(999, open_ms + 30'000);
  EXPECT_EQ(status->state, QueueState::waiting);
  EXPECT_NEAR(static_cast<double>(status->eta_seconds), status->position / 10.0, 2.0);
}

TEST(Admission, PreQueueAdmittedInShuffledOrderThenArrivals) {
  Admission room(settings(1'000, 10), key_of(11));
  constexpr std::uint64_t early = 50;
  for (std::uint64_t i = 0; i < early; ++i)
    EXPECT_EQ(room.join(open_ms - 1000 + static_cast<UnixMillis>(i)), i);
  const std::uint64_t late = *room.join(open_ms);
  EXPECT_EQ(late, early);
  EXPECT_EQ(rank_in_line(late, room.line(), key_of(11)), late);
  std::vector<std::uint64_t> order;
  std::set<std::uint64_t> seen;
  for (UnixMillis now = open_ms; order.size() < early + 1; now += 100) {
    room.advance(now);
    for (std::uint64_t n = 0; n <= late; ++n) {
      if (!seen.contains(n) && room.status(n, now)->state == QueueState::admitted) {
        order.push_back(n);
        seen.insert(n);
      }
    }
  }
  EXPECT_EQ(order.back(), late);  // every pre-queue joiner goes first
  std::vector<std::uint64_t> arrival(early);
  std::iota(arrival.begin(), arrival.end(), 0);
  EXPECT_NE(std::vector(order.begin(), order.end() - 1), arrival);  // shuffled, not by arrival
}

// A room saved mid-sale and restored answers everyone as before: numbers, places, sessions.
TEST(AdmissionRestore, AnswersEveryoneAsBeforeTheSave) {
  Admission room(settings(3, 2, 60), key_of(21));
  for (int i = 0; i < 20; ++i) (void)room.join(open_ms - 10);
  room.advance(open_ms + 1'500);
  const auto claimed = room.status(0, open_ms + 1'500);
  ASSERT_TRUE(claimed);
  const AdmissionState state = room.state();
  SessionChanges sessions = room.take_session_changes();
  EXPECT_TRUE(sessions.all);
  Admission restored(settings(3, 2, 60), key_of(21), state, sessions.put, state.issued);
  EXPECT_EQ(restored.state(), state);
  EXPECT_EQ(restored.active(), room.active());
  EXPECT_EQ(restored.waiting(), room.waiting());
  for (std::uint64_t n = 0; n < 20; ++n) {
    const auto before = room.status(n, open_ms + 1'600);
    const auto after = restored.status(n, open_ms + 1'600);
    ASSERT_TRUE(before && after);
    EXPECT_EQ(after->state, before->state) << n;
    EXPECT_EQ(after->position, before->position) << n;
    EXPECT_EQ(after->session_expires_at, before->session_expires_at) << n;
  }
  EXPECT_EQ(restored.join(open_ms + 1'600), room.join(open_ms + 1'600));
}

// Numbers handed out after the save and lost in a crash are nobody's: no status, no place in
// anyone's position, no admission credit spent on them; numbering resumes past them.
TEST(AdmissionRestore, LostNumbersAreSkippedForFree) {
  Admission room(settings(100, 1, 60), key_of(22));
  for (int i = 0; i < 5; ++i) (void)room.join(open_ms);
  const AdmissionState state = room.state();  // saved with numbers 0..4; 5..14 reserved
  Admission restored(settings(100, 1, 60), key_of(22), state, {}, 15);
  EXPECT_EQ(restored.state().lost, (std::vector<NumberRange>{{5, 15}}));
  EXPECT_EQ(restored.waiting(), 5U);
  EXPECT_FALSE(restored.status(7, open_ms));  // lost: the token is refused
  EXPECT_FALSE(restored.status(15, open_ms));
  const std::uint64_t next = *restored.join(open_ms);
  EXPECT_EQ(next, 15U);
  EXPECT_EQ(restored.waiting(), 6U);
  EXPECT_EQ(restored.status(next, open_ms)->position, 6U);  // 0..4 and itself
  // One a second: number 4 at 5 s, and the next one second later, not ten.
  UnixMillis now = open_ms;
  while (restored.status(4, now)->state != QueueState::admitted) now += 100;
  EXPECT_EQ(restored.status(next, now)->position, 1U);
  now += 1'000;
  EXPECT_EQ(restored.status(next, now)->state, QueueState::admitted);
  EXPECT_EQ(restored.waiting(), 0U);
  EXPECT_EQ(restored.skipped(), 0U);
}

// Lost before the open: they were in the pre-queue, whose ranks are shuffled; they are passed
// wherever the shuffle puts them, and every other joiner is let in.
TEST(AdmissionRestore, LostPreQueueNumbersArePassedWhereverTheShuffleSendsThem) {
  Admission room(settings(1'000, 5), key_of(23));
  for (int i = 0; i < 30; ++i) (void)room.join(open_ms - 1'000);
  Admission restored(settings(1'000, 5), key_of(23), room.state(), {}, 60);
  for (int i = 0; i < 10; ++i) (void)restored.join(open_ms - 500);  // 60..69
  EXPECT_EQ(restored.waiting(), 40U);
  EXPECT_EQ(restored.status(0, open_ms - 500)->position, 40U);  // people joined, lost not
  // At the open the 40 are shuffled among the 70 numbers' ranks; their positions count no
  // lost number: 1 to 40. And so once more after a restore that lost nothing.
  const auto positions = [](Admission& room) {
    std::set<std::uint64_t> seen;
    for (std::uint64_t n = 0; n < 70; ++n) {
      if (n < 30 || n >= 60) seen.insert(room.status(n, open_ms)->position);
    }
    return seen;
  };
  std::set<std::uint64_t> expected;
  for (std::uint64_t p = 1; p <= 40; ++p) expected.insert(p);
  EXPECT_EQ(positions(restored), expected);
  Admission again(settings(1'000, 5), key_of(23), restored.state(), {}, 70);
  EXPECT_EQ(positions(again), expected);
  EXPECT_EQ(again.waiting(), 40U);
  std::set<std::uint64_t> admitted;
  UnixMillis now = open_ms;
  for (; restored.waiting() > 0 && now < open_ms + 60'000; now += 200) restored.advance(now);
  for (std::uint64_t n : {0, 10, 29, 60, 69}) {
    if (restored.status(n, now)->state == QueueState::admitted) admitted.insert(n);
  }
  EXPECT_EQ(admitted.size(), 5U);
  EXPECT_EQ(restored.served(), 70U);                 // every rank passed
  EXPECT_LE(now - open_ms, 40 * 1'000 / 5 + 1'000);  // at 5 a second, the 40 only
}

TEST(AdmissionRestore, SessionChangesAreTakenOnce) {
  Admission room(settings(10, 100), key_of(24));
  for (int i = 0; i < 3; ++i) (void)room.join(open_ms);
  EXPECT_TRUE(room.take_session_changes().all);  // a new room: all of its (none)
  room.advance(open_ms + 1'000);
  SessionChanges admitted = room.take_session_changes();
  EXPECT_FALSE(admitted.all);
  EXPECT_EQ(admitted.put.size(), 3U);
  EXPECT_TRUE(room.take_session_changes().empty());
  (void)room.status(1, open_ms + 1'000);  // claims
  EXPECT_TRUE(room.free(2));
  SessionChanges changed = room.take_session_changes();
  ASSERT_EQ(changed.put.size(), 1U);
  EXPECT_EQ(changed.put[0], (AdmittedSession{1, open_ms + 601'000, true}));
  EXPECT_EQ(changed.gone, (std::vector<std::uint64_t>{2}));
  room.forget_taken_changes();  // the save failed
  SessionChanges again = room.take_session_changes();
  EXPECT_TRUE(again.all);
  EXPECT_EQ(again.put.size(), 2U);
}

QueueStatus in_state(QueueState state, std::uint64_t eta_seconds) {
  QueueStatus status;
  status.state = state;
  status.eta_seconds = eta_seconds;
  return status;
}

TEST(PollAfter, HalfTheWaitBetweenOneSecondAndTheRoomsLongest) {
  EXPECT_EQ(poll_after_seconds(in_state(QueueState::waiting, 0), 30), 1u);
  EXPECT_EQ(poll_after_seconds(in_state(QueueState::waiting, 3), 30), 1u);
  EXPECT_EQ(poll_after_seconds(in_state(QueueState::waiting, 41), 30), 20u);
  EXPECT_EQ(poll_after_seconds(in_state(QueueState::waiting, 61), 30), 30u);
  EXPECT_EQ(poll_after_seconds(in_state(QueueState::waiting, 5'000), 120), 120u);
}

TEST(PollAfter, ThePreQueueAsksAtTheOpenAndASoldOutLineSeldom) {
  EXPECT_EQ(poll_after_seconds(in_state(QueueState::pre_queue, 25), 30), 25u);
  EXPECT_EQ(poll_after_seconds(in_state(QueueState::pre_queue, 0), 30), 1u);
  EXPECT_EQ(poll_after_seconds(in_state(QueueState::pre_queue, 3'600), 30), 30u);
  EXPECT_EQ(poll_after_seconds(in_state(QueueState::sold_out, 0), 45), 45u);
  EXPECT_EQ(poll_after_seconds(in_state(QueueState::admitted, 0), 30), 0u);
  EXPECT_EQ(poll_after_seconds(in_state(QueueState::ended, 0), 30), 0u);
}

// Asking after half the estimate, a person whose line moves up to twice as fast as estimated
// still asks before its turn comes; and nobody is told to ask more than once a second.
TEST(PollAfter, NeverLaterThanHalfTheWaitNorSoonerThanASecond) {
  for (std::uint64_t eta = 0; eta <= 10'000; ++eta) {
    for (std::uint32_t max : {3u, 30u, 600u}) {
      const auto after = poll_after_seconds(in_state(QueueState::waiting, eta), max);
      EXPECT_GE(after, 1u);
      EXPECT_LE(after, max);
      if (eta >= 2) {
        EXPECT_LE(after, eta / 2) << eta;
      }
    }
  }
}

}  // namespace
}  // namespace boxoffice
