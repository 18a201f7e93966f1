// The one place where business outcomes become HTTP statuses (STYLE.md: each Errc maps to
// one status, here and nowhere else).
#pragma once

#include "core/errors.hpp"
#include "http/server.hpp"

namespace boxoffice::http {

// An internal error's detail travels from problem_of to the router in this field, which the
// router logs with the request id and removes: it is never sent.
inline constexpr std::string_view internal_error_detail_field = "X-Boxoffice-Internal-Detail";

bhttp::status status_of(Errc code);
// An application/problem+json answer for a business error.
Response problem_of(const Error& error);

}  // namespace boxoffice::http
