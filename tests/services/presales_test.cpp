// Presales: who may hold and join when, and what a code's uses become.
#include "services/presales.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <set>

#include "../core/error_names.hpp"
#include "core/access_code.hpp"
#include "services/fakes.hpp"
#include "support/run_coroutine.hpp"

namespace boxoffice {
namespace {

constexpr UnixMillis hour = 3'600'000;
constexpr UnixMillis t0 = 1'800'000'000'000;

class PresalesTest : public ::testing::Test {
 protected:
  PresalesTest() {
    event_.id = 7;
    event_.on_sale_at = t0 + 10 * hour;
    event_.starts_at = t0 + 100 * hour;
    event_.presales = {{"fans", "Fan club", t0 + 2 * hour, t0 + 4 * hour},
                       {"card", "Card holders", t0 + 6 * hour, t0 + 8 * hour}};
  }

  template <class T>
  T run(boost::asio::awaitable<T> work) {
    return testing::run_coroutine(io_, std::move(work));
  }
  std::vector<std::string> make(const std::string& presale, std::uint32_t count,
                                std::uint32_t uses) {
    auto codes = run(presales_.make_codes(event_, presale, count, uses));
    EXPECT_TRUE(codes.ok());
    return codes.ok() ? *codes : std::vector<std::string>{};
  }
  Result<std::optional<std::string>> hold(std::optional<std::string> code, UnixMillis now) {
    return run(presales_.admit_hold(event_, code, now));
  }
  static std::string error_of(const auto& result) {
    return result.ok() ? "ok" : testing::name_of(result.error().code);
  }

  boost::asio::io_context io_;
  testing::FakeAccessCodeStore store_;
  Presales presales_{store_, 1};
  Event event_;
};

TEST_F(PresalesTest, CodesAreReadWhateverTheirCaseDashesOrSpaces) {
  std::array<std::uint8_t, access_code_random_bytes> random{};
  random.fill(0xff);
  EXPECT_EQ(format_access_code(random), "ZZZZ-ZZZZ-ZZZZ-ZZZZ");
  random.fill(0);
  EXPECT_EQ(format_access_code(random), "0000-0000-0000-0000");
  const auto hash = access_code_hash("K7QF-2MXP-9HTA-C4RW");
  ASSERT_TRUE(hash);
  EXPECT_EQ(hash->size(), 64u);
  EXPECT_EQ(access_code_hash(" k7qf 2mxp-9hta-c4rw "), hash);
  EXPECT_NE(access_code_hash("K7QF-2MXP-9HTA-C4RX"), hash);
  EXPECT_FALSE(access_code_hash(""));
  EXPECT_FALSE(access_code_hash("--"));
  EXPECT_FALSE(access_code_hash("K7QF;DROP"));
  EXPECT_FALSE(access_code_hash(std::string(access_code_typed_max + 1, 'A')));
}

TEST_F(PresalesTest, MadeCodesAreDistinctAndOnlyForAPresaleTheEventHas) {
  const auto codes = make("fans", 500, 1);
  EXPECT_EQ(std::set<std::string>(codes.begin(), codes.end()).size(), 500u);
  auto unknown = run(presales_.make_codes(event_, "press", 1, 1));
  EXPECT_EQ(error_of(unknown), "invalid_field");
}

TEST_F(PresalesTest, AHoldDuringAPresaleSpendsAUseOfOneOfItsCodes) {
  const std::string code = make("fans", 1, 2).front();
  const UnixMillis during = t0 + 3 * hour;
  EXPECT_EQ(error_of(hold(std::nullopt, during)), "presale_only");
  EXPECT_EQ(error_of(hold("NOT-A-CODE-AT-ALL", during)), "access_code_invalid");
  auto first = hold(code, during);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(**first, *access_code_hash(code));
  EXPECT_TRUE(hold(code, during).ok());
  auto third = hold(code, during);
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.error().facts.reason, "used_up");
  // A use given back (its hold was refused) can be spent again.
  run([&]() -> boost::asio::awaitable<bool> {
    co_await presales_.give_back(event_.id, **first);
    co_return true;
  }());
  EXPECT_TRUE(hold(code, during).ok());
}

TEST_F(PresalesTest, ACodeOpensItsOwnPresaleOnly) {
  const std::string fans = make("fans", 1, 5).front();
  const std::string card = make("card", 1, 5).front();
  EXPECT_EQ(error_of(hold(card, t0 + 3 * hour)), "access_code_invalid");
  EXPECT_TRUE(hold(fans, t0 + 3 * hour).ok());
  EXPECT_EQ(error_of(hold(fans, t0 + 7 * hour)), "access_code_invalid");
  EXPECT_TRUE(hold(card, t0 + 7 * hour).ok());
  // Between presales and before the first, nobody; at the general sale, everyone, spending
  // nothing; after the event starts, nobody.
  EXPECT_EQ(error_of(hold(fans, t0 + 5 * hour)), "not_on_sale");
  EXPECT_EQ(error_of(hold(fans, t0)), "not_on_sale");
  auto general = hold(std::nullopt, t0 + 10 * hour);
  ASSERT_TRUE(general.ok());
  EXPECT_FALSE(*general);
  EXPECT_TRUE(hold(fans, t0 + 10 * hour).ok());
  EXPECT_EQ(error_of(hold(std::nullopt, t0 + 100 * hour)), "not_on_sale");
}

TEST_F(PresalesTest, AJoinBeforeTheGeneralSaleNeedsACodeWithAUseLeft) {
  const std::string code = make("card", 1, 1).front();
  auto join = [&](std::optional<std::string> given, UnixMillis now) {
    return run(presales_.admit_join(event_, given, now));
  };
  EXPECT_EQ(error_of(join(std::nullopt, t0)), "presale_only");
  EXPECT_TRUE(join(code, t0).ok()) << "a code of a presale still to come";
  EXPECT_TRUE(join(code, t0 + 7 * hour).ok());
  EXPECT_TRUE(join(code, t0 + 7 * hour).ok()) << "a join checks, it spends nothing";
  ASSERT_TRUE(hold(code, t0 + 7 * hour).ok());
  EXPECT_EQ(error_of(join(code, t0 + 7 * hour)), "access_code_invalid");
  EXPECT_TRUE(join(std::nullopt, t0 + 8 * hour).ok()) << "no presale left: the general line";
  EXPECT_TRUE(join(std::nullopt, t0 + 10 * hour).ok());
}

}  // namespace
}  // namespace boxoffice
