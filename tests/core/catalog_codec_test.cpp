// Strict JSON codecs of venues and events (core/catalog_codec.hpp, core/json_reader.hpp), the
// checks of an event against its layout (validate_event) and the seat map.
//
// Every rejection must be invalid_field with the path of the offending field in facts.field,
// so a client can point at it; the tables below edit one field of a good body each.
#include "core/catalog_codec.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "core/json_reader.hpp"

namespace boxoffice {
namespace {

boost::json::value venue_json() {
  return boost::json::parse(R"({
    "name":"Hall","city":"Paris","country":"FR","timezone":"Europe/Paris","lat":48.8,"lon":2.3,
    "layout":{"stage":{"x":1,"y":-5},
      "sections":[{"id":"A","name":"Stalls","rows":[
        {"label":"1","seats":[{"id":"A-1-1","label":"1","x":0,"y":0,"score":2.5},
                              {"id":"A-1-2","label":"2","x":1,"y":0}]},
        {"label":"2","seats":[{"id":"A-2-1","label":"1","x":0,"y":1}]}]}],
      "ga_areas":[{"id":"GA","name":"Standing","capacity":50}]}})");
}

boost::json::value event_json() {
  return boost::json::parse(R"({
    "venue_id":1,"name":"Night","performers":["Band"],"category":"concert","tags":["rock"],
    "starts_at":"2027-01-01T20:00:00Z","on_sale_at":"2026-12-01T10:00:00Z",
    "price_levels":[{"id":"p1","name":"One","price_cents":1000,"currency":"EUR"},
                    {"id":"p2","name":"Two","price_cents":500,"currency":"EUR"}],
    "pricing":{"A":"p1","GA":"p2"},"max_per_order":6,"hold_seconds":300})");
}

// The value at a path such as "layout.sections[0].rows[1].seats[0].x", created (null) if the
// last step is absent, so a test can add a field or an array element as well as change one.
boost::json::value& at_path(boost::json::value& root, std::string_view path) {
  boost::json::value* value = &root;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '.') {
      ++i;
    } else if (path[i] == '[') {
      const std::size_t close = path.find(']', i);
      const std::size_t index = std::stoul(std::string(path.substr(i + 1, close - i - 1)));
      boost::json::array& array = value->as_array();
      if (index == array.size()) array.emplace_back(nullptr);
      value = &array.at(index);
      i = close + 1;
    } else {
      std::size_t end = path.find_first_of(".[", i);
      if (end == std::string_view::npos) end = path.size();
      value = &value->as_object()[path.substr(i, end - i)];
      i = end;
    }
  }
  return *value;
}

// Removes the field at `path` (whose last step is a key).
void erase_at(boost::json::value& root, std::string_view path) {
  const std::size_t dot = path.rfind('.');
  boost::json::value& parent =
      dot == std::string_view::npos ? root : at_path(root, path.substr(0, dot));
  const std::string_view key = dot == std::string_view::npos ? path : path.substr(dot + 1);
  ASSERT_EQ(parent.as_object().erase(key), 1u) << path;
}

// One edit of a good body and the field the decoder must blame.
struct Edit {
  std::string path;
  std::optional<std::string> json;  // the new value; nullopt removes the field
  std::string field;
};

std::ostream& operator<<(std::ostream& out, const Edit& edit) {
  return out << edit.path << " = " << edit.json.value_or("(removed)");
}

template <class Decode>
void expect_rejected(Decode decode, const boost::json::value& good, const Edit& edit) {
  SCOPED_TRACE(::testing::PrintToString(edit));
  boost::json::value body = good;
  if (edit.json) {
    at_path(body, edit.path) = boost::json::parse(*edit.json);
  } else {
    erase_at(body, edit.path);
  }
  const auto result = decode(body);
  ASSERT_FALSE(result.ok()) << boost::json::serialize(body);
  EXPECT_EQ(result.error().code, Errc::invalid_field);
  const std::string& field = result.error().facts.field;
  ASSERT_FALSE(field.empty()) << result.error().detail;
  EXPECT_EQ(field, edit.field) << result.error().detail;
  EXPECT_FALSE(result.error().detail.empty());
}

template <class Decode>
void expect_accepted(Decode decode, const boost::json::value& good, const Edit& edit) {
  SCOPED_TRACE(::testing::PrintToString(edit));
  boost::json::value body = good;
  if (edit.json) {
    at_path(body, edit.path) = boost::json::parse(*edit.json);
  } else {
    erase_at(body, edit.path);
  }
  const auto result = decode(body);
  EXPECT_TRUE(result.ok()) << result.error().detail;
}

// ---------------------------------------------------------------------------------------------
// Venues

TEST(VenueCodec, DecodesAGoodBody) {
  const auto venue = decode_venue(venue_json());
  ASSERT_TRUE(venue.ok()) << venue.error().detail;
  EXPECT_EQ(venue->id, 0);
  EXPECT_EQ(venue->name, "Hall");
  EXPECT_EQ(venue->city, "Paris");
  EXPECT_EQ(venue->country, "FR");
  EXPECT_EQ(venue->timezone, "Europe/Paris");
  EXPECT_DOUBLE_EQ(venue->lat, 48.8);
  EXPECT_DOUBLE_EQ(venue->lon, 2.3);
  const Layout& layout = *venue->layout;
  ASSERT_EQ(layout.sections.size(), 1u);
  EXPECT_EQ(layout.sections[0].id, "A");
  EXPECT_EQ(layout.sections[0].name, "Stalls");
  EXPECT_EQ(layout.sections[0].row_count, 2u);
  EXPECT_EQ(layout.sections[0].seat_count, 3u);
  ASSERT_EQ(layout.rows.size(), 2u);
  EXPECT_EQ(layout.rows[1].label, "2");
  EXPECT_EQ(layout.rows[1].first_seat, 2u);
  EXPECT_EQ(layout.rows[1].seat_count, 1u);
  ASSERT_EQ(layout.seats.size(), 3u);
  EXPECT_EQ(layout.seats[2].id, "A-2-1");
  EXPECT_EQ(layout.seats[2].row, 1u);
  EXPECT_EQ(layout.seats[2].section, 0u);
  EXPECT_EQ(layout.find_seat("A-1-2"), 1u);
  EXPECT_FALSE(layout.find_seat("A-9-9"));
  ASSERT_EQ(layout.ga_areas.size(), 1u);
  EXPECT_EQ(layout.ga_areas[0].capacity, 50u);
  EXPECT_EQ(layout.find_ga_area("GA"), 0u);
  EXPECT_FALSE(layout.find_ga_area("A"));  // a section is not an area
  ASSERT_TRUE(layout.stage);
  EXPECT_EQ(layout.stage->y, -5);
  // In millionths of a point:
  EXPECT_EQ(layout.preference[0], 2'500'000);   // its score
  EXPECT_EQ(layout.preference[1], -5'000'000);  // minus its distance to the stage (1,-5)
  EXPECT_EQ(layout.preference[2], -6'082'763);  // sqrt(37), rounded
}

