// Ticket codes (core/ticket_code.hpp): a genuine code gives its facts back, and nothing else
// verifies: no altered character, no other secret, no truncation, no splice of two codes.
#include "core/ticket_code.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <string>
#include <vector>

namespace boxoffice {
namespace {

class TicketCode : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_GE(sodium_init(), 0); }

  // A fixed secret, or one bit away from it.
  static TicketSecret secret_of(unsigned char last_bit) {
    TicketSecret secret{};
    for (std::size_t i = 0; i < secret.size(); ++i) {
      secret[i] = static_cast<unsigned char>(i * 7 + 1);
    }
    secret[31] ^= last_bit;
    return secret;
  }

  const Signer signer_{secret_of(0)};
  const Signer other_{secret_of(1)};
  const TicketFacts facts_{42, "0123456789abcdef0123456789abcdef", "101-A-7"};
};

// The three dot-separated parts of a code: "bx1", payload, mac.
std::vector<std::string> parts_of(const std::string& code) {
  std::vector<std::string> parts;
  std::size_t begin = 0;
  for (std::size_t dot; (dot = code.find('.', begin)) != std::string::npos; begin = dot + 1) {
    parts.push_back(code.substr(begin, dot - begin));
  }
  parts.push_back(code.substr(begin));
  return parts;
}

TEST_F(TicketCode, GenuineCodesGiveTheirFactsBack) {
  const std::string code = make_ticket_code(facts_, signer_);
  EXPECT_TRUE(code.starts_with("bx1."));
  ASSERT_EQ(parts_of(code).size(), 3u);
  EXPECT_EQ(parts_of(code)[2].size(), 22u);  // 16 bytes of MAC, base64url without padding
  EXPECT_EQ(verify_ticket_code(code, signer_), facts_);

  for (const TicketFacts& facts : std::vector<TicketFacts>{
           {7, "ff", "FLOOR#3"},  // general admission unit
           {0, "", "x"},          // empty order id
           {-5, "00", "A"},       // negative ids survive too
           {INT64_MAX, std::string(32, 'f'), "B-12-100"},
           {1, "ab", "a|b|c"},                             // the separator inside the unit
           {1, "ab", std::string(300, 'u')},               // long unit
           {1, "ab", "Parkett Reihe 3 Platz 7 \xc3\xa4"},  // spaces and UTF-8
       }) {
    EXPECT_EQ(verify_ticket_code(make_ticket_code(facts, signer_), signer_), facts) << facts.unit;
  }
}

TEST_F(TicketCode, MakingIsDeterministic) {
  EXPECT_EQ(make_ticket_code(facts_, signer_), make_ticket_code(facts_, signer_));
  EXPECT_NE(make_ticket_code(facts_, signer_), make_ticket_code(facts_, other_));
  TicketFacts next_seat = facts_;
  next_seat.unit = "101-A-8";
  EXPECT_NE(make_ticket_code(facts_, signer_), make_ticket_code(next_seat, signer_));
}

TEST_F(TicketCode, AnyAlteredCharacterFails) {
  const std::string code = make_ticket_code(facts_, signer_);
  // Every position, replaced by each of a handful of characters: letters that differ in one
  // bit of their base64 value (the last character of each part carries padding bits), digits,
  // the URL-safe symbols, the separator and a character outside the alphabet.
  int tried = 0;
  for (std::size_t i = 0; i < code.size(); ++i) {
    for (const char replacement : {'A', 'B', 'Q', 'g', 'w', '0', '9', '-', '_', '.', '+', '='}) {
      if (code[i] == replacement) continue;
      std::string altered = code;
      altered[i] = replacement;
      EXPECT_FALSE(verify_ticket_code(altered, signer_).has_value()) << i << " " << altered;
      ++tried;
    }
  }
  EXPECT_GT(tried, 10 * static_cast<int>(code.size()));
}

TEST_F(TicketCode, AnotherSecretFails) {
  EXPECT_FALSE(verify_ticket_code(make_ticket_code(facts_, signer_), other_).has_value());
  EXPECT_FALSE(verify_ticket_code(make_ticket_code(facts_, other_), signer_).has_value());
  const Signer zero{TicketSecret{}};
  EXPECT_FALSE(verify_ticket_code(make_ticket_code(facts_, signer_), zero).has_value());
}

TEST_F(TicketCode, TruncatedOrExtendedCodesFail) {
  const std::string code = make_ticket_code(facts_, signer_);
  for (std::size_t length = 0; length < code.size(); ++length) {
    EXPECT_FALSE(verify_ticket_code(code.substr(0, length), signer_).has_value()) << length;
  }
  // Dropping characters from the front, too (the prefix, then the payload).
  for (std::size_t drop = 1; drop < code.size(); ++drop) {
    EXPECT_FALSE(verify_ticket_code(code.substr(drop), signer_).has_value()) << drop;
  }
  for (const std::string tail : {"A", "AA", "AAAA", ".", ".A", "=", "==", " ", "\n"}) {
    EXPECT_FALSE(verify_ticket_code(code + tail, signer_).has_value()) << tail;
  }
  EXPECT_FALSE(verify_ticket_code(code + std::string(2'000, 'A'), signer_).has_value());
}

TEST_F(TicketCode, SplicedCodesFail) {
  const std::string code = make_ticket_code(facts_, signer_);
  const auto parts = parts_of(code);
  TicketFacts neighbour = facts_;
  neighbour.unit = "101-A-8";
  const auto other_parts = parts_of(make_ticket_code(neighbour, signer_));

  // Payload and MAC swapped.
  EXPECT_FALSE(verify_ticket_code("bx1." + parts[2] + "." + parts[1], signer_).has_value());
  // Another ticket's payload with this ticket's MAC, and the other way round.
  EXPECT_FALSE(verify_ticket_code("bx1." + other_parts[1] + "." + parts[2], signer_).has_value());
  EXPECT_FALSE(verify_ticket_code("bx1." + parts[1] + "." + other_parts[2], signer_).has_value());
  // Another version prefix, or none.
  EXPECT_FALSE(verify_ticket_code("bx2." + parts[1] + "." + parts[2], signer_).has_value());
  EXPECT_FALSE(verify_ticket_code(parts[1] + "." + parts[2], signer_).has_value());
  // An extra part, or the payload in place of the MAC.
  EXPECT_FALSE(verify_ticket_code(code + "." + parts[2], signer_).has_value());
  EXPECT_FALSE(verify_ticket_code("bx1." + parts[1] + "." + parts[1], signer_).has_value());
}

TEST_F(TicketCode, MalformedCodesFail) {
  for (const char* text : {"", "bx1", "bx1.", "bx1..", "bx1.!!!.???", "bx1.AAAA", "bx1.AAAA.",
                           "bx1..AAAAAAAAAAAAAAAAAAAAAA", "BX1.AAAA.AAAAAAAAAAAAAAAAAAAAAA"}) {
    EXPECT_FALSE(verify_ticket_code(text, signer_).has_value()) << text;
  }
}

}  // namespace
}  // namespace boxoffice
