// The one place where business outcomes become HTTP statuses (STYLE.md: each Errc maps to
// one status, here and nowhere else).
#pragma once

#include "core/errors.hpp"
#include "http/server.hpp"

namespace boxoffice::http {

bhttp::status status_of(Errc code);
// An application/problem+json answer for a business error.
Response problem_of(const Error& error);

}  // namespace boxoffice::http
