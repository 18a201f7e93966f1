#include "services/presales.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/access_code.hpp"
#include "core/time.hpp"
#include "services/offload.hpp"
#include "services/random_ids.hpp"

namespace boxoffice {
namespace {

std::string presale_ids(const std::vector<std::string>& presales) {
  std::string ids;
  for (const std::string& id : presales) ids += (ids.empty() ? "" : ", ") + id;
  return ids;
}

Error presale_only(const std::vector<std::string>& presales) {
  return make_error(Errc::presale_only, "the sale is open to access codes of a presale only (" +
                                            presale_ids(presales) + "): give one as access_code");
}

}  // namespace

Presales::Presales(AccessCodeStore& codes, std::size_t store_threads)
    : codes_(codes), store_calls_(store_threads) {}

Presales::~Presales() { store_calls_.join(); }

boost::asio::awaitable<Result<std::vector<std::string>>> Presales::make_codes(
    const Event& event, const std::string& presale_id, std::uint32_t count, std::uint32_t uses) {
  const bool known = std::any_of(event.presales.begin(), event.presales.end(),
                                 [&](const Presale& presale) { return presale.id == presale_id; });
  if (!known) co_return field_error("presale", "the event has no presale \"" + presale_id + "\"");
  std::vector<std::string> codes;
  std::vector<std::string> hashes;
  for (std::uint32_t n = 0; n < count; ++n) {
    std::array<std::uint8_t, access_code_random_bytes> random{};
    random_id_bytes(random);
    codes.push_back(format_access_code(random));
    hashes.push_back(*access_code_hash(codes.back()));
  }
  // Two equal codes of 80 random bits don't happen; were they to, the store refuses them all.
  Status added = co_await offload(
      store_calls_, [&] { return codes_.add_access_codes(event.id, presale_id, uses, hashes); });
  if (!added) co_return std::move(added).error();
  co_return codes;
}

boost::asio::awaitable<Result<std::optional<std::string>>> Presales::admit_hold(
    const Event& event, const std::optional<std::string>& code, UnixMillis now) {
  const SaleAccess access = sale_access(event, now);
  if (access.general) co_return std::optional<std::string>();
  if (now >= event.starts_at) co_return make_error(Errc::not_on_sale, "the event has started");
  if (access.presales.empty()) {
    co_return make_error(Errc::not_on_sale, "the sale opens at " + format_rfc3339(event.on_sale_at),
                         {.on_sale_at = event.on_sale_at});
  }
  if (!code) co_return presale_only(access.presales);
  const auto hash = access_code_hash(*code);
  if (!hash) {
    co_return make_error(Errc::access_code_invalid, "not an access code", {.reason = "unknown"});
  }
  Status spent = co_await offload(
      store_calls_, [&] { return codes_.spend_access_code(event.id, *hash, access.presales); });
  if (!spent) co_return std::move(spent).error();
  co_return std::optional<std::string>(*hash);
}

boost::asio::awaitable<void> Presales::give_back(std::int64_t event_id, std::string hash) {
  Status given =
      co_await offload(store_calls_, [&] { return codes_.give_back_access_code(event_id, hash); });
  if (!given) spdlog::warn("event {}: an access code's use was not given back", event_id);
}

boost::asio::awaitable<Status> Presales::admit_join(const Event& event,
                                                    const std::optional<std::string>& code,
                                                    UnixMillis now) {
  if (now >= event.on_sale_at || event.presales.empty()) co_return ok_status();
  std::vector<std::string> ahead;  // presales open now or later
  for (const Presale& presale : event.presales) {
    if (now < presale.ends_at) ahead.push_back(presale.id);
  }
  if (ahead.empty()) co_return ok_status();  // the room waits for the general sale
  if (!code) co_return presale_only(ahead);
  const auto hash = access_code_hash(*code);
  if (!hash) {
    co_return make_error(Errc::access_code_invalid, "not an access code", {.reason = "unknown"});
  }
  co_return co_await offload(store_calls_,
                             [&] { return codes_.check_access_code(event.id, *hash, ahead); });
}

}  // namespace boxoffice
