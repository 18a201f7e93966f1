#include "core/ticket_code.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

namespace boxoffice {
namespace {

class TicketCode : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_GE(sodium_init(), 0);
    secret_.fill(7);
    other_.fill(8);
  }
  TicketSecret secret_{};
  TicketSecret other_{};
  const TicketFacts facts_{42, "0123456789abcdef0123456789abcdef", "101-A-7"};
};

TEST_F(TicketCode, GenuineCodesVerify) {
  const std::string code = make_ticket_code(facts_, secret_);
  EXPECT_TRUE(code.starts_with("bx1."));
  EXPECT_EQ(verify_ticket_code(code, secret_), facts_);
  const TicketFacts ga{7, "ff", "FLOOR#3"};
  EXPECT_EQ(verify_ticket_code(make_ticket_code(ga, secret_), secret_), ga);
}

TEST_F(TicketCode, AnyAlterationFails) {
  const std::string code = make_ticket_code(facts_, secret_);
  for (std::size_t i = 0; i < code.size(); ++i) {
    std::string altered = code;
    altered[i] = altered[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(verify_ticket_code(altered, secret_).has_value()) << i;
  }
}

TEST_F(TicketCode, ForgeriesFail) {
  const std::string code = make_ticket_code(facts_, secret_);
  EXPECT_FALSE(verify_ticket_code(code, other_).has_value());
  EXPECT_FALSE(verify_ticket_code(make_ticket_code(facts_, other_), secret_).has_value());
  EXPECT_FALSE(verify_ticket_code(code.substr(0, code.size() - 3), secret_).has_value());
  // Another ticket's payload with this ticket's MAC.
  const std::string other_code = make_ticket_code({42, facts_.order_id, "101-A-8"}, secret_);
  const std::string spliced = other_code.substr(0, other_code.rfind('.')) + code.substr(code.rfind('.'));
  EXPECT_FALSE(verify_ticket_code(spliced, secret_).has_value());
  EXPECT_FALSE(verify_ticket_code("", secret_).has_value());
  EXPECT_FALSE(verify_ticket_code("bx1.", secret_).has_value());
  EXPECT_FALSE(verify_ticket_code("bx1.!!!.???", secret_).has_value());
}

}  // namespace
}  // namespace boxoffice
