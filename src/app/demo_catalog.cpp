#include "app/demo_catalog.hpp"

#include <algorithm>
#include <boost/date_time/local_time/local_time.hpp>
#include <boost/make_shared.hpp>
#include <cmath>
#include <ctime>
#include <numbers>
#include <random>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>

#include "core/catalog_codec.hpp"
#include "core/time.hpp"

namespace boxoffice::app {
namespace {

namespace json = boost::json;
constexpr double pi = std::numbers::pi;

// ---------------------------------------------------------------------------------------------
// Seats. Coordinates are in one space per venue, roughly metres, one unit between neighbours in
// a row, so a seat map can be drawn straight from them.

struct Xy {
  double x = 0;
  double y = 0;
};

// Centimetre precision is plenty for drawing and keeps the 20,000-seat body small.
double rounded(double value) { return std::round(value * 100) / 100; }

json::object seat(const std::string& section, const std::string& row, int number, Xy at) {
  return {{"id", section + "-" + row + "-" + std::to_string(number)},
          {"label", std::to_string(number)},
          {"x", rounded(at.x)},
          {"y", rounded(at.y)}};
}

// A..Z without I and O (they read as 1 and 0 on a ticket), then AA, BB, ... as box offices do.
std::string row_label(int row) {
  static const std::string letters = "ABCDEFGHJKLMNPQRSTUVWXYZ";
  const auto count = static_cast<int>(letters.size());
  const char letter = letters[static_cast<std::size_t>(row % count)];
  return std::string(static_cast<std::size_t>(row / count + 1), letter);
}

json::object section_body(const std::string& id, const std::string& name, json::array rows) {
  return {{"id", id}, {"name", name}, {"rows", std::move(rows)}};
}

json::object row_body(const std::string& label, json::array seats) {
  return {{"label", label}, {"seats", std::move(seats)}};
}

json::object ga_area(const char* id, const char* name, int capacity) {
  return {{"id", id}, {"name", name}, {"capacity", capacity}};
}

// ---------------------------------------------------------------------------------------------
// The arena. Its bowl is a rounded rectangle around the court, as real arenas are: the ring at
// distance `rho` from the court's corner points has eight pieces, straight sides (even pieces)
// and quarter circles (odd pieces), counter-clockwise from the right-hand end. A section is a
// slice of one piece, so sideline rows keep their length while corner wedges widen as the bowl
// rises.

struct Court {
  double half_x;  // half the length of the straight sideline
  double half_y;  // half the length of the straight end line
};

struct Slice {
  int piece;    // 0..7
  double from;  // fraction of the piece where the section starts
  double to;    // ... and ends
};

Xy corner_centre(const Court& court, int piece) {  // piece 1, 3, 5 or 7
  const double sx = piece == 1 || piece == 7 ? 1 : -1;
  const double sy = piece <= 3 ? 1 : -1;
  return {sx * court.half_x, sy * court.half_y};
}

double piece_length(const Court& court, int piece, double rho) {
  if (piece % 2 == 1) return rho * pi / 2;
  return piece % 4 == 0 ? 2 * court.half_y : 2 * court.half_x;
}

// The point a fraction `g` along `piece` of the ring at distance `rho`.
Xy ring_point(const Court& court, int piece, double g, double rho) {
  if (piece % 2 == 1) {
    const Xy centre = corner_centre(court, piece);
    const double angle = (piece - 1 + 2 * g) * pi / 4;
    return {centre.x + rho * std::cos(angle), centre.y + rho * std::sin(angle)};
  }
  const Xy from = corner_centre(court, (piece + 7) % 8);
  const Xy to = corner_centre(court, piece + 1);
  const double normal = piece * pi / 4;
  return {from.x + g * (to.x - from.x) + rho * std::cos(normal),
          from.y + g * (to.y - from.y) + rho * std::sin(normal)};
}

// One row of a bowl section: seats a unit apart, centred in the slice, a unit of aisle kept.
json::array bowl_row(const std::string& section, const std::string& label, const Court& court,
                     const Slice& slice, double rho, int trim) {
  const double piece = piece_length(court, slice.piece, rho);
  const double length = piece * (slice.to - slice.from);
  const int seats = std::max(1, static_cast<int>(std::floor(length - 1.0)) - trim);
  const double start = (length - (seats - 1)) / 2;
  json::array list;
  for (int n = 0; n < seats; ++n) {
    const double g = slice.from + (start + n) / piece;
    list.push_back(seat(section, label, n + 1, ring_point(court, slice.piece, g, rho)));
  }
  return list;
}

// A level of the bowl (100s or 200s): how many sections each kind of piece is cut into.
struct BowlLevel {
  int first_number;  // 101, 201
  const char* zone;  // "lower", "upper": with the piece's kind, the pricing zone
  double first_rho;
  int rows;
  int slices_end;
  int slices_corner;
  int slices_side;
};

constexpr double bowl_row_depth = 0.9;  // rows rise behind each other a little closer than seats

// Place id → pricing zone, kept next to a venue body so events can price it by zone.
using Zones = std::vector<std::pair<std::string, std::string>>;

std::string piece_kind(int piece) {
  if (piece % 2 == 1) return "corner";
  return piece % 4 == 0 ? "end" : "side";
}

void add_bowl_level(const Court& court, const BowlLevel& level, std::mt19937_64& random,
                    json::array& sections, Zones& zones) {
  // Numbered counter-clockwise from the near sideline, as arena sections usually are.
  const int pieces[] = {2, 3, 4, 5, 6, 7, 0, 1};
  int number = level.first_number;
  for (int piece : pieces) {
    const std::string kind = piece_kind(piece);
    const int slices = kind == "corner" ? level.slices_corner
                       : kind == "end"  ? level.slices_end
                                        : level.slices_side;
    for (int s = 0; s < slices; ++s, ++number) {
      const Slice slice{piece, double(s) / slices, double(s + 1) / slices};
      const std::string id = std::to_string(number);
      json::array rows;
      for (int r = 0; r < level.rows; ++r) {
        // Corner rows lose a seat to the stairs now and then. Plain modulo rather than a
        // std:: distribution, whose output the standard leaves to each library.
        const int trim = kind == "corner" && random() % 10 < 3 ? 1 : 0;
        const double rho = level.first_rho + r * bowl_row_depth;
        rows.push_back(row_body(row_label(r), bowl_row(id, row_label(r), court, slice, rho, trim)));
      }
      sections.push_back(section_body(id, "Section " + id, std::move(rows)));
      zones.emplace_back(id, std::string(level.zone) + "-" + kind);
    }
  }
}

json::object arena_layout(std::mt19937_64& random, Zones& zones) {
  const Court court{30, 14};
  const BowlLevel lower{101, "lower", 13, 28, 2, 2, 4};
  // A concourse of five units separates the levels.
  const BowlLevel upper{
      201, "upper", lower.first_rho + (lower.rows - 1) * bowl_row_depth + 5, 28, 2, 3, 4};
  json::array sections;
  add_bowl_level(court, lower, random, sections, zones);
  add_bowl_level(court, upper, random, sections, zones);
  zones.emplace_back("FLOOR-GA", "floor");
  return {{"stage", {{"x", 0}, {"y", 0}}},
          {"sections", std::move(sections)},
          {"ga_areas", json::array{ga_area("FLOOR-GA", "Floor (standing)", 3000)}}};
}

// ---------------------------------------------------------------------------------------------
// The theatre: every row is an arc around a point behind the stage, so each seat faces it; two
// aisles cut each tier into left, centre and right; the mezzanine and balcony are drawn behind
// the orchestra, as seat maps do. Seats carry a score (front-centre orchestra best, then the
// front mezzanine), which best-available prefers over plain distance to the stage.

constexpr double theatre_curve_centre = 12;  // behind the stage front, which is at y = 0
constexpr double theatre_aisle = 1.5;

struct Tier {
  const char* id;  // "ORCH" → sections ORCH-L, ORCH-C, ORCH-R
  const char* name;
  double first_rho;  // distance of the first row from the curve's centre
  int rows;
  int centre_seats;  // in the first row of the centre section; rows behind grow
  int side_seats;
  double best_score;
  double score_drop_per_row;
};

json::object theatre_seat(const std::string& section, const std::string& row, int number,
                          double arc, double rho, double score) {
  const double angle = arc / rho;
  json::object s = seat(section, row, number,
                        {rho * std::sin(angle), rho * std::cos(angle) - theatre_curve_centre});
  s["score"] = std::round((score - 0.5 * std::abs(arc)) * 10) / 10;
  return s;
}

// Positions along the arc of one part of a row: centre part around 0, sides beyond the aisles.
json::array theatre_row_part(const std::string& section, const std::string& row, int part,
                             int centre, int side, double rho, double score) {
  const double centre_edge = (centre - 1) / 2.0;
  const int count = part == 0 ? centre : side;
  const double first = part == 0  ? -centre_edge
                       : part < 0 ? -centre_edge - theatre_aisle - 1 - (side - 1)
                                  : centre_edge + theatre_aisle + 1;
  json::array seats;
  for (int n = 0; n < count; ++n) {
    seats.push_back(theatre_seat(section, row, n + 1, first + n, rho, score));
  }
  return seats;
}

void add_tier(const Tier& tier, json::array& sections, Zones& zones) {
  const std::pair<int, const char*> parts[] = {{-1, "L"}, {0, "C"}, {1, "R"}};
  const char* part_names[] = {"Left", "Centre", "Right"};
  for (int p = 0; p < 3; ++p) {
    const std::string id = std::string(tier.id) + "-" + parts[p].second;
    json::array rows;
    for (int r = 0; r < tier.rows; ++r) {
      const double rho = tier.first_rho + r;
      const double score = tier.best_score - r * tier.score_drop_per_row;
      rows.push_back(row_body(row_label(r), theatre_row_part(id, row_label(r), parts[p].first,
                                                             tier.centre_seats + r / 4,
                                                             tier.side_seats + r / 5, rho, score)));
    }
    sections.push_back(
        section_body(id, std::string(tier.name) + " " + part_names[p], std::move(rows)));
    zones.emplace_back(id, std::string(tier.id) + (p == 1 ? "-centre" : "-side"));
  }
}

json::object theatre_layout(Zones& zones) {
  const double front = theatre_curve_centre + 3;
  const Tier tiers[] = {{"ORCH", "Orchestra", front, 24, 12, 8, 100, 1.2},
                        {"MEZZ", "Mezzanine", front + 28, 10, 16, 9, 78, 1.5},
                        {"BALC", "Balcony", front + 42, 8, 16, 9, 55, 2.0}};
  json::array sections;
  for (const Tier& tier : tiers) add_tier(tier, sections, zones);
  return {{"stage", {{"x", 0}, {"y", -2}}},
          {"sections", std::move(sections)},
          {"ga_areas", json::array()}};
}

// ---------------------------------------------------------------------------------------------
// A concert hall: sections side by side with aisles between them, straight rows.

json::object hall_layout(int count, int rows, int seats, json::array ga_areas, Zones& zones) {
  json::array sections;
  for (int s = 0; s < count; ++s) {
    const std::string id(1, static_cast<char>('A' + s));
    json::array row_list;
    for (int r = 0; r < rows; ++r) {
      json::array seat_list;
      for (int n = 0; n < seats; ++n) {
        seat_list.push_back(seat(id, row_label(r), n + 1, {double(s * (seats + 2) + n), 5.0 + r}));
      }
      row_list.push_back(row_body(row_label(r), std::move(seat_list)));
    }
    sections.push_back(section_body(id, "Stalls " + id, std::move(row_list)));
    // The outer sections see the stage at an angle.
    zones.emplace_back(id, s == 0 || s == count - 1 ? "side" : "centre");
  }
  for (const auto& area : ga_areas) {
    zones.emplace_back(std::string(area.at("id").as_string()), "standing");
  }
  return {{"stage", {{"x", (count * (seats + 2) - 3) / 2.0}, {"y", 0}}},
          {"sections", std::move(sections)},
          {"ga_areas", std::move(ga_areas)}};
}

// ---------------------------------------------------------------------------------------------
// Time. Shows start at a local hour (19:30 in Los Angeles, summer or winter), so each city's
// daylight-saving rules are needed: libstdc++ 12 has no std::chrono time zone database, so they
// come as POSIX TZ rules read by Boost.DateTime (whose offsets count east of UTC as positive).

namespace lt = boost::local_time;
namespace pt = boost::posix_time;

std::int64_t unix_seconds(const pt::ptime& utc) {
  const boost::gregorian::date epoch(1970, 1, 1);
  return std::int64_t{(utc.date() - epoch).days()} * 86'400 + utc.time_of_day().total_seconds();
}

constexpr int clock_time(int hour, int minute = 0) { return hour * 60 + minute; }

class VenueClock {
 public:
  VenueClock(std::int64_t now, const char* posix_rules)
      : now_(now), zone_(boost::make_shared<lt::posix_time_zone>(posix_rules)) {}

