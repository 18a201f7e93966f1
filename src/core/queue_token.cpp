#include "core/queue_token.hpp"

#include "core/numbers.hpp"
#include "core/signed_text.hpp"

#include <sodium.h>

#include <charconv>
#include <vector>

namespace boxoffice {
namespace {

constexpr std::string_view prefix = "bq1.";
constexpr std::size_t token_bytes_max = 512;
constexpr std::string_view derivation_context = "boxoffice queue tokens v1";

std::string sign(const std::string& payload, const QueueSecret& secret) {
  return sign_text(prefix, payload, secret);
}

// The payload of a genuinely signed token; nullopt when forged or malformed.
std::optional<std::string> open(std::string_view token, const QueueSecret& secret) {
  return open_signed_text(token, prefix, token_bytes_max, secret);
}

// Splits "k|a|b|c" into its fields after the kind letter; nullopt if the kind differs or the
// count is not `fields`.
std::optional<std::vector<std::string_view>> fields_of(std::string_view payload, char kind,
                                                       std::size_t fields) {
  if (payload.size() < 2 || payload[0] != kind || payload[1] != '|') return std::nullopt;
  payload.remove_prefix(2);
  std::vector<std::string_view> parts;
  for (;;) {
    const std::size_t bar = payload.find('|');
    parts.push_back(payload.substr(0, bar));
    if (bar == std::string_view::npos) break;
    payload.remove_prefix(bar + 1);
  }
  if (parts.size() != fields) return std::nullopt;
  return parts;
}

template <class T>
bool parse_number(std::string_view text, T& value) {
  const auto parsed = parse_whole_number<T>(text);
  if (parsed) value = *parsed;
  return parsed.has_value();
}

}  // namespace

QueueSecret derive_queue_secret(const TicketSecret& ticket_secret) {
  QueueSecret secret{};
  crypto_generichash(secret.data(), secret.size(),
                     reinterpret_cast<const unsigned char*>(derivation_context.data()),
                     derivation_context.size(), ticket_secret.data(), ticket_secret.size());
  return secret;
}

std::string make_queue_token(const QueueTicket& ticket, const QueueSecret& secret) {
  return sign("q|" + std::to_string(ticket.event_id) + "|" + std::to_string(ticket.room_epoch) +
                  "|" + std::to_string(ticket.number),
              secret);
}

std::string make_access_token(const AccessGrant& grant, const QueueSecret& secret) {
  return sign("a|" + std::to_string(grant.event_id) + "|" + std::to_string(grant.room_epoch) +
                  "|" + std::to_string(grant.session) + "|" + std::to_string(grant.expires_at),
              secret);
}

std::optional<QueueTicket> verify_queue_token(std::string_view token, const QueueSecret& secret) {
  const auto payload = open(token, secret);
  if (!payload) return std::nullopt;
  const auto parts = fields_of(*payload, 'q', 3);
  if (!parts) return std::nullopt;
  QueueTicket ticket;
  if (!parse_number((*parts)[0], ticket.event_id) || !parse_number((*parts)[1], ticket.room_epoch) ||
      !parse_number((*parts)[2], ticket.number)) {
    return std::nullopt;
  }
  return ticket;
}

std::optional<AccessGrant> read_access_token(std::string_view token, const QueueSecret& secret) {
  const auto payload = open(token, secret);
  if (!payload) return std::nullopt;
  const auto parts = fields_of(*payload, 'a', 4);
  if (!parts) return std::nullopt;
  AccessGrant grant;
  if (!parse_number((*parts)[0], grant.event_id) || !parse_number((*parts)[1], grant.room_epoch) ||
      !parse_number((*parts)[2], grant.session) || !parse_number((*parts)[3], grant.expires_at)) {
    return std::nullopt;
  }
  return grant;
}

std::optional<AccessGrant> verify_access_token(std::string_view token, std::int64_t event_id,
                                               UnixMillis now, const QueueSecret& secret) {
  auto grant = read_access_token(token, secret);
  if (!grant || grant->event_id != event_id || now >= grant->expires_at) return std::nullopt;
  return grant;
}

}  // namespace boxoffice
