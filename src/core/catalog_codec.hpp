// A wire and storage codec: the JSON forms of venues and events. Strict decoding of the API's
// request bodies (see json_reader.hpp), and the encodings the API answers with and the stores
// keep. Decoding then encoding is lossless, so a store can keep the encoded form and decode it
// at start. Shared by http/ (the wire) and stores/ (the stored form), hence in core/.
#pragma once

#include <boost/json.hpp>

#include "core/catalog.hpp"
#include "core/errors.hpp"

namespace boxoffice {

// A venue from the body of POST /v1/venues (its id is left 0), layout checked and indexed.
Result<Venue> decode_venue(const boost::json::value& body);
boost::json::object encode_venue(const Venue& venue);  // with its layout

// An event from the body of POST /v1/events (id 0, unpublished). Checks the fields alone;
// services check it against its venue with validate_event().
Result<Event> decode_event(const boost::json::value& body);
// The public form: details, price levels, pricing; `published` and `version` included.
boost::json::object encode_event(const Event& event);
// The event as a POST /v1/events body (no id, `published` or `version`), serialised: what the
// stores keep, and what decode_event() reads back.
std::string encode_event_body(const Event& event);

// The seat map of an event: geometry in seat-index order, with each section's and area's
// price level. Immutable for the event's life, so cacheable forever.
boost::json::object encode_seatmap(const Event& event, const Venue& venue);

}  // namespace boxoffice
