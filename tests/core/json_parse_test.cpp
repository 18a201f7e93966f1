// parse_json (core/json_parse.hpp): JSON in, a value out, and an object with the same key twice
// refused as invalid_field naming the repeated member's path, at any depth.
#include "core/json_parse.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

namespace boxoffice {
namespace {

// The error of parsing `body`, which must be invalid_field about `field`.
void expect_repeated(std::string_view body, const std::string& field) {
  SCOPED_TRACE(body);
  const auto result = parse_json(body);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, Errc::invalid_field);
  EXPECT_EQ(result.error().facts.field, field);
  EXPECT_EQ(result.error().detail, field + ": appears twice");
}

TEST(ParseJson, ReadsTheHoldBody) {
  const auto value = parse_json(R"({"seats":["S1-R2-3"]})");
  ASSERT_TRUE(value.ok()) << value.error().detail;
  EXPECT_EQ(*value, boost::json::parse(R"({"seats":["S1-R2-3"]})"));
}

TEST(ParseJson, RefusesADuplicateKeyAtTopLevel) {
  expect_repeated(R"({"seats":["S1-R1-1"],"seats":["S1-R1-2"]})", "seats");
  expect_repeated(R"({"a":{"x":1},"b":1,"a":2})", "a");  // after a nested object closed
}

TEST(ParseJson, NamesADuplicateInsideAnArrayByItsPath) {
  expect_repeated(
      R"({"layout":{"sections":[{"id":"A"},{"id":"B"},{"id":"C","rows":[],"id":"D"}]}})",
      "layout.sections[2].id");
  expect_repeated(R"([1,[2,{"e":1,"f":{"e":1}},{"g":1,"g":2}]])", "[1][2].g");
}

TEST(ParseJson, AcceptsTheSameKeyInDifferentObjects) {
  const auto value = parse_json(R"({"a":{"id":1},"b":{"id":2,"a":3},"c":[{"id":3},{"id":4}]})");
  EXPECT_TRUE(value.ok()) << value.error().detail;
  EXPECT_TRUE(parse_json(R"({"a":{"x":1},"x":2})").ok());
}

TEST(ParseJson, ComparesKeysAsTheyReadNotAsTheyAreWritten) {
  expect_repeated(R"({"ab":1,"a\u0062":2})", "ab");
}

TEST(ParseJson, FindsARepeatAmongManyKeys) {
  std::string body = "{";
  for (int i = 0; i < 1000; ++i)
    body += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  expect_repeated(body + "\"k500\":0}", "k500");
  body.back() = '}';
  EXPECT_TRUE(parse_json(body).ok());
}

TEST(ParseJson, MalformedBodiesAreMalformedJson) {
  for (const char* text : {"", "{", "{\"a\":}", "[1,]", "nul", "{\"a\":1}x"}) {
    const auto result = parse_json(text);
    ASSERT_FALSE(result.ok()) << text;
    EXPECT_EQ(result.error().code, Errc::malformed_json);
  }
  EXPECT_TRUE(parse_json(R"({"a":[1,2.5,"x",null,true]})").ok());
}

}  // namespace
}  // namespace boxoffice
