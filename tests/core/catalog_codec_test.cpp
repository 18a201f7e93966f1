#include "core/catalog_codec.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace boxoffice {
namespace {

boost::json::object venue_json() {
  return boost::json::parse(R"({
    "name":"Hall","city":"Paris","country":"FR","timezone":"Europe/Paris","lat":48.8,"lon":2.3,
    "layout":{"stage":{"x":1,"y":-5},
      "sections":[{"id":"A","name":"Stalls","rows":[
        {"label":"1","seats":[{"id":"A-1-1","label":"1","x":0,"y":0,"score":2.5},
                              {"id":"A-1-2","label":"2","x":1,"y":0}]},
        {"label":"2","seats":[{"id":"A-2-1","label":"1","x":0,"y":1}]}]}],
      "ga_areas":[{"id":"GA","name":"Standing","capacity":50}]}})")
      .as_object();
}

boost::json::object event_json() {
  return boost::json::parse(R"({
    "venue_id":1,"name":"Night","performers":["Band"],"category":"concert","tags":["rock"],
    "starts_at":"2027-01-01T20:00:00Z","on_sale_at":"2026-12-01T10:00:00Z",
    "price_levels":[{"id":"p1","name":"One","price_cents":1000,"currency":"EUR"},
                    {"id":"p2","name":"Two","price_cents":500,"currency":"EUR"}],
    "pricing":{"A":"p1","GA":"p2"},"max_per_order":6,"hold_seconds":300})")
      .as_object();
}

// Decodes `body` and expects invalid_field at `field`.
template <class Decode>
void expect_invalid(Decode decode, const boost::json::value& body, const std::string& field) {
  const auto result = decode(body);
  ASSERT_FALSE(result.ok()) << boost::json::serialize(body);
  EXPECT_EQ(result.error().code, Errc::invalid_field);
  EXPECT_EQ(result.error().extra.at("field").as_string(), field) << result.error().detail;
}

TEST(CatalogCodec, DecodesAVenue) {
  const auto venue = decode_venue(venue_json());
  ASSERT_TRUE(venue.ok()) << venue.error().detail;
  const Layout& layout = *venue->layout;
  ASSERT_EQ(layout.seats.size(), 3u);
  EXPECT_EQ(layout.rows.size(), 2u);
  EXPECT_EQ(layout.seats[2].id, "A-2-1");
  EXPECT_EQ(layout.find_seat("A-1-2"), 1u);
  EXPECT_EQ(layout.find_ga_area("GA"), 0u);
  EXPECT_EQ(layout.preference[0], 2.5);          // its score
  EXPECT_DOUBLE_EQ(layout.preference[1], -5.0);  // minus its distance to the stage
}

TEST(CatalogCodec, VenueRoundTrip) {
  const auto venue = decode_venue(venue_json());
  ASSERT_TRUE(venue.ok());
  const auto again = decode_venue(encode_venue(*venue));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(boost::json::serialize(encode_venue(*again)), boost::json::serialize(encode_venue(*venue)));
  EXPECT_EQ(again->layout->seats[0].score, 2.5);
  EXPECT_FALSE(again->layout->seats[1].score.has_value());
}

TEST(CatalogCodec, RejectsBadVenues) {
  auto unknown = venue_json();
  unknown["capacity"] = 5;
  expect_invalid(decode_venue, unknown, "capacity");
  auto nested = venue_json();
  nested["layout"].as_object()["sections"].as_array()[0].as_object()["rows"].as_array()[0]
      .as_object()["seats"].as_array()[1].as_object()["z"] = 1;
  expect_invalid(decode_venue, nested, "layout.sections[0].rows[0].seats[1].z");
  auto missing = venue_json();
  missing.erase("city");
  expect_invalid(decode_venue, missing, "city");
  auto wrong_type = venue_json();
  wrong_type["lat"] = "north";
  expect_invalid(decode_venue, wrong_type, "lat");
  auto out_of_range = venue_json();
  out_of_range["lon"] = 181;
  expect_invalid(decode_venue, out_of_range, "lon");
  expect_invalid(decode_venue, boost::json::value(42), "(body)");

  auto duplicate = venue_json();
  duplicate["layout"].as_object()["ga_areas"].as_array()[0].as_object()["id"] = "A-1-1";
  EXPECT_EQ(decode_venue(duplicate).error().code, Errc::invalid_field);
  auto empty = venue_json();
  empty["layout"] = boost::json::object{};
  EXPECT_EQ(decode_venue(empty).error().code, Errc::invalid_field);
}

