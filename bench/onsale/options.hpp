// Every parameter of the on-sale simulator; main.cpp makes each a command-line flag with the
// same name (underscores as dashes). Durations of people (arrivals, thinking) are in model
// seconds, divided by `time_compression` to run; the page's polling (as the server advises it,
// `poll_after_seconds`), and every timing of the server (a turn kept 10 s, sessions, holds), are
// wall-clock and not compressed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace onsale {

struct Options {
  // Where and what.
  std::vector<std::string> urls;  // http://host:port of the server(s); fans spread over them
  std::string admin_key;
  std::int64_t event_id = 0;  // 0: make a stadium and an event with a waiting room
  std::uint32_t sections = 70;
  std::uint32_t rows = 20;
  std::uint32_t seats_per_row = 50;  // 70 × 20 × 50 = 70,000 seats
  std::uint32_t max_per_order = 8;
  std::uint32_t hold_seconds = 30;
  std::uint32_t active_limit = 6000;
  std::uint32_t admit_per_second = 1000;
  std::uint32_t session_seconds = 60;
  std::uint32_t poll_seconds_max = 120;  // the room's: the longest a page waits between polls

  // The crowd.
  std::uint32_t fans = 500'000;
  double pre_queue_share = 0.3;         // of the fans, joining before the on-sale
  double pre_queue_seconds = 60;        // wall: the pre-queue is open this long before the sale
  double arrival_mean_seconds = 300;    // model: the others' mean arrival after the on-sale
  double arrival_window_seconds = 900;  // model: nobody arrives later than this
  std::vector<double> party_weights = {15, 45, 10, 25, 0, 3, 0, 2};  // tickets 1, 2, ...
  double explicit_share = 0.3;   // pick seats on the map (else best available)
  double abandon_share = 0.05;   // hold, then leave (half release, half let it expire)
  double decline_share = 0.05;   // first card declined, then pay with another
  double think_seconds = 20;     // model: mean before picking, and again before paying
  double time_compression = 10;  // model seconds per wall second
  double stream_share = 0.01;    // wait on the status stream instead of polling
  std::uint32_t streams_max = 2000;
  double poll_open_seconds = 3;    // wall: the pre-queue polls again within this of the open
  double rejoin_seconds = 1;       // wall: a page whose session ended joins again after this
  std::uint32_t pick_retries = 3;  // explicit picks that lost a race before best available

  // The bots.
  std::uint32_t bot_addresses = 20;
  std::uint32_t bot_join_attempts = 200;  // per address, as fast as answered
  std::uint32_t bot_hold_attempts = 100;  // per address, holds without an access token
  double bot_poll_seconds = 0.2;

  // The tool.
  // Through an edge: the fans reach the server through a CDN or balancer that keeps connections
  // to it and names each fan in X-Forwarded-For (the server trusts the tool's address as a
  // proxy); else each fan connects from its own address.
  bool edge = false;
  std::uint32_t threads = 2;
  std::uint32_t in_flight_max = 4000;         // one-shot requests (joins, polls) at once
  std::uint32_t kept_connections_max = 6000;  // fans near their turn keeping theirs
  double drain_seconds = 200;                 // after the sell-out, for the line to be told (wall)
  double run_seconds_max = 900;
  std::uint64_t seed = 42;

  // The checker and the report.
  std::vector<std::string> payment_ledgers;  // test-payments.sqlite of each node
  std::vector<std::string> nodes;            // NAME=PIDFILE: peak memory of each
  bool check = true;
};

}  // namespace onsale
