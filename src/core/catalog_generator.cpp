#include "core/catalog_generator.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

#include "core/cities.hpp"

namespace boxoffice {
namespace {

using sv = std::string_view;

// SplitMix64: small, fast, and the same everywhere.
class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  template <class C>
  const auto& pick(const C& items) {
    return items[below(std::size(items))];
  }

 private:
  std::uint64_t state_;
};

constexpr std::array<sv, 40> first_names = {
    "Ava",   "Liam",  "Maya",  "Noah",  "Zoe",    "Ezra",  "Lena",  "Omar",   "Nina", "Caleb",
    "Iris",  "Jonah", "Sofia", "Mateo", "Hana",   "Felix", "Clara", "Diego",  "Yara", "Theo",
    "Aria",  "Milo",  "Lucia", "Kai",   "Elena",  "Remy",  "Jade",  "Otis",   "Nora", "Luca",
    "Selma", "Arlo",  "Freya", "Dante", "Ingrid", "Rafa",  "Mei",   "Tobias", "Esme", "Nico"};
constexpr std::array<sv, 40> last_names = {
    "Reyes",    "Okafor",  "Lindqvist", "Moreau",  "Castillo", "Nakamura", "Haddad", "Brennan",
    "Kowalski", "Adeyemi", "Silva",     "Fischer", "Marsh",    "Delgado",  "Novak",  "Quinn",
    "Rossi",    "Sato",    "Bauer",     "Vance",   "Mendez",   "Park",     "Olsen",  "Duarte",
    "Hayes",    "Ivanova", "Chen",      "Keller",  "Romero",   "Achebe",   "Lund",   "Ferreira",
    "Walsh",    "Abbott",  "Kaur",      "Moreno",  "Sorensen", "Tanaka",   "Blake",  "Varga"};
constexpr std::array<sv, 32> band_adjectives = {
    "Velvet",  "Electric", "Silver",  "Midnight", "Wild",    "Neon",   "Golden", "Hollow",
    "Crimson", "Northern", "Paper",   "Glass",    "Broken",  "Lunar",  "Savage", "Quiet",
    "Black",   "Burning",  "Distant", "Iron",     "Fading",  "Static", "Young",  "Blue",
    "Royal",   "Restless", "Cosmic",  "Secret",   "Howling", "Tender", "Analog", "Sunken"};
constexpr std::array<sv, 32> band_nouns = {
    "Wolves",  "Rivers",   "Machines",   "Hearts",  "Tigers",   "Lanterns", "Echoes",   "Saints",
    "Ghosts",  "Pilots",   "Mirrors",    "Horses",  "Comets",   "Kings",    "Sparrows", "Engines",
    "Shadows", "Orchards", "Satellites", "Tides",   "Owls",     "Foxes",    "Dreamers", "Strangers",
    "Bandits", "Harbors",  "Giants",     "Thieves", "Monarchs", "Vipers",   "Prophets", "Lovers"};
constexpr std::array<sv, 14> genres = {"rock",  "pop",   "hip hop",   "jazz", "electronic",
                                       "indie", "metal", "country",   "r&b",  "latin",
                                       "folk",  "soul",  "classical", "punk"};
constexpr std::array<sv, 10> tour_words = {
    "World Tour", "Live",        "Farewell Tour",      "Unplugged",  "Arena Tour",
    "In Concert", "Summer Tour", "Greatest Hits Tour", "Night Tour", "Homecoming"};

struct League {
  sv name;
  sv sport;
  std::array<sv, 12> mascots;
};
constexpr std::array<League, 5> leagues = {{
    {"nba",
     "basketball",
     {"Comets", "Hawks", "Titans", "Blaze", "Storm", "Kings", "Lynx", "Rockets", "Suns", "Wolves",
      "Thunder", "Knights"}},
    {"nhl",
     "hockey",
     {"Blades", "Bears", "Frost", "Pirates", "Rangers", "Wings", "Sabres", "Flyers", "Lightning",
      "Stars", "Jets", "Oilers"}},
    {"mls",
     "soccer",
     {"United", "FC", "City", "Athletic", "Rovers", "Galaxy", "Fire", "Union", "Dynamo", "Sounders",
      "Crew", "Rapids"}},
    {"nfl",
     "football",
     {"Chargers", "Broncos", "Ravens", "Giants", "Bengals", "Lions", "Falcons", "Panthers",
      "Eagles", "Jaguars", "Raiders", "Vikings"}},
    {"mlb",
     "baseball",
     {"Sox", "Cubs", "Mariners", "Orioles", "Twins", "Padres", "Reds", "Pirates", "Royals",
      "Rockies", "Brewers", "Mets"}},
}};
constexpr std::array<sv, 20> show_words = {
    "Phantom",     "Garden",   "Lighthouse", "Empire",  "Carousel", "Masquerade", "Tempest",
    "Orchard",     "Paradise", "Labyrinth",  "Winter",  "Harbour",  "Crown",      "Mockingbird",
    "Nightingale", "Sunset",   "River",      "Wedding", "Stranger", "Kingdom"};
constexpr std::array<sv, 4> show_kinds = {"musical", "play", "opera", "ballet"};
constexpr std::array<sv, 10> family_shows = {
    "on Ice",         "Circus Spectacular", "Live!",    "Dinosaur Adventure", "Magic Show",
    "Puppet Theatre", "Science Show",       "Acrobats", "Storytime Live",     "Under the Sea"};
constexpr std::array<sv, 10> comedy_titles = {
    "Overthinking It", "No Filter",     "Work in Progress", "Live and Unscripted", "Mostly True",
    "The Late Show",   "Bad Decisions", "Family Matters",   "Unfiltered",          "Just Kidding"};

struct VenueKind {
  sv suffix;
  std::uint32_t capacity_min;
  std::uint32_t capacity_max;
};
constexpr std::array<VenueKind, 7> venue_kinds = {{{"Arena", 12'000, 22'000},
                                                   {"Stadium", 30'000, 70'000},
                                                   {"Theatre", 800, 2'500},
                                                   {"Hall", 1'500, 5'000},
                                                   {"Club", 200, 900},
                                                   {"Amphitheatre", 5'000, 18'000},
                                                   {"Ballroom", 500, 1'500}}};
constexpr std::array<sv, 16> venue_names = {
    "Grand",  "Union",    "Riverside", "Paramount", "Liberty", "Harbor",  "Orpheum", "Crystal",
    "Summit", "Meridian", "Palace",    "Majestic",  "Civic",   "Capitol", "Apollo",  "Beacon"};

std::string str(sv text) { return std::string(text); }

const CityInfo& pick_city(Random& random, std::span<const CityInfo> cities, int total_weight) {
  int ticket = static_cast<int>(random.below(static_cast<std::size_t>(total_weight)));
  for (const CityInfo& city : cities) {
    ticket -= city.weight;
    if (ticket < 0) return city;
  }
  return cities.front();
}

Venue make_venue(Random& random, std::int64_t id, const CityInfo& city) {
  const VenueKind& kind = random.pick(venue_kinds);
  Venue venue;
  venue.id = id;
  venue.name = str(random.pick(venue_names)) + " " + str(kind.suffix);
  if (random.below(3) == 0) venue.name = str(city.name) + " " + venue.name;
  venue.city = str(city.name);
  venue.country = str(city.country);
  venue.timezone = str(city.timezone);
  // Within ~15 km of the centre.
  venue.lat = city.lat + (random.unit() - 0.5) * 0.25;
  venue.lon = city.lon + (random.unit() - 0.5) * 0.25 / std::max(0.2, std::cos(city.lat * 0.01745));
  Layout layout;
  layout.ga_areas.push_back({"GA", "General admission",
                             kind.capacity_min + static_cast<std::uint32_t>(random.below(
                                                     kind.capacity_max - kind.capacity_min + 1))});
  venue.layout = index_layout(std::move(layout)).value();
  return venue;
}

struct Act {
  std::string name;
  std::vector<std::string> performers;
  std::string category;
  std::vector<std::string> tags;
  std::string description;
};

std::string person(Random& random) {
  return str(random.pick(first_names)) + " " + str(random.pick(last_names));
}

Act make_act(Random& random, std::span<const CityInfo> cities) {
  const std::size_t roll = random.below(100);
  Act act;
  if (roll < 45) {  // concerts
    const std::string artist = random.below(2) == 0 ? person(random)
                                                    : "The " + str(random.pick(band_adjectives)) +
                                                          " " + str(random.pick(band_nouns));
    const sv genre = random.pick(genres);
    act.name = artist + ": " + str(random.pick(tour_words));
    act.performers = {artist};
    if (random.below(4) == 0) act.performers.push_back(person(random));  // support act
    act.category = "concert";
    act.tags = {str(genre), "live music"};
    act.description = artist + " brings " + str(genre) + " to the stage, with songs old and new.";
  } else if (roll < 70) {  // sports
    const League& league = random.pick(leagues);
    const std::string home =
        str(random.pick(cities.first(20)).name) + " " + str(random.pick(league.mascots));
    const std::string away =
        str(random.pick(cities.first(20)).name) + " " + str(random.pick(league.mascots));
    act.name = home + " vs " + away;
    act.performers = {home, away};
    act.category = "sports";
    act.tags = {str(league.sport), str(league.name)};
    act.description = "Regular season " + str(league.sport) + ": " + act.name + ".";
  } else if (roll < 85) {  // theatre
    const sv kind = random.pick(show_kinds);
    act.name = "The " + str(random.pick(show_words)) + " of the " + str(random.pick(show_words));
    act.performers = {person(random), person(random)};
    act.category = "theatre";
    act.tags = {str(kind)};
    act.description =
        "A new production of the " + str(kind) + ", directed by " + person(random) + ".";
  } else if (roll < 94) {  // comedy
    const std::string comedian = person(random);
    act.name = comedian + ": " + str(random.pick(comedy_titles));
    act.performers = {comedian};
    act.category = "comedy";
    act.tags = {"stand-up"};
    act.description = comedian + " is on tour with a new hour of stand-up comedy.";
  } else {  // family
    const std::string title =
        str(random.pick(band_adjectives)) + " " + str(random.pick(band_nouns));
    act.name = title + " " + str(random.pick(family_shows));
    act.performers = {title};
    act.category = "family";
    act.tags = {"kids"};
    act.description = "Fun for the whole family: " + act.name + ".";
  }
  return act;
}

std::vector<PriceLevel> price_levels(Random& random, const Act& act, sv currency) {
  std::int64_t base = 2'000 + static_cast<std::int64_t>(random.below(8'000));
  if (act.category == "sports") base += 3'000;
  if (act.category == "family") base -= 1'000;
  std::vector<PriceLevel> levels{{"std", "Standard", base, str(currency)}};
  if (random.below(2) == 0) levels.push_back({"vip", "VIP", base * 3, str(currency)});
  return levels;
}

}  // namespace

GeneratedCatalog generate_catalog(const GeneratorOptions& options, const ToUtc& to_utc) {
  Random random(options.seed);
  const std::span<const CityInfo> cities = known_cities();
  int total_weight = 0;
  for (const CityInfo& city : cities) total_weight += city.weight;

  GeneratedCatalog catalog;
  const std::size_t venue_count =
      options.venues > 0 ? options.venues : std::clamp<std::size_t>(options.events / 400, 8, 4'000);
  catalog.venues.reserve(venue_count);
  for (std::size_t v = 0; v < venue_count; ++v) {
    catalog.venues.push_back(make_venue(random, static_cast<std::int64_t>(v + 1),
                                        pick_city(random, cities, total_weight)));
  }
  // About 20 dates per act: a tour visits several venues, a team plays at home.
  std::vector<Act> acts(std::max<std::size_t>(1, options.events / 20));
  for (Act& act : acts) act = make_act(random, cities);

  catalog.events.reserve(options.events);
  for (std::size_t e = 0; e < options.events; ++e) {
    const Act& act = acts[random.below(acts.size())];
    const Venue& venue = catalog.venues[random.below(catalog.venues.size())];
    Event event;
    event.id = static_cast<std::int64_t>(e + 1);
    event.venue_id = venue.id;
    event.name = act.name;
    event.performers = act.performers;
    event.category = act.category;
    event.tags = act.tags;
    event.description = act.description + " At " + venue.name + ", " + venue.city + ".";
    const std::int64_t day =
        static_cast<std::int64_t>(random.below(static_cast<std::size_t>(options.days)));
    const LocalMillis local_today = options.start - options.start % millis_per_day;
    const bool matinee = act.category == "family" || random.below(8) == 0;
    const std::int64_t minutes =
        matinee ? 14 * 60 : 19 * 60 + 30 * static_cast<std::int64_t>(random.below(4));
    event.starts_at = to_utc(venue.timezone, local_today + day * millis_per_day + minutes * 60'000);
    const std::int64_t lead_days = 20 + static_cast<std::int64_t>(random.below(100));
    event.on_sale_at = event.starts_at - lead_days * millis_per_day;
    const auto& city = *std::find_if(cities.begin(), cities.end(),
                                     [&](const CityInfo& c) { return c.name == venue.city; });
    event.price_levels = price_levels(random, act, city.currency);
    event.pricing = {{"GA", event.price_levels.front().id}};
    event.published = true;
    catalog.events.push_back(std::move(event));
  }
  return catalog;
}

}  // namespace boxoffice
