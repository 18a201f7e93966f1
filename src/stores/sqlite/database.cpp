#include "stores/sqlite/database.hpp"

#include <sqlite3.h>

namespace boxoffice::sqlite {

Error store_error(const std::exception& thrown, std::string_view what) {
  Errc code = Errc::store_failed;
  if (const auto* sqlite = dynamic_cast<const SQLite::Exception*>(&thrown)) {
    switch (sqlite->getErrorCode()) {
      case SQLITE_BUSY:
      case SQLITE_LOCKED:
      case SQLITE_IOERR:
      case SQLITE_FULL:
      case SQLITE_CANTOPEN:
      case SQLITE_NOMEM:
      case SQLITE_PROTOCOL:
        code = Errc::store_unavailable;
        break;
      default:
        break;
    }
  }
  return make_error(code, std::string(what) + thrown.what());
}

Database::Database(const std::filesystem::path& file,
                   const std::vector<std::string_view>& migrations, Sync sync)
    : db_(file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_FULLMUTEX) {
  db_.exec("PRAGMA journal_mode = WAL");
  db_.exec(sync == Sync::full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = OFF");
  db_.exec("PRAGMA foreign_keys = ON");
  db_.exec("PRAGMA busy_timeout = 5000");
  const int version = db_.execAndGet("PRAGMA user_version").getInt();
  for (std::size_t i = static_cast<std::size_t>(version); i < migrations.size(); ++i) {
    SQLite::Transaction transaction(db_);
    db_.exec(std::string(migrations[i]));
    db_.exec("PRAGMA user_version = " + std::to_string(i + 1));
    transaction.commit();
  }
}

}  // namespace boxoffice::sqlite
