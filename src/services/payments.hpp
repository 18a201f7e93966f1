// The payment provider: a card processor seen from boxoffice. DESIGN.md rule 4: authorise
// before the sale commits, capture after; void the authorisation if the commit fails. Every
// call carries an idempotency key, so a retry after a timeout or a crash never charges twice.
//
// Implementations are thread-safe. They may take long (a real processor answers in seconds):
// calls are awaited, never block the server's threads.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "core/errors.hpp"

namespace boxoffice {

struct Authorisation {
  std::string idempotency_key;
  std::string card_number;
  std::int64_t amount_cents = 0;
  std::string currency;
};

class PaymentProvider {
 public:
  virtual ~PaymentProvider() = default;
  // Answers the payment id, or payment_declined (fact decline_code), invalid_field for a
  // card number that can't be one, store_unavailable when the processor can't be reached.
  // The same idempotency key answers the same payment id again.
  virtual boost::asio::awaitable<Result<std::string>> authorise(Authorisation request) = 0;
  // Takes the money of an authorisation; capturing it again answers ok. Errors: conflict when
  // this provider has no such authorisation, store_unavailable, store_failed.
  virtual boost::asio::awaitable<Status> capture(std::string payment_id) = 0;
  // Releases the money held by an authorisation, found by the key it was made with; nothing
  // happens if there is none or it was already voided.
  virtual boost::asio::awaitable<Status> void_authorisation(std::string idempotency_key) = 0;
  // Voids every authorisation that was not captured. Safe only while no checkout runs: the
  // embedded mode calls it at start, after capturing the payments of every stored order, to
  // release what a crash between authorisation and commit left behind.
  virtual Status void_uncaptured() = 0;
};

}  // namespace boxoffice
