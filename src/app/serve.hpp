// Wiring of a node: the source of truth (SQLite in the data dir, or PostgreSQL with
// --postgres), the holds (in process, or in Redis with --redis), the test payment provider, the catalog and booking services, the HTTP API with
// its metrics and access log, and the hold sweeper.
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
