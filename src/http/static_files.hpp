// The fan's pages and the organizer console (web/ at the repository root), served by the node
// itself so that `scripts/serve.sh` is all a person needs to open them.
//
// Pages have addresses of their own, each answering one HTML file whose modules read the rest
// of the address (`/events/7` → event.html); assets live under `/app/`: `/app/css/site.css`,
// `/app/js/event.js`, and `/app/vendor/qr.mjs` (the QR encoder, from web/node_modules, see
// static_files.cpp). Nothing else of the folder is reachable: a path is never built from the
// request beyond one checked file name in an allowed folder, so no `..`, no hidden file, no
// symlink outside the tree can be named.
//
// Files are read from disk on each request (the folder is small, and an edited page shows at
// the next reload without a rebuild); answers carry a strong ETag (a hash of the bytes, 304 on
// If-None-Match) and `Cache-Control: no-cache` (names carry no fingerprint, so a browser must
// revalidate), the file's media type, and `X-Content-Type-Options: nosniff`; pages also carry a
// Content-Security-Policy allowing only this origin's scripts.
#pragma once

#include <filesystem>

#include "http/router.hpp"

namespace boxoffice::http {

// Adds the page and asset routes, reading files under `web_dir`. A missing file answers 404.
void add_web_routes(Router& router, std::filesystem::path web_dir);

}  // namespace boxoffice::http
