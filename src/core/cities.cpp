#include "core/cities.hpp"

#include <array>

namespace boxoffice {
namespace {

using sv = std::string_view;

constexpr std::array<sv, 4> la{"la", "l a", "lax", "hollywood"};
constexpr std::array<sv, 5> nyc{"nyc", "ny", "new york city", "manhattan", "brooklyn"};
constexpr std::array<sv, 4> sf{"sf", "san fran", "frisco", "sfo"};
constexpr std::array<sv, 2> bay{"bay area", "the bay area"};
constexpr std::array<sv, 2> chi{"chi", "chi town"};
constexpr std::array<sv, 2> dc{"dc", "washington dc"};
constexpr std::array<sv, 2> vegas{"vegas", "lv"};
constexpr std::array<sv, 2> philly{"philly", "phl"};
constexpr std::array<sv, 1> atl{"atl"};
constexpr std::array<sv, 1> nola{"nola"};
constexpr std::array<sv, 2> london{"ldn", "londres"};
constexpr std::array<sv, 1> paris{"paname"};
constexpr std::array<sv, 2> munich{"munchen", "muenchen"};
constexpr std::array<sv, 1> cologne{"koln"};
constexpr std::array<sv, 1> vienna{"wien"};
constexpr std::array<sv, 1> prague{"praha"};
constexpr std::array<sv, 1> rome{"roma"};
constexpr std::array<sv, 1> milan{"milano"};
constexpr std::array<sv, 1> lisbon{"lisboa"};
constexpr std::array<sv, 1> copenhagen{"kobenhavn"};
constexpr std::array<sv, 1> mexico{"cdmx"};
constexpr std::array<sv, 1> toronto{"the six"};
constexpr std::array<sv, 1> boston{"bos"};
constexpr std::array<sv, 1> dallas{"dfw"};
constexpr std::array<sv, 1> minneapolis{"twin cities"};
constexpr std::array<sv, 1> sao_paulo{"sampa"};

// Name, country, zone, currency, lat, lon, radius, aliases, weight.
const std::array cities = {
    CityInfo{"New York", "US", "America/New_York", "USD", 40.7128, -74.0060, 40, nyc, 10},
    CityInfo{"Los Angeles", "US", "America/Los_Angeles", "USD", 34.0522, -118.2437, 60, la, 9},
    CityInfo{"London", "GB", "Europe/London", "GBP", 51.5074, -0.1278, 40, london, 9},
    CityInfo{"Chicago", "US", "America/Chicago", "USD", 41.8781, -87.6298, 40, chi, 7},
    CityInfo{"Paris", "FR", "Europe/Paris", "EUR", 48.8566, 2.3522, 30, paris, 7},
    CityInfo{"Berlin", "DE", "Europe/Berlin", "EUR", 52.5200, 13.4050, 30, {}, 6},
    CityInfo{"San Francisco", "US", "America/Los_Angeles", "USD", 37.7749, -122.4194, 25, sf, 6},
    // The region, not a city: its venues are in San Jose, Oakland and San Francisco.
    CityInfo{"Bay Area", "US", "America/Los_Angeles", "USD", 37.6000, -122.1500, 80, bay, 0},
    CityInfo{"Toronto", "CA", "America/Toronto", "CAD", 43.6532, -79.3832, 40, toronto, 5},
    CityInfo{"Houston", "US", "America/Chicago", "USD", 29.7604, -95.3698, 50, {}, 5},
    CityInfo{"Washington", "US", "America/New_York", "USD", 38.9072, -77.0369, 35, dc, 5},
    CityInfo{"Boston", "US", "America/New_York", "USD", 42.3601, -71.0589, 35, boston, 5},
    CityInfo{"Las Vegas", "US", "America/Los_Angeles", "USD", 36.1699, -115.1398, 30, vegas, 5},
    CityInfo{"Atlanta", "US", "America/New_York", "USD", 33.7490, -84.3880, 40, atl, 5},
    CityInfo{"Dallas", "US", "America/Chicago", "USD", 32.7767, -96.7970, 50, dallas, 5},
    CityInfo{"Miami", "US", "America/New_York", "USD", 25.7617, -80.1918, 40, {}, 5},
    CityInfo{"Seattle", "US", "America/Los_Angeles", "USD", 47.6062, -122.3321, 35, {}, 4},
    CityInfo{"Philadelphia", "US", "America/New_York", "USD", 39.9526, -75.1652, 35, philly, 4},
    CityInfo{"Nashville", "US", "America/Chicago", "USD", 36.1627, -86.7816, 30, {}, 4},
    CityInfo{"Austin", "US", "America/Chicago", "USD", 30.2672, -97.7431, 30, {}, 4},
    CityInfo{"Denver", "US", "America/Denver", "USD", 39.7392, -104.9903, 35, {}, 4},
    CityInfo{"Phoenix", "US", "America/Phoenix", "USD", 33.4484, -112.0740, 40, {}, 3},
    CityInfo{"New Orleans", "US", "America/Chicago", "USD", 29.9511, -90.0715, 25, nola, 3},
    CityInfo{"Minneapolis", "US", "America/Chicago", "USD", 44.9778, -93.2650, 30, minneapolis, 3},
    CityInfo{"San Jose", "US", "America/Los_Angeles", "USD", 37.3382, -121.8863, 25, {}, 2},
    CityInfo{"Oakland", "US", "America/Los_Angeles", "USD", 37.8044, -122.2712, 15, {}, 2},
    CityInfo{"San Diego", "US", "America/Los_Angeles", "USD", 32.7157, -117.1611, 35, {}, 3},
    CityInfo{"Montreal", "CA", "America/Toronto", "CAD", 45.5017, -73.5673, 30, {}, 3},
    CityInfo{"Vancouver", "CA", "America/Vancouver", "CAD", 49.2827, -123.1207, 30, {}, 3},
    CityInfo{"Mexico City", "MX", "America/Mexico_City", "MXN", 19.4326, -99.1332, 40, mexico, 4},
    CityInfo{"Sao Paulo", "BR", "America/Sao_Paulo", "BRL", -23.5505, -46.6333, 40, sao_paulo, 4},
    CityInfo{"Buenos Aires",
             "AR",
             "America/Argentina/Buenos_Aires",
             "ARS",
             -34.6037,
             -58.3816,
             40,
             {},
             3},
    CityInfo{"Manchester", "GB", "Europe/London", "GBP", 53.4808, -2.2426, 25, {}, 3},
    CityInfo{"Glasgow", "GB", "Europe/London", "GBP", 55.8642, -4.2518, 25, {}, 2},
    CityInfo{"Dublin", "IE", "Europe/Dublin", "EUR", 53.3498, -6.2603, 25, {}, 3},
    CityInfo{"Amsterdam", "NL", "Europe/Amsterdam", "EUR", 52.3676, 4.9041, 25, {}, 4},
    CityInfo{"Munich", "DE", "Europe/Berlin", "EUR", 48.1351, 11.5820, 30, munich, 3},
    CityInfo{"Hamburg", "DE", "Europe/Berlin", "EUR", 53.5511, 9.9937, 30, {}, 3},
    CityInfo{"Cologne", "DE", "Europe/Berlin", "EUR", 50.9375, 6.9603, 25, cologne, 2},
    CityInfo{"Vienna", "AT", "Europe/Vienna", "EUR", 48.2082, 16.3738, 25, vienna, 3},
    CityInfo{"Prague", "CZ", "Europe/Prague", "CZK", 50.0755, 14.4378, 25, prague, 2},
    CityInfo{"Madrid", "ES", "Europe/Madrid", "EUR", 40.4168, -3.7038, 30, {}, 4},
    CityInfo{"Barcelona", "ES", "Europe/Madrid", "EUR", 41.3851, 2.1734, 25, {}, 4},
    CityInfo{"Lisbon", "PT", "Europe/Lisbon", "EUR", 38.7223, -9.1393, 25, lisbon, 3},
    CityInfo{"Rome", "IT", "Europe/Rome", "EUR", 41.9028, 12.4964, 30, rome, 3},
    CityInfo{"Milan", "IT", "Europe/Rome", "EUR", 45.4642, 9.1900, 25, milan, 3},
    CityInfo{"Stockholm", "SE", "Europe/Stockholm", "SEK", 59.3293, 18.0686, 25, {}, 2},
    CityInfo{"Copenhagen", "DK", "Europe/Copenhagen", "DKK", 55.6761, 12.5683, 25, copenhagen, 2},
    CityInfo{"Tokyo", "JP", "Asia/Tokyo", "JPY", 35.6762, 139.6503, 40, {}, 6},
    CityInfo{"Seoul", "KR", "Asia/Seoul", "KRW", 37.5665, 126.9780, 35, {}, 4},
    CityInfo{"Singapore", "SG", "Asia/Singapore", "SGD", 1.3521, 103.8198, 25, {}, 3},
    CityInfo{"Sydney", "AU", "Australia/Sydney", "AUD", -33.8688, 151.2093, 40, {}, 4},
    CityInfo{"Melbourne", "AU", "Australia/Melbourne", "AUD", -37.8136, 144.9631, 40, {}, 4},
    CityInfo{"Auckland", "NZ", "Pacific/Auckland", "NZD", -36.8485, 174.7633, 30, {}, 2},
};

}  // namespace

std::span<const CityInfo> known_cities() { return cities; }

}  // namespace boxoffice
