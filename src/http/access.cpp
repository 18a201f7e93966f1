#include "http/access.hpp"

#include <sodium.h>

#include "http/api_errors.hpp"
#include "http/problem.hpp"

namespace boxoffice::http {
namespace {

constexpr std::string_view bearer = "Bearer ";

std::string queue_url_of(std::int64_t event_id) {
  return "/v1/events/" + std::to_string(event_id) + "/queue";
}

Response queue_required(std::int64_t event_id, bool token_given) {
  const std::string queue_url = queue_url_of(event_id);
  return problem_of(make_error(
      Errc::queue_required,
      token_given ? "the X-Queue-Access token is not valid for this event now (forged, another "
                    "event's, expired or used up)"
                  : "holds need an X-Queue-Access token: join the queue at " + queue_url,
      {.queue_url = queue_url}));
}

}  // namespace

Gatekeeper::Gatekeeper(std::string admin_key, Catalog& catalog, WaitingRoomService* waiting_room,
                       Clock clock)
    : catalog_(catalog), waiting_room_(waiting_room), clock_(std::move(clock)) {
  crypto_generichash(admin_key_hash_, sizeof admin_key_hash_,
                     reinterpret_cast<const unsigned char*>(admin_key.data()), admin_key.size(),
                     nullptr, 0);
}

// Compared as hashes, in constant time: neither the key's length nor its bytes leak by timing.
bool Gatekeeper::carries_admin_key(const Request& request) const {
  const auto header = request[bhttp::field::authorization];
  const std::string_view value(header.data(), header.size());
  if (!value.starts_with(bearer) || value.size() == bearer.size()) return false;
  const std::string_view given = value.substr(bearer.size());
  unsigned char hash[32];
  crypto_generichash(hash, sizeof hash, reinterpret_cast<const unsigned char*>(given.data()),
                     given.size(), nullptr, 0);
  return sodium_memcmp(hash, admin_key_hash_, sizeof hash) == 0;
}

std::optional<Response> Gatekeeper::check_header(Access access, const Request& header,
                                                 std::optional<std::int64_t> event_id,
                                                 Caller& caller) const {
  const bool authorised = !header[bhttp::field::authorization].empty();
  caller.organizer = authorised && carries_admin_key(header);
  switch (access) {
    case Access::anyone:
    case Access::holder:
      return std::nullopt;
    case Access::organizer: {
      if (caller.organizer) return std::nullopt;
      if (!authorised) {
        Response response = problem(bhttp::status::unauthorized, "unauthorized", "Unauthorized",
                                    "organizer calls need Authorization: Bearer <admin key>");
        response.set(bhttp::field::www_authenticate, "Bearer");
        return response;
      }
      return problem(bhttp::status::forbidden, "forbidden", "Forbidden",
                     "the admin key is not right");
    }
    case Access::admitted: {
      if (waiting_room_ == nullptr || !event_id) return std::nullopt;
      const auto view = catalog_.event(*event_id);
      if (!view || !admission_settings(*view->event)) return std::nullopt;
      if (header["X-Queue-Access"].empty()) return queue_required(*event_id, false);
      return std::nullopt;
    }
  }
  return std::nullopt;
}

asio::awaitable<std::optional<Response>> Gatekeeper::check_session(const Request& request,
                                                                   std::int64_t event_id,
                                                                   Caller& caller) {
  if (waiting_room_ == nullptr) co_return std::nullopt;
  const auto view = catalog_.event(event_id);
  if (!view || !admission_settings(*view->event)) co_return std::nullopt;
  std::string token(request["X-Queue-Access"]);
  auto grant = co_await waiting_room_->check_access(*view->event, token, clock_());
  if (!grant) co_return problem_of(grant.error());
  if (!*grant) co_return queue_required(event_id, !token.empty());
  caller.queue_grant = **grant;
  co_return std::nullopt;
}

}  // namespace boxoffice::http
