// `boxoffice serve`: checks the options, builds a Node (app/node.hpp) and serves until SIGINT
// or SIGTERM, then stops cleanly.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace boxoffice::app {

struct ServeOptions {
  std::string listen = "127.0.0.1:8080";
  std::filesystem::path data_dir = "data";
  std::string admin_key;
  bool demo = false;
  std::string postgres_url;
  std::string redis_url;
  int threads = 1;
  int checkout_pin_seconds = 60;
  std::string log_level = "info";
  bool access_log = true;
  std::filesystem::path web_dir;             // the pages (web/); empty → no pages, only the API
  std::vector<std::string> trusted_proxies;  // CIDR ranges of balancers whose Forwarded we take
  std::vector<std::string> rate_limits;      // "CLASS=LIMIT" (services/rate_limits.hpp)
  std::size_t connections_per_client = 256;  // 0: no cap
};

// Runs until SIGINT or SIGTERM; answers the process exit code.
int serve(const ServeOptions& options);

}  // namespace boxoffice::app
