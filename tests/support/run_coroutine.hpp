// Runs a coroutine on an io_context until it finishes and answers its result: for tests of
// code that awaits. Turns the loop one handler at a time, not run(): a Redis connection keeps
// the loop busy forever.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <optional>

namespace boxoffice::testing {

template <class T>
T run_coroutine(boost::asio::io_context& io, boost::asio::awaitable<T> work) {
  std::optional<T> result;
  boost::asio::co_spawn(
      io, [&]() -> boost::asio::awaitable<void> { result.emplace(co_await std::move(work)); },
      boost::asio::detached);
  io.restart();
  while (!result) io.run_one();
  return std::move(*result);
}

}  // namespace boxoffice::testing
