#include "http/client_address.hpp"

#include <array>
#include <string>

#include "core/numbers.hpp"
#include "http/field_text.hpp"

namespace boxoffice::http {
namespace {

// The addresses forwarded in a request's fields, in order, up to forwarded_hops_max.
struct Hops {
  std::array<Address, forwarded_hops_max> addresses;
  std::size_t count = 0;

  bool push(const Address& address) {
    if (count == addresses.size()) return false;
    addresses[count++] = unmapped(address);
    return true;
  }
};

// An address written alone: IPv4 dotted quad or IPv6, no zone ("%eth0"), no brackets.
std::optional<Address> plain_address(std::string_view text, bool v6) {
  if (text.empty() || text.find('%') != std::string_view::npos) return std::nullopt;
  boost::system::error_code error;
  const std::string copy(text);
  const Address address = v6 ? Address(asio::ip::make_address_v6(copy, error))
                             : Address(asio::ip::make_address_v4(copy, error));
  if (error) return std::nullopt;
  return address;
}

// RFC 9110 §5.6.2.
bool is_tchar(char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// A node's port (RFC 7239 §6): digits, or an obfuscated port ("_" and letters, digits, ".-_").
bool is_node_port(std::string_view port) {
  if (port.empty()) return false;
  if (port.front() == '_') {
    for (const char c : port.substr(1)) {
      const bool alphanumeric =
          (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      if (!alphanumeric && c != '.' && c != '_' && c != '-') return false;
    }
    return port.size() > 1;
  }
  return port.size() <= 5 && parse_whole_number<unsigned>(port).has_value();
}

// The address of a Forwarded `for=` node (RFC 7239 §6): "192.0.2.43", "192.0.2.43:47011" or
// "[2001:db8::17]" with an optional port. "unknown" and obfuscated names are no address.
std::optional<Address> node_address(std::string_view node) {
  if (node.starts_with('[')) {
    const std::size_t close = node.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    const std::string_view rest = node.substr(close + 1);
    if (!rest.empty() && !(rest.front() == ':' && is_node_port(rest.substr(1)))) {
      return std::nullopt;
    }
    return plain_address(node.substr(1, close - 1), true);
  }
  const std::size_t colon = node.find(':');
  if (colon != std::string_view::npos && !is_node_port(node.substr(colon + 1))) return std::nullopt;
  return plain_address(node.substr(0, colon), false);
}

// Reads a token or a quoted-string at the start of `text` into `value`, and drops it from
// `text`. False when there is neither.
bool read_value(std::string_view& text, std::string& value) {
  value.clear();
  if (!text.starts_with('"')) {
    std::size_t end = 0;
    while (end < text.size() && is_tchar(text[end])) ++end;
    value.assign(text.substr(0, end));
    text.remove_prefix(end);
    return end > 0;
  }
  for (std::size_t i = 1; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      text.remove_prefix(i + 1);
      return true;
    }
    if (c == '\\') {
      if (++i == text.size()) return false;
      value += text[i];
    } else if (static_cast<unsigned char>(c) < 0x20 && c != '\t') {
      return false;
    } else {
      value += c;
    }
  }
  return false;  // no closing quote
}

// One element of a Forwarded field ("for=192.0.2.60;proto=http;by=203.0.113.43"), up to the
// next comma or the end, which it drops from `text`: its `for` address appended to `hops`.
// False when it is malformed, has no `for`, or two.
bool read_forwarded_element(std::string_view& text, Hops& hops) {
  bool found = false;
  std::string value;
  for (;;) {
    text = trimmed(text);
    if (text.empty() || text.front() == ',') return found;
    if (text.front() == ';') {  // an empty pair
      text.remove_prefix(1);
      continue;
    }
    std::size_t name_end = 0;
    while (name_end < text.size() && is_tchar(text[name_end])) ++name_end;
    const std::string_view name = text.substr(0, name_end);
    text.remove_prefix(name_end);
    if (name.empty() || !text.starts_with('=')) return false;
    text.remove_prefix(1);
    if (!read_value(text, value)) return false;
    if (beast::iequals(name, "for")) {
      const auto address = node_address(value);
      if (found || !address || !hops.push(*address)) return false;
      found = true;
    }
    text = trimmed(text);
    if (text.starts_with(';')) {
      text.remove_prefix(1);
    } else if (!text.empty() && text.front() != ',') {
      return false;
    }
  }
}

// A Forwarded field's value: a list of elements (RFC 7239 §4; empty ones are allowed).
bool read_forwarded(std::string_view text, Hops& hops) {
  for (;;) {
    text = trimmed(text);
    if (text.empty()) return true;
    if (text.front() != ',' && !read_forwarded_element(text, hops)) return false;
    if (text.starts_with(',')) text.remove_prefix(1);
  }
}

// An X-Forwarded-For field's value: addresses separated by commas, nothing else.
bool read_x_forwarded_for(std::string_view text, Hops& hops) {
  for (;;) {
    const std::size_t comma = text.find(',');
    const std::string_view item = trimmed(text.substr(0, comma));
    const bool v6 = item.find(':') != std::string_view::npos;
    const auto address = plain_address(item, v6);
    if (!address || !hops.push(*address)) return false;
    if (comma == std::string_view::npos) return true;
    text.remove_prefix(comma + 1);
  }
}

// The hops a trusted peer forwarded; nullopt when its fields say nothing usable.
std::optional<Hops> forwarded_hops(const Request& header) {
  Hops hops;
  const auto forwarded = header.equal_range("Forwarded");
  const auto x_forwarded_for = header.equal_range("X-Forwarded-For");
  const bool standard = forwarded.first != forwarded.second;
  const auto [first, last] = standard ? forwarded : x_forwarded_for;
  for (auto field = first; field != last; ++field) {
    const std::string_view value(field->value().data(), field->value().size());
    if (!(standard ? read_forwarded(value, hops) : read_x_forwarded_for(value, hops))) {
      return std::nullopt;
    }
  }
  if (hops.count == 0) return std::nullopt;
  return hops;
}

Error cidr_error(std::string_view text, std::string_view what) {
  return quoted_field_error("trusted_proxy", text, what);
}

// The address's bytes (4 or 16) and how many.
std::pair<std::array<unsigned char, 16>, std::size_t> bytes_of(const Address& address) {
  std::array<unsigned char, 16> bytes{};
  if (address.is_v4()) {
    const auto v4 = address.to_v4().to_bytes();
    std::copy(v4.begin(), v4.end(), bytes.begin());
    return {bytes, v4.size()};
  }
  return {address.to_v6().to_bytes(), 16};
}

// Whether `a` and `b` (of one length) agree in their first `bits` bits.
bool same_prefix(const std::array<unsigned char, 16>& a, const std::array<unsigned char, 16>& b,
                 unsigned bits) {
  for (std::size_t i = 0; bits > 0; ++i) {
    const unsigned take = std::min(bits, 8u);
    const auto mask = static_cast<unsigned char>(0xff << (8 - take));
    if ((a[i] & mask) != (b[i] & mask)) return false;
    bits -= take;
  }
  return true;
}

}  // namespace

Address unmapped(const Address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  }
  return address;
}

bool Cidr::contains(const Address& address) const {
  const Address plain = unmapped(address);
  if (plain.is_v4() != network.is_v4()) return false;
  return same_prefix(bytes_of(plain).first, bytes_of(network).first, prefix_bits);
}

Result<Cidr> parse_cidr(std::string_view text) {
  const std::size_t slash = text.find('/');
  const std::string_view host = text.substr(0, slash);
  const auto address = plain_address(host, host.find(':') != std::string_view::npos);
  if (!address) return cidr_error(text, "not an address range (\"10.0.0.0/8\", \"fd00::/8\")");
  const auto [bytes, size] = bytes_of(*address);
  const auto bits_max = static_cast<unsigned>(size * 8);
  std::optional<unsigned> bits = bits_max;
  if (slash != std::string_view::npos) bits = parse_whole_number<unsigned>(text.substr(slash + 1));
  if (!bits || *bits > bits_max) {
    return cidr_error(text, bits_max == 32 ? "the prefix length is a number from 0 to 32"
                                           : "the prefix length is a number from 0 to 128");
  }
  std::array<unsigned char, 16> host_bits = bytes;
  for (std::size_t bit = *bits; bit < bits_max; ++bit) host_bits[bit / 8] &= ~(0x80u >> (bit % 8));
  if (host_bits != bytes) return cidr_error(text, "bits are set past the prefix length");
  return Cidr{*address, *bits};
}

bool TrustedProxies::contains(const Address& address) const {
  for (const Cidr& range : ranges_) {
    if (range.contains(address)) return true;
  }
  return false;
}

Address client_address(const Address& peer, const Request& header, const TrustedProxies& trusted) {
  const Address plain = unmapped(peer);
  if (trusted.empty() || !trusted.contains(plain)) return plain;
  const auto hops = forwarded_hops(header);
  if (!hops) return plain;
  for (std::size_t i = hops->count; i-- > 0;) {
    if (!trusted.contains(hops->addresses[i])) return hops->addresses[i];
  }
  return hops->addresses[0];
}

ClientId client_id_of(const Address& address) {
  const Address plain = unmapped(address);
  ClientId id;
  if (plain.is_v4()) {
    id.bytes = asio::ip::make_address_v6(asio::ip::v4_mapped, plain.to_v4()).to_bytes();
  } else {
    id.bytes = plain.to_v6().to_bytes();
    std::fill(id.bytes.begin() + 8, id.bytes.end(), 0);  // its /64
  }
  return id;
}

}  // namespace boxoffice::http