TEST(VenueCodec, OptionalFieldsTakeTheirDefaults) {
  auto body = boost::json::parse(R"({
    "name":"Hall","city":"Paris","country":"FR","timezone":"Europe/Paris","lat":0,"lon":0,
    "layout":{"sections":[{"id":"A","rows":[{"label":"1","seats":[
      {"id":"A1","x":0,"y":0},{"id":"A2","x":4,"y":0},{"id":"A3","x":2,"y":2}]}]}]}})");
  const auto venue = decode_venue(body);
  ASSERT_TRUE(venue.ok()) << venue.error().detail;
  const Layout& layout = *venue->layout;
  EXPECT_EQ(layout.sections[0].name, "A");  // name defaults to the id
  EXPECT_EQ(layout.seats[1].label, "A2");   // so does a seat's label
  EXPECT_FALSE(layout.seats[1].score);
  EXPECT_FALSE(layout.stage);
  EXPECT_TRUE(layout.ga_areas.empty());
  // No stage: preference is nearness to the centre of all seats, (2, 1).
  EXPECT_EQ(layout.preference[0], -2'236'068);  // sqrt(5), in millionths
  EXPECT_EQ(layout.preference[1], -2'236'068);
  EXPECT_EQ(layout.preference[2], -1'000'000);
}

TEST(VenueCodec, GeneralAdmissionOnlyIsAVenue) {
  auto body = venue_json();
  erase_at(body, "layout.sections");
  const auto venue = decode_venue(body);
  ASSERT_TRUE(venue.ok()) << venue.error().detail;
  EXPECT_TRUE(venue->layout->seats.empty());
  EXPECT_EQ(venue->layout->ga_areas.size(), 1u);
}

TEST(VenueCodec, RejectsUnknownFieldsAtEveryLevel) {
  for (const Edit& edit : std::vector<Edit>{
           {"capacity", "5", "capacity"},
           {"Name", "\"x\"", "Name"},  // names are case-sensitive
           {"layout.seats", "[]", "layout.seats"},
           {"layout.stage.z", "1", "layout.stage.z"},
           {"layout.sections[0].price", "1", "layout.sections[0].price"},
           {"layout.sections[0].rows[1].number", "2", "layout.sections[0].rows[1].number"},
           {"layout.sections[0].rows[0].seats[0].z", "1", "layout.sections[0].rows[0].seats[0].z"},
           {"layout.sections[0].rows[0].seats[1].z", "1", "layout.sections[0].rows[0].seats[1].z"},
           {"layout.ga_areas[0].max", "1", "layout.ga_areas[0].max"},
       }) {
    expect_rejected(decode_venue, venue_json(), edit);
  }
}

TEST(VenueCodec, RejectsMissingRequiredFields) {
  for (const Edit& edit : std::vector<Edit>{
           {"name", std::nullopt, "name"},
           {"city", std::nullopt, "city"},
           {"country", std::nullopt, "country"},
           {"timezone", std::nullopt, "timezone"},
           {"lat", std::nullopt, "lat"},
           {"lon", std::nullopt, "lon"},
           {"layout", std::nullopt, "layout"},
           {"layout.stage.x", std::nullopt, "layout.stage.x"},
           {"layout.sections[0].id", std::nullopt, "layout.sections[0].id"},
           {"layout.sections[0].rows", std::nullopt, "layout.sections[0].rows"},
           {"layout.sections[0].rows[1].label", std::nullopt, "layout.sections[0].rows[1].label"},
           {"layout.sections[0].rows[1].seats", std::nullopt, "layout.sections[0].rows[1].seats"},
           {"layout.sections[0].rows[0].seats[1].id", std::nullopt,
            "layout.sections[0].rows[0].seats[1].id"},
           {"layout.sections[0].rows[0].seats[1].x", std::nullopt,
            "layout.sections[0].rows[0].seats[1].x"},
           {"layout.sections[0].rows[0].seats[1].y", std::nullopt,
            "layout.sections[0].rows[0].seats[1].y"},
           {"layout.ga_areas[0].id", std::nullopt, "layout.ga_areas[0].id"},
           {"layout.ga_areas[0].capacity", std::nullopt, "layout.ga_areas[0].capacity"},
       }) {
    expect_rejected(decode_venue, venue_json(), edit);
  }
}

