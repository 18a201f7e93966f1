// Runs a blocking call (a store's I/O: an fsync, a round trip to PostgreSQL) on a thread pool
// and awaits its result, so the server's threads go on serving other connections meanwhile.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <optional>
#include <type_traits>

namespace boxoffice {

template <class Call>
boost::asio::awaitable<std::invoke_result_t<Call>> offload(boost::asio::thread_pool& pool,
                                                           Call call) {
  using R = std::invoke_result_t<Call>;
  // Through std::optional: co_spawn's completion wants a default-constructible result.
  std::optional<R> result = co_await boost::asio::co_spawn(
      pool,
      [call = std::move(call)]() -> boost::asio::awaitable<std::optional<R>> { co_return call(); },
      boost::asio::use_awaitable);
  co_return std::move(*result);
}

}  // namespace boxoffice
