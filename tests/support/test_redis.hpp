// For tests that use the throwaway Redis of the ctest fixture "redis".
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>

namespace boxoffice::testing {

// The fixture's Redis URL; "" when BOXOFFICE_TEST_REDIS_URL_FILE is not set.
inline std::string test_redis_url() {
  const char* file = std::getenv("BOXOFFICE_TEST_REDIS_URL_FILE");
  if (file == nullptr) return {};
  std::string url;
  std::ifstream(file) >> url;
  return url;
}

// An event id no other test process uses, so tests never meet in the shared Redis.
inline std::int64_t fresh_event_id() {
  static std::int64_t next = (static_cast<std::int64_t>(::getpid()) << 16) + 1;
  return next++;
}

}  // namespace boxoffice::testing
