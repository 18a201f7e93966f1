// The one place that reads the clocks; everything below services/ takes time as a value.
#pragma once

#include <chrono>
#include <functional>

#include "core/time.hpp"

namespace boxoffice {

using Clock = std::function<UnixMillis()>;

inline UnixMillis system_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A clock that never goes back (for rate limits: a wall clock set back would refuse everyone).
using MicroClock = std::function<std::int64_t()>;

inline std::int64_t steady_now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace boxoffice
