#include "http/static_files.hpp"

#include <sodium.h>

#include <array>
#include <fstream>
#include <optional>
#include <string>

#include "http/problem.hpp"

namespace boxoffice::http {
namespace {

using s = bhttp::status;

constexpr std::uintmax_t file_bytes_max = 4 << 20;  // the largest asset is tens of KiB
constexpr std::size_t file_name_bytes_max = 64;

// The folders under /app/ that may be read, and the QR encoder. The QR encoder is the npm
// package `uqr` (MIT, zero dependencies, a plain ES module), installed into web/node_modules by
// scripts/install-deps.sh (`npm ci` of web/package.json) rather than committed: downloaded code
// stays out of the repository, and the lock file pins its exact version and hash.
constexpr std::array asset_folders{std::string_view("css"), std::string_view("js"),
                                   std::string_view("img")};
constexpr std::string_view qr_module_name = "qr.mjs";
constexpr std::string_view qr_module_path = "node_modules/uqr/dist/index.mjs";

// Only policy for pages: scripts and styles from this origin, data: images (none needed yet),
// connections to this origin (the API, its SSE stream); no framing.
constexpr std::string_view page_policy =
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

std::string_view media_type(const std::filesystem::path& path) {
  const std::string extension = path.extension().string();
  if (extension == ".html") return "text/html; charset=utf-8";
  if (extension == ".js" || extension == ".mjs") return "text/javascript; charset=utf-8";
  if (extension == ".css") return "text/css; charset=utf-8";
  if (extension == ".svg") return "image/svg+xml";
  if (extension == ".png") return "image/png";
  if (extension == ".json") return "application/json";
  return "application/octet-stream";
}

// A plain file name: letters, digits, '-', '_' and '.', not starting with '.'; so never "..",
// a hidden file, or a separator (segments arrive percent-decoded: "%2e%2e" is "..").
bool is_plain_name(std::string_view name) {
  if (name.empty() || name.size() > file_name_bytes_max || name.front() == '.') return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

std::optional<std::string> read_file(const std::filesystem::path& path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) return std::nullopt;
  const std::uintmax_t size = std::filesystem::file_size(path, error);
  if (error || size > file_bytes_max) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  std::string bytes(static_cast<std::size_t>(size), '\0');
  if (!in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()))) return std::nullopt;
  return bytes;
}

// A strong validator: 128 bits of BLAKE2b over the bytes, quoted.
std::string etag_of(std::string_view bytes) {
  unsigned char hash[16];
  crypto_generichash(hash, sizeof hash, reinterpret_cast<const unsigned char*>(bytes.data()),
                     bytes.size(), nullptr, 0);
  static constexpr char digits[] = "0123456789abcdef";
  std::string etag = "\"";
  for (const unsigned char byte : hash) {
    etag += digits[byte >> 4];
    etag += digits[byte & 0xf];
  }
  return etag + "\"";
}

Response file_response(const Request& request, const std::filesystem::path& path, bool page) {
  auto bytes = read_file(path);
  if (!bytes) {
    return problem(s::not_found, "not-found", "Not found",
                   "no such file: " + path.filename().string());
  }
  const std::string etag = etag_of(*bytes);
  const auto match = request[bhttp::field::if_none_match];
  Response response{s::ok, 11};
  if (!match.empty() && (match == "*" || match.find(etag) != match.npos)) {
    response.result(s::not_modified);
  } else {
    response.body() = std::move(*bytes);
  }
  response.set(bhttp::field::content_type, media_type(path));
  response.set(bhttp::field::etag, etag);
  response.set(bhttp::field::cache_control, "no-cache");
  response.set("X-Content-Type-Options", "nosniff");
  if (page) {
    response.set("Content-Security-Policy", page_policy);
    response.set("Referrer-Policy", "same-origin");
  }
  return response;
}

Response asset(const Request& request, const std::filesystem::path& web_dir,
               std::string_view folder, std::string_view name) {
  if (folder == "vendor" && name == qr_module_name) {
    return file_response(request, web_dir / qr_module_path, false);
  }
  bool allowed = false;
  for (const std::string_view known : asset_folders) allowed = allowed || known == folder;
  if (!allowed || !is_plain_name(name)) {
    return problem(s::not_found, "not-found", "Not found", "no such file");
  }
  return file_response(request, web_dir / folder / name, false);
}

}  // namespace

void add_web_routes(Router& router, std::filesystem::path web_dir) {
  using P = Router::Params;
  auto page = [web_dir](std::string_view file) {
    return [path = web_dir / file](Request& request, const P&) -> asio::awaitable<Response> {
      co_return file_response(request, path, true);
    };
  };
  router.add(bhttp::verb::get, "/", page("index.html"));
  router.add(bhttp::verb::get, "/events/{id}", page("event.html"));
  router.add(bhttp::verb::get, "/checkout/{hold_id}", page("checkout.html"));
  router.add(bhttp::verb::get, "/orders/{order_id}", page("order.html"));
  router.add(bhttp::verb::get, "/organizer", page("organizer.html"));
  router.add(bhttp::verb::get, "/organizer/events/{id}", page("sales.html"));
  // Browsers ask for /favicon.ico whatever a page names: the same icon, rather than a 404.
  router.add(bhttp::verb::get, "/favicon.ico",
             [icon = web_dir / "img" / "icon.svg"](Request& request, const P&)
                 -> asio::awaitable<Response> { co_return file_response(request, icon, false); });
  router.add(bhttp::verb::get, "/app/{folder}/{name}",
             [web_dir](Request& request, const P& params) -> asio::awaitable<Response> {
               co_return asset(request, web_dir, params.get("folder"), params.get("name"));
             });
}

}  // namespace boxoffice::http
