// The live seat map hub: snapshot or resume, coalescing, the ring's bounds, and a slow
// subscriber dropped without touching the others. Changes are published by hand (as a hold
// store would), and once through the in-memory hold store.
#include "services/live_seats.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/layout_builder.hpp"
#include "http/live_stream.hpp"
#include "stores/memory/hold_store.hpp"

namespace boxoffice {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using testing::build_layout;

constexpr std::int64_t event_id = 7;

UnitsChange change(std::uint64_t seq, ChangeKind kind, std::vector<SeatIndex> seats) {
  UnitsChange out;
  out.event_id = event_id;
  out.seq = seq;
  out.kind = kind;
  out.seats = std::move(seats);
  return out;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class LiveSeatsTest : public ::testing::Test {
 protected:
  explicit LiveSeatsTest(LiveLimits limits = {}) : limits_(limits) {}

  // Seats s0-r0-0 .. s0-r0-3 and one GA area "ga0".
  std::shared_ptr<const Layout> layout_ = build_layout({{4}}, {100});
  Metrics metrics_;
  std::uint64_t snapshot_seq_ = 10;
  std::function<void()> during_snapshot_;
  LiveLimits limits_;
  http::SseLiveFormat format_;  // the server's own: the messages are asserted byte for byte
  std::unique_ptr<LiveSeats> live_ = std::make_unique<LiveSeats>(
      [this](std::int64_t) -> Result<EncodedSnapshot> {
        if (during_snapshot_) during_snapshot_();
        const std::string json = "{\"seq\":" + std::to_string(snapshot_seq_) + "}";
        return EncodedSnapshot{snapshot_seq_, std::make_shared<const std::string>(json)};
      },
      format_, metrics_, limits_);
  asio::io_context io_;

  // A subscriber's connection: keeps what is written; `stalled`, it takes nothing (a browser
  // that stopped reading).
  struct Sink final : LiveSink {
    std::string written;
    std::size_t read = 0;  // of `written`, by next()
    bool stalled = false;
    bool aborted = false;
    bool done = false;  // run() returned
    std::optional<std::size_t> write_now(std::string_view data) override {
      if (stalled) return 0;
      written += data;
      return data.size();
    }
    asio::awaitable<bool> write(std::string_view data) override {
      asio::steady_timer pause(co_await asio::this_coro::executor);
      while (stalled && !aborted) {
        pause.expires_after(5ms);
        co_await pause.async_wait(asio::use_awaitable);
      }
      if (aborted) co_return false;
      written += data;
      co_return true;
    }
    void abort() override { aborted = true; }
  };

  // A subscription streaming into a Sink of its own.
  struct Stream {
    std::unique_ptr<LiveSeats::Subscription> subscription;
    std::shared_ptr<Sink> sink = std::make_shared<Sink>();
    const std::string& first_message() const { return subscription->first_message(); }
  };

  std::unique_ptr<Stream> subscribe(std::optional<std::uint64_t> last) {
    auto subscription = live_->subscribe(io_.get_executor(), event_id, layout_, last);
    EXPECT_TRUE(subscription.ok());
    auto stream = std::make_unique<Stream>();
    stream->subscription = std::move(subscription).value();
    asio::co_spawn(
        io_,
        [subscription = stream->subscription.get(),
         sink = stream->sink]() -> asio::awaitable<void> {
          co_await subscription->run(*sink);
          sink->done = true;
        },
        asio::detached);
    return stream;
  }

  // What the stream wrote next (what came within a few ms of its first byte), waiting at most
  // `wait`; nullopt when the stream ended; "(none)" if nothing came.
  std::optional<std::string> next(Stream& stream, std::chrono::milliseconds wait = 2000ms) {
    Sink& sink = *stream.sink;
    const auto deadline = std::chrono::steady_clock::now() + wait;
    io_.restart();
    while (sink.written.size() == sink.read && !sink.done &&
           std::chrono::steady_clock::now() < deadline) {
      io_.run_one_for(10ms);
    }
    if (sink.written.size() == sink.read) {
      if (sink.done) return std::nullopt;
      return std::string("(none)");
    }
    std::string out = sink.written.substr(sink.read);
    sink.read = sink.written.size();
    return out;
  }
};

TEST_F(LiveSeatsTest, SnapshotFirstThenCoalescedDeltas) {
  auto subscription = subscribe(std::nullopt);
  EXPECT_EQ(subscription->first_message(),
            "retry: 2000\nevent: snapshot\nid: 10\ndata: {\"seq\":10}\n\n");
  live_->publish(change(11, ChangeKind::held, {0, 1}));
  live_->publish(change(12, ChangeKind::sold, {0, 1}));
  const auto message = next(*subscription);
  ASSERT_TRUE(message);
  EXPECT_EQ(*message,
            "event: delta\nid: 12\ndata: {\"changes\":["
            "{\"seq\":11,\"kind\":\"held\",\"seats\":[\"s0-r0-0\",\"s0-r0-1\"]},"
            "{\"seq\":12,\"kind\":\"sold\",\"seats\":[\"s0-r0-0\",\"s0-r0-1\"]}]}\n\n");
  EXPECT_EQ(live_->subscribers(), 1u);
  subscription.reset();
  EXPECT_EQ(live_->subscribers(), 0u);
}

TEST_F(LiveSeatsTest, ReleasedTellsTimeoutFromReleaseAndGaAreasAreNamed) {
  auto subscription = subscribe(std::nullopt);
  live_->publish(change(11, ChangeKind::expired, {2}));
  live_->publish(change(12, ChangeKind::released, {3}));
  UnitsChange ga = change(13, ChangeKind::held, {});
  ga.ga_area = 0;
  ga.ga_quantity = 5;
  live_->publish(ga);
  const auto message = next(*subscription);
  ASSERT_TRUE(message);
  EXPECT_TRUE(
      contains(*message, R"({"seq":11,"kind":"released","reason":"timeout","seats":["s0-r0-2"]})"))
      << *message;
  EXPECT_TRUE(
      contains(*message, R"({"seq":12,"kind":"released","reason":"release","seats":["s0-r0-3"]})"))
      << *message;
  EXPECT_TRUE(
      contains(*message, R"({"seq":13,"kind":"held","seats":[],"ga":{"area":"ga0","quantity":5}})"))
      << *message;
}

TEST_F(LiveSeatsTest, ChangesTheSnapshotAlreadyHasAreNotSentAgain) {
  // A change lands between registering and reading the snapshot: the snapshot has it.
  during_snapshot_ = [this] {
    live_->publish(change(11, ChangeKind::held, {0}));
    snapshot_seq_ = 11;
  };
  auto subscription = subscribe(std::nullopt);
  EXPECT_TRUE(contains(subscription->first_message(), "id: 11\n"));
  live_->publish(change(12, ChangeKind::held, {1}));
  const auto message = next(*subscription);
  ASSERT_TRUE(message);
  EXPECT_FALSE(contains(*message, "\"seq\":11")) << *message;
  EXPECT_TRUE(contains(*message, "id: 12\n")) << *message;
}

TEST_F(LiveSeatsTest, ResumesFromTheRingWithExactlyTheMissedChanges) {
  for (std::uint64_t seq = 11; seq <= 15; ++seq) {
    live_->publish(change(seq, ChangeKind::held, {static_cast<SeatIndex>(seq % 4)}));
  }
  auto resumed = subscribe(13);
  const std::string& first = resumed->first_message();
  EXPECT_FALSE(contains(first, "snapshot"));
  EXPECT_FALSE(contains(first, "\"seq\":13")) << first;
  EXPECT_TRUE(contains(first, "\"seq\":14")) << first;
  EXPECT_TRUE(contains(first, "\"seq\":15")) << first;
  EXPECT_TRUE(contains(first, "id: 15\n")) << first;
  live_->publish(change(16, ChangeKind::held, {0}));
  const auto message = next(*resumed);
  ASSERT_TRUE(message);
  EXPECT_TRUE(contains(*message, "id: 16\n")) << *message;
  EXPECT_FALSE(contains(*message, "\"seq\":15")) << *message;

  // Up to date already: nothing but the retry field.
  EXPECT_EQ(subscribe(16)->first_message(), "retry: 2000\n\n");
  // Just before the ring's first change: still every change.
  EXPECT_TRUE(contains(subscribe(10)->first_message(), "\"seq\":11"));
  // From the future, or unknown: a snapshot.
  EXPECT_TRUE(contains(subscribe(17)->first_message(), "event: snapshot"));
}

class SmallLiveSeatsTest : public LiveSeatsTest {
 protected:
  SmallLiveSeatsTest()
      : LiveSeatsTest(LiveLimits{.ring_changes_max = 4,
                                 .pending_bytes_max = 150,
                                 .coalesce_ms = 5ms,
                                 .heartbeat_ms = 50ms}) {}
};

TEST_F(SmallLiveSeatsTest, AnIdOlderThanTheRingGetsASnapshot) {
  for (std::uint64_t seq = 11; seq <= 20; ++seq) live_->publish(change(seq, ChangeKind::held, {0}));
  EXPECT_TRUE(contains(subscribe(15)->first_message(), "event: snapshot"));
  EXPECT_TRUE(contains(subscribe(16)->first_message(), "\"seq\":17"));  // ring: 17..20
}

TEST_F(SmallLiveSeatsTest, ASlowSubscriberIsDroppedAndTheOthersGoOn) {
  auto fast = subscribe(std::nullopt);
  auto slow = subscribe(std::nullopt);
  slow->sink->stalled = true;  // its connection takes nothing: deltas wait in its pending bytes
  live_->publish(change(11, ChangeKind::held, {0}));
  ASSERT_TRUE(contains(next(*fast).value_or(""), "id: 11\n"));
  live_->publish(change(12, ChangeKind::held, {1}));
  ASSERT_TRUE(contains(next(*fast).value_or(""), "id: 12\n"));
  EXPECT_EQ(metrics_.live_subscribers_dropped.value(), 0u);
  live_->publish(change(13, ChangeKind::held, {2}));  // past slow's 150 pending bytes: dropped
  live_->publish(change(14, ChangeKind::held, {3}));
  const auto message = next(*fast);
  ASSERT_TRUE(message);
  EXPECT_TRUE(contains(*message, "\"seq\":13")) << *message;
  EXPECT_TRUE(contains(*message, "id: 14\n")) << *message;
  EXPECT_EQ(metrics_.live_subscribers_dropped.value(), 1u);
  EXPECT_EQ(next(*slow), std::nullopt);
  EXPECT_TRUE(slow->sink->aborted);    // closed at once, not at the server's write timeout
  EXPECT_EQ(slow->sink->written, "");  // a stalled connection got nothing
  // The dropped one reconnects with its last id and is current again.
  auto again = subscribe(10);
  EXPECT_TRUE(contains(again->first_message(), "\"seq\":13"));
  EXPECT_TRUE(contains(again->first_message(), "id: 14\n"));
}

TEST_F(SmallLiveSeatsTest, AConnectionThatTakesPartOfAMessageGetsTheRestInOrder) {
  auto stream = subscribe(std::nullopt);
  stream->sink->stalled = true;
  live_->publish(change(11, ChangeKind::held, {0}));
  EXPECT_EQ(next(*stream, 100ms), "(none)");  // waiting in its pending bytes
  live_->publish(change(12, ChangeKind::held, {1}));
  EXPECT_EQ(next(*stream, 100ms), "(none)");
  stream->sink->stalled = false;
  std::string got;
  for (int i = 0; i < 2 && !contains(got, "id: 12\n"); ++i) got += next(*stream).value_or("");
  EXPECT_LT(got.find("id: 11\n"), got.find("id: 12\n")) << got;
}

TEST_F(SmallLiveSeatsTest, HeartbeatsWhenNothingHappens) {
  auto subscription = subscribe(std::nullopt);
  EXPECT_EQ(next(*subscription), ": hb\n\n");
}

TEST_F(SmallLiveSeatsTest, AReloadEndsTheStreamsAndForgetsTheRing) {
  live_->publish(change(11, ChangeKind::held, {0}));
  auto subscription = subscribe(std::nullopt);
  UnitsChange reload = change(40, ChangeKind::held, {});
  reload.reloaded = true;
  live_->publish(reload);
  EXPECT_EQ(next(*subscription), std::nullopt);
  EXPECT_TRUE(contains(subscribe(11)->first_message(), "event: snapshot"));
}

TEST_F(SmallLiveSeatsTest, AReloadToTheSeqTheStreamHasChangesNothing) {
  live_->publish(change(11, ChangeKind::held, {0}));
  auto subscription = subscribe(10);
  UnitsChange reload = change(11, ChangeKind::held, {});
  reload.reloaded = true;
  live_->publish(reload);
  live_->publish(change(12, ChangeKind::held, {1}));
  const auto message = next(*subscription);
  ASSERT_TRUE(message);
  EXPECT_TRUE(contains(*message, "id: 12\n")) << *message;
  EXPECT_TRUE(contains(subscribe(11)->first_message(), "\"seq\":12"));  // the ring is kept
}

TEST_F(LiveSeatsTest, StopEndsEveryStreamAndIgnoresLaterChanges) {
  auto subscription = subscribe(std::nullopt);
  live_->stop();
  live_->publish(change(11, ChangeKind::held, {0}));
  EXPECT_EQ(next(*subscription), std::nullopt);
}

// Through the in-memory hold store, as serve.cpp wires it.
TEST_F(LiveSeatsTest, FollowsTheInMemoryHoldStore) {
  Metrics store_metrics;
  memory::HoldStore holds(100, store_metrics);
  holds.on_change([this](const UnitsChange& c) { live_->publish(c); });
  EventUnits units;
  units.event_id = event_id;
  units.layout = layout_;
  units.load_sold = [] { return Result<SoldIndexes>(SoldIndexes{}); };
  ASSERT_TRUE(holds.open_event(std::move(units)).ok());
  snapshot_seq_ = holds.snapshot(event_id, 0).value()->seq;
  auto subscription = subscribe(std::nullopt);

  std::optional<Result<Held>> held;
  asio::co_spawn(
      io_,
      [&]() -> asio::awaitable<void> {
        HoldAsk ask = std::vector<SeatIndex>{1, 2};
        held = co_await holds.hold(event_id, std::move(ask), testing::test_terms(*layout_, 4), 1000,
                                   2000);
      },
      asio::detached);
  io_.run_for(100ms);
  ASSERT_TRUE(held && held->ok());
  const auto message = next(*subscription);
  ASSERT_TRUE(message);
  EXPECT_TRUE(contains(*message, R"("kind":"held","seats":["s0-r0-1","s0-r0-2"])")) << *message;

  std::optional<Result<SweepOutcome>> swept;
  asio::co_spawn(
      io_, [&]() -> asio::awaitable<void> { swept = co_await holds.sweep(3000); }, asio::detached);
  io_.restart();
  io_.run_for(100ms);
  ASSERT_TRUE(swept && swept->ok());
  const auto expired = next(*subscription);
  ASSERT_TRUE(expired);
  EXPECT_TRUE(contains(*expired, R"("kind":"released","reason":"timeout")")) << *expired;
}

}  // namespace
}  // namespace boxoffice
