// The one place that reads the wall clock; everything below services/ takes time as a value.
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

}  // namespace boxoffice