TEST(VenueCodec, RejectsWrongTypes) {
  for (const Edit& edit : std::vector<Edit>{
           {"name", "5", "name"},
           {"city", "[\"Paris\"]", "city"},
           {"lat", "\"north\"", "lat"},
           {"lon", "true", "lon"},
           {"layout", "[]", "layout"},
           {"layout", "\"big\"", "layout"},
           {"layout.stage", "1", "layout.stage"},
           {"layout.sections", "{}", "layout.sections"},
           {"layout.sections[0]", "\"A\"", "layout.sections[0]"},
           {"layout.sections[0].rows", "\"1\"", "layout.sections[0].rows"},
           {"layout.sections[0].rows[0]", "[]", "layout.sections[0].rows[0]"},
           {"layout.sections[0].rows[0].label", "1", "layout.sections[0].rows[0].label"},
           {"layout.sections[0].rows[0].seats[0]", "5", "layout.sections[0].rows[0].seats[0]"},
           {"layout.sections[0].rows[0].seats[0].id", "7",
            "layout.sections[0].rows[0].seats[0].id"},
           {"layout.sections[0].rows[0].seats[0].x", "\"1\"",
            "layout.sections[0].rows[0].seats[0].x"},
           {"layout.sections[0].rows[0].seats[0].score", "\"high\"",
            "layout.sections[0].rows[0].seats[0].score"},
           {"layout.ga_areas", "{}", "layout.ga_areas"},
           {"layout.ga_areas[0].capacity", "\"10\"", "layout.ga_areas[0].capacity"},
           {"layout.ga_areas[0].capacity", "2.5", "layout.ga_areas[0].capacity"},
       }) {
    expect_rejected(decode_venue, venue_json(), edit);
  }
  // Not an object at all.
  for (const char* body : {"42", "[]", "\"venue\"", "null"}) {
    const auto result = decode_venue(boost::json::parse(body));
    ASSERT_FALSE(result.ok()) << body;
    EXPECT_EQ(result.error().code, Errc::invalid_field);
    EXPECT_EQ(result.error().facts.field, "(body)");
  }
}

TEST(VenueCodec, RejectsValuesOutOfRange) {
  for (const Edit& edit : std::vector<Edit>{
           {"name", "\"\"", "name"},
           {"name", "\"" + std::string(text_bytes_max + 1, 'n') + "\"", "name"},
           {"lat", "90.5", "lat"},
           {"lat", "-91", "lat"},
           {"lon", "181", "lon"},
           {"lon", "-180.01", "lon"},
           {"layout.stage.y", "1e7", "layout.stage.y"},
           {"layout.sections[0].id", "\"\"", "layout.sections[0].id"},
           {"layout.sections[0].rows[0].seats[1].x", "1000001",
            "layout.sections[0].rows[0].seats[1].x"},
           {"layout.sections[0].rows[0].seats[1].y", "-1e300",
            "layout.sections[0].rows[0].seats[1].y"},
           {"layout.sections[0].rows[0].seats[1].score", "2e6",
            "layout.sections[0].rows[0].seats[1].score"},
           {"layout.ga_areas[0].capacity", "0", "layout.ga_areas[0].capacity"},
           {"layout.ga_areas[0].capacity", "-1", "layout.ga_areas[0].capacity"},
           {"layout.ga_areas[0].capacity", std::to_string(ga_capacity_max + 1),
            "layout.ga_areas[0].capacity"},
           {"layout.ga_areas[0].capacity", "18446744073709551615", "layout.ga_areas[0].capacity"},
       }) {
    expect_rejected(decode_venue, venue_json(), edit);
  }
  // The bounds themselves are inside.
  for (const Edit& edit : std::vector<Edit>{
           {"lat", "90", ""},
           {"lat", "-90", ""},
           {"lon", "180", ""},
           {"layout.ga_areas[0].capacity", std::to_string(ga_capacity_max), ""},
           {"layout.ga_areas[0].capacity", "1", ""},
           {"name", "\"" + std::string(text_bytes_max, 'n') + "\"", ""},
       }) {
    expect_accepted(decode_venue, venue_json(), edit);
  }
}

TEST(VenueCodec, RejectsDuplicateIdsAtTheSecondOccurrence) {
  const std::string other_section =
      R"({"id":"B","rows":[{"label":"1","seats":[{"id":"B-1","x":5,"y":5}]}]})";
  for (const Edit& edit : std::vector<Edit>{
           // two seats of one section, in different rows
           {"layout.sections[0].rows[1].seats[0].id", "\"A-1-1\"",
            "layout.sections[0].rows[1].seats[0].id"},
           // two seats of one row
           {"layout.sections[0].rows[0].seats[1].id", "\"A-1-1\"",
            "layout.sections[0].rows[0].seats[1].id"},
           // two sections
           {"layout.sections[1]",
            R"({"id":"A","rows":[{"label":"1","seats":[{"id":"B-1","x":5,"y":5}]}]})",
            "layout.sections[1].id"},
           // a seat of another section
           {"layout.sections[1]",
            R"({"id":"B","rows":[{"label":"1","seats":[{"id":"A-2-1","x":5,"y":5}]}]})",
            "layout.sections[1].rows[0].seats[0].id"},
           // sections, areas and seats share one namespace
           {"layout.sections[0].rows[0].seats[0].id", "\"A\"",
            "layout.sections[0].rows[0].seats[0].id"},
           {"layout.ga_areas[0].id", "\"A\"", "layout.ga_areas[0].id"},
           {"layout.ga_areas[0].id", "\"A-1-2\"", "layout.ga_areas[0].id"},
           {"layout.ga_areas[1]", R"({"id":"GA","capacity":5})", "layout.ga_areas[1].id"},
       }) {
    expect_rejected(decode_venue, venue_json(), edit);
  }
  expect_accepted(decode_venue, venue_json(), {"layout.sections[1]", other_section, ""});
}

TEST(VenueCodec, RejectsEmptyLayouts) {
  for (const Edit& edit : std::vector<Edit>{
           {"layout", "{}", "layout"},
           {"layout", R"({"sections":[],"ga_areas":[]})", "layout"},
           {"layout", R"({"stage":{"x":0,"y":0},"ga_areas":[]})", "layout"},
           {"layout", R"({"sections":null,"ga_areas":null})", "layout"},
           // a row without seats
           {"layout.sections[0].rows[1].seats", "[]", "layout.sections[0].rows[1]"},
       }) {
    expect_rejected(decode_venue, venue_json(), edit);
  }
  // An empty layout with an unknown field blames the unknown field first.
  expect_rejected(decode_venue, venue_json(), {"layout", R"({"seats":[]})", "layout.seats"});
}

