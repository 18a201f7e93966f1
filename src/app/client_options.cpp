#include "app/client_options.hpp"

#include <spdlog/fmt/fmt.h>

namespace boxoffice::app {

Result<http::TrustedProxies> trusted_proxies_of(const std::vector<std::string>& ranges) {
  if (ranges.size() > http::trusted_proxies_max) {
    return field_error("trusted_proxy", "at most 64 ranges");
  }
  std::vector<http::Cidr> parsed;
  for (const std::string& range : ranges) {
    auto cidr = http::parse_cidr(range);
    if (!cidr) return std::move(cidr).error();
    parsed.push_back(*cidr);
  }
  return http::TrustedProxies(std::move(parsed));
}

Result<RateLimitSettings> rate_limits_of(const std::vector<std::string>& options) {
  RateLimitSettings settings;
  for (const std::string& option : options) {
    if (Status applied = apply_rate_limit_option(option, settings); !applied) {
      return std::move(applied).error();
    }
  }
  return settings;
}

std::string describe(const RateLimitSettings& settings) {
  std::string out;
  for (std::size_t i = 0; i < rate_classes; ++i) {
    if (!out.empty()) out += ", ";
    out += name_of(static_cast<RateClass>(i));
    const auto& limit = settings.limits[i];
    if (!limit) {
      out += " off";
      continue;
    }
    out += fmt::format(" {:.6g}/s:{}", 1e6 / static_cast<double>(limit->interval_us), limit->burst);
  }
  return out;
}

}  // namespace boxoffice::app
