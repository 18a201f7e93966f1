// Presale access codes, made in bulk by the organizer and answered once as CSV
// (services/presales.hpp).
#include <boost/json.hpp>

#include "core/json_reader.hpp"
#include "http/api.hpp"
#include "http/api_errors.hpp"
#include "http/responses.hpp"
#include "services/presales.hpp"

namespace boxoffice::http {
namespace {

using s = bhttp::status;
using P = Router::Params;

struct CodesWanted {
  std::string presale;
  std::uint32_t count = 0;
  std::uint32_t uses = 1;
};

Result<CodesWanted> decode_codes_wanted(const boost::json::value& body) {
  JsonReader reader;
  CodesWanted wanted;
  {
    ObjectReader fields(reader, body, "");
    wanted.presale = fields.text("presale", 64);
    wanted.count =
        static_cast<std::uint32_t>(fields.integer("count", 1, access_codes_per_request_max));
    wanted.uses = static_cast<std::uint32_t>(
        fields.optional_integer("uses", 1, access_code_uses_max).value_or(1));
  }
  if (!reader.ok()) return reader.take_error();
  return wanted;
}

// One code a line, with what it is good for: a file to mail-merge or print.
std::string codes_csv(const std::vector<std::string>& codes, const CodesWanted& wanted) {
  std::string csv = "code,presale,uses\r\n";
  const std::string tail = "," + wanted.presale + "," + std::to_string(wanted.uses) + "\r\n";
  csv.reserve(csv.size() + codes.size() * (codes.front().size() + tail.size()));
  for (const std::string& code : codes) csv += code + tail;
  return csv;
}

asio::awaitable<Response> make_access_codes(const ApiServices& api, const Request& request,
                                            const P& p) {
  const auto view = visible_event(api.catalog, p);
  if (!view) co_return not_found("event");
  auto body = json_body(request);
  if (!body) co_return problem_of(body.error());
  auto wanted = decode_codes_wanted(*body);
  if (!wanted) co_return problem_of(wanted.error());
  auto codes =
      co_await api.presales->make_codes(*view->event, wanted->presale, wanted->count, wanted->uses);
  if (!codes) co_return problem_of(codes.error());
  Response response{s::created, 11};
  response.set(bhttp::field::content_type, "text/csv; charset=utf-8");
  response.set(bhttp::field::content_disposition,
               "attachment; filename=\"event-" + std::to_string(view->event->id) + "-codes.csv\"");
  response.body() = codes_csv(*codes, *wanted);
  response.prepare_payload();
  co_return response;
}

}  // namespace

void add_presale_routes(Router& router, std::shared_ptr<const ApiServices> api) {
  if (api->presales == nullptr) return;
  router.add(bhttp::verb::post, "/v1/events/{id}/access-codes", Access::organizer,
             [api](Request& r, const P& p) { return make_access_codes(*api, r, p); });
}

}  // namespace boxoffice::http