TEST(VenueCodec, NullIsAbsent) {
  // Optional fields given as null are as if absent.
  for (const Edit& edit : std::vector<Edit>{
           {"layout.stage", "null", ""},
           {"layout.ga_areas", "null", ""},
           {"layout.sections[0].name", "null", ""},
           {"layout.sections[0].rows[0].seats[0].score", "null", ""},
           {"layout.sections[0].rows[0].seats[0].label", "null", ""},
           {"layout.ga_areas[0].name", "null", ""},
       }) {
    expect_accepted(decode_venue, venue_json(), edit);
  }
  auto body = venue_json();
  at_path(body, "layout.stage") = nullptr;
  at_path(body, "layout.sections[0].rows[0].seats[0].score") = nullptr;
  at_path(body, "layout.sections[0].rows[0].seats[0].label") = nullptr;
  const auto venue = decode_venue(body);
  ASSERT_TRUE(venue.ok());
  EXPECT_FALSE(venue->layout->stage);
  EXPECT_FALSE(venue->layout->seats[0].score);
  EXPECT_EQ(venue->layout->seats[0].label, "A-1-1");

  // Required fields given as null are missing, whatever their type.
  for (const Edit& edit : std::vector<Edit>{
           {"name", "null", "name"},
           {"lat", "null", "lat"},
           {"lon", "null", "lon"},
           {"layout", "null", "layout"},
           {"layout.stage.x", "null", "layout.stage.x"},
           {"layout.sections[0].rows", "null", "layout.sections[0].rows"},
           {"layout.sections[0].rows[0].seats[0].x", "null",
            "layout.sections[0].rows[0].seats[0].x"},
           {"layout.ga_areas[0].capacity", "null", "layout.ga_areas[0].capacity"},
       }) {
    expect_rejected(decode_venue, venue_json(), edit);
  }
}

// Every field of two layouts, in index order.
void expect_same_layout(const Layout& a, const Layout& b) {
  ASSERT_EQ(a.stage.has_value(), b.stage.has_value());
  if (a.stage) {
    EXPECT_EQ(a.stage->x, b.stage->x);
    EXPECT_EQ(a.stage->y, b.stage->y);
  }
  ASSERT_EQ(a.sections.size(), b.sections.size());
  for (std::size_t i = 0; i < a.sections.size(); ++i) {
    EXPECT_EQ(a.sections[i].id, b.sections[i].id);
    EXPECT_EQ(a.sections[i].name, b.sections[i].name);
    EXPECT_EQ(a.sections[i].first_row, b.sections[i].first_row);
    EXPECT_EQ(a.sections[i].row_count, b.sections[i].row_count);
    EXPECT_EQ(a.sections[i].first_seat, b.sections[i].first_seat);
    EXPECT_EQ(a.sections[i].seat_count, b.sections[i].seat_count);
  }
  ASSERT_EQ(a.rows.size(), b.rows.size());
  for (std::size_t i = 0; i < a.rows.size(); ++i) {
    EXPECT_EQ(a.rows[i].label, b.rows[i].label);
    EXPECT_EQ(a.rows[i].first_seat, b.rows[i].first_seat);
    EXPECT_EQ(a.rows[i].seat_count, b.rows[i].seat_count);
  }
  ASSERT_EQ(a.seats.size(), b.seats.size());
  for (std::size_t i = 0; i < a.seats.size(); ++i) {
    SCOPED_TRACE(std::string("seat ").append(std::to_string(i)));
    EXPECT_EQ(a.seats[i].id, b.seats[i].id);
    EXPECT_EQ(a.seats[i].label, b.seats[i].label);
    EXPECT_EQ(a.seats[i].x, b.seats[i].x);  // exactly: doubles survive the text form
    EXPECT_EQ(a.seats[i].y, b.seats[i].y);
    EXPECT_EQ(a.seats[i].score, b.seats[i].score);
    EXPECT_EQ(a.seats[i].section, b.seats[i].section);
    EXPECT_EQ(a.seats[i].row, b.seats[i].row);
    EXPECT_EQ(a.preference[i], b.preference[i]);
    EXPECT_EQ(a.find_seat(a.seats[i].id), i);
    EXPECT_EQ(b.find_seat(a.seats[i].id), i);
  }
  ASSERT_EQ(a.ga_areas.size(), b.ga_areas.size());
  for (std::size_t i = 0; i < a.ga_areas.size(); ++i) {
    EXPECT_EQ(a.ga_areas[i].id, b.ga_areas[i].id);
    EXPECT_EQ(a.ga_areas[i].name, b.ga_areas[i].name);
    EXPECT_EQ(a.ga_areas[i].capacity, b.ga_areas[i].capacity);
  }
}

// A venue with uneven rows, awkward coordinates, scores on some seats only, ids that sort
// differently from their order, and two GA areas.
boost::json::value rich_venue_json() {
  boost::json::array sections;
  const double awkward[] = {0.1, -0.3, 1e-7, 123456.789, -999999.5, 1.0 / 3, 2.0 / 7};
  int n = 0;
  for (int s = 0; s < 3; ++s) {
    boost::json::array rows;
    for (int r = 0; r < 1 + s; ++r) {
      boost::json::array seats;
      for (int k = 0; k < 2 + (r * 3 + s) % 5; ++k, ++n) {
        boost::json::object seat{{"id", std::string("z").append(std::to_string(97 - n))},
                                 {"label", std::to_string(k + 1)},
                                 {"x", k + awkward[n % 7]},
                                 {"y", r * 1.5 + awkward[(n + 3) % 7]}};
        if (n % 3 == 0) seat["score"] = awkward[(n + 1) % 7];
        seats.push_back(std::move(seat));
      }
      rows.push_back({{"label", std::string(1, static_cast<char>('A' + r))}, {"seats", seats}});
    }
    sections.push_back({{"id", std::string("sec").append(std::to_string(3 - s))},
                        {"name", std::string("Section \xc3\xa9 ").append(std::to_string(s))},
                        {"rows", rows}});
  }
  return boost::json::object{
      {"name", "Arena"},
      {"city", "Lyon"},
      {"country", "FR"},
      {"timezone", "Europe/Paris"},
      {"lat", 45.764043},
      {"lon", 4.835659},
      {"layout",
       {{"stage", {{"x", 0.5}, {"y", -10.25}}},
        {"sections", sections},
        {"ga_areas", boost::json::array{{{"id", "pit"}, {"capacity", 1'000'000}},
                                        {{"id", "lawn"}, {"name", "Lawn"}, {"capacity", 1}}}}}}};
}

