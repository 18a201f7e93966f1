// Who may call a route, decided in one place. Every route declares its Access when it is added
// (Router::add); the router asks the Gatekeeper before the handler runs, and, for a request
// with a body, already when its header arrives, so a caller who may not call a route never
// gets its body read (a 32 MiB venue from a stranger is refused at the header).
//
// What a check learns about the caller (an organizer? whose admitted waiting-room session?)
// reaches the handler as a Caller, so handlers never look at credentials themselves.
// Organizers with roles, scoped API tokens, scanner devices and per-client limits plug in here.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/queue_token.hpp"
#include "http/server.hpp"
#include "services/catalog.hpp"
#include "services/clock.hpp"
#include "services/waiting_room.hpp"

namespace boxoffice::http {

enum class Access {
  anyone,     // public
  holder,     // whoever has the unguessable id in the path (a hold's, an order's): 128 random
              // bits, so holding one is the right to act on it
  admitted,   // anyone while the event {id}'s waiting room is off; while it is on, only with an
              // X-Queue-Access token of a session still active
  organizer,  // Authorization: Bearer <admin key>
};

struct Caller {
  bool organizer = false;                  // the request carries the admin key
  std::optional<AccessGrant> queue_grant;  // admitted routes of an event with its room on
};

class Gatekeeper {
 public:
  // `waiting_room` may be null (no rooms: admitted routes are open to anyone).
  Gatekeeper(std::string admin_key, Catalog& catalog, WaitingRoomService* waiting_room,
             Clock clock);

  // What can be decided from the header alone, without a store: nullopt to go on (with what
  // was learnt in `caller`), else the answer. `event_id` is the route's {id}, if it has one.
  std::optional<Response> check_header(Access access, const Request& header,
                                       std::optional<std::int64_t> event_id, Caller& caller) const;
  // The rest, before the handler: for admitted routes, that the session is still active (the
  // waiting room's counters, in Redis in cluster mode). Errors: the answer to send.
  asio::awaitable<std::optional<Response>> check_session(const Request& request,
                                                         std::int64_t event_id, Caller& caller);

 private:
  bool carries_admin_key(const Request& request) const;

  unsigned char admin_key_hash_[32];
  Catalog& catalog_;
  WaitingRoomService* waiting_room_;
  Clock clock_;
};

}  // namespace boxoffice::http
