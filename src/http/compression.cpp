#include "http/compression.hpp"

#include <zlib.h>

#include <boost/beast/core/string.hpp>
#include <charconv>
#include <optional>
#include <stdexcept>

#include "http/field_text.hpp"
#include "http/responses.hpp"

namespace boxoffice::http {
namespace {

constexpr int kept_level = 6;  // zlib's default: most of level 9's gain at a fraction of its time
constexpr int passing_level = 1;

// The q of one coding's parameters ("q=0.5"), 1 when it has none; 0 when it can't be read.
double quality_of(std::string_view parameters) {
  while (!parameters.empty()) {
    const std::size_t semicolon = parameters.find(';');
    const std::string_view parameter = trimmed(parameters.substr(0, semicolon));
    parameters =
        semicolon == std::string_view::npos ? std::string_view() : parameters.substr(semicolon + 1);
    if (parameter.size() < 2 || !beast::iequals(parameter.substr(0, 2), "q=")) continue;
    const std::string_view number = parameter.substr(2);
    double q = 0;
    const auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), q);
    return error == std::errc() && end == number.data() + number.size() ? q : 0;
  }
  return 1;
}

bool compressible(std::string_view content_type) {
  const std::string_view type = trimmed(content_type.substr(0, content_type.find(';')));
  return type.starts_with("text/") || type == "application/json" ||
         type == "application/problem+json" || type == "application/javascript" ||
         type == "application/manifest+json" || type == "image/svg+xml";
}

}  // namespace

bool accepts_gzip(std::string_view accept_encoding) {
  std::optional<double> gzip_q;
  std::optional<double> any_q;
  while (!accept_encoding.empty()) {
    const std::size_t comma = accept_encoding.find(',');
    const std::string_view item = accept_encoding.substr(0, comma);
    accept_encoding =
        comma == std::string_view::npos ? std::string_view() : accept_encoding.substr(comma + 1);
    const std::size_t semicolon = item.find(';');
    const std::string_view coding = trimmed(item.substr(0, semicolon));
    const double q =
        semicolon == std::string_view::npos ? 1 : quality_of(item.substr(semicolon + 1));
    if (beast::iequals(coding, "gzip") || beast::iequals(coding, "x-gzip")) gzip_q = q;
    if (coding == "*") any_q = q;
  }
  if (gzip_q) return *gzip_q > 0;
  return any_q && *any_q > 0;
}

std::string gzip(std::string_view text, int level) {
  z_stream stream{};
  // 15 + 16: the largest window, written with gzip's header and trailer rather than zlib's.
  if (deflateInit2(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("gzip: deflateInit2 failed");
  }
  std::string out(deflateBound(&stream, static_cast<uLong>(text.size())) + 32, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  stream.avail_in = static_cast<uInt>(text.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int result = deflate(&stream, Z_FINISH);  // the bound fits it all in one call
  out.resize(stream.total_out);
  deflateEnd(&stream);
  if (result != Z_STREAM_END) throw std::runtime_error("gzip: deflate did not finish");
  return out;
}

void Compression::apply(const Request& request, Response& response) {
  if (response.body().stream || !compressible(response[bhttp::field::content_type])) return;
  add_vary(response, "Accept-Encoding");
  const std::string& text = response.body();
  if (text.size() < compressed_bytes_min ||
      response.find(bhttp::field::content_encoding) != response.end() ||
      !accepts_gzip(request[bhttp::field::accept_encoding])) {
    return;
  }
  const std::string etag(response[bhttp::field::etag]);
  if (!etag.empty() && !etag.starts_with("W/")) {
    const auto kept = compressed_once(request, etag, text);
    response.body() = std::string(*kept);
    response.set(bhttp::field::etag, "W/" + etag);
  } else {
    response.body() = gzip(text, passing_level);
  }
  response.set(bhttp::field::content_encoding, "gzip");
}

std::shared_ptr<const std::string> Compression::compressed_once(const Request& request,
                                                                std::string_view etag,
                                                                const std::string& text) {
  std::string key(request.target());
  key += '\n';
  key += etag;
  {
    std::lock_guard lock(mutex_);
    if (const auto it = kept_.find(key); it != kept_.end()) return it->second;
  }
  // Compressed outside the lock: a seat map takes milliseconds, and other answers go on.
  auto compressed = std::make_shared<const std::string>(gzip(text, kept_level));
  std::lock_guard lock(mutex_);
  if (kept_bytes_ + compressed->size() > compressed_cache_bytes_max) {
    kept_.clear();  // old versions go with the rest; what is asked for again comes back
    kept_bytes_ = 0;
  }
  if (kept_.emplace(std::move(key), compressed).second) kept_bytes_ += compressed->size();
  return compressed;
}

}  // namespace boxoffice::http