TEST(VenueCodec, EncodeThenDecodeKeepsTheLayout) {
  for (const auto& body : {venue_json(), rich_venue_json()}) {
    const auto venue = decode_venue(body);
    ASSERT_TRUE(venue.ok()) << venue.error().detail;
    // Through text, as the stores keep it.
    const std::string stored = boost::json::serialize(encode_venue(*venue));
    const auto again = decode_venue(boost::json::parse(stored));
    ASSERT_TRUE(again.ok()) << again.error().detail;
    EXPECT_EQ(again->name, venue->name);
    EXPECT_EQ(again->city, venue->city);
    EXPECT_EQ(again->country, venue->country);
    EXPECT_EQ(again->timezone, venue->timezone);
    EXPECT_EQ(again->lat, venue->lat);
    EXPECT_EQ(again->lon, venue->lon);
    expect_same_layout(*venue->layout, *again->layout);
    EXPECT_EQ(boost::json::serialize(encode_venue(*again)), stored);
  }
}

TEST(VenueCodec, RoundTripWithoutStageOrScores) {
  auto body = rich_venue_json();
  erase_at(body, "layout.stage");
  for (auto& section : at_path(body, "layout.sections").as_array()) {
    for (auto& row : section.at("rows").as_array()) {
      for (auto& seat : row.at("seats").as_array()) seat.as_object().erase("score");
    }
  }
  const auto venue = decode_venue(body);
  ASSERT_TRUE(venue.ok()) << venue.error().detail;
  const auto again = decode_venue(boost::json::parse(boost::json::serialize(encode_venue(*venue))));
  ASSERT_TRUE(again.ok()) << again.error().detail;
  EXPECT_FALSE(again->layout->stage);
  expect_same_layout(*venue->layout, *again->layout);
}

TEST(VenueCodec, EncodingCarriesTheIdOnlyWhenSet) {
  auto venue = decode_venue(venue_json());
  ASSERT_TRUE(venue.ok());
  EXPECT_FALSE(encode_venue(*venue).contains("id"));
  venue->id = 12;
  EXPECT_EQ(encode_venue(*venue).at("id").as_int64(), 12);
}

// ---------------------------------------------------------------------------------------------
// Events

TEST(EventCodec, DecodesAGoodBody) {
  const auto event = decode_event(event_json());
  ASSERT_TRUE(event.ok()) << event.error().detail;
  EXPECT_EQ(event->id, 0);
  EXPECT_EQ(event->venue_id, 1);
  EXPECT_EQ(event->name, "Night");
  EXPECT_EQ(event->performers, std::vector<std::string>{"Band"});
  EXPECT_EQ(event->category, "concert");
  EXPECT_EQ(event->tags, std::vector<std::string>{"rock"});
  EXPECT_EQ(event->description, "");
  EXPECT_EQ(event->starts_at, *parse_rfc3339("2027-01-01T20:00:00Z"));
  EXPECT_EQ(event->on_sale_at, *parse_rfc3339("2026-12-01T10:00:00Z"));
  ASSERT_EQ(event->price_levels.size(), 2u);
  EXPECT_EQ(event->price_levels[1].id, "p2");
  EXPECT_EQ(event->price_levels[1].name, "Two");
  EXPECT_EQ(event->price_levels[1].price_cents, 500);
  EXPECT_EQ(event->price_levels[1].currency, "EUR");
  EXPECT_EQ(event->pricing, (std::map<std::string, std::string>{{"A", "p1"}, {"GA", "p2"}}));
  EXPECT_EQ(event->max_per_order, 6u);
  EXPECT_EQ(event->hold_seconds, 300u);
  EXPECT_FALSE(event->waiting_room);
  EXPECT_FALSE(event->published);
}

TEST(EventCodec, OptionalFieldsTakeTheirDefaults) {
  auto body = event_json();
  for (const char* field : {"max_per_order", "hold_seconds", "performers", "tags"}) {
    erase_at(body, field);
  }
  erase_at(body, "price_levels[0].name");
  const auto event = decode_event(body);
  ASSERT_TRUE(event.ok()) << event.error().detail;
  EXPECT_EQ(event->max_per_order, max_per_order_default);
  EXPECT_EQ(event->hold_seconds, hold_seconds_default);
  EXPECT_TRUE(event->performers.empty());
  EXPECT_TRUE(event->tags.empty());
  EXPECT_EQ(event->price_levels[0].name, "p1");
}

TEST(EventCodec, DecodesTheWaitingRoom) {
  auto body = event_json();
  at_path(body, "waiting_room") = boost::json::parse(
      R"({"enabled":true,"active_limit":500,"admit_per_second":20,"session_seconds":600,
          "pre_queue_opens_at":"2026-12-01T09:45:00+01:00"})");
  const auto event = decode_event(body);
  ASSERT_TRUE(event.ok()) << event.error().detail;
  ASSERT_TRUE(event->waiting_room);
  EXPECT_TRUE(event->waiting_room->enabled);
  EXPECT_EQ(event->waiting_room->active_limit, 500u);
  EXPECT_EQ(event->waiting_room->admit_per_second, 20u);
  EXPECT_EQ(event->waiting_room->session_seconds, 600u);
  EXPECT_EQ(event->waiting_room->pre_queue_opens_at, parse_rfc3339("2026-12-01T08:45:00Z"));
  EXPECT_EQ(event->waiting_room->poll_seconds_max, poll_seconds_max_default);
}

TEST(EventCodec, TheRoomsLongestPollIsKeptWithinItsBounds) {
  auto body = event_json();
  at_path(body, "waiting_room") = boost::json::parse(
      R"({"enabled":true,"active_limit":5,"admit_per_second":1,"session_seconds":60,
          "poll_seconds_max":120})");
  const auto event = decode_event(body);
  ASSERT_TRUE(event.ok()) << event.error().detail;
  EXPECT_EQ(event->waiting_room->poll_seconds_max, 120u);
  EXPECT_EQ(encode_event(*event).at("waiting_room").at("poll_seconds_max"), 120);
  for (const char* bad : {"2", "601", "-1", "1.5", "\"60\""}) {
    expect_rejected(decode_event, event_json(),
                    {"waiting_room",
                     std::string(R"({"active_limit":1,"admit_per_second":1,"session_seconds":30,)"
                                 R"("poll_seconds_max":)") +
                         bad + "}",
                     "waiting_room.poll_seconds_max"});
  }
}

