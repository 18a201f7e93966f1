// Who the client of a request is, decided from the connection's peer address and, when that
// peer is a balancer we trust, the address it forwards. Pure: no I/O, no state.
//
// The rule (docs/design.md, "Who may call what"):
// - a peer outside every --trusted-proxy range is the client; its Forwarded and
//   X-Forwarded-For fields are ignored, since anyone can write them;
// - a trusted peer forwards the client in `Forwarded` (RFC 7239, every `for=` of every element,
//   in order), or, when there is no Forwarded field, in `X-Forwarded-For`; each proxy on the
//   way appends the address it got the request from, so the client is the right-most address
//   that is not itself a trusted proxy (the left-most when all of them are);
// - those fields are read strictly: anything that is not an address where an address should
//   be (garbage, "unknown", an obfuscated name, more than forwarded_hops_max hops) makes the
//   peer the client. Nothing in them ever fails the request.
// Addresses are compared as IPv4 when they are IPv4-mapped IPv6 (a dual-stack socket's
// ::ffff:a.b.c.d is a.b.c.d).
#pragma once

#include <boost/asio/ip/address.hpp>
#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "core/errors.hpp"
#include "http/server.hpp"
#include "services/rate_limiter.hpp"

namespace boxoffice::http {

using Address = asio::ip::address;

constexpr std::size_t forwarded_hops_max = 32;   // addresses read from the fields of a request
constexpr std::size_t trusted_proxies_max = 64;  // --trusted-proxy ranges

// An address range: "10.0.0.0/8", "2001:db8::/32", or one address ("192.0.2.1" is /32).
struct Cidr {
  Address network;
  unsigned prefix_bits = 0;

  bool contains(const Address& address) const;
};
// invalid_field (field "trusted_proxy") when `text` is not one, or has bits set past its prefix
// ("10.0.0.1/8": did you mean 10.0.0.0/8?).
Result<Cidr> parse_cidr(std::string_view text);

class TrustedProxies {
 public:
  TrustedProxies() = default;
  explicit TrustedProxies(std::vector<Cidr> ranges) : ranges_(std::move(ranges)) {}
  bool contains(const Address& address) const;
  bool empty() const { return ranges_.empty(); }

 private:
  std::vector<Cidr> ranges_;
};

// An IPv4-mapped IPv6 address as the IPv4 address it is; any other as it is.
Address unmapped(const Address& address);

// The client of a request that came from `peer` with `header`, by the rule above.
Address client_address(const Address& peer, const Request& header, const TrustedProxies& trusted);

// What limits count `address` as (services/rate_limiter.hpp: IPv6 cut to its /64).
ClientId client_id_of(const Address& address);

}  // namespace boxoffice::http
