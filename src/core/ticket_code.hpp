// Ticket codes that a gate can verify offline: the ticket's facts and a MAC over them with a
// secret only the server (and its check-in devices) hold, so a forged or altered code fails.
//
//   bx1.<base64url(event_id "|" order_id "|" unit)>.<base64url(first 16 bytes of the MAC)>
//
// The MAC is HMAC-SHA-256 (core/signed_text.hpp) under the ticket secret; 128 bits of it are
// plenty against guessing at a turnstile. `unit` is the seat id, or "<ga area id>#<n>" for
// general admission. Both functions are safe from any thread, as the Signer they are given.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/signed_text.hpp"

namespace boxoffice {

using TicketSecret = std::array<unsigned char, 32>;

struct TicketFacts {
  std::int64_t event_id = 0;
  std::string order_id;  // hex
  std::string unit;

  friend bool operator==(const TicketFacts&, const TicketFacts&) = default;
};

// `signer` holds the ticket secret (the data dir's, see app/data_dir.hpp).
std::string make_ticket_code(const TicketFacts& facts, const Signer& signer);

// The facts of a genuine code; nullopt for anything forged, altered or malformed.
std::optional<TicketFacts> verify_ticket_code(std::string_view code, const Signer& signer);

}  // namespace boxoffice