TEST(EventCodec, AnEventsOwnRateLimitsReadBackAsWritten) {
  auto body = event_json();
  at_path(body, "rate_limits") = boost::json::parse(R"({"joins":"3/s:30","holds":"20/min:5"})");
  const auto event = decode_event(body);
  ASSERT_TRUE(event.ok()) << event.error().detail;
  ASSERT_TRUE(event->rate_limits.joins && event->rate_limits.holds);
  EXPECT_EQ(event->rate_limits.joins->limit.interval_us, 333'333);  // "3/s", to the µs
  EXPECT_EQ(event->rate_limits.joins->limit.burst, 30u);
  EXPECT_EQ(event->rate_limits.holds->limit.interval_us, 3'000'000);
  EXPECT_EQ(event->rate_limits.holds->limit.burst, 5u);
  const boost::json::object encoded = encode_event(*event);
  EXPECT_EQ(encoded.at("rate_limits").at("joins"), "3/s:30");  // as written, not 333,333 µs
  EXPECT_EQ(encoded.at("rate_limits").at("holds"), "20/min:5");
  // One of them alone; none at all writes none.
  at_path(body, "rate_limits") = boost::json::parse(R"({"holds":"1/s:4"})");
  const auto holds_only = decode_event(body);
  ASSERT_TRUE(holds_only.ok()) << holds_only.error().detail;
  EXPECT_FALSE(holds_only->rate_limits.joins);
  EXPECT_FALSE(encode_event(*decode_event(event_json())).contains("rate_limits"));
}

TEST(EventCodec, RejectsRateLimitsThatAreNotOne) {
  for (const Edit& edit : std::vector<Edit>{
           {"rate_limits", R"({"joins":"off"})", "rate_limits.joins"},  // the node's to say
           {"rate_limits", R"({"joins":"10/min"})", "rate_limits.joins"},
           {"rate_limits", R"({"holds":"0/s:1"})", "rate_limits.holds"},
           {"rate_limits", R"({"holds":"1/week:1"})", "rate_limits.holds"},
           {"rate_limits", R"({"holds":2})", "rate_limits.holds"},
           {"rate_limits", R"({"checkouts":"1/s:1"})", "rate_limits.checkouts"},
           {"rate_limits", R"("1/s:1")", "rate_limits"},
       }) {
    expect_rejected(decode_event, event_json(), edit);
  }
}

TEST(EventCodec, RejectsUnknownFieldsAtEveryLevel) {
  for (const Edit& edit : std::vector<Edit>{
           {"max_per_ordr", "2", "max_per_ordr"},
           {"id", "5", "id"},  // the server assigns ids
           {"published", "true", "published"},
           {"price_levels[1].discount", "5", "price_levels[1].discount"},
           {"waiting_room", R"({"active_limit":1,"admit_per_second":1,"session_seconds":30,"x":1})",
            "waiting_room.x"},
       }) {
    expect_rejected(decode_event, event_json(), edit);
  }
}

TEST(EventCodec, RejectsMissingRequiredFields) {
  for (const char* field :
       {"venue_id", "name", "category", "starts_at", "on_sale_at", "price_levels", "pricing",
        "price_levels[0].id", "price_levels[0].price_cents", "price_levels[1].currency"}) {
    expect_rejected(decode_event, event_json(), {field, std::nullopt, field});
  }
  expect_rejected(decode_event, event_json(),
                  {"waiting_room", R"({"enabled":true,"admit_per_second":1,"session_seconds":30})",
                   "waiting_room.active_limit"});
}

TEST(EventCodec, RejectsWrongTypes) {
  for (const Edit& edit : std::vector<Edit>{
           {"venue_id", "\"1\"", "venue_id"},
           {"venue_id", "1.5", "venue_id"},
           {"name", "{}", "name"},
           {"performers", "\"Band\"", "performers"},
           {"performers", "[1]", "performers"},
           {"tags", "[\"a\",null]", "tags"},
           {"starts_at", "1798833600000", "starts_at"},
           {"price_levels", "{}", "price_levels"},
           {"price_levels[0]", "\"p1\"", "price_levels[0]"},
           {"price_levels[0].price_cents", "\"1000\"", "price_levels[0].price_cents"},
           {"price_levels[0].price_cents", "10.5", "price_levels[0].price_cents"},
           {"pricing", "[]", "pricing"},
           {"pricing.A", "1", "pricing.A"},
           {"max_per_order", "\"6\"", "max_per_order"},
           {"hold_seconds", "1.5", "hold_seconds"},
           {"waiting_room", "true", "waiting_room"},
           {"waiting_room",
            R"({"enabled":"yes","active_limit":1,"admit_per_second":1,"session_seconds":30})",
            "waiting_room.enabled"},
       }) {
    expect_rejected(decode_event, event_json(), edit);
  }
}

TEST(EventCodec, RejectsValuesOutOfRange) {
  for (const Edit& edit : std::vector<Edit>{
           {"venue_id", "0", "venue_id"},
           {"venue_id", "-3", "venue_id"},
           {"venue_id", "18446744073709551615", "venue_id"},
           {"name", "\"\"", "name"},
           {"description", "\"" + std::string(long_text_bytes_max + 1, 'd') + "\"", "description"},
           {"starts_at", "\"tomorrow\"", "starts_at"},
           {"starts_at", "\"2027-02-30T20:00:00Z\"", "starts_at"},
           {"on_sale_at", "\"2026-12-01T10:00:00\"", "on_sale_at"},
           {"max_per_order", "0", "max_per_order"},
           {"max_per_order", std::to_string(max_per_order_max + 1), "max_per_order"},
           {"hold_seconds", "0", "hold_seconds"},
           {"hold_seconds", std::to_string(hold_seconds_max + 1), "hold_seconds"},
           {"price_levels[0].price_cents", "-1", "price_levels[0].price_cents"},
           {"price_levels[0].price_cents", "100000001", "price_levels[0].price_cents"},
           {"price_levels[1].currency", "\"EURO\"", "price_levels[1].currency"},
           {"price_levels[1].currency", "\"EU\"", "price_levels[1].currency"},
           {"price_levels[1].currency", "\"\"", "price_levels[1].currency"},
           {"price_levels[1].currency", "\"eur\"", "price_levels[1].currency"},
           {"price_levels[1].currency", "\"E1R\"", "price_levels[1].currency"},
           {"waiting_room", R"({"active_limit":1,"admit_per_second":1,"session_seconds":29})",
            "waiting_room.session_seconds"},
           {"waiting_room",
            R"({"active_limit":1,"admit_per_second":1,"session_seconds":30,)"
            R"("pre_queue_opens_at":"soon"})",
            "waiting_room.pre_queue_opens_at"},
       }) {
    expect_rejected(decode_event, event_json(), edit);
  }
  boost::json::array levels;
  for (std::size_t i = 0; i <= price_levels_max; ++i) {
    levels.push_back({{"id", std::string("p").append(std::to_string(i))},
                      {"price_cents", 1},
                      {"currency", "EUR"}});
  }
  expect_rejected(decode_event, event_json(),
                  {"price_levels", boost::json::serialize(levels), "price_levels"});
  for (const Edit& edit : std::vector<Edit>{
           {"max_per_order", std::to_string(max_per_order_max), ""},
           {"hold_seconds", std::to_string(hold_seconds_min), ""},
           {"hold_seconds", std::to_string(hold_seconds_max), ""},
           {"price_levels[0].price_cents", "0", ""},
           {"price_levels[0].price_cents", "100000000", ""},
       }) {
    expect_accepted(decode_event, event_json(), edit);
  }
}

TEST(EventCodec, NullIsAbsent) {
  auto body = event_json();
  for (const char* field : {"description", "waiting_room", "max_per_order", "hold_seconds",
                            "performers", "tags", "price_levels[0].name"}) {
    at_path(body, field) = nullptr;
  }
  const auto event = decode_event(body);
  ASSERT_TRUE(event.ok()) << event.error().detail;
  EXPECT_EQ(event->max_per_order, max_per_order_default);
  EXPECT_EQ(event->hold_seconds, hold_seconds_default);
  EXPECT_FALSE(event->waiting_room);
  EXPECT_EQ(event->price_levels[0].name, "p1");

  for (const char* field :
       {"venue_id", "name", "category", "starts_at", "on_sale_at", "price_levels", "pricing",
        "price_levels[0].price_cents", "price_levels[0].currency"}) {
    expect_rejected(decode_event, event_json(), {field, "null", field});
  }
}

TEST(EventCodec, StoredFormRoundTrips) {
  // What the stores keep: the encoding without id, published and version.
  auto body = event_json();
  at_path(body, "description") = "A long night \xe2\x80\x94 with \"quotes\"";
  at_path(body, "performers") = boost::json::parse(R"(["A","B","C"])");
  at_path(body, "on_sale_at") = "2026-12-01T10:00:00.125+02:00";
  at_path(body, "waiting_room") = boost::json::parse(
      R"({"enabled":true,"active_limit":5,"admit_per_second":2,"session_seconds":30,
          "pre_queue_opens_at":"2026-12-01T07:30:00.5Z"})");
  const auto event = decode_event(body);
  ASSERT_TRUE(event.ok()) << event.error().detail;

  boost::json::object stored = encode_event(*event);
  EXPECT_FALSE(stored.contains("id"));
  EXPECT_EQ(stored.at("published").as_bool(), false);
  EXPECT_EQ(stored.at("version").to_number<int>(), 1);
  stored.erase("published");
  stored.erase("version");
  const auto again = decode_event(boost::json::parse(boost::json::serialize(stored)));
  ASSERT_TRUE(again.ok()) << again.error().detail;
  EXPECT_EQ(again->venue_id, event->venue_id);
  EXPECT_EQ(again->name, event->name);
  EXPECT_EQ(again->performers, event->performers);
  EXPECT_EQ(again->category, event->category);
  EXPECT_EQ(again->tags, event->tags);
  EXPECT_EQ(again->description, event->description);
  EXPECT_EQ(again->starts_at, event->starts_at);
  EXPECT_EQ(again->on_sale_at, event->on_sale_at);
  EXPECT_EQ(again->on_sale_at, *parse_rfc3339("2026-12-01T08:00:00.125Z"));
  ASSERT_EQ(again->price_levels.size(), event->price_levels.size());
  for (std::size_t i = 0; i < event->price_levels.size(); ++i) {
    EXPECT_EQ(again->price_levels[i].id, event->price_levels[i].id);
    EXPECT_EQ(again->price_levels[i].name, event->price_levels[i].name);
    EXPECT_EQ(again->price_levels[i].price_cents, event->price_levels[i].price_cents);
    EXPECT_EQ(again->price_levels[i].currency, event->price_levels[i].currency);
  }
  EXPECT_EQ(again->pricing, event->pricing);
  EXPECT_EQ(again->max_per_order, event->max_per_order);
  EXPECT_EQ(again->hold_seconds, event->hold_seconds);
  ASSERT_TRUE(again->waiting_room);
  EXPECT_EQ(again->waiting_room->enabled, true);
  EXPECT_EQ(again->waiting_room->active_limit, 5u);
  EXPECT_EQ(again->waiting_room->admit_per_second, 2u);
  EXPECT_EQ(again->waiting_room->session_seconds, 30u);
  EXPECT_EQ(again->waiting_room->pre_queue_opens_at, event->waiting_room->pre_queue_opens_at);
}

