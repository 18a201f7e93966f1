// `boxoffice serve`: checks the options, builds a Node (app/node.hpp) and serves until SIGINT
// or SIGTERM, then stops cleanly.
#pragma once

#include <filesystem>
#include <string>

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
  std::filesystem::path web_dir;  // the pages (web/); empty → no pages, only the API
};

// Runs until SIGINT or SIGTERM; answers the process exit code.
int serve(const ServeOptions& options);

}  // namespace boxoffice::app
