// The organizer's part, before the crowd comes: a stadium of sections × rows × seats (named as
// bench/make_venue.py names them) and one event with a waiting room, its pre-queue open now
// and its sale `pre_queue_seconds` later, published. Blocking calls, before the threads start.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "http_client.hpp"
#include "options.hpp"

namespace onsale {

// One request and its answer, on a connection of its own from 127.0.0.1.
Answer send_blocking(const tcp::endpoint& server, const std::string& host, const Request& request,
                     std::size_t body_bytes_max = answer_bytes_max);

struct MadeEvent {
  std::int64_t event_id = 0;
  std::chrono::system_clock::time_point pre_queue_opens_at;  // == on_sale_at without one
  std::chrono::system_clock::time_point on_sale_at;
  std::string error;  // not empty: what failed
};

MadeEvent make_event(const tcp::endpoint& server, const std::string& host, const Options& options);

}  // namespace onsale
