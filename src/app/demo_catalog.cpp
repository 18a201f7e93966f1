#include "app/demo_catalog.hpp"

#include "core/time.hpp"

#include <cmath>
#include <functional>
#include <numbers>
#include <random>
#include <stdexcept>
#include <string>

namespace boxoffice::app {
namespace {

namespace json = boost::json;
constexpr double pi = std::numbers::pi;
constexpr std::int64_t day_seconds = 86'400;

json::object seat(const std::string& section, const std::string& row, int number, double x,
                  double y) {
  return {{"id", section + "-" + row + "-" + std::to_string(number)},
          {"label", std::to_string(number)},
          {"x", std::round(x * 100) / 100},
          {"y", std::round(y * 100) / 100}};
}

std::string row_label(int row) {
  // A..Z, then AA..ZZ, as box offices label rows.
  return row < 26 ? std::string(1, static_cast<char>('A' + row))
                  : std::string(2, static_cast<char>('A' + row - 26));
}

// One section of a bowl: rows on arcs around the centre, seats about a unit apart.
json::object bowl_section(const std::string& id, double angle_centre, double angle_width,
                          double inner_radius, int rows, int seats_min, int seats_max,
                          std::mt19937_64& random) {
  json::array row_list;
  std::uniform_int_distribution<int> extra(0, 2);
  for (int r = 0; r < rows; ++r) {
    const double radius = inner_radius + r * 0.9;
    const int seats = std::min(seats_max, seats_min + r / 3 + extra(random));
    const double step = 1.0 / radius;  // a unit apart along the arc
    if (seats * step > angle_width) throw std::logic_error("demo arena: section " + id + " too narrow");
    json::array seat_list;
    const std::string label = row_label(r);
    for (int n = 0; n < seats; ++n) {
      const double angle = angle_centre + (n - (seats - 1) / 2.0) * step;
      seat_list.push_back(seat(id, label, n + 1, radius * std::cos(angle),
                               radius * std::sin(angle) * 0.85));
    }
    row_list.push_back({{"label", label}, {"seats", std::move(seat_list)}});
  }
  return {{"id", id}, {"name", "Section " + id}, {"rows", std::move(row_list)}};
}

json::object venue_body(std::string name, std::string city, std::string country,
                        std::string timezone, double lat, double lon, json::object layout) {
  return {{"name", std::move(name)}, {"city", std::move(city)},   {"country", std::move(country)},
          {"timezone", std::move(timezone)}, {"lat", lat}, {"lon", lon},
          {"layout", std::move(layout)}};
}

json::object arena_layout(std::mt19937_64& random) {
  json::array sections;
  for (int i = 0; i < 24; ++i) {  // lower bowl: 101–124
    sections.push_back(bowl_section(std::to_string(101 + i), 2 * pi * i / 24, 2 * pi / 24 * 0.92,
                                    112, 20, 20, 26, random));
  }
  for (int i = 0; i < 28; ++i) {  // upper bowl: 201–228
    sections.push_back(bowl_section(std::to_string(201 + i), 2 * pi * i / 28, 2 * pi / 28 * 0.92,
                                    142, 15, 22, 28, random));
  }
  return {{"stage", {{"x", 0}, {"y", 0}}},
          {"sections", std::move(sections)},
          {"ga_areas", json::array{{{"id", "FLOOR"}, {"name", "Floor (standing)"}, {"capacity", 2500}}}}};
}

// A proscenium theatre: curved rows facing a stage at the origin; seats carry a score, best
// in the centre of the front orchestra.
json::object theatre_layout() {
  struct Level {
    const char* id;
    const char* name;
    int rows;
    int seats;
    double depth;   // distance of the first row from the stage
    double bonus;   // level preference
  };
  const Level levels[] = {{"ORCH", "Orchestra", 25, 30, 4, 30},
                          {"MEZZ", "Mezzanine", 12, 32, 32, 18},
                          {"BALC", "Balcony", 12, 30, 46, 8}};
  json::array sections;
  for (const Level& level : levels) {
    json::array rows;
    for (int r = 0; r < level.rows; ++r) {
      const double radius = level.depth + r;
      const std::string label = row_label(r);
      json::array seats;
      for (int n = 0; n < level.seats; ++n) {
        const double offset = n - (level.seats - 1) / 2.0;
        const double angle = offset / (radius + 8);
        json::object s = seat(level.id, label, n + 1, (radius + 8) * std::sin(angle),
                              (radius + 8) * std::cos(angle) - 8);
        s["score"] = std::round((level.bonus - r * 0.6 - std::abs(offset) * 0.4) * 10) / 10;
        seats.push_back(std::move(s));
      }
      rows.push_back({{"label", label}, {"seats", std::move(seats)}});
    }
    sections.push_back({{"id", level.id}, {"name", level.name}, {"rows", std::move(rows)}});
  }
  return {{"stage", {{"x", 0}, {"y", -6}}}, {"sections", std::move(sections)}, {"ga_areas", json::array()}};
}

// A rectangular hall: `count` sections side by side, straight rows.
json::object hall_layout(int count, int rows, int seats, json::array ga_areas) {
  json::array sections;
  const char* names[] = {"Left", "Centre Left", "Centre", "Centre Right", "Right"};
  for (int s = 0; s < count; ++s) {
    const std::string id = std::string(1, static_cast<char>('A' + s));
    json::array row_list;
    for (int r = 0; r < rows; ++r) {
      json::array seat_list;
      for (int n = 0; n < seats; ++n) {
        seat_list.push_back(seat(id, row_label(r), n + 1, s * (seats + 2) + n, 5 + r));
      }
      row_list.push_back({{"label", row_label(r)}, {"seats", std::move(seat_list)}});
    }
    sections.push_back({{"id", id},
                        {"name", count <= 5 ? names[s * 5 / std::max(count, 1)] : id},
                        {"rows", std::move(row_list)}});
  }
  return {{"stage", {{"x", count * (seats + 2) / 2.0 - 1}, {"y", 0}}},
          {"sections", std::move(sections)},
          {"ga_areas", std::move(ga_areas)}};
}

json::object ga_area(const char* id, const char* name, int capacity) {
  return {{"id", id}, {"name", name}, {"capacity", capacity}};
}

// What makes one event: its place in time, its prices, and the venue's places to price.
struct EventSpec {
  std::string name;
  std::vector<std::string> performers;
  std::string category;
  std::vector<std::string> tags;
  std::string description;
  std::int64_t starts_at;
  std::int64_t on_sale_at;
};

json::object event_body(const EventSpec& spec, const std::string& currency,
                        const std::vector<std::pair<std::string, std::int64_t>>& levels,
                        const std::vector<std::pair<std::string, std::string>>& pricing) {
  json::array price_levels;
  for (const auto& [id, cents] : levels) {
    std::string name = id;
    name[0] = static_cast<char>(std::toupper(name[0]));
    price_levels.push_back(
        {{"id", id}, {"name", name}, {"price_cents", cents}, {"currency", currency}});
  }
  json::object prices;
  for (const auto& [place, level] : pricing) prices[place] = level;
  json::array performers(spec.performers.begin(), spec.performers.end());
  json::array tags(spec.tags.begin(), spec.tags.end());
  return {{"name", spec.name},
          {"performers", std::move(performers)},
          {"category", spec.category},
          {"tags", std::move(tags)},
          {"description", spec.description},
          {"starts_at", format_rfc3339(spec.starts_at * 1000)},
          {"on_sale_at", format_rfc3339(spec.on_sale_at * 1000)},
          {"price_levels", std::move(price_levels)},
          {"pricing", std::move(prices)},
          {"max_per_order", 8},
          {"hold_seconds", 600}};
}

// Evening `days` from now at 19:30 local time (`utc_offset_hours`, ignoring summer time).
std::int64_t evening(std::int64_t now, int days, int utc_offset_hours) {
  const std::int64_t local_midnight = (now + utc_offset_hours * 3600) / day_seconds * day_seconds;
  return local_midnight + days * day_seconds + 19 * 3600 + 1800 - utc_offset_hours * 3600;
}

std::vector<std::pair<std::string, std::string>> price_places(
    const json::object& layout, const std::function<std::string(const std::string&)>& level_of) {
  std::vector<std::pair<std::string, std::string>> pricing;
  for (const auto& section : layout.at("sections").as_array()) {
    const std::string id(section.at("id").as_string());
    pricing.emplace_back(id, level_of(id));
  }
  for (const auto& area : layout.at("ga_areas").as_array()) {
    const std::string id(area.at("id").as_string());
    pricing.emplace_back(id, level_of(id));
  }
  return pricing;
}

DemoVenue arena(std::int64_t now, std::mt19937_64& random) {
  DemoVenue demo{venue_body("Pacific Arena", "Los Angeles", "US", "America/Los_Angeles", 34.0430,
                            -118.2673, arena_layout(random)),
                 {}};
  const json::object& layout = demo.venue.at("layout").as_object();
  const auto concert_pricing = price_places(layout, [](const std::string& id) {
    return id == "FLOOR" ? "floor" : id[0] == '1' ? "lower" : "upper";
  });
  const std::int64_t opened = now - 7 * day_seconds;
  struct Concert {
    const char* performer;
    const char* tour;
    std::vector<std::string> tags;
    int days;
  };
  const Concert concerts[] = {
      {"Nova Vale", "Nova Vale: Afterglow World Tour", {"pop", "stadium"}, 21},
      {"The Midnight Arcade", "The Midnight Arcade Live", {"synthwave", "rock"}, 35},
      {"Juniper & the Wolves", "Juniper & the Wolves: Howl Tour", {"indie", "folk rock"}, 58},
      {"Lana Reyes", "Lana Reyes: Corazón", {"latin", "pop"}, 84},
      {"DJ Kato", "DJ Kato: Bassline Odyssey", {"electronic", "dance"}, 112}};
  for (const Concert& c : concerts) {
    json::object event = event_body(
        {c.tour, {c.performer}, "concert", c.tags,
         std::string(c.performer) + " brings the new show to Pacific Arena.",
         evening(now, c.days, -8), opened},
        "USD", {{"floor", 18500}, {"lower", 12500}, {"upper", 6500}}, concert_pricing);
    demo.events.push_back(std::move(event));
  }
  // The hottest on-sale of the demo: in the future, with a waiting room.
  json::object hot = event_body(
      {"Nova Vale: Afterglow — Extra Date", {"Nova Vale"}, "concert", {"pop", "stadium"},
       "A second night, added by popular demand.", evening(now, 22, -8), now + 2 * day_seconds},
      "USD", {{"floor", 18500}, {"lower", 12500}, {"upper", 6500}}, concert_pricing);
  hot["waiting_room"] = {{"enabled", true},
                         {"active_limit", 500},
                         {"admit_per_second", 50},
                         {"session_seconds", 600},
                         {"pre_queue_opens_at", format_rfc3339((now + day_seconds) * 1000)}};
  demo.events.push_back(std::move(hot));

  const auto game_pricing = price_places(layout, [](const std::string& id) {
    return id == "FLOOR" ? "courtside" : id[0] == '1' ? "lower" : "upper";
  });
  const char* opponents[] = {"New York Harbor", "Chicago Gales", "San Francisco Fog",
                             "Boston Lanterns", "Denver Summit", "Miami Tide"};
  int day = 3;
  for (const char* opponent : opponents) {
    demo.events.push_back(event_body(
        {std::string("Los Angeles Comets vs. ") + opponent, {"Los Angeles Comets", opponent},
         "sports", {"basketball", "nba"}, "Regular season basketball.", evening(now, day, -8),
         opened - 30 * day_seconds},
        "USD", {{"courtside", 45000}, {"lower", 9500}, {"upper", 3500}}, game_pricing));
    day += 9;
  }
  demo.events.push_back(event_body(
      {"Frozen Wonders on Ice", {"Frozen Wonders"}, "family", {"ice show", "kids"},
       "Skating stories for the whole family.", evening(now, 45, -8) - 5 * 3600, opened},
      "USD", {{"floor", 6500}, {"lower", 4500}, {"upper", 2500}},
      price_places(layout, [](const std::string& id) {
        return id == "FLOOR" ? "floor" : id[0] == '1' ? "lower" : "upper";
      })));
  // Tonight in Los Angeles.
  demo.events.push_back(event_body(
      {"Los Angeles Comets vs. Seattle Rain", {"Los Angeles Comets", "Seattle Rain"}, "sports",
       {"basketball", "nba"}, "Tip-off tonight.", now + 4 * 3600, opened - 30 * day_seconds},
      "USD", {{"courtside", 45000}, {"lower", 9500}, {"upper", 3500}}, game_pricing));
  return demo;
}

DemoVenue theatre(std::int64_t now) {
  DemoVenue demo{venue_body("Lyceum Theatre", "New York", "US", "America/New_York", 40.7573,
                            -73.9836, theatre_layout()),
                 {}};
  const auto pricing = price_places(demo.venue.at("layout").as_object(), [](const std::string& id) {
    return id == "ORCH" ? "orchestra" : id == "MEZZ" ? "mezzanine" : "balcony";
  });
  for (int i = 0; i < 5; ++i) {
    demo.events.push_back(event_body(
        {"The Lighthouse Keeper", {"The Lighthouse Keeper Company"}, "theatre",
         {"broadway", "musical"}, "A new musical about the last keeper of Wren Point.",
         evening(now, 6 + i * 7, -5), now - 20 * day_seconds},
        "USD", {{"orchestra", 17900}, {"mezzanine", 12900}, {"balcony", 7900}}, pricing));
  }
  for (int i = 0; i < 2; ++i) {
    demo.events.push_back(event_body(
        {"Maya Chen: Overthinking It", {"Maya Chen"}, "comedy", {"stand-up"},
         "An hour of stand-up about everything, twice.", evening(now, 16 + i * 30, -5),
         now - 3 * day_seconds},
        "USD", {{"orchestra", 8900}, {"mezzanine", 6900}, {"balcony", 4900}}, pricing));
  }
  return demo;
}

DemoVenue club(std::int64_t now) {
  json::object layout{{"sections", json::array()},
                      {"ga_areas", json::array{ga_area("FLOOR", "Dance floor", 600),
                                               ga_area("MEZZANINE", "Mezzanine (standing)", 150)}}};
  DemoVenue demo{venue_body("The Fillmore Room", "San Francisco", "US", "America/Los_Angeles",
                            37.7840, -122.4330, std::move(layout)),
                 {}};
  const auto pricing = price_places(demo.venue.at("layout").as_object(), [](const std::string& id) {
    return id == "FLOOR" ? "floor" : "mezzanine";
  });
  const char* acts[][2] = {{"Static Bloom", "shoegaze"},
                           {"Kiko & the Satellites", "funk"},
                           {"Hollow Pines", "indie"},
                           {"Bayside Brass Collective", "jazz"}};
  int day = 2;
  for (const auto& act : acts) {
    demo.events.push_back(event_body({act[0], {act[0]}, "concert", {act[1], "club"},
                                      std::string(act[0]) + " live at The Fillmore Room.",
                                      evening(now, day, -8) + 3600, now - 14 * day_seconds},
                                     "USD", {{"floor", 3500}, {"mezzanine", 4500}}, pricing));
    day += 11;
  }
  for (int i = 0; i < 2; ++i) {
    demo.events.push_back(event_body(
        {"Fog City Comedy Night", {"Ray Alvarez", "Priya Nair", "Tom Becker"}, "comedy",
         {"stand-up", "showcase"}, "Three comics, one long night.", evening(now, 9 + i * 14, -8),
         now - 5 * day_seconds},
        "USD", {{"floor", 2500}, {"mezzanine", 3000}}, pricing));
  }
  return demo;
}

DemoVenue chicago_hall(std::int64_t now) {
  DemoVenue demo{venue_body("Lakeshore Hall", "Chicago", "US", "America/Chicago", 41.8826,
                            -87.6226, hall_layout(4, 20, 25, json::array())),
                 {}};
  const auto pricing = price_places(demo.venue.at("layout").as_object(), [](const std::string& id) {
    return id == "B" || id == "C" ? "centre" : "side";
  });
  const EventSpec specs[] = {
      {"Chicago Symphony Pops: Movie Night", {"Lakeshore Pops Orchestra"}, "concert",
       {"classical", "film"}, "Film scores, live.", evening(now, 12, -6), now - 10 * day_seconds},
      {"Elena Park Quartet", {"Elena Park Quartet"}, "concert", {"jazz"}, "Late-night jazz.",
       evening(now, 26, -6), now - 10 * day_seconds},
      {"The Wandering Strings", {"The Wandering Strings"}, "concert", {"bluegrass", "folk"},
       "Banjos and fiddles.", evening(now, 40, -6), now - 10 * day_seconds},
      {"Second City Late Show", {"Dana Whitfield", "Marcus Lee"}, "comedy", {"improv"},
       "Improv, unrehearsed.", evening(now, 19, -6), now - 10 * day_seconds},
      {"Tiny Tinkers Puppet Show", {"Tiny Tinkers"}, "family", {"kids", "puppets"},
       "Puppets for ages 3 to 8.", evening(now, 33, -6) - 8 * 3600, now - 10 * day_seconds},
      {"Aurora Skye: Northern Lights", {"Aurora Skye"}, "concert", {"pop", "acoustic"},
       "Going on sale soon.", evening(now, 95, -6), now + 10 * day_seconds}};
  for (const EventSpec& spec : specs) {
    demo.events.push_back(event_body(spec, "USD", {{"centre", 7500}, {"side", 5500}}, pricing));
  }
  return demo;
}

DemoVenue london_hall(std::int64_t now) {
  json::array ga;
  ga.push_back(ga_area("STALLS-GA", "Standing stalls", 400));
  DemoVenue demo{venue_body("Camden Lock Hall", "London", "GB", "Europe/London", 51.5413,
                            -0.1460, hall_layout(3, 10, 20, std::move(ga))),
                 {}};
  const auto pricing = price_places(demo.venue.at("layout").as_object(), [](const std::string& id) {
    return id == "STALLS-GA" ? "standing" : "seated";
  });
  const EventSpec specs[] = {
      {"The Brixton Echoes", {"The Brixton Echoes"}, "concert", {"britpop", "rock"},
       "Home-town show.", now + 2 * 3600, now - 30 * day_seconds},  // tonight
      {"Sable & Rye", {"Sable & Rye"}, "concert", {"soul"}, "A soul revue.", evening(now, 17, 0),
       now - 30 * day_seconds},
      {"Kestrel", {"Kestrel"}, "concert", {"grime", "hip hop"}, "One night only.",
       evening(now, 48, 0), now - 30 * day_seconds},
      {"An Inspector Returns", {"Camden Players"}, "theatre", {"play", "drama"},
       "A new staging of the classic.", evening(now, 8, 0), now - 30 * day_seconds},
      {"An Inspector Returns (matinee)", {"Camden Players"}, "theatre", {"play", "drama"},
       "The afternoon performance.", evening(now, 15, 0) - 5 * 3600, now - 30 * day_seconds}};
  for (const EventSpec& spec : specs) {
    demo.events.push_back(event_body(spec, "GBP", {{"seated", 4500}, {"standing", 3000}}, pricing));
  }
  return demo;
}

DemoVenue berlin_hall(std::int64_t now) {
  json::object layout{{"sections", json::array()},
                      {"ga_areas", json::array{ga_area("HALLE", "Main hall", 1500)}}};
  DemoVenue demo{venue_body("Spreehalle", "Berlin", "DE", "Europe/Berlin", 52.5075, 13.4400,
                            std::move(layout)),
                 {}};
  const auto pricing = price_places(demo.venue.at("layout").as_object(),
                                    [](const std::string&) { return "standard"; });
  const EventSpec specs[] = {
      {"Nachtwerk: 12 Hours", {"Mira Holt", "Oskar Lind"}, "concert", {"techno", "electronic"},
       "Twelve hours of techno.", evening(now, 13, 1) + 3 * 3600, now - 20 * day_seconds},
      {"Lumen Ensemble", {"Lumen Ensemble"}, "concert", {"ambient", "electronic"},
       "Light and sound.", evening(now, 41, 1), now - 20 * day_seconds},
      {"Die Kleinen Riesen", {"Die Kleinen Riesen"}, "family", {"kids", "circus"},
       "Circus for small giants.", evening(now, 27, 1) - 6 * 3600, now - 20 * day_seconds}};
  for (const EventSpec& spec : specs) {
    demo.events.push_back(event_body(spec, "EUR", {{"standard", 3900}}, pricing));
  }
  return demo;
}

}  // namespace

std::vector<DemoVenue> demo_catalog(std::int64_t now_unix_seconds, std::uint64_t seed) {
  std::mt19937_64 random(seed);
  std::vector<DemoVenue> catalog;
  catalog.push_back(arena(now_unix_seconds, random));
  catalog.push_back(theatre(now_unix_seconds));
  catalog.push_back(club(now_unix_seconds));
  catalog.push_back(chicago_hall(now_unix_seconds));
  catalog.push_back(london_hall(now_unix_seconds));
  catalog.push_back(berlin_hall(now_unix_seconds));
  return catalog;
}

}  // namespace boxoffice::app
