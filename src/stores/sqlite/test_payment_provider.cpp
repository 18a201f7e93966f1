#include "stores/sqlite/test_payment_provider.hpp"

#include <sodium.h>

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/ids.hpp"

namespace boxoffice::sqlite {
namespace {

const std::vector<std::string_view> migrations = {
    R"sql(
      CREATE TABLE payments (
        id TEXT PRIMARY KEY,
        idempotency_key TEXT NOT NULL UNIQUE,
        card_last4 TEXT NOT NULL,
        amount_cents INTEGER NOT NULL,
        currency TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('declined', 'authorized', 'captured', 'voided')),
        decline_code TEXT
      );
    )sql",
};

bool luhn_valid(std::string_view digits) {
  int sum = 0;
  bool twice = false;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    int digit = *it - '0';
    if (twice) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
    twice = !twice;
  }
  return sum % 10 == 0;
}

// Spaces and dashes are how people type card numbers; they are not part of it.
std::string normalised(std::string_view card_number) {
  std::string digits;
  for (const char c : card_number) {
    if (c != ' ' && c != '-') digits.push_back(c);
  }
  return digits;
}

std::string_view decline_code_of(std::string_view card) {
  if (card == "4000000000000002") return "card_declined";
  if (card == "4000000000009995") return "insufficient_funds";
  return {};
}

Error failure(const std::exception& e) { return store_error(e, "the payment ledger failed: "); }

Error declined(std::string_view code) {
  return make_error(Errc::payment_declined, "the card was declined (" + std::string(code) + ")",
                    {.decline_code = std::string(code)});
}

}  // namespace

TestPaymentProvider::TestPaymentProvider(const std::filesystem::path& file,
                                         std::chrono::milliseconds slow_card_delay_ms)
    : db_(file, migrations, Database::Sync::no_fsync),
      slow_card_delay_ms_(slow_card_delay_ms),
      find_by_key_(db_.connection(),
                   "SELECT id, status, decline_code FROM payments WHERE idempotency_key = ?"),
      insert_(db_.connection(),
              "INSERT INTO payments (id, idempotency_key, card_last4, amount_cents, currency, "
              "status, decline_code) VALUES (?, ?, ?, ?, ?, ?, ?)"),
      capture_(db_.connection(),
               "UPDATE payments SET status = 'captured' "
               "WHERE id = ? AND status IN ('authorized', 'captured')"),
      void_(db_.connection(),
            "UPDATE payments SET status = 'voided' "
            "WHERE idempotency_key = ? AND status = 'authorized'") {}

namespace {

// Ready for its next use, whatever happened to the last one.
struct Rewind {
  SQLite::Statement& statement;
  ~Rewind() {
    statement.tryReset();  // never throws: this may run while an exception unwinds
    statement.clearBindings();
  }
};

}  // namespace

Result<std::string> TestPaymentProvider::record(const Authorisation& request,
                                                std::string_view status) try {
  const std::string card = normalised(request.card_number);
  auto lock = db_.lock();
  // One transaction for the lookup and the insert: each costs SQLite its file locks.
  SQLite::Transaction transaction(db_.connection());
  SQLite::Statement& existing = find_by_key_;
  const Rewind rewind_existing{existing};
  existing.bind(1, request.idempotency_key);
  if (existing.executeStep()) {  // a retry: the first answer stands
    if (existing.getColumn(1).getString() == "declined") {
      return declined(existing.getColumn(2).getString());
    }
    return existing.getColumn(0).getString();
  }
  Id128 id;
  randombytes_buf(id.bytes.data(), id.bytes.size());
  const std::string payment_id = "pay_" + id.hex();
  SQLite::Statement& insert = insert_;
  const Rewind rewind_insert{insert};
  insert.bind(1, payment_id);
  insert.bind(2, request.idempotency_key);
  insert.bind(3, card.substr(card.size() - 4));
  insert.bind(4, request.amount_cents);
  insert.bind(5, request.currency);
  insert.bind(6, std::string(status));
  const std::string_view code = decline_code_of(card);
  if (!code.empty()) insert.bind(7, std::string(code));
  insert.exec();
  transaction.commit();
  if (status == "declined") return declined(code);
  return payment_id;
} catch (const std::exception& e) {
  return failure(e);
}

boost::asio::awaitable<Result<std::string>> TestPaymentProvider::authorise(Authorisation request) {
  const std::string card = normalised(request.card_number);
  const bool digits_only =
      std::all_of(card.begin(), card.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (card.size() < 12 || card.size() > 19 || !digits_only || !luhn_valid(card)) {
    co_return make_error(Errc::invalid_field, "payment.card_number: not a valid card number",
                         {.field = "payment.card_number"});
  }
  if (card == "4000000000000077") {
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, slow_card_delay_ms_);
    co_await timer.async_wait(boost::asio::use_awaitable);
  }
  co_return record(request, decline_code_of(card).empty() ? "authorized" : "declined");
}

boost::asio::awaitable<Status> TestPaymentProvider::capture(std::string payment_id) {
  try {
    auto lock = db_.lock();
    SQLite::Statement& update = capture_;
    const Rewind rewind{update};
    update.bind(1, payment_id);
    if (update.exec() != 1) {
      co_return make_error(Errc::conflict, "no authorisation to capture: " + payment_id);
    }
    co_return ok_status();
  } catch (const std::exception& e) {
    co_return failure(e);
  }
}

boost::asio::awaitable<Status> TestPaymentProvider::void_authorisation(
    std::string idempotency_key) {
  try {
    auto lock = db_.lock();
    SQLite::Statement& update = void_;
    const Rewind rewind{update};
    update.bind(1, idempotency_key);
    update.exec();
    co_return ok_status();
  } catch (const std::exception& e) {
    co_return failure(e);
  }
}

Status TestPaymentProvider::void_uncaptured() try {
  auto lock = db_.lock();
  db_.connection().exec("UPDATE payments SET status = 'voided' WHERE status = 'authorized'");
  return ok_status();
} catch (const std::exception& e) {
  return failure(e);
}

}  // namespace boxoffice::sqlite
