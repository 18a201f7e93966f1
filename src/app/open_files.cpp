#include "app/open_files.hpp"

#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace boxoffice::app {

std::size_t connections_within_open_files(std::size_t wanted) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    spdlog::warn("open files: the limit is unknown ({}); connections_max {}", std::strerror(errno),
                 wanted);
    return wanted;
  }
  if (limit.rlim_cur < limit.rlim_max) {
    const rlim_t before = limit.rlim_cur;
    limit.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) {
      spdlog::warn("open files: raising {} to {} failed: {}", before, limit.rlim_max,
                   std::strerror(errno));
      limit.rlim_cur = before;
    }
  }
  const auto open_max = static_cast<std::size_t>(limit.rlim_cur);
  const std::size_t room = open_max > files_reserved ? open_max - files_reserved : 1;
  const std::size_t connections = std::clamp<std::size_t>(room, 1, wanted);
  spdlog::info("open files: {} (hard limit {}); connections_max {}, {} kept for the rest", open_max,
               static_cast<std::size_t>(limit.rlim_max), connections, files_reserved);
  return connections;
}

}  // namespace boxoffice::app
