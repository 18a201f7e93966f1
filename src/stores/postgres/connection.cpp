#include "stores/postgres/connection.hpp"

#include <poll.h>

#include <cstdlib>

namespace boxoffice::postgres {
namespace {

Error unavailable(std::string detail) {
  return make_error(Errc::store_unavailable, "PostgreSQL: " + detail);
}

}  // namespace

std::int64_t Rows::affected() const {
  const char* count = PQcmdTuples(result_.get());
  return count[0] == '\0' ? 0 : std::atoll(count);
}

// SQLSTATE classes and codes that say the server can't do it now, not that the statement is
// wrong: connection exceptions (08), a transaction that lost a race (40), resources (53),
// an operator or a failover stopping the server (57P01-57P03), and a standby that is not
// (or no longer) the primary (25006).
bool is_transient(std::string_view state) {
  return state.starts_with("08") || state.starts_with("40") || state.starts_with("53") ||
         state == "57P01" || state == "57P02" || state == "57P03" || state == "25006";
}

Connection::Connection(std::string url) : url_(std::move(url)) {}

Connection::~Connection() {
  if (connection_ != nullptr) PQfinish(connection_);
}

Status Connection::ensure_connected() {
  if (connection_ != nullptr && PQstatus(connection_) == CONNECTION_OK) return ok_status();
  if (connection_ != nullptr) {
    PQfinish(connection_);
    connection_ = nullptr;
  }
  prepared_.clear();  // statements die with their session
  connection_ = PQconnectdb(url_.c_str());
  if (PQstatus(connection_) != CONNECTION_OK) {
    std::string message = PQerrorMessage(connection_);
    PQfinish(connection_);
    connection_ = nullptr;
    return unavailable(message);
  }
  PQsetNoticeProcessor(
      connection_, [](void*, const char*) {}, nullptr);  // no NOTICE chatter
  return ok_status();
}

void Connection::drop_if_closed() {
  if (connection_ == nullptr) return;
  // An idle session has nothing to read (we never LISTEN) unless the server is ending it: a
  // shutdown sends "terminating connection" and then closes, and a read may see the message
  // without the close yet. Anything readable, or a status gone bad, drops the session.
  pollfd waiting{PQsocket(connection_), POLLIN, 0};
  const bool readable = ::poll(&waiting, 1, 0) != 0;
  if (readable || PQstatus(connection_) != CONNECTION_OK) {
    PQfinish(connection_);
    connection_ = nullptr;
  }
}

Result<Rows> Connection::check(PGresult* raw) {
  PgResult result(raw);
  const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return Rows(std::move(result));
  if (PQstatus(connection_) != CONNECTION_OK) {
    return unavailable(PQerrorMessage(connection_));  // reconnects before the next use
  }
  const char* state = result ? PQresultErrorField(result.get(), PG_DIAG_SQLSTATE) : nullptr;
  const std::string message = result ? PQresultErrorMessage(result.get()) : "no result";
  // A statement error is a programming or constraint matter (store_failed: retrying won't
  // help), unless its SQLSTATE says the server can't serve now; reported with the SQLSTATE so
  // the store can tell a unique violation from the rest, and callers map what they expect.
  const std::string sqlstate = state ? state : "";
  return make_error(is_transient(sqlstate) ? Errc::store_unavailable : Errc::store_failed,
                    "PostgreSQL: " + message, {.sqlstate = sqlstate});
}

Result<Rows> Connection::query(std::string_view name, std::string_view sql,
                               const std::vector<Param>& params) {
  if (Status connected = ensure_connected(); !connected) return std::move(connected).error();
  if (!prepared_.contains(name)) {
    auto prepared = check(
        PQprepare(connection_, std::string(name).c_str(), std::string(sql).c_str(), 0, nullptr));
    if (!prepared) return std::move(prepared).error();
    prepared_.emplace(name);
  }
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const Param& param : params) values.push_back(param ? param->c_str() : nullptr);
  return check(PQexecPrepared(connection_, std::string(name).c_str(),
                              static_cast<int>(values.size()), values.data(), nullptr, nullptr, 0));
}

Result<Rows> Connection::exec(std::string_view sql) {
  if (Status connected = ensure_connected(); !connected) return std::move(connected).error();
  return check(PQexec(connection_, std::string(sql).c_str()));
}

Pool::Pool(std::string url, std::size_t size, std::chrono::milliseconds acquire_timeout_ms)
    : url_(std::move(url)), size_(size), acquire_timeout_ms_(acquire_timeout_ms) {}

Pool::Lease::~Lease() {
  if (connection_) pool_->give_back(std::move(connection_));
}

Result<Pool::Lease> Pool::acquire() {
  std::unique_lock lock(mutex_);
  const bool got = freed_.wait_for(lock, acquire_timeout_ms_,
                                   [this] { return !idle_.empty() || made_ < size_; });
  if (!got) return unavailable("no connection free within the timeout");
  if (!idle_.empty()) {
    auto connection = std::move(idle_.back());
    idle_.pop_back();
    lock.unlock();
    connection->drop_if_closed();
    return Lease(*this, std::move(connection));
  }
  ++made_;
  return Lease(*this, std::make_unique<Connection>(url_));
}

void Pool::give_back(std::unique_ptr<Connection> connection) {
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(connection));
  }
  freed_.notify_one();
}

std::string text_array(const std::vector<std::string>& values) {
  std::string literal = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) literal += ',';
    literal += '"';
    for (const char c : values[i]) {
      if (c == '"' || c == '\\') literal += '\\';
      literal += c;
    }
    literal += '"';
  }
  literal += '}';
  return literal;
}

}  // namespace boxoffice::postgres
