// The command line's word on clients and limits, read into what the node is built with:
// --trusted-proxy ranges (http/client_address) and --rate-limit classes
// (services/rate_limits). Checked before anything starts, so a mistake ends `serve` at once.
#pragma once

#include <string>
#include <vector>

#include "core/errors.hpp"
#include "http/client_address.hpp"
#include "services/rate_limits.hpp"

namespace boxoffice::app {

// invalid_field naming the flag at fault and why, when one is not right.
Result<http::TrustedProxies> trusted_proxies_of(const std::vector<std::string>& ranges);
// The defaults, with each option applied in order (a later one wins).
Result<RateLimitSettings> rate_limits_of(const std::vector<std::string>& options);

// "joins 10/min:10, holds 1/s:20, ..." for the start-up log.
std::string describe(const RateLimitSettings& settings);

}  // namespace boxoffice::app
