// The bots: a few addresses, each flooding the room with joins from the moment it opens (the
// pre-queue, when there is one: their places are then drawn among the fans'), and holds
// without an access token; polling every queue token it got, fast; and, when one is
// admitted, holding the most an order may have at once and paying at once, no thinking.
// They honour Retry-After (hammering a 429 gains nothing: a refused request counts nothing).
// What keeps them to a small share is only the server's per-client limits with their
// defaults: joins 10, then 10 a minute, per address and event.
#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "crowd.hpp"
#include "json_fields.hpp"

namespace onsale {
namespace {

constexpr double retry_seconds = 1;

}  // namespace

asio::awaitable<void> Shard::run_bot(Bot& bot) {
  const auto opens_ns = sale_.pre_queue_opens_ns != 0 ? sale_.pre_queue_opens_ns : sale_.on_sale_ns;
  co_await sleep(static_cast<double>(opens_ns - now_ns()) / 1e9 + 0.01);
  asio::co_spawn(context_, bot_floods(bot), asio::detached);
  co_await bot_polls(bot);
  sale_.bots_done.fetch_add(1);
}

asio::awaitable<void> Shard::bot_floods(Bot& bot) {
  auto connection = connection_from(bot.address);
  const auto event = "/v1/events/" + std::to_string(sale_.event_id);
  std::uint32_t joins = 0, holds = 0;
  while (!sale_.stopping && !bot.sold_out &&
         (joins < options_.bot_join_attempts || holds < options_.bot_hold_attempts)) {
    double wait = 0;
    if (joins < options_.bot_join_attempts) {
      ++joins;
      Request join{.verb = beast::http::verb::post, .target = event + "/queue"};
      const auto answer = co_await on(connection, Actor::bot, Kind::join, std::move(join));
      if (answer.status == 201)
        bot.tokens.push_back(text_of(object_of(answer.body), "queue_token"));
      if (answer.status == 429) wait = answer.retry_after_seconds;
      if (answer.status == 0 || answer.status >= 500) wait = retry_seconds;
    }
    if (holds < options_.bot_hold_attempts) {
      ++holds;
      Request hold{
          .verb = beast::http::verb::post,
          .target = event + "/holds",
          .body = R"({"best_available":{"count":)" + std::to_string(options_.max_per_order) + "}}"};
      const auto answer = co_await on(connection, Actor::bot, Kind::hold, std::move(hold));
      if (answer.status == 201) ++bot.holds_granted;  // must not happen: the room gates holds
      if (answer.status == 429) wait = std::min<double>(wait, answer.retry_after_seconds);
    }
    if (wait > 0) co_await sleep(wait);
  }
}

asio::awaitable<void> Shard::bot_polls(Bot& bot) {
  auto connection = connection_from(bot.address);
  const auto status_target = "/v1/events/" + std::to_string(sale_.event_id) + "/queue/status";
  std::size_t next = 0;
  while (!sale_.stopping && !bot.sold_out) {
    if (bot.tokens.empty()) {
      co_await sleep(options_.bot_poll_seconds);
      continue;
    }
    next %= bot.tokens.size();
    Request request{.target = status_target};
    request.headers.emplace_back("X-Queue-Token", bot.tokens[next]);
    const auto answer = co_await on(connection, Actor::bot, Kind::status, std::move(request));
    const auto status = object_of(answer.body);
    const auto state = text_of(status, "state");
    if (answer.status == 200 && state == "sold_out") bot.sold_out = true;
    if (answer.status == 200 && state == "admitted") {
      bot.tokens.erase(bot.tokens.begin() + static_cast<long>(next));
      ++bot.admitted;
      co_await bot_buys(bot, connection, text_of(status, "access_token"));
    } else if (answer.status == 410 || answer.status == 403) {
      bot.tokens.erase(bot.tokens.begin() + static_cast<long>(next));  // skipped, or ended
    } else {
      ++next;
    }
    const double wait = answer.status == 429
                            ? answer.retry_after_seconds
                            : options_.bot_poll_seconds /
                                  static_cast<double>(std::max<std::size_t>(1, bot.tokens.size()));
    co_await sleep(wait);
  }
}

asio::awaitable<void> Shard::bot_buys(Bot& bot, Connection& connection, std::string access_token) {
  Request request{
      .verb = beast::http::verb::post,
      .target = "/v1/events/" + std::to_string(sale_.event_id) + "/holds",
      .body = R"({"best_available":{"count":)" + std::to_string(options_.max_per_order) + "}}"};
  request.headers.emplace_back("X-Queue-Access", access_token);
  const auto answer = co_await on(connection, Actor::bot, Kind::hold, std::move(request));
  if (answer.status != 201) co_return;
  const auto hold = object_of(answer.body);
  Held held{.hold_id = text_of(hold, "hold_id")};
  const auto key = "onsale-bot-" + std::to_string(bot.address) + "-" + std::to_string(bot.admitted);
  const auto paid = co_await pay(connection, Actor::bot, held, "4242424242424242", key);
  if (paid == PayEnd::paid) bot.orders += 1;
}

}  // namespace onsale
