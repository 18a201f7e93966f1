// The `test` payment provider: a card processor's test mode, in process, with its ledger in
// its own SQLite file (`test-payments.sqlite` in the data dir) so that, like a real
// processor, it remembers authorisations across a crash of boxoffice.
//
// Test cards (any name, any email):
//   4242 4242 4242 4242  approved
//   4000 0000 0000 0002  declined (card_declined)
//   4000 0000 0000 9995  declined (insufficient_funds)
//   4000 0000 0000 0077  approved after 2 seconds (a slow processor)
//   any other number with a valid Luhn check digit: approved
// A number that is not 12–19 digits with a valid check digit is invalid_field.
#pragma once

#include <chrono>
#include <filesystem>

#include "services/payments.hpp"
#include "stores/sqlite/database.hpp"

namespace boxoffice::sqlite {

class TestPaymentProvider final : public PaymentProvider {
 public:
  explicit TestPaymentProvider(
      const std::filesystem::path& file,
      std::chrono::milliseconds slow_card_delay_ms = std::chrono::seconds(2));

  boost::asio::awaitable<Result<std::string>> authorise(Authorisation request) override;
  boost::asio::awaitable<Status> capture(std::string payment_id) override;
  boost::asio::awaitable<Status> void_authorisation(std::string idempotency_key) override;
  Status void_uncaptured() override;

 private:
  Result<std::string> record(const Authorisation& request, std::string_view status);

  Database db_;
  std::chrono::milliseconds slow_card_delay_ms_;
  // Prepared once (a statement compiled per call cost as much as the rest of a checkout);
  // used only under db_.lock().
  SQLite::Statement find_by_key_;
  SQLite::Statement insert_;
  SQLite::Statement capture_;
  SQLite::Statement void_;
};

}  // namespace boxoffice::sqlite
