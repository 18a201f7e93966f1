#include "core/queue_token.hpp"

#include <sodium.h>

#include <array>
#include <charconv>

#include "core/numbers.hpp"

namespace boxoffice {
namespace {

constexpr std::string_view prefix = "bq2.";
constexpr std::size_t token_bytes_max = 512;
constexpr std::string_view derivation_context = "boxoffice queue tokens v1";

std::string sign(const std::string& payload, const Signer& signer) {
  return signer.sign(prefix, payload);
}

// The payload of a genuinely signed token; nullopt when forged or malformed.
std::optional<std::string> open(std::string_view token, const Signer& signer) {
  return signer.open(token, prefix, token_bytes_max);
}

// The fields of "k|a|b|c" after the kind letter; nullopt if the kind differs or the count is
// not `Count`.
template <std::size_t Count>
std::optional<std::array<std::string_view, Count>> fields_of(std::string_view payload, char kind) {
  if (payload.size() < 2 || payload[0] != kind || payload[1] != '|') return std::nullopt;
  payload.remove_prefix(2);
  std::array<std::string_view, Count> parts;
  for (std::size_t i = 0; i < Count; ++i) {
    const std::size_t bar = payload.find('|');
    const bool last = i + 1 == Count;
    if ((bar == std::string_view::npos) != last) return std::nullopt;  // too few or too many
    parts[i] = payload.substr(0, bar);
    if (!last) payload.remove_prefix(bar + 1);
  }
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

std::string make_queue_token(const QueueTicket& ticket, const Signer& signer) {
  return sign("q|" + std::to_string(ticket.event_id) + "|" + std::to_string(ticket.room_epoch) +
                  "|" + std::to_string(ticket.number),
              signer);
}

std::string make_access_token(const AccessGrant& grant, const Signer& signer) {
  return sign("a|" + std::to_string(grant.event_id) + "|" + std::to_string(grant.room_epoch) + "|" +
                  std::to_string(grant.session) + "|" + std::to_string(grant.expires_at),
              signer);
}

std::optional<QueueTicket> verify_queue_token(std::string_view token, const Signer& signer) {
  const auto payload = open(token, signer);
  if (!payload) return std::nullopt;
  const auto parts = fields_of<3>(*payload, 'q');
  if (!parts) return std::nullopt;
  QueueTicket ticket;
  if (!parse_number((*parts)[0], ticket.event_id) ||
      !parse_number((*parts)[1], ticket.room_epoch) || !parse_number((*parts)[2], ticket.number)) {
    return std::nullopt;
  }
  return ticket;
}

std::optional<AccessGrant> read_access_token(std::string_view token, const Signer& signer) {
  const auto payload = open(token, signer);
  if (!payload) return std::nullopt;
  const auto parts = fields_of<4>(*payload, 'a');
  if (!parts) return std::nullopt;
  AccessGrant grant;
  if (!parse_number((*parts)[0], grant.event_id) || !parse_number((*parts)[1], grant.room_epoch) ||
      !parse_number((*parts)[2], grant.session) || !parse_number((*parts)[3], grant.expires_at)) {
    return std::nullopt;
  }
  return grant;
}

std::optional<AccessGrant> verify_access_token(std::string_view token, std::int64_t event_id,
                                               UnixMillis now, const Signer& signer) {
  auto grant = read_access_token(token, signer);
  if (!grant || grant->event_id != event_id || now >= grant->expires_at) return std::nullopt;
  return grant;
}

}  // namespace boxoffice
