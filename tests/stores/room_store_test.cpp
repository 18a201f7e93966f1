// The embedded mode's waiting rooms across restarts: sqlite::RoomStore keeps what it is given,
// and memory::QueueCounters over it resumes its rooms after a clean stop (nothing lost) and
// after a crash (the numbers since the last save lost, none handed out twice), on a simulated
// clock. A "crash" is the counters destroyed without flush(): only what a tick saved remains.
#include "stores/sqlite/room_store.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "../support/run_coroutine.hpp"
#include "stores/memory/queue_counters.hpp"

namespace boxoffice {
namespace {

namespace fs = std::filesystem;

constexpr UnixMillis t0 = 1'800'000'000'000;  // the sale opens
constexpr std::int64_t event_id = 7;

AdmissionSettings settings(std::uint32_t active_limit = 2, std::uint32_t admit_per_second = 1) {
  return {active_limit, admit_per_second, 60, t0 - 60'000, t0};
}

class RoomStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("boxoffice-room-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    start();
  }
  void TearDown() override {
    counters_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }

  // A start of the process: the file opened, the rooms resumed.
  void start() {
    counters_.reset();
    store_ = std::make_unique<sqlite::RoomStore>(dir_ / "waiting-rooms.sqlite");
    counters_ = std::make_unique<memory::QueueCounters>(*store_);
    const Status resumed = counters_->resume();
    ASSERT_TRUE(resumed.ok()) << resumed.error().detail;
  }
  void crash_and_restart() { start(); }
  void stop_and_restart() {
    const Status flushed = counters_->flush();
    ASSERT_TRUE(flushed.ok()) << flushed.error().detail;
    start();
  }

  template <class T>
  T run(boost::asio::awaitable<T> work) {
    return testing::run_coroutine(io_, std::move(work));
  }
  Result<std::optional<QueueNumber>> try_join(UnixMillis now) {
    return run(counters_->join(event_id, settings(), now));
  }
  QueueNumber join(UnixMillis now) {
    auto joined = try_join(now);
    EXPECT_TRUE(joined.ok() && *joined);
    return joined.ok() && *joined ? **joined : QueueNumber{};
  }
  std::optional<QueueStatus> status(QueueNumber number, UnixMillis now) {
    auto where = run(counters_->status(event_id, settings(), number, now));
    EXPECT_TRUE(where.ok());
    return where.ok() ? *where : std::nullopt;
  }
  void tick(UnixMillis now) { EXPECT_TRUE(run(counters_->tick(now)).ok()); }

  fs::path dir_;
  boost::asio::io_context io_;
  std::unique_ptr<sqlite::RoomStore> store_;
  std::unique_ptr<memory::QueueCounters> counters_;
};

TEST_F(RoomStoreTest, KeepsWhatItIsGiven) {
  SavedRoom room{.event_id = 3, .epoch = ~std::uint64_t{0} - 5, .settings = settings(9, 4)};
  room.key[0] = 42;
  room.state = {.issued = 100,
                .served = 40,
                .pre_queue_size = 30,
                .credit = 0.5,
                .last_tick = t0 + 5,
                .measured_rate = 3.75,
                .skipped = 2,
                .lost = {{10, 20}, {50, 60}}};
  room.reserved = 1'124;
  room.sessions = {.all = true, .put = {{38, t0 + 10, false}, {39, t0 + 60'000, true}}};
  ASSERT_TRUE(store_->save_rooms({room}).ok());
  room.sessions = {.put = {{40, t0 + 11, false}}, .gone = {38}};
  room.state.served = 41;
  ASSERT_TRUE(store_->save_rooms({room}).ok());

  store_ = std::make_unique<sqlite::RoomStore>(dir_ / "waiting-rooms.sqlite");
  auto loaded = store_->load_rooms();
  ASSERT_TRUE(loaded.ok()) << loaded.error().detail;
  ASSERT_EQ(loaded->size(), 1U);
  const SavedRoom& kept = loaded->front();
  EXPECT_EQ(kept.event_id, 3);
  EXPECT_EQ(kept.epoch, room.epoch);
  EXPECT_EQ(kept.key, room.key);
  EXPECT_EQ(kept.settings, room.settings);
  EXPECT_EQ(kept.state, room.state);
  EXPECT_EQ(kept.reserved, 1'124U);
  EXPECT_TRUE(kept.sessions.all);
  EXPECT_EQ(kept.sessions.put,
            (std::vector<AdmittedSession>{{39, t0 + 60'000, true}, {40, t0 + 11, false}}));
}

// Sessions admitted and claimed before a clean stop keep going after it; nobody's number is
// lost and the next number is the next one.
TEST_F(RoomStoreTest, ACleanStopLosesNothing) {
  std::vector<QueueNumber> line;
  for (int i = 0; i < 10; ++i) line.push_back(join(t0 + i));
  tick(t0 + 1'000);
  const auto admitted = status(line[0], t0 + 1'000);  // claims the session
  ASSERT_EQ(admitted->state, QueueState::admitted);
  for (int i = 0; i < 5; ++i) line.push_back(join(t0 + 1'100));
  stop_and_restart();

  EXPECT_EQ(status(line[0], t0 + 2'000)->state, QueueState::admitted);
  EXPECT_EQ(status(line[0], t0 + 2'000)->session_expires_at, admitted->session_expires_at);
  EXPECT_TRUE(run(counters_->is_active(event_id, line[0].room_epoch, 0, t0 + 2'000)).value());
  for (std::size_t i = 1; i < line.size(); ++i) {
    const auto where = status(line[i], t0 + 2'000);
    ASSERT_TRUE(where) << "number " << line[i].number << " lost";
    EXPECT_NE(where->state, QueueState::ended);
  }
  EXPECT_EQ(status(line[14], t0 + 2'000)->position, 14U - 1U);  // 0 and 1 let in
  const QueueNumber next = join(t0 + 2'000);
  EXPECT_EQ(next.room_epoch, line[0].room_epoch);
  EXPECT_EQ(next.number, 15U);
  EXPECT_EQ(status(next, t0 + 2'000)->position, 14U);
}

// A crash: the numbers handed out since the last tick are lost; everyone before keeps their
// place; numbering resumes past the reservation, and the lost numbers hold nobody up.
TEST_F(RoomStoreTest, ACrashLosesOnlyTheNumbersSinceTheLastSave) {
  std::vector<QueueNumber> line;
  for (int i = 0; i < 10; ++i) line.push_back(join(t0 + i));
  tick(t0 + 100);  // saved: 10 numbers, reserve_ahead_min reserved ahead
  const QueueNumber unsaved = join(t0 + 150);
  crash_and_restart();

  EXPECT_FALSE(status(unsaved, t0 + 200));  // the token names a lost number: join again
  for (const QueueNumber& number : line) ASSERT_TRUE(status(number, t0 + 200));
  const QueueNumber next = join(t0 + 200);
  EXPECT_EQ(next.room_epoch, line[0].room_epoch);
  EXPECT_EQ(next.number, 10U + memory::QueueCounters::reserve_ahead_min);
  const auto where = status(next, t0 + 200);
  EXPECT_EQ(where->position, 11U - 0U);  // ten ahead, none of the lost
  auto totals = run(counters_->room_totals(event_id, settings(), t0 + 200));
  EXPECT_EQ(totals->waiting, 11U - totals->admitted);

  // Everyone saved by a tick survives the next crash, as before.
  tick(t0 + 250);
  const QueueNumber again = join(t0 + 300);
  crash_and_restart();
  EXPECT_FALSE(status(again, t0 + 400));
  EXPECT_TRUE(status(next, t0 + 400));
  EXPECT_GT(join(t0 + 400).number, again.number);
  // A crash before any tick: the resume saved a reservation of its own.
  const QueueNumber third = join(t0 + 400);
  crash_and_restart();
  EXPECT_FALSE(status(third, t0 + 500));
  EXPECT_GT(join(t0 + 500).number, third.number);
}

// Joins faster than the ticks reserve: refused (store_unavailable) rather than handed a
// number that a crash could hand out again; the next tick reserves more. A room never saved
// takes any number of joins (a crash forgets it whole).
TEST_F(RoomStoreTest, JoinsPastTheReservationWaitForTheNextSave) {
  for (std::uint64_t i = 0; i < 2 * memory::QueueCounters::reserve_ahead_min; ++i) {
    ASSERT_TRUE(try_join(t0).ok()) << i;
  }
  tick(t0);  // saved: reserves 4 times the joins ahead
  for (std::uint64_t i = 0; i < 8 * memory::QueueCounters::reserve_ahead_min; ++i) {
    ASSERT_TRUE(try_join(t0 + 1).ok()) << i;
  }
  auto refused = try_join(t0 + 1);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Errc::store_unavailable);
  tick(t0 + 100);  // 8 × min joined since the last save: 4 times that reserved ahead
  for (std::uint64_t i = 0; i < 32 * memory::QueueCounters::reserve_ahead_min; ++i) {
    ASSERT_TRUE(try_join(t0 + 101).ok()) << i;
  }
  EXPECT_FALSE(try_join(t0 + 101).ok());
}

}  // namespace
}  // namespace boxoffice
