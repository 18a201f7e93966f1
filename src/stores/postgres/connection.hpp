// libpq, directly: a pool of connections to one PostgreSQL, and queries by prepared statement
// with text parameters. Every statement is prepared once per connection, on first use.
//
// Failure handling: a query that fails because the server can't be reached answers
// store_unavailable, and the connection is reset before its next use, so the pool recovers by
// itself when the server comes back. The pool is thread-safe; a connection belongs to one
// caller at a time (Lease).
#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/errors.hpp"

namespace boxoffice::postgres {

struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

// A parameter in text form; nullopt is SQL NULL.
using Param = std::optional<std::string>;

// The rows a query answered.
class Rows {
 public:
  explicit Rows(PgResult result) : result_(std::move(result)) {}
  int size() const { return PQntuples(result_.get()); }
  bool empty() const { return size() == 0; }
  bool is_null(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }
  std::string text(int row, int column) const { return PQgetvalue(result_.get(), row, column); }
  std::int64_t integer(int row, int column) const { return std::stoll(text(row, column)); }
  // Rows changed by an INSERT, UPDATE or DELETE.
  std::int64_t affected() const;

 private:
  PgResult result_;
};

class Connection {
 public:
  explicit Connection(std::string url);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs `sql` as a named prepared statement (prepared here on first use).
  Result<Rows> query(std::string_view name, std::string_view sql, const std::vector<Param>& params);
  // Runs SQL text with no parameters (several statements allowed).
  Result<Rows> exec(std::string_view sql);
  // Drops the session if the server has closed it meanwhile (a restart, a failover), so the
  // next use reconnects instead of failing once. One poll(2) of its socket; no round trip.
  void drop_if_closed();

 private:
  Status ensure_connected();
  Result<Rows> check(PGresult* raw);

  std::string url_;
  PGconn* connection_ = nullptr;
  std::set<std::string, std::less<>> prepared_;
};

class Pool {
 public:
  // Connections are made lazily, up to `size`.
  Pool(std::string url, std::size_t size,
       std::chrono::milliseconds acquire_timeout_ms = std::chrono::seconds(5));

  class Lease {
   public:
    Lease(Pool& pool, std::unique_ptr<Connection> connection)
        : pool_(&pool), connection_(std::move(connection)) {}
    Lease(Lease&&) = default;
    ~Lease();
    Connection* operator->() { return connection_.get(); }
    Connection& operator*() { return *connection_; }

   private:
    Pool* pool_;
    std::unique_ptr<Connection> connection_;
  };

  // A connection for the caller alone; store_unavailable if none frees up in time.
  Result<Lease> acquire();

 private:
  void give_back(std::unique_ptr<Connection> connection);

  std::string url_;
  std::size_t size_;
  std::chrono::milliseconds acquire_timeout_ms_;
  std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t made_ = 0;
};

// A PostgreSQL text[] literal: {"a","b \"c\""}.
std::string text_array(const std::vector<std::string>& values);

}  // namespace boxoffice::postgres
