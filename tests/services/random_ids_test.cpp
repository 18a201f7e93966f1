// Random ids from a per-thread keystream: no repeats within a thread or across threads, and
// every bit is set about half of the time.
#include "services/random_ids.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace boxoffice {
namespace {

using Id = std::array<std::uint8_t, 16>;

TEST(RandomIds, NoRepeatsAcrossCallsAndThreads) {
  constexpr int threads_count = 4;
  constexpr int per_thread = 20'000;  // many buffer refills each
  std::mutex mutex;
  std::set<Id> seen;
  std::vector<std::thread> threads;
  for (int t = 0; t < threads_count; ++t) {
    threads.emplace_back([&] {
      std::vector<Id> mine(per_thread);
      for (Id& id : mine) random_id_bytes(id);
      const std::lock_guard lock(mutex);
      seen.insert(mine.begin(), mine.end());
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(threads_count * per_thread));
}

TEST(RandomIds, EveryBitIsSetAboutHalfTheTime) {
  constexpr int ids = 40'000;
  std::array<int, 16 * 8> ones{};
  for (int n = 0; n < ids; ++n) {
    Id id{};
    random_id_bytes(id);
    for (std::size_t bit = 0; bit < ones.size(); ++bit) {
      ones[bit] += (id[bit / 8] >> (bit % 8)) & 1;
    }
  }
  // Binomial(40,000, 1/2): the standard deviation is 100; 6 of them is 600.
  for (std::size_t bit = 0; bit < ones.size(); ++bit) {
    EXPECT_NEAR(ones[bit], ids / 2, 600) << "bit " << bit;
  }
}

TEST(RandomIds, OddSizesAreFilledWhole) {
  std::array<std::uint8_t, 13> a{};
  std::array<std::uint8_t, 13> b{};
  random_id_bytes(a);
  random_id_bytes(std::span(b).first(5));
  const std::array<std::uint8_t, 13> zeros{};
  EXPECT_NE(a, zeros);
  EXPECT_EQ(std::vector(b.begin() + 5, b.end()), std::vector<std::uint8_t>(8, 0));  // untouched
}

}  // namespace
}  // namespace boxoffice
