// An admitted fan's visit: look at the map and think, hold (seats picked on the map, or best
// available), think again, pay (a declined card first for some, then a good one), or walk
// away; on one keep-alive connection from the fan's own address.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/json/serialize.hpp>

#include "crowd.hpp"
#include "json_fields.hpp"

namespace onsale {
namespace {

constexpr int hold_attempts_max = 30;
constexpr double retry_seconds = 1;
constexpr double pay_seconds_max = 120;  // of retrying one checkout (a node down, a failover)
const std::string good_card = "4242424242424242";
const std::string declined_card = "4000000000000002";

std::string seats_body(const std::vector<std::string>& seats) {
  boost::json::array list;
  for (const auto& seat : seats) list.emplace_back(seat);
  return boost::json::serialize(boost::json::object{{"seats", std::move(list)}});
}

std::string best_available_body(std::uint32_t count) {
  return R"({"best_available":{"count":)" + std::to_string(count) + "}}";
}

std::vector<std::string> strings_of(const boost::json::object& object, std::string_view key) {
  std::vector<std::string> out;
  const auto* value = object.if_contains(key);
  if (value == nullptr || !value->is_array()) return out;
  for (const auto& item : value->get_array()) {
    if (item.is_string()) out.emplace_back(item.get_string());
  }
  return out;
}

}  // namespace

void Shard::ran_out() {
  std::int64_t unset = 0;
  const auto sold = sale_.tickets_sold.load();
  if (sale_.ran_out_ns.compare_exchange_strong(unset, now_ns())) sale_.sold_when_ran_out = sold;
}

asio::awaitable<void> Shard::shop(std::uint32_t fan, std::string access_token) {
  Fan& f = fans_[fan];
  auto connection = connection_from(f.address);
  co_await sleep(think_seconds());  // the seat map, the prices, the party's wishes
  Held held;
  const auto end = co_await hold_seats(fan, connection, access_token, held);
  if (sale_.stopping) co_return;
  if (end == HoldEnd::session_gone) {
    // The session ended meanwhile (nothing was left, or it ran out): the page joins again.
    f.state = FanState::in_line;
    ++f.rejoins;
    sale_.rejoins.fetch_add(1, std::memory_order_relaxed);
    co_return schedule(fan, Action::join, options_.rejoin_seconds);
  }
  if (end != HoldEnd::held) co_return finish(fan, FanState::gave_up);
  if (f.abandons) {
    if (uniform(0, 1) < 0.5) {
      Request release{.verb = beast::http::verb::delete_, .target = "/v1/holds/" + held.hold_id};
      co_await on(connection, Actor::fan, Kind::release, std::move(release));
      sale_.released.fetch_add(1, std::memory_order_relaxed);
    } else {
      sale_.walked_away.fetch_add(1, std::memory_order_relaxed);  // the hold expires
    }
    co_return finish(fan, FanState::abandoned);
  }
  co_await sleep(think_seconds());  // the form
  const auto key = "onsale-" + std::to_string(fan) + "-" + std::to_string(f.rejoins);
  if (f.declines) {
    const auto paid = co_await pay(connection, Actor::fan, held, declined_card, key + "-declined");
    if (paid == PayEnd::declined) sale_.declined.fetch_add(1, std::memory_order_relaxed);
    co_await sleep(think_seconds() / 2);  // another card
  }
  const auto paid = co_await pay(connection, Actor::fan, held, good_card, key);
  finish(fan, paid == PayEnd::paid ? FanState::bought : FanState::gave_up);
}

asio::awaitable<std::optional<std::vector<bool>>> Shard::look_at_map(Connection& connection,
                                                                     Actor actor) {
  Request request{.target = "/v1/events/" + std::to_string(sale_.event_id) + "/availability"};
  const auto answer = co_await on(connection, actor, Kind::availability, std::move(request));
  if (answer.status != 200) co_return std::nullopt;
  co_return available_seats(answer.body, sale_.layout);
}

// Holds the fan's party: on the map, adjacent seats in a section of its liking (again after a
// lost race, `pick_retries` times), else best available; when no row has that many together,
// any seats left, as many as there are up to the party.
asio::awaitable<Shard::HoldEnd> Shard::hold_seats(std::uint32_t fan, Connection& connection,
                                                  const std::string& access_token, Held& held) {
  const Fan& f = fans_[fan];
  enum class Pick {
    together,
    best_available,
    any,
    last_try
  } pick = f.explicit_pick ? Pick::together : Pick::best_available;
  std::uint32_t conflicts = 0;
  for (int attempt = 0; attempt < hold_attempts_max && !sale_.stopping; ++attempt) {
    Request request{.verb = beast::http::verb::post,
                    .target = "/v1/events/" + std::to_string(sale_.event_id) + "/holds"};
    request.headers.emplace_back("X-Queue-Access", access_token);
    if (pick == Pick::last_try) {
      co_return HoldEnd::nothing_left;
    } else if (pick == Pick::best_available) {
      request.body = best_available_body(f.party);
    } else {
      const auto map = co_await look_at_map(connection, Actor::fan);
      if (!map) {
        co_await sleep(retry_seconds);
        continue;
      }
      const auto first = static_cast<std::uint32_t>(random_() % sale_.layout.seats());
      auto seats = pick == Pick::together
                       ? pick_together(*map, sale_.layout, f.party, first % sale_.layout.sections)
                       : pick_any(*map, sale_.layout, f.party, first);
      if (seats.empty() && pick == Pick::any) {
        // Nothing on the map: the page's "any seat" asks once more (something may have come
        // back since), and the server, finding nothing either, ends the empty session.
        pick = Pick::last_try;
        request.body = best_available_body(1);
      } else if (seats.empty()) {
        pick = Pick::any;
        continue;
      } else {
        request.body = seats_body(seats);
      }
    }
    const auto answer = co_await on(connection, Actor::fan, Kind::hold, std::move(request));
    if (answer.status == 201) {
      const auto hold = object_of(answer.body);
      held = Held{text_of(hold, "hold_id"), strings_of(hold, "seats")};
      co_return HoldEnd::held;
    }
    const auto problem = problem_of(answer.body);
    if (answer.status == 409 && problem == "seats-unavailable") {
      sale_.pick_conflicts.fetch_add(1, std::memory_order_relaxed);
      if (pick == Pick::together && ++conflicts >= options_.pick_retries) {
        pick = Pick::best_available;
      }
    } else if (answer.status == 409 && problem == "not-enough-seats") {
      if (pick == Pick::last_try) {
        ran_out();  // and the loop ends: nothing left
      } else {
        pick = Pick::any;
      }
    } else if (answer.status == 403 || answer.status == 410) {
      co_return HoldEnd::session_gone;
    } else if (answer.status == 429) {
      co_await sleep(answer.retry_after_seconds);
    } else if (answer.status == 0 || answer.status >= 500) {
      sale_.retries.fetch_add(1, std::memory_order_relaxed);
      co_await sleep(retry_seconds);
    } else {
      co_return HoldEnd::failed;  // 422: not what a fan's page sends
    }
  }
  co_return HoldEnd::failed;
}

// Checks the hold out with `card` under Idempotency-Key `key`, again with the same key after
// no answer or a 5xx (the order is made once whatever happens), until an answer says how it
// went or `pay_seconds_max` passed.
asio::awaitable<Shard::PayEnd> Shard::pay(Connection& connection, Actor actor, const Held& held,
                                          const std::string& card, const std::string& key) {
  const auto deadline = now_ns() + static_cast<std::int64_t>(pay_seconds_max * 1e9);
  const auto body = R"({"payment":{"card_number":")" + card +
                    R"("},"customer":{"email":"fan@example.com","name":"Sam Fan"}})";
  while (!sale_.stopping && now_ns() < deadline) {
    Request request{.verb = beast::http::verb::post,
                    .target = "/v1/holds/" + held.hold_id + "/checkout",
                    .body = body};
    request.headers.emplace_back("Idempotency-Key", key);
    const auto answer = co_await on(connection, actor, Kind::checkout, std::move(request));
    if (answer.status == 201) {
      const auto order = object_of(answer.body);
      OrderSeen seen{text_of(order, "order_id"), strings_of(order, "seats"), actor == Actor::bot};
      const auto tickets = seen.seats.size();
      recorder_.sold(now_ns(), std::move(seen));
      const auto sold = sale_.tickets_sold.fetch_add(tickets) + tickets;
      if (sold >= sale_.layout.seats() && sold - tickets < sale_.layout.seats()) {
        sale_.sold_out_ns = now_ns();
      }
      co_return PayEnd::paid;
    }
    if (answer.status == 402) co_return PayEnd::declined;
    const bool again = answer.status == 0 || answer.status >= 500 || answer.status == 429 ||
                       (answer.status == 409 && problem_of(answer.body) == "checkout-in-progress");
    if (!again) co_return PayEnd::failed;  // 410 the hold expired, 409 conflict, ...
    if (answer.status != 429) sale_.retries.fetch_add(1, std::memory_order_relaxed);
    co_await sleep(std::max(retry_seconds, static_cast<double>(answer.retry_after_seconds)));
  }
  co_return PayEnd::failed;
}

}  // namespace onsale