  std::int64_t now() const { return now_; }

  // Unix seconds of a local wall-clock time (minutes after midnight), `days` after today.
  std::int64_t at(int days, int minutes) const {
    const pt::ptime utc_now = pt::from_time_t(static_cast<std::time_t>(now_));
    const boost::gregorian::date today = lt::local_date_time(utc_now, zone_).local_time().date();
    const lt::local_date_time local(today + boost::gregorian::days(days), pt::minutes(minutes),
                                    zone_, lt::local_date_time::EXCEPTION_ON_ERROR);
    return unix_seconds(local.utc_time());
  }

 private:
  std::int64_t now_;
  lt::time_zone_ptr zone_;
};

std::string rfc3339(std::int64_t unix) { return format_rfc3339(unix * millis_per_second); }

// ---------------------------------------------------------------------------------------------
// Venues and events.

struct City {
  const char* name;
  const char* country;   // ISO 3166-1 alpha-2
  const char* timezone;  // IANA, as the API wants
  const char* posix_rules;
  const char* currency;
};

const City los_angeles{"Los Angeles", "US", "America/Los_Angeles",
                       "PST-08PDT,M3.2.0/02:00,M11.1.0/02:00", "USD"};
const City san_francisco{"San Francisco", "US", "America/Los_Angeles",
                         "PST-08PDT,M3.2.0/02:00,M11.1.0/02:00", "USD"};
const City new_york{"New York", "US", "America/New_York", "EST-05EDT,M3.2.0/02:00,M11.1.0/02:00",
                    "USD"};
const City chicago{"Chicago", "US", "America/Chicago", "CST-06CDT,M3.2.0/02:00,M11.1.0/02:00",
                   "USD"};
const City london{"London", "GB", "Europe/London", "GMT+00BST,M3.5.0/01:00,M10.5.0/02:00", "GBP"};
const City berlin{"Berlin", "DE", "Europe/Berlin", "CET+01CEST,M3.5.0/02:00,M10.5.0/03:00", "EUR"};

// A venue being built: its body, and what its events need to price and time themselves.
struct Site {
  DemoVenue demo;
  Zones zones;
  VenueClock clock;
  std::string currency;
};

Site make_site(std::int64_t now, const char* name, const City& city, double lat, double lon,
               json::object layout, Zones zones) {
  json::object venue{{"name", name},
                     {"city", city.name},
                     {"country", city.country},
                     {"timezone", city.timezone},
                     {"lat", lat},
                     {"lon", lon},
                     {"layout", std::move(layout)}};
  return {
      {std::move(venue), {}}, std::move(zones), VenueClock(now, city.posix_rules), city.currency};
}

// A price level and the zones of the venue it covers.
struct Level {
  const char* id;
  const char* name;
  std::int64_t price_cents;
  std::vector<std::string> zones;
};
using PricePlan = std::vector<Level>;

struct Show {
  std::string name;
  std::vector<std::string> performers;
  std::string category;
  std::vector<std::string> tags;
  std::string description;
  int day;          // days after the venue's today; 0 is tonight
  int minutes;      // local start, minutes after midnight
  int on_sale_day;  // on sale at 10:00 local that many days after today; negative: already
};

std::string level_for_zone(const PricePlan& plan, const std::string& zone) {
  for (const Level& level : plan) {
    if (std::find(level.zones.begin(), level.zones.end(), zone) != level.zones.end())
      return level.id;
  }
  throw std::logic_error("demo catalog: no price level for zone " + zone);
}

json::array price_levels(const PricePlan& plan, const std::string& currency) {
  json::array levels;
  for (const Level& level : plan) {
    levels.push_back({{"id", level.id},
                      {"name", level.name},
                      {"price_cents", level.price_cents},
                      {"currency", currency}});
  }
  return levels;
}

json::object pricing(const PricePlan& plan, const Zones& zones) {
  json::object places;
  for (const auto& [place, zone] : zones) places[place] = level_for_zone(plan, zone);
  return places;
}

// Tonight's show must still be ahead whenever the catalog is loaded: late in the evening it
// moves to the first quarter hour at least 90 minutes away.
std::int64_t starts_at(const VenueClock& clock, const Show& show) {
  const std::int64_t planned = clock.at(show.day, show.minutes);
  if (show.day > 0) return planned;
  const std::int64_t quarter = 15 * 60;
  const std::int64_t earliest = (clock.now() + 90 * 60 + quarter - 1) / quarter * quarter;
  return std::max(planned, earliest);
}

json::array strings(const std::vector<std::string>& items) {
  return json::array(items.begin(), items.end());
}

void add_event(Site& site, const Show& show, const PricePlan& plan) {
  site.demo.events.push_back(
      {{"name", show.name},
       {"performers", strings(show.performers)},
       {"category", show.category},
       {"tags", strings(show.tags)},
       {"description", show.description},
       {"starts_at", rfc3339(starts_at(site.clock, show))},
       {"on_sale_at", rfc3339(site.clock.at(show.on_sale_day, clock_time(10)))},
       {"price_levels", price_levels(plan, site.currency)},
       {"pricing", pricing(plan, site.zones)},
       {"max_per_order", 8},
       {"hold_seconds", 600}});
}

// The hottest on-sales go through the waiting room, with a pre-queue opening an hour before,
// and a tighter ticket limit against resellers.
void make_hot(json::object& event) {
  const auto on_sale = parse_rfc3339(event.at("on_sale_at").as_string());
  event["max_per_order"] = 4;
  event["waiting_room"] = {{"enabled", true},
                           {"active_limit", 500},
                           {"admit_per_second", 50},
                           {"session_seconds", 600},
                           {"pre_queue_opens_at", format_rfc3339(*on_sale - 3'600'000)}};
}

void add_shows(Site& site, const std::vector<Show>& shows, const PricePlan& plan) {
  for (const Show& show : shows) add_event(site, show, plan);
}

// A run: the same production on several dates, evenings and matinees.
void add_run(Site& site, Show show, const std::vector<std::pair<int, int>>& dates,
             const PricePlan& plan) {
  for (const auto& [day, minutes] : dates) {
    show.day = day;
    show.minutes = minutes;
    add_event(site, show, plan);
  }
}

// ---------------------------------------------------------------------------------------------
// The catalog, venue by venue. Performers, teams and productions are made up. The tables are
// laid out by hand (clang-format off) so that they read as listings.

// clang-format off
constexpr int evening = clock_time(19, 30);
constexpr int matinee = clock_time(14);

const PricePlan arena_concert{
    {"floor",      "Floor (standing)",         19500, {"floor"}},
    {"lower-side", "Lower Level Sideline",     14500, {"lower-side"}},
    {"lower-end",  "Lower Level End & Corner", 11000, {"lower-end", "lower-corner"}},
    {"upper",      "Upper Level",               6500, {"upper-side", "upper-corner", "upper-end"}}};

const PricePlan arena_game{
    {"courtside",    "Courtside & Floor",        45000, {"floor"}},
    {"lower-side",   "Lower Level Sideline",     16500, {"lower-side"}},
    {"lower-corner", "Lower Level Corner & End",  9500, {"lower-corner", "lower-end"}},
    {"upper-side",   "Upper Level Sideline",      5500, {"upper-side", "upper-corner"}},
    {"upper-end",    "Upper Level End",           3500, {"upper-end"}}};

const PricePlan arena_family{
    {"rinkside", "Rinkside (floor)", 7500, {"floor"}},
    {"lower",    "Lower Level",      5500, {"lower-side", "lower-corner", "lower-end"}},
    {"upper",    "Upper Level",      2900, {"upper-side", "upper-corner", "upper-end"}}};

// The two nights of the hottest tour: one on sale (its queue still busy), one going on sale.
void add_hot_tour(Site& site) {
  const std::string text =
      "Nova Vale's first arena tour: the whole of Afterglow live, with Lumen Drive opening.";
  const std::vector<std::string> performers{"Nova Vale", "Lumen Drive"};
  add_shows(site, {
      {"Nova Vale: Afterglow World Tour", performers, "concert", {"pop", "arena tour"},
       text, 21, clock_time(20), -6},
      {"Nova Vale: Afterglow World Tour (second night)", performers, "concert",
       {"pop", "arena tour"}, text + " Added by popular demand.", 22, clock_time(20), 2}},
      arena_concert);
  make_hot(site.demo.events[site.demo.events.size() - 2]);
  make_hot(site.demo.events.back());
}

void add_arena_concerts(Site& site) {
  add_shows(site, {
      {"The Midnight Arcade: Neon Nights", {"The Midnight Arcade"}, "concert",
       {"synthwave", "rock"}, "Analog synths, a wall of lasers, and every single from Overdrive.",
       38, clock_time(20), -20},
      {"Juniper & the Wolves: Howl Tour", {"Juniper & the Wolves", "Tall Grass"}, "concert",
       {"indie", "folk rock"}, "Stomp-and-holler folk rock, with Tall Grass in support.",
       64, evening, -15},
      {"Lana Reyes: Corazón en Vivo", {"Lana Reyes"}, "concert", {"latin", "pop"},
       "Latin pop's brightest voice, with a twelve-piece band.", 96, clock_time(20), -10},
      {"DJ Sorrel: Bassline Odyssey", {"DJ Sorrel"}, "concert", {"electronic", "dance"},
       "Three hours of house and bass on a 360-degree stage.", 131, clock_time(21), -3},
      {"Ironwood Revival", {"Ironwood Revival", "The Copper Saints"}, "concert",
       {"country", "rock"}, "Southern rock and country, with The Copper Saints opening.",
       163, evening, -1}},
      arena_concert);
}

void add_arena_games(Site& site) {
  const std::tuple<const char*, int, int> games[] = {
      {"Seattle Rain", 0, evening},       {"New York Harbor", 4, evening},
      {"Chicago Gales", 11, evening},     {"San Francisco Fog", 19, evening},
      {"Boston Lanterns", 27, evening},   {"Denver Summit", 45, evening},
      {"Miami Tide", 73, clock_time(12, 30)}, {"Dallas Stampede", 102, evening}};
  for (const auto& [visitor, day, tip_off] : games) {
    const std::string home = "Los Angeles Comets";
    const std::string text =
        "The Comets host the " + std::string(visitor) + " in regular-season basketball.";
    add_event(site, {home + " vs. " + visitor, {home, visitor}, "sports",
                     {"basketball", "nba", "regular season"}, text, day, tip_off, -40},
              arena_game);
  }
}

Site arena(std::int64_t now, std::mt19937_64& random) {
  Zones zones;
  json::object layout = arena_layout(random, zones);
  Site site = make_site(now, "Pacific Arena", los_angeles, 34.0430, -118.2673, std::move(layout),
                        std::move(zones));
  add_hot_tour(site);
  add_arena_concerts(site);
  add_arena_games(site);
  add_run(site, {"Frozen Wonders on Ice", {"Frozen Wonders"}, "family", {"ice show", "kids"},
                 "Fairy tales on skates for the whole family.", 0, 0, -25},
          {{52, clock_time(11)}, {52, clock_time(15)}}, arena_family);
  return site;
}

const PricePlan theatre_play{
    {"premium",         "Premium Orchestra", 18900, {"ORCH-centre"}},
    {"orchestra",       "Orchestra",         14900, {"ORCH-side"}},
    {"front-mezzanine", "Centre Mezzanine",  12900, {"MEZZ-centre"}},
    {"mezzanine",       "Side Mezzanine",     9900, {"MEZZ-side"}},
    {"balcony",         "Balcony",            6900, {"BALC-centre", "BALC-side"}}};

const PricePlan theatre_comedy{
    {"orchestra", "Orchestra", 8900, {"ORCH-centre", "ORCH-side"}},
    {"mezzanine", "Mezzanine", 6900, {"MEZZ-centre", "MEZZ-side"}},
    {"balcony",   "Balcony",   4900, {"BALC-centre", "BALC-side"}}};

const PricePlan theatre_family{
    {"orchestra", "Orchestra",           4500, {"ORCH-centre", "ORCH-side"}},
    {"upper",     "Mezzanine & Balcony", 2900,
     {"MEZZ-centre", "MEZZ-side", "BALC-centre", "BALC-side"}}};

Site theatre(std::int64_t now) {
  Zones zones;
  json::object layout = theatre_layout(zones);
  Site site = make_site(now, "Halcyon Theatre", new_york, 40.7590, -73.9866, std::move(layout),
                        std::move(zones));
  add_run(site, {"The Lighthouse Keeper", {"Ada Brennan", "Tomás Iglesias"}, "theatre",
                 {"musical", "broadway"}, "A new musical about the last keeper of Wren Point.",
                 0, 0, -30},
          {{5, evening}, {6, evening}, {7, matinee}, {7, evening}, {12, evening}, {13, evening},
           {14, matinee}},
          theatre_play);
  add_run(site, {"Paper Moons", {"Corinne Walsh", "Elliot Marsh"}, "theatre", {"play", "drama"},
                 "Two sisters, one inheritance, and a very long night.", 0, 0, -5},
          {{68, evening}, {69, evening}, {70, matinee}, {75, evening}}, theatre_play);
  add_run(site, {"Maya Chen: Overthinking It", {"Maya Chen"}, "comedy", {"stand-up"},
                 "An hour of stand-up about everything, thought through far too much.", 0, 0, -12},
          {{18, clock_time(21)}, {48, clock_time(21)}}, theatre_comedy);
  add_shows(site, {{"Pip & Pebble: A Musical Adventure", {"Pip & Pebble"}, "family",
                    {"kids", "musical"}, "Songs and puppets for ages 3 and up.",
                    34, clock_time(11), -12}},
            theatre_family);
  return site;
}

const PricePlan club_music{{"floor",   "Floor (standing)", 3500, {"standing"}},
                           {"balcony", "Balcony (21+)",    4500, {"balcony"}}};
const PricePlan club_comedy{{"floor",   "Floor (standing)", 2500, {"standing"}},
                            {"balcony", "Balcony (21+)",    3000, {"balcony"}}};

void add_club_acts(Site& site) {
  const std::tuple<const char*, const char*, int, int> acts[] = {
      {"Static Bloom",             "shoegaze",          2,   clock_time(21)},
      {"Kiko & the Satellites",    "funk",              13,  clock_time(20, 30)},
      {"Hollow Pines",             "indie",             24,  clock_time(20)},
      {"Bayside Brass Collective", "jazz",              35,  clock_time(20)},
      {"Marisol Vega",             "singer-songwriter", 88,  clock_time(20)},
      {"The Dovetails",            "surf rock",         140, clock_time(21)}};
  for (const auto& [act, genre, day, minutes] : acts) {
    add_event(site, {act, {act}, "concert", {genre, "club show"},
                     std::string(act) + " live at The Foghorn. Doors an hour before.",
                     day, minutes, -14},
              club_music);
  }
}

Site club(std::int64_t now) {
  json::object layout{{"sections", json::array()},
                      {"ga_areas", json::array{ga_area("FLOOR-GA", "Floor (standing)", 600),
                                               ga_area("BALCONY-GA", "Balcony (21+)", 120)}}};
  Site site = make_site(now, "The Foghorn", san_francisco, 37.7840, -122.4330, std::move(layout),
                        {{"FLOOR-GA", "standing"}, {"BALCONY-GA", "balcony"}});
  add_club_acts(site);
  add_run(site, {"Fog City Comedy Night", {"Ray Alvarez", "Priya Nair", "Tom Becker"}, "comedy",
                 {"stand-up", "showcase"}, "Three comics, one long night.", 0, 0, -5},
          {{9, evening}, {23, evening}, {37, clock_time(21, 30)}}, club_comedy);
  return site;
}

const PricePlan chicago_plan{{"centre", "Stalls Centre", 7500, {"centre"}},
                             {"side", "Stalls Side", 5500, {"side"}}};

Site chicago_hall(std::int64_t now) {
  Zones zones;
  json::object layout = hall_layout(4, 20, 25, json::array(), zones);
  Site site = make_site(now, "Lakeshore Hall", chicago, 41.8826, -87.6226, std::move(layout),
                        std::move(zones));
  add_shows(site, {
      {"Movie Night: Film Scores Live", {"Lakeshore Pops Orchestra"}, "concert",
       {"classical", "film"}, "Eighty players, the great film themes, the big screen above.",
       12, evening, -10},
      {"Elena Park Quartet", {"Elena Park Quartet"}, "concert", {"jazz"},
       "Late-night jazz from the Chicago quartet.", 26, clock_time(20), -10},
      {"The Wandering Strings", {"The Wandering Strings"}, "concert", {"bluegrass", "folk"},
       "Banjos, fiddles and four-part harmony.", 40, evening, -10},
      {"Lakeshore Late Show", {"Dana Whitfield", "Marcus Lee"}, "comedy", {"improv"},
       "Improv, made up on the spot from your suggestions.", 19, clock_time(22), -10},
      {"Tiny Tinkers Puppet Show", {"Tiny Tinkers"}, "family", {"kids", "puppets"},
       "Puppets for ages 3 to 8.", 33, clock_time(11), -10},
      {"Aurora Skye: Northern Lights", {"Aurora Skye"}, "concert", {"pop", "acoustic"},
       "An intimate acoustic show. On sale soon.", 95, clock_time(20), 10}},
      chicago_plan);
  return site;
}

const PricePlan london_plan{{"centre",   "Seated Centre", 5500, {"centre"}},
                            {"side",     "Seated Side",   4500, {"side"}},
                            {"standing", "Standing",      3000, {"standing"}}};

Site london_hall(std::int64_t now) {
  Zones zones;
  json::object layout =
      hall_layout(3, 10, 20, json::array{ga_area("STALLS-GA", "Standing", 400)}, zones);
  Site site = make_site(now, "Camden Lock Hall", london, 51.5413, -0.1460, std::move(layout),
                        std::move(zones));
  add_shows(site, {
      {"The Brixton Echoes", {"The Brixton Echoes"}, "concert", {"britpop", "rock"},
       "The home-town show, tonight.", 0, evening, -30},
      {"Sable & Rye", {"Sable & Rye"}, "concert", {"soul"},
       "A soul revue with a horn section.", 17, evening, -30},
      {"Kestrel", {"Kestrel"}, "concert", {"grime", "hip hop"},
       "One night only.", 48, clock_time(20), -30},
      {"Harbour Lights", {"Harbour Lights"}, "concert", {"indie", "pop"},
       "The debut album, live. On sale soon.", 120, evening, 5}},
      london_plan);
  add_run(site, {"An Inspector Returns", {"Camden Players"}, "theatre", {"play", "drama"},
                 "A new staging of the classic whodunnit.", 0, 0, -30},
          {{8, evening}, {15, clock_time(14, 30)}}, london_plan);
  return site;
}

const PricePlan berlin_plan{{"halle", "Halle (standing)", 3900, {"standing"}},
                            {"empore", "Empore (gallery, standing)", 4900, {"gallery"}}};

Site berlin_hall(std::int64_t now) {
  json::object layout{{"sections", json::array()},
                      {"ga_areas", json::array{ga_area("HALLE-GA", "Halle", 1500),
                                               ga_area("EMPORE-GA", "Empore", 250)}}};
  Site site = make_site(now, "Spreehalle", berlin, 52.5075, 13.4400, std::move(layout),
                        {{"HALLE-GA", "standing"}, {"EMPORE-GA", "gallery"}});
  add_shows(site, {
      {"Nachtwerk: 12 Hours", {"Mira Holt", "Oskar Lind"}, "concert", {"techno", "electronic"},
       "Twelve hours of techno, from eleven at night.", 13, clock_time(23), -20},
      {"Lumen Ensemble", {"Lumen Ensemble"}, "concert", {"ambient", "electronic"},
       "Light and sound in the dark hall.", 41, clock_time(20), -20},
      {"Die Kleinen Riesen", {"Die Kleinen Riesen"}, "family", {"kids", "circus"},
       "Circus for small giants.", 27, clock_time(15), -20},
      {"Kabarett am Kanal", {"Lotte Brandt"}, "comedy", {"kabarett", "stand-up"},
       "Political cabaret, in German.", 58, clock_time(20), -10}},
      berlin_plan);
  return site;
}
// clang-format on

}  // namespace

std::vector<DemoVenue> demo_catalog(std::int64_t now_unix_seconds, std::uint64_t seed) {
  std::mt19937_64 random(seed);
  std::vector<DemoVenue> catalog;
  catalog.push_back(std::move(arena(now_unix_seconds, random).demo));
  catalog.push_back(std::move(theatre(now_unix_seconds).demo));
  catalog.push_back(std::move(club(now_unix_seconds).demo));
  catalog.push_back(std::move(chicago_hall(now_unix_seconds).demo));
  catalog.push_back(std::move(london_hall(now_unix_seconds).demo));
  catalog.push_back(std::move(berlin_hall(now_unix_seconds).demo));
  return catalog;
}

std::size_t load_demo_catalog(Catalog& catalog, UnixMillis now) {
  const auto refused = [](std::string_view what, const Error& error) {
    return std::runtime_error("demo " + std::string(what) + ": " + error.detail);
  };
  std::size_t events = 0;
  for (DemoVenue& demo : demo_catalog(now / millis_per_second)) {
    auto decoded_venue = decode_venue(demo.venue);
    if (!decoded_venue) throw refused("venue", decoded_venue.error());
    auto venue = catalog.create_venue(std::move(*decoded_venue));
    if (!venue) throw refused("venue", venue.error());
    for (boost::json::object& body : demo.events) {
      body["venue_id"] = (*venue)->id;
      auto decoded_event = decode_event(body);
      if (!decoded_event) throw refused("event", decoded_event.error());
      auto event = catalog.create_event(std::move(*decoded_event));
      if (!event) throw refused("event", event.error());
      auto published = catalog.publish((*event)->id);
      if (!published) throw refused("publish", published.error());
      ++events;
    }
  }
  return events;
}

}  // namespace boxoffice::app