TEST(EventCodec, PublicFormCarriesStateAndId) {
  auto event = decode_event(event_json());
  ASSERT_TRUE(event.ok());
  event->id = 9;
  event->published = true;
  event->version = 4;
  const auto encoded = encode_event(*event);
  EXPECT_EQ(encoded.at("id").as_int64(), 9);
  EXPECT_EQ(encoded.at("published").as_bool(), true);
  EXPECT_EQ(encoded.at("version").to_number<int>(), 4);
  EXPECT_EQ(encoded.at("starts_at").as_string(), "2027-01-01T20:00:00Z");
  EXPECT_EQ(encoded.at("pricing").at("GA").as_string(), "p2");
}

// ---------------------------------------------------------------------------------------------
// An event against its venue's layout

class ValidateEvent : public ::testing::Test {
 protected:
  void SetUp() override {
    auto venue = decode_venue(venue_json());
    ASSERT_TRUE(venue.ok());
    venue_ = std::move(venue).value();
    auto event = decode_event(event_json());
    ASSERT_TRUE(event.ok());
    event_ = std::move(event).value();
    ASSERT_TRUE(validate_event(event_, *venue_.layout).ok());
  }
  void expect_invalid(const Event& event) {
    const Status status = validate_event(event, *venue_.layout);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, Errc::invalid_field);
    EXPECT_FALSE(status.error().detail.empty());
  }
  Venue venue_;
  Event event_;
};

