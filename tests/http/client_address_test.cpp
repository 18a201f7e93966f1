// Who the client is (http/client_address.hpp): address ranges, the peer when it is not a
// trusted proxy, the right-most untrusted hop of Forwarded or X-Forwarded-For when it is, and
// the peer again whenever those fields are not read cleanly.
#include "http/client_address.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <utility>

namespace boxoffice::http {
namespace {

Address ip(const char* text) { return asio::ip::make_address(text); }

Cidr cidr(const char* text) {
  auto range = parse_cidr(text);
  EXPECT_TRUE(range.ok()) << text;
  return range.ok() ? *range : Cidr{};
}

// A request with these fields, in order.
Request header_with(std::initializer_list<std::pair<const char*, const char*>> fields) {
  Request request{bhttp::verb::get, "/", 11};
  for (const auto& [name, value] : fields) request.insert(name, value);
  return request;
}

// The balancer at 10.0.0.1 in front of everyone; 10.0.0.0/8 and fd00::/8 are ours.
const TrustedProxies trusted({cidr("10.0.0.0/8"), cidr("fd00::/8")});
const Address balancer = ip("10.0.0.1");

std::string client_of(std::initializer_list<std::pair<const char*, const char*>> fields,
                      const Address& peer = balancer) {
  return client_address(peer, header_with(fields), trusted).to_string();
}

TEST(Cidr, RangesAndSingleAddresses) {
  EXPECT_TRUE(cidr("10.0.0.0/8").contains(ip("10.255.0.1")));
  EXPECT_FALSE(cidr("10.0.0.0/8").contains(ip("11.0.0.1")));
  EXPECT_TRUE(cidr("192.0.2.1").contains(ip("192.0.2.1")));
  EXPECT_FALSE(cidr("192.0.2.1").contains(ip("192.0.2.2")));
  EXPECT_TRUE(cidr("0.0.0.0/0").contains(ip("203.0.113.9")));
  EXPECT_FALSE(cidr("0.0.0.0/0").contains(ip("2001:db8::1")));  // families never mix
  EXPECT_TRUE(cidr("2001:db8::/32").contains(ip("2001:db8:ffff::1")));
  EXPECT_FALSE(cidr("2001:db8::/32").contains(ip("2001:db9::1")));
  EXPECT_TRUE(cidr("172.16.0.0/12").contains(ip("172.31.255.255")));
  EXPECT_FALSE(cidr("172.16.0.0/12").contains(ip("172.32.0.0")));
  // A dual-stack socket's IPv4-mapped peer is its IPv4 address.
  EXPECT_TRUE(cidr("10.0.0.0/8").contains(ip("::ffff:10.1.2.3")));
}

TEST(Cidr, MistakesAreRefused) {
  for (const char* text :
       {"", "10.0.0.0/", "10.0.0.0/33", "2001:db8::/129", "10.0.0.1/8", "10.0.0/8", "example.com/8",
        "10.0.0.0/8/8", "fe80::1%eth0", "10.0.0.0/-1", " 10.0.0.0/8"}) {
    const auto range = parse_cidr(text);
    ASSERT_FALSE(range.ok()) << text;
    EXPECT_EQ(range.error().facts.field, "trusted_proxy");
  }
}

TEST(ClientAddress, AnUntrustedPeerIsTheClientWhateverItWrites) {
  EXPECT_EQ(client_of({{"X-Forwarded-For", "203.0.113.7"}}, ip("198.51.100.2")), "198.51.100.2");
  EXPECT_EQ(client_of({{"Forwarded", "for=203.0.113.7"}}, ip("198.51.100.2")), "198.51.100.2");
  EXPECT_EQ(
      client_address(balancer, header_with({{"X-Forwarded-For", "203.0.113.7"}}), TrustedProxies())
          .to_string(),
      "10.0.0.1");
}

TEST(ClientAddress, ATrustedPeerWithoutFieldsIsTheClient) {
  EXPECT_EQ(client_of({}), "10.0.0.1");
  EXPECT_EQ(client_of({}, ip("::ffff:10.0.0.9")), "10.0.0.9");
}

TEST(ClientAddress, XForwardedForRightMostUntrusted) {
  EXPECT_EQ(client_of({{"X-Forwarded-For", "203.0.113.7"}}), "203.0.113.7");
  // The client wrote the first one itself: only what our proxies appended counts.
  EXPECT_EQ(client_of({{"X-Forwarded-For", "198.51.100.1, 203.0.113.7"}}), "203.0.113.7");
  EXPECT_EQ(client_of({{"X-Forwarded-For", "203.0.113.7,10.0.0.2, 10.9.9.9"}}), "203.0.113.7");
  EXPECT_EQ(client_of({{"X-Forwarded-For", "2001:db8::7, fd00::1"}}), "2001:db8::7");
  // Every hop ours: the first one.
  EXPECT_EQ(client_of({{"X-Forwarded-For", "10.0.0.5, 10.0.0.2"}}), "10.0.0.5");
  // Several fields are one list, in order.
  EXPECT_EQ(client_of({{"X-Forwarded-For", "203.0.113.7"}, {"X-Forwarded-For", "198.51.100.9"}}),
            "198.51.100.9");
  EXPECT_EQ(client_of({{"X-Forwarded-For", "::ffff:203.0.113.7"}}), "203.0.113.7");
}

TEST(ClientAddress, ForwardedRightMostUntrusted) {
  EXPECT_EQ(client_of({{"Forwarded", "for=192.0.2.60;proto=http;by=203.0.113.43"}}), "192.0.2.60");
  EXPECT_EQ(client_of({{"Forwarded", R"(for="[2001:db8:cafe::17]:4711")"}}), "2001:db8:cafe::17");
  EXPECT_EQ(client_of({{"Forwarded", R"(For="192.0.2.43:47011")"}}), "192.0.2.43");
  EXPECT_EQ(client_of({{"Forwarded", R"(for="192.0.2.43:_p1")"}}), "192.0.2.43");
  EXPECT_EQ(
      client_of({{"Forwarded", "for=198.51.100.1, for=192.0.2.43;proto=https, for=10.0.0.3"}}),
      "192.0.2.43");
  EXPECT_EQ(client_of({{"Forwarded", "for=198.51.100.1"}, {"Forwarded", "for=192.0.2.43"}}),
            "192.0.2.43");
  EXPECT_EQ(client_of({{"Forwarded", R"(for="192.0.2.\43")"}}), "192.0.2.43");  // a quoted pair
  EXPECT_EQ(client_of({{"Forwarded", "for=192.0.2.43 ; proto=http ,, for=10.0.0.7"}}),
            "192.0.2.43");
  // Forwarded, when given, is the word: X-Forwarded-For is not read.
  EXPECT_EQ(client_of({{"X-Forwarded-For", "198.51.100.1"}, {"Forwarded", "for=192.0.2.43"}}),
            "192.0.2.43");
}

TEST(ClientAddress, AnythingNotReadCleanlyMeansThePeer) {
  for (const char* value : {"", " ", "garbage", "203.0.113.7 198.51.100.1", "203.0.113.7,",
                            ",203.0.113.7", "203.0.113.7:80", "[2001:db8::1]", "fe80::1%eth0",
                            "203.0.113", "unknown", "203.0.113.7;x"}) {
    EXPECT_EQ(client_of({{"X-Forwarded-For", value}}), "10.0.0.1") << value;
  }
  for (const char* value :
       {"for=unknown", "for=_hidden", "for=[2001:db8::1]", "for=2001:db8::1",
        R"(for="2001:db8::1")", R"(for="[2001:db8::1")", R"(for="[2001:db8::1]:x")",
        R"(for="192.0.2.1:123456")", "for=192.0.2.1;for=192.0.2.2", "proto=http",
        "for=192.0.2.1, proto=http", R"(for="192.0.2.1)", "for=", "=192.0.2.1",
        "for=192.0.2.1 proto=http", "for 192.0.2.1", R"(for="192.0.2.1" x)", "for=192.0.2.1;;=x",
        "for=300.0.2.1"}) {
    EXPECT_EQ(client_of({{"Forwarded", value}}), "10.0.0.1") << value;
    // A bad Forwarded is not rescued by a good X-Forwarded-For.
    EXPECT_EQ(client_of({{"Forwarded", value}, {"X-Forwarded-For", "203.0.113.7"}}), "10.0.0.1")
        << value;
  }
}

TEST(ClientAddress, MoreHopsThanTheBoundMeansThePeer) {
  std::string hops;
  for (std::size_t i = 0; i < forwarded_hops_max; ++i) hops += "203.0.113.7, ";
  EXPECT_EQ(client_of({{"X-Forwarded-For", (hops + "198.51.100.1").c_str()}}), "10.0.0.1");
  hops.resize(hops.size() - 2);  // exactly the bound
  EXPECT_EQ(client_of({{"X-Forwarded-For", hops.c_str()}}), "203.0.113.7");
}

TEST(ClientId, IPv4MappedAndIPv6ByItsSlash64) {
  EXPECT_EQ(client_id_of(ip("192.0.2.1")), client_id_of(ip("::ffff:192.0.2.1")));
  EXPECT_NE(client_id_of(ip("192.0.2.1")), client_id_of(ip("192.0.2.2")));
  EXPECT_EQ(client_id_of(ip("2001:db8:1:2::1")), client_id_of(ip("2001:db8:1:2:ffff::9")));
  EXPECT_NE(client_id_of(ip("2001:db8:1:2::1")), client_id_of(ip("2001:db8:1:3::1")));
  const ClientId v4 = client_id_of(ip("192.0.2.1"));
  EXPECT_EQ(v4.bytes[10], 0xff);
  EXPECT_EQ(v4.bytes[15], 1);
}

}  // namespace
}  // namespace boxoffice::http