TEST(CatalogCodec, NullIsAbsent) {
  auto body = event_json();
  body["description"] = nullptr;
  body["waiting_room"] = nullptr;
  EXPECT_TRUE(decode_event(body).ok());
  body["name"] = nullptr;
  expect_invalid(decode_event, body, "name");
}

TEST(CatalogCodec, DecodesAnEventWithDefaults) {
  auto body = event_json();
  body.erase("max_per_order");
  body.erase("hold_seconds");
  const auto event = decode_event(body);
  ASSERT_TRUE(event.ok()) << event.error().detail;
  EXPECT_EQ(event->max_per_order, max_per_order_default);
  EXPECT_EQ(event->hold_seconds, hold_seconds_default);
  EXPECT_EQ(event->on_sale_at, *parse_rfc3339("2026-12-01T10:00:00Z"));
  EXPECT_FALSE(event->published);
}

TEST(CatalogCodec, RejectsBadEvents) {
  auto misspelt = event_json();
  misspelt["max_per_ordr"] = 2;
  expect_invalid(decode_event, misspelt, "max_per_ordr");
  auto bad_time = event_json();
  bad_time["starts_at"] = "tomorrow";
  expect_invalid(decode_event, bad_time, "starts_at");
  auto too_many = event_json();
  too_many["max_per_order"] = 101;
  expect_invalid(decode_event, too_many, "max_per_order");
  auto fractional = event_json();
  fractional["hold_seconds"] = 1.5;
  expect_invalid(decode_event, fractional, "hold_seconds");
  auto bad_level = event_json();
  bad_level["price_levels"].as_array()[0].as_object()["price_cents"] = -1;
  expect_invalid(decode_event, bad_level, "price_levels[0].price_cents");
}

TEST(CatalogCodec, ValidatesEventsAgainstTheLayout) {
  const auto venue = decode_venue(venue_json());
  ASSERT_TRUE(venue.ok());
  auto event = decode_event(event_json());
  ASSERT_TRUE(event.ok());
  EXPECT_TRUE(validate_event(*event, *venue->layout).ok());

  Event unpriced = *event;
  unpriced.pricing.erase("GA");
  EXPECT_EQ(validate_event(unpriced, *venue->layout).error().code, Errc::invalid_field);
  Event unknown_level = *event;
  unknown_level.pricing["A"] = "p9";
  EXPECT_FALSE(validate_event(unknown_level, *venue->layout).ok());
  Event unknown_place = *event;
  unknown_place.pricing["Z"] = "p1";
  EXPECT_FALSE(validate_event(unknown_place, *venue->layout).ok());
  Event two_currencies = *event;
  two_currencies.price_levels[1].currency = "USD";
  EXPECT_FALSE(validate_event(two_currencies, *venue->layout).ok());
  Event late_sale = *event;
  late_sale.on_sale_at = late_sale.starts_at + 1;
  EXPECT_FALSE(validate_event(late_sale, *venue->layout).ok());
}

TEST(CatalogCodec, SeatmapCarriesPriceLevels) {
  auto venue = decode_venue(venue_json());
  auto event = decode_event(event_json());
  ASSERT_TRUE(venue.ok() && event.ok());
  const auto map = encode_seatmap(*event, *venue);
  EXPECT_EQ(map.at("sections").as_array()[0].at("price_level").as_string(), "p1");
  EXPECT_EQ(map.at("ga_areas").as_array()[0].at("price_level").as_string(), "p2");
  EXPECT_EQ(map.at("seat_count").as_uint64(), 3u);
  EXPECT_EQ(map.at("price_levels").as_array().size(), 2u);
}

}  // namespace
}  // namespace boxoffice
