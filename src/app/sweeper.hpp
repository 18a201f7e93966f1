// The node's background loop. Every sweep_interval: advances the waiting rooms and expires due
// holds, so a released seat is seen as free (and announced) even when nobody touches its
// event; settles checkouts of nodes that died; in cluster mode, loads what other nodes changed
// in the catalog. Runs on an event loop and a thread of its own, off the server's threads.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <thread>

#include "services/booking.hpp"
#include "services/catalog.hpp"
#include "services/waiting_room.hpp"

namespace boxoffice::app {

class Sweeper {
 public:
  static constexpr auto sweep_interval = std::chrono::milliseconds(100);

  // `shared_catalog`: the catalog to refresh, in cluster mode; null otherwise.
  Sweeper(Booking& booking, Catalog* shared_catalog, WaitingRoomService& waiting_room);
  ~Sweeper() { stop(); }
  Sweeper(const Sweeper&) = delete;
  Sweeper& operator=(const Sweeper&) = delete;

  // Starts the loop on its thread. Once.
  void start();
  // Stops its event loop and thread; what it awaited is destroyed with it. Harmless twice.
  void stop();

 private:
  boost::asio::awaitable<void> loop();

  Booking& booking_;
  Catalog* shared_catalog_;
  WaitingRoomService& waiting_room_;
  boost::asio::io_context io_;
  std::thread thread_;
};

}  // namespace boxoffice::app
