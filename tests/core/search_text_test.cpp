#include "core/search_text.hpp"

#include <gtest/gtest.h>

#include "core/search_rank.hpp"

namespace boxoffice {
namespace {

TEST(SearchText, FoldsCaseAndDiacritics) {
  EXPECT_EQ(fold_text("Beyoncé"), "beyonce");
  EXPECT_EQ(fold_text("MÖTLEY CRÜE"), "motley crue");
  EXPECT_EQ(fold_text("Straße Ærø Łódź"), "strasse aero lodz");
  EXPECT_EQ(fold_text("東京"), "東京");  // kept
  EXPECT_EQ(fold_text("a\xff"
                      "b"),
            "a b");                   // invalid UTF-8 separates
  EXPECT_EQ(fold_text("\xc3"), " ");  // cut sequence
}

TEST(SearchText, SplitsWords) {
  EXPECT_EQ(split_words("ac/dc live, 2026!"),
            (std::vector<std::string>{"ac", "dc", "live", "2026"}));
  EXPECT_EQ(split_words("  "), std::vector<std::string>{});
  EXPECT_EQ(split_words("東京 dome"), (std::vector<std::string>{"東京", "dome"}));
}

TEST(SearchText, BoundedEditDistance) {
  struct Case {
    const char* a;
    const char* b;
    std::size_t max;
    std::size_t want;
  };
  const Case cases[] = {
      {"beyonce", "beyonse", 2, 1},    {"beyonce", "byonce", 2, 1},
      {"beyonce", "beyoncee", 2, 1},   {"beyonce", "beyocne", 2, 1},
      {"drake", "drake", 1, 0},        {"drake", "darke", 1, 1},
      {"drake", "blake", 1, 2},        {"kitten", "sitting", 5, 3},
      {"abc", "abcdef", 2, 3},         {"", "abc", 3, 3},
      {"metallica", "metalica", 1, 1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.a) + " / " + c.b);
    EXPECT_EQ(edit_distance_within(c.a, c.b, c.max), c.want);
    EXPECT_EQ(edit_distance_within(c.b, c.a, c.max), c.want);
  }
}

TEST(SearchText, TypoBudgetGrowsWithLength) {
  EXPECT_EQ(typo_budget(3), 0u);
  EXPECT_EQ(typo_budget(4), 1u);
  EXPECT_EQ(typo_budget(7), 1u);
  EXPECT_EQ(typo_budget(8), 2u);
}

TEST(SearchRank, BoostsOrderAsDocumented) {
  const UnixMillis now = 1'800'000'000'000;
  const UnixMillis day = 86'400'000;
  RankSignals on_sale{now, now + 10 * day, now - day, false, 0, 0};
  RankSignals not_yet = on_sale;
  not_yet.on_sale_at = now + day;
  RankSignals sold_out = on_sale;
  sold_out.sold_out = true;
  RankSignals later = on_sale;
  later.starts_at = now + 200 * day;
  RankSignals popular = on_sale;
  popular.views = 1'000;
  EXPECT_GT(rank_boost(on_sale), rank_boost(not_yet));
  EXPECT_GT(rank_boost(not_yet), rank_boost(sold_out));
  EXPECT_GT(rank_boost(on_sale), rank_boost(later));
  EXPECT_GT(rank_boost(popular), rank_boost(on_sale));
  RankSignals viral = on_sale;
  viral.views = 1'000'000'000;
  EXPECT_LE(rank_boost(viral), rank_boost(on_sale) * 1.5 / (1.0) + 1e-9);
  // No boost turns a weak text match into a strong one: at most 1.25 × 1.5 × 1.5 overall.
  EXPECT_LT(rank_boost(viral), 2.82);
}

TEST(SearchRank, Distances) {
  EXPECT_NEAR(distance_km(34.0522, -118.2437, 37.7749, -122.4194), 559, 3);  // LA–SF
  EXPECT_NEAR(distance_km(51.5074, -0.1278, 48.8566, 2.3522), 344, 3);       // London–Paris
  EXPECT_DOUBLE_EQ(distance_km(10, 10, 10, 10), 0);
}

}  // namespace
}  // namespace boxoffice
