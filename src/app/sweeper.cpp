#include "app/sweeper.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "services/clock.hpp"

namespace boxoffice::app {

Sweeper::Sweeper(Booking& booking, Catalog* shared_catalog, WaitingRoomService& waiting_room)
    : booking_(booking), shared_catalog_(shared_catalog), waiting_room_(waiting_room) {}

void Sweeper::start() {
  boost::asio::co_spawn(io_, loop(), boost::asio::detached);
  thread_ = std::thread([this] { io_.run(); });
}

void Sweeper::stop() {
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

boost::asio::awaitable<void> Sweeper::loop() {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  bool failing = false;
  for (;;) {
    if (shared_catalog_) (void)shared_catalog_->refresh();  // an outage shows in /readyz
    // Admissions go on at their rate even while nobody polls, and ended sessions go, with
    // their holds.
    auto ended = co_await waiting_room_.tick(system_now());
    if (!ended) spdlog::debug("waiting rooms: {}", ended.error().detail);
    if (ended) co_await booking_.release_all(std::move(*ended), system_now());
    auto swept = co_await booking_.sweep(system_now());
    if (!swept && !failing) spdlog::warn("sweep failed: {}", swept.error().detail);
    if (swept && failing) spdlog::info("sweep works again");
    failing = !swept;
    timer.expires_after(sweep_interval);
    co_await timer.async_wait(boost::asio::use_awaitable);
  }
}

}  // namespace boxoffice::app