TEST_F(ValidateEvent, PricingMustCoverEverySectionAndArea) {
  Event unpriced_area = event_;
  unpriced_area.pricing.erase("GA");
  expect_invalid(unpriced_area);
  Event unpriced_section = event_;
  unpriced_section.pricing.erase("A");
  expect_invalid(unpriced_section);
  Event nothing_priced = event_;
  nothing_priced.pricing.clear();
  expect_invalid(nothing_priced);
}

TEST_F(ValidateEvent, PricingNamesOnlyWhatExists) {
  Event unknown_level = event_;
  unknown_level.pricing["A"] = "p9";
  expect_invalid(unknown_level);
  Event unknown_place = event_;
  unknown_place.pricing["Z"] = "p1";
  expect_invalid(unknown_place);
  Event a_seat_is_not_a_section = event_;
  a_seat_is_not_a_section.pricing["A-1-1"] = "p1";
  expect_invalid(a_seat_is_not_a_section);
  // A level nobody uses is allowed.
  Event spare_level = event_;
  spare_level.price_levels.push_back({"p3", "Three", 1, "EUR"});
  EXPECT_TRUE(validate_event(spare_level, *venue_.layout).ok());
}

TEST_F(ValidateEvent, PriceLevelsAreUniqueInOneCurrency) {
  Event two_currencies = event_;
  two_currencies.price_levels[1].currency = "USD";
  expect_invalid(two_currencies);
  Event duplicate_level = event_;
  duplicate_level.price_levels[1].id = "p1";
  duplicate_level.pricing["GA"] = "p1";
  expect_invalid(duplicate_level);
  Event no_levels = event_;
  no_levels.price_levels.clear();
  no_levels.pricing.clear();
  expect_invalid(no_levels);
}

TEST_F(ValidateEvent, OnSaleNoLaterThanTheStart) {
  Event late_sale = event_;
  late_sale.on_sale_at = late_sale.starts_at + 1;
  expect_invalid(late_sale);
  Event same_moment = event_;
  same_moment.on_sale_at = same_moment.starts_at;
  EXPECT_TRUE(validate_event(same_moment, *venue_.layout).ok());
}

TEST_F(ValidateEvent, UnitPricesResolveEverySeatAndArea) {
  auto body = venue_json();
  at_path(body, "layout.sections[1]") =
      boost::json::parse(R"({"id":"B","rows":[{"label":"1","seats":[{"id":"B-1","x":5,"y":5}]}]})");
  const auto venue = decode_venue(body);
  ASSERT_TRUE(venue.ok());
  Event event = event_;
  event.pricing["B"] = "p2";
  ASSERT_TRUE(validate_event(event, *venue->layout).ok());
  const UnitPrices prices = unit_prices(event, *venue->layout);
  const std::int64_t p1 = event.price_levels[0].price_cents;
  const std::int64_t p2 = event.price_levels[1].price_cents;
  ASSERT_NE(p1, p2);
  EXPECT_EQ(prices.currency, "EUR");
  EXPECT_EQ(prices.seat_cents, (std::vector<std::int64_t>{p1, p1, p1, p2}));
  EXPECT_EQ(prices.ga_cents, std::vector<std::int64_t>{p2});
  const std::vector<SeatIndex> seats{0, 3};
  EXPECT_EQ(prices.total(seats, std::nullopt, 0), p1 + p2);
  EXPECT_EQ(prices.total({}, 0u, 3), 3 * p2);
}

TEST_F(ValidateEvent, SeatmapHasThePriceLevelOfEachSectionAndArea) {
  auto body = venue_json();
  at_path(body, "layout.sections[1]") =
      boost::json::parse(R"({"id":"B","rows":[{"label":"1","seats":[{"id":"B-1","x":5,"y":5}]}]})");
  auto venue = decode_venue(body);
  ASSERT_TRUE(venue.ok());
  venue->id = 3;
  Event event = event_;
  event.id = 8;
  event.pricing["B"] = "p2";
  const auto map = encode_seatmap(event, *venue);
  const auto& sections = map.at("sections").as_array();
  ASSERT_EQ(sections.size(), 2u);
  EXPECT_EQ(sections[0].at("id").as_string(), "A");
  EXPECT_EQ(sections[0].at("price_level").as_string(), "p1");
  EXPECT_EQ(sections[1].at("price_level").as_string(), "p2");
  EXPECT_EQ(map.at("ga_areas").as_array()[0].at("price_level").as_string(), "p2");
  EXPECT_EQ(map.at("seat_count").to_number<int>(), 4);
  EXPECT_EQ(map.at("event_id").to_number<int>(), 8);
  EXPECT_EQ(map.at("venue_id").to_number<int>(), 3);
  EXPECT_EQ(map.at("price_levels").as_array().size(), 2u);
  EXPECT_EQ(map.at("price_levels").as_array()[0].at("price_cents").to_number<int>(), 1000);
  // Geometry in seat-index order.
  const auto& row = sections[0].at("rows").as_array()[0].at("seats").as_array();
  EXPECT_EQ(row[0].at("id").as_string(), "A-1-1");
  EXPECT_EQ(row[1].at("id").as_string(), "A-1-2");
  EXPECT_EQ(row[1].at("x").to_number<double>(), 1.0);
  EXPECT_EQ(map.at("stage").at("y").to_number<double>(), -5.0);
}

}  // namespace
}  // namespace boxoffice
