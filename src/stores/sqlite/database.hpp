// One SQLite database file in WAL mode: the embedded mode's source of truth.
//
// Durability: synchronous=FULL, so a transaction that returned has reached the disk (the WAL
// is fsynced at commit) and survives kill -9 or power loss. Concurrency: one connection,
// serialised by a mutex; SQLite has one writer at a time anyway, and every statement here is
// short. Schema changes are numbered migrations applied at open (PRAGMA user_version).
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>

#include <filesystem>
#include <mutex>
#include <string_view>
#include <vector>

#include "core/errors.hpp"

namespace boxoffice::sqlite {

// The Error for an exception thrown by SQLite (or by what the store did with its answer),
// `what` first: store_unavailable when the database can't serve now (busy, locked, a disk
// that fails or is full), store_failed for everything else (a constraint, bad SQL, a bug),
// which a retry would not help.
Error store_error(const std::exception& thrown, std::string_view what);

class Database {
 public:
  enum class Sync {
    full,      // fsync at every commit: survives power loss (the source of truth)
    no_fsync,  // handed to the OS at commit, never fsynced: survives kill -9 of the
               // process, not a crash of the OS or power loss (the test payment ledger)
  };

  // Opens (creating if needed) and applies `migrations[i]` for every i ≥ user_version.
  // Throws SQLite::Exception if the file can't be opened or a migration fails.
  Database(const std::filesystem::path& file, const std::vector<std::string_view>& migrations,
           Sync sync = Sync::full);

  // The connection, for use only while holding lock().
  SQLite::Database& connection() { return db_; }
  std::unique_lock<std::mutex> lock() { return std::unique_lock(mutex_); }

 private:
  std::mutex mutex_;
  SQLite::Database db_;
};

}  // namespace boxoffice::sqlite
