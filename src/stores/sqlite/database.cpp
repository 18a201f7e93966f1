#include "stores/sqlite/database.hpp"

namespace boxoffice::sqlite {

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
