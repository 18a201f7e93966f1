// Presales: windows before the general sale open only to holders of access codes
// (core/catalog.hpp Presale, core/access_code.hpp). The organizer makes codes in bulk; a fan
// gives one at the waiting room's join (checked, so that the presale's line holds only people
// who may buy) and at each hold (spent: one use a hold granted; given back when the hold is
// refused). During the general sale codes are neither needed nor spent.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/catalog.hpp"
#include "core/errors.hpp"
#include "services/stores.hpp"

namespace boxoffice {

inline constexpr std::uint32_t access_codes_per_request_max = 100'000;
inline constexpr std::uint32_t access_code_uses_max = 1'000'000;

class Presales {
 public:
  explicit Presales(AccessCodeStore& codes, std::size_t store_threads = 4);
  ~Presales();

  // POST /v1/events/{id}/access-codes: `count` new codes of the event's presale, each good for
  // `uses` holds, stored hashed; the codes themselves are answered once and kept nowhere.
  // Errors: invalid_field (no such presale, count or uses out of range), store_unavailable.
  boost::asio::awaitable<Result<std::vector<std::string>>> make_codes(const Event& event,
                                                                      const std::string& presale_id,
                                                                      std::uint32_t count,
                                                                      std::uint32_t uses);

  // Whether a hold of `event` may be made at `now` with `code`: during the general sale, yes,
  // spending nothing (nullopt); during a presale, when a use of the code is spent (the hash
  // spent, to give back should the hold be refused). Errors: not_on_sale (neither is open, or
  // the event has started; fact on_sale_at), presale_only (no code came), access_code_invalid.
  boost::asio::awaitable<Result<std::optional<std::string>>> admit_hold(
      const Event& event, const std::optional<std::string>& code, UnixMillis now);
  boost::asio::awaitable<void> give_back(std::int64_t event_id, std::string hash);

  // Whether `code` may join the event's waiting room at `now`: anyone once the general sale
  // has opened; before, the holder of a code with a use left of a presale not yet ended.
  // Errors: presale_only, access_code_invalid, store_unavailable.
  boost::asio::awaitable<Status> admit_join(const Event& event,
                                            const std::optional<std::string>& code, UnixMillis now);

 private:
  AccessCodeStore& codes_;
  boost::asio::thread_pool store_calls_;
};

}  // namespace boxoffice
