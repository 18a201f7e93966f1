#include "core/ticket_code.hpp"

#include <charconv>

namespace boxoffice {
namespace {

constexpr std::string_view prefix = "bx1.";
constexpr std::size_t code_bytes_max = 1024;

}  // namespace

std::string make_ticket_code(const TicketFacts& facts, const Signer& signer) {
  const std::string payload =
      std::to_string(facts.event_id) + "|" + facts.order_id + "|" + facts.unit;
  return signer.sign(prefix, payload);
}

std::optional<TicketFacts> verify_ticket_code(std::string_view code, const Signer& signer) {
  const auto opened = signer.open(code, prefix, code_bytes_max);
  if (!opened) return std::nullopt;
  const std::string& payload = *opened;
  const std::size_t first = payload.find('|');
  const std::size_t second = payload.find('|', first + 1);
  if (first == std::string::npos || second == std::string::npos) return std::nullopt;
  TicketFacts facts;
  const auto [end, error] = std::from_chars(payload.data(), payload.data() + first, facts.event_id);
  if (error != std::errc() || end != payload.data() + first) return std::nullopt;
  facts.order_id = payload.substr(first + 1, second - first - 1);
  facts.unit = payload.substr(second + 1);
  return facts;
}

}  // namespace boxoffice
