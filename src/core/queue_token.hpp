// Signed tokens of the virtual waiting room, so that answering "where am I?" and "may this
// person hold seats?" needs no per-person server state:
//
//   queue token   bq2.<base64url("q|" event_id "|" room_epoch "|" number)>.<base64url(MAC)>
//   access token  bq2.<base64url("a|" event_id "|" room_epoch "|" session "|" expires_at)>.<MAC>
//
// The MAC is HMAC-SHA-256 truncated to 128 bits (core/signed_text.hpp), under a key that only
// the server holds (derived from the data dir's ticket secret, see derive_queue_secret).
// `room_epoch` is a random number drawn when a room's counters are created, so tokens of an
// earlier life of the room (one Redis lost, or one the embedded mode never saved) name nothing
// now. The kind
// letter keeps a queue token from passing as an access token. Every function is safe from any
// thread, as the Signer it is given.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/signed_text.hpp"
#include "core/ticket_code.hpp"
#include "core/time.hpp"

namespace boxoffice {

using QueueSecret = std::array<unsigned char, 32>;

// A key for queue tokens only, derived from the ticket secret (BLAKE2b keyed by it over a
// fixed context), so a queue token can never be passed off as a ticket code or the reverse.
QueueSecret derive_queue_secret(const TicketSecret& ticket_secret);

struct QueueTicket {
  std::int64_t event_id = 0;
  std::uint64_t room_epoch = 0;
  std::uint64_t number = 0;  // 0-based order of joining this room
  friend bool operator==(const QueueTicket&, const QueueTicket&) = default;
};

struct AccessGrant {
  std::int64_t event_id = 0;
  std::uint64_t room_epoch = 0;
  std::uint64_t session = 0;  // the admitted person's rank: unique per room epoch
  UnixMillis expires_at = 0;
  friend bool operator==(const AccessGrant&, const AccessGrant&) = default;
};

// `signer` holds the queue secret: Signer(derive_queue_secret(ticket_secret)).
std::string make_queue_token(const QueueTicket& ticket, const Signer& signer);
std::string make_access_token(const AccessGrant& grant, const Signer& signer);

// The facts of a genuine token of that kind; nullopt for anything forged, altered, malformed
// or of the other kind. Whether it is for the right event or expired is the caller's check
// (verify_access_token below does both for access tokens).
std::optional<QueueTicket> verify_queue_token(std::string_view token, const Signer& signer);
std::optional<AccessGrant> read_access_token(std::string_view token, const Signer& signer);

// A genuine access token for `event_id` that has not expired at `now`; nullopt otherwise.
std::optional<AccessGrant> verify_access_token(std::string_view token, std::int64_t event_id,
                                               UnixMillis now, const Signer& signer);

}  // namespace boxoffice
