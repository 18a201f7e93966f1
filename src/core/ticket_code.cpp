#include "core/ticket_code.hpp"

#include <sodium.h>

#include <charconv>
#include <vector>

namespace boxoffice {
namespace {

constexpr std::string_view prefix = "bx1.";
constexpr std::size_t mac_bytes_kept = 16;
constexpr std::size_t code_bytes_max = 1024;

std::string to_base64url(const unsigned char* data, std::size_t size) {
  const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string text(sodium_base64_encoded_len(size, variant), '\0');
  sodium_bin2base64(text.data(), text.size(), data, size, variant);
  text.resize(text.size() - 1);  // the terminating NUL
  return text;
}

std::optional<std::vector<unsigned char>> from_base64url(std::string_view text) {
  // An empty part decodes to nothing; libsodium must not see the null data() of an empty
  // vector (its arguments are declared non-null: undefined behaviour on "bx1..<mac>").
  if (text.empty()) return std::vector<unsigned char>{};
  std::vector<unsigned char> bytes(text.size());
  std::size_t size = 0;
  if (sodium_base642bin(bytes.data(), bytes.size(), text.data(), text.size(), nullptr, &size,
                        nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    return std::nullopt;
  }
  bytes.resize(size);
  return bytes;
}

std::array<unsigned char, crypto_auth_BYTES> mac_of(std::string_view payload,
                                                    const TicketSecret& secret) {
  static_assert(crypto_auth_KEYBYTES == std::tuple_size_v<TicketSecret>);
  std::array<unsigned char, crypto_auth_BYTES> mac{};
  crypto_auth(mac.data(), reinterpret_cast<const unsigned char*>(payload.data()), payload.size(),
              secret.data());
  return mac;
}

}  // namespace

std::string make_ticket_code(const TicketFacts& facts, const TicketSecret& secret) {
  const std::string payload =
      std::to_string(facts.event_id) + "|" + facts.order_id + "|" + facts.unit;
  const auto mac = mac_of(payload, secret);
  return std::string(prefix) +
         to_base64url(reinterpret_cast<const unsigned char*>(payload.data()), payload.size()) +
         "." + to_base64url(mac.data(), mac_bytes_kept);
}

std::optional<TicketFacts> verify_ticket_code(std::string_view code, const TicketSecret& secret) {
  if (code.size() > code_bytes_max || !code.starts_with(prefix)) return std::nullopt;
  code.remove_prefix(prefix.size());
  const std::size_t dot = code.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  const auto payload_bytes = from_base64url(code.substr(0, dot));
  const auto mac_given = from_base64url(code.substr(dot + 1));
  if (!payload_bytes || !mac_given || mac_given->size() != mac_bytes_kept) return std::nullopt;
  const std::string payload(payload_bytes->begin(), payload_bytes->end());
  const auto mac = mac_of(payload, secret);
  if (sodium_memcmp(mac.data(), mac_given->data(), mac_bytes_kept) != 0) return std::nullopt;
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
