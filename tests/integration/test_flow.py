"""The whole flow of a purchase, as the README shows it: find an event, look at its seat map
and availability, hold seats, check out with a test card, read the order."""

import base64
import gzip
import os
import subprocess
import tempfile
import unittest

from harness import BINARY, ServerTest, event_for, grid_venue

CARD_OK = "4242424242424242"
CARD_DECLINED = "4000000000000002"


def checkout_body(card=CARD_OK):
    return {"payment": {"card_number": card},
            "customer": {"email": "fan@example.com", "name": "Fan One"}}


def bit(bitmap_b64, index):
    data = base64.b64decode(bitmap_b64)
    return (data[index // 8] >> (index % 8)) & 1


class FlowTest(ServerTest):
    def test_health(self):
        self.assertEqual(self.server.request("GET", "/healthz").status, 200)
        self.assertEqual(self.server.request("GET", "/readyz").status, 200)

    def test_venues_are_listed_without_their_seats(self):
        s = self.server
        small = grid_venue(sections=1, rows=2, seats_per_row=5)
        large = grid_venue(sections=2, rows=4, seats_per_row=10, ga_capacity=100)
        small_id = s.create_venue(small)
        large_id = s.create_venue(large)
        listing = s.request("GET", "/v1/venues")  # public, as each venue is
        self.assertEqual(listing.status, 200, listing)
        venues = [v for v in listing.json["venues"] if v["id"] in (small_id, large_id)]
        self.assertEqual([v["id"] for v in venues], [small_id, large_id])  # by id
        self.assertEqual([v["seat_count"] for v in venues], [10, 80])
        self.assertEqual([v["sections"] for v in venues], [1, 2])
        self.assertEqual(venues[1]["ga_areas"][0]["capacity"], 100)
        self.assertNotIn("layout", venues[0])
        ids = [v["id"] for v in listing.json["venues"]]
        self.assertEqual(ids, sorted(ids))

    def test_answers_given_because_of_the_admin_key_are_private(self):
        s = self.server
        venue = grid_venue(sections=1, rows=2, seats_per_row=5)
        event_id = s.create_event(event_for(s.create_venue(venue), venue), publish=False)
        hidden = s.request("GET", f"/v1/events/{event_id}")
        self.assertEqual(hidden.status, 404, hidden)
        organizer = s.request("GET", f"/v1/events/{event_id}", admin=True)
        self.assertEqual(organizer.status, 200, organizer)
        self.assertEqual(organizer.headers["cache-control"], "private, no-store")
        self.assertIn("Authorization", organizer.headers["vary"])
        orders = s.request("GET", f"/v1/events/{event_id}/orders", admin=True)
        self.assertEqual(orders.headers["cache-control"], "private, no-store")
        self.assertEqual(s.request("POST", f"/v1/events/{event_id}/publish", admin=True).status,
                         200)
        public = s.request("GET", f"/v1/events/{event_id}")
        self.assertEqual(public.status, 200, public)
        self.assertEqual(public.headers["cache-control"], "public, max-age=5")

    def test_large_answers_are_gzipped_for_a_client_that_asks(self):
        s = self.server
        venue = grid_venue(rows=20, seats_per_row=30)
        event_id = s.create_event(event_for(s.create_venue(venue), venue))
        plain = s.request("GET", f"/v1/events/{event_id}/seatmap")
        self.assertNotIn("content-encoding", plain.headers)
        self.assertEqual(plain.headers["vary"], "Accept-Encoding")

        def get(path, headers):
            conn = s.connect()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            conn.close()
            return response, body

        zipped, body = get(f"/v1/events/{event_id}/seatmap", {"Accept-Encoding": "gzip, br"})
        self.assertEqual(zipped.status, 200)
        self.assertEqual(zipped.getheader("Content-Encoding"), "gzip")
        self.assertEqual(gzip.decompress(body).decode(), plain.body)
        self.assertLess(len(body), len(plain.body) / 4)
        self.assertEqual(zipped.getheader("ETag"), "W/" + plain.headers["etag"])
        # Either validator revalidates.
        for etag in (zipped.getheader("ETag"), plain.headers["etag"]):
            again, _ = get(f"/v1/events/{event_id}/seatmap",
                           {"Accept-Encoding": "gzip", "If-None-Match": etag})
            self.assertEqual(again.status, 304, etag)
        # The pages' scripts too; a small answer stays plain.
        script, body = get("/app/js/seatmap.js", {"Accept-Encoding": "gzip"})
        self.assertEqual(script.getheader("Content-Encoding"), "gzip")
        self.assertIn(b"function", gzip.decompress(body))
        small, body = get("/healthz", {"Accept-Encoding": "gzip"})
        self.assertIsNone(small.getheader("Content-Encoding"))
        self.assertEqual(small.status, 200)

    def test_the_access_log_keeps_no_hold_id_or_token(self):
        s = self.server
        venue = grid_venue(sections=1, rows=2, seats_per_row=5)
        event_id = s.create_event(event_for(s.create_venue(venue), venue))
        held = s.request("POST", f"/v1/events/{event_id}/holds", {"seats": ["S1-R1-1"]})
        self.assertEqual(held.status, 201, held)
        hold_id = held.json["hold_id"]
        self.assertEqual(s.request("GET", f"/v1/holds/{hold_id}").status, 200)
        s.request("GET", f"/v1/events/{event_id}/queue/status?token=sekrit-token&x=1")
        with open(os.path.join(s.data_dir, "server.log"), encoding="utf-8") as f:
            log = f.read()
        self.assertIn('"target":"/v1/holds/{id}"', log)
        self.assertIn('queue/status?token=-&x=1"', log)
        self.assertNotIn(hold_id, log)
        self.assertNotIn("sekrit", log)

    def test_whole_flow(self):
        s = self.server
        venue = grid_venue(sections=2, rows=4, seats_per_row=10, ga_capacity=100)
        venue_id = s.create_venue(venue)
        event_id = s.create_event(event_for(venue_id, venue, name="Flow Fest"))

        # Find it.
        listing = s.request("GET", "/v1/events")
        self.assertEqual(listing.status, 200)
        self.assertIn(event_id, [e["id"] for e in listing.json["events"]])

        # Details with an ETag, and 304 when unchanged.
        details = s.request("GET", f"/v1/events/{event_id}")
        self.assertEqual(details.status, 200)
        self.assertEqual(details.json["name"], "Flow Fest")
        self.assertEqual(details.json["venue"]["city"], "Los Angeles")
        etag = details.headers["etag"]
        again = s.request("GET", f"/v1/events/{event_id}", headers={"If-None-Match": etag})
        self.assertEqual(again.status, 304)
        self.assertEqual(again.body, "")

        # Seat map geometry and price levels.
        seatmap = s.request("GET", f"/v1/events/{event_id}/seatmap")
        self.assertEqual(seatmap.status, 200)
        self.assertEqual(seatmap.headers["cache-control"], "public, no-cache")
        unchanged = s.request("GET", f"/v1/events/{event_id}/seatmap",
                              headers={"If-None-Match": seatmap.headers["etag"]})
        self.assertEqual(unchanged.status, 304)
        first_section = seatmap.json["sections"][0]
        self.assertEqual(first_section["price_level"], "std")
        self.assertEqual(first_section["rows"][0]["seats"][0]["id"], "S1-R1-1")
        self.assertEqual(seatmap.json["seat_count"], 80)

        # Everything available.
        availability = s.request("GET", f"/v1/events/{event_id}/availability")
        self.assertEqual(availability.status, 200)
        self.assertEqual(availability.json["available"], 80)
        seq_before = availability.json["seq"]

        # Hold two seats.
        hold = s.request("POST", f"/v1/events/{event_id}/holds", {"seats": ["S1-R1-1", "S1-R1-2"]})
        self.assertEqual(hold.status, 201, hold)
        self.assertEqual(hold.json["seats"], ["S1-R1-1", "S1-R1-2"])
        self.assertEqual(hold.json["total_cents"], 10000)
        self.assertEqual(hold.json["currency"], "USD")
        self.assertEqual(len(hold.json["hold_id"]), 32)
        self.assertGreater(hold.json["seq"], seq_before)
        hold_id = hold.json["hold_id"]

        # Availability shows them held, whole and per seat.
        availability = s.request("GET", f"/v1/events/{event_id}/availability")
        self.assertEqual(availability.json["held"], 2)
        self.assertEqual(bit(availability.json["held_bitmap"], 0), 1)
        self.assertEqual(bit(availability.json["held_bitmap"], 2), 0)
        some = s.request("GET", f"/v1/events/{event_id}/availability?seats=S1-R1-1,S1-R1-3")
        self.assertEqual(some.json["seats"], {"S1-R1-1": "held", "S1-R1-3": "available"})

        # Someone else can't have them.
        taken = s.request("POST", f"/v1/events/{event_id}/holds", {"seats": ["S1-R1-2", "S1-R1-3"]})
        self.assertProblem(taken, 409, "seats-unavailable")
        self.assertEqual(taken.json["unavailable"], ["S1-R1-2"])
        self.assertEqual(s.request("GET", f"/v1/events/{event_id}/availability?seats=S1-R1-3")
                         .json["seats"]["S1-R1-3"], "available")

        # The hold can be read.
        read = s.request("GET", f"/v1/holds/{hold_id}")
        self.assertEqual(read.status, 200)
        self.assertEqual(read.json["status"], "held")

        # A declined card keeps the hold.
        declined = s.request("POST", f"/v1/holds/{hold_id}/checkout", checkout_body(CARD_DECLINED),
                             headers={"Idempotency-Key": "try-1"})
        self.assertProblem(declined, 402, "payment-declined")
        self.assertEqual(s.request("GET", f"/v1/holds/{hold_id}").status, 200)

        # Check out.
        order = s.request("POST", f"/v1/holds/{hold_id}/checkout", checkout_body(),
                          headers={"Idempotency-Key": "try-2"})
        self.assertEqual(order.status, 201, order)
        self.assertEqual(order.json["status"], "confirmed")
        self.assertEqual(order.json["seats"], ["S1-R1-1", "S1-R1-2"])
        self.assertEqual(order.json["payment"]["status"], "captured")
        self.assertEqual([t["seat"] for t in order.json["tickets"]], ["S1-R1-1", "S1-R1-2"])
        order_id = order.json["order_id"]

        # The same request again: the same order, no second charge.
        retry = s.request("POST", f"/v1/holds/{hold_id}/checkout", checkout_body(),
                          headers={"Idempotency-Key": "try-2"})
        self.assertEqual(retry.status, 201)
        self.assertEqual(retry.json["order_id"], order_id)
        # The same key with another body is refused.
        other = checkout_body()
        other["customer"]["name"] = "Someone Else"
        mismatch = s.request("POST", f"/v1/holds/{hold_id}/checkout", other,
                             headers={"Idempotency-Key": "try-2"})
        self.assertProblem(mismatch, 422, "idempotency-key-reused")

        # Seats are sold; the hold is gone.
        some = s.request("GET", f"/v1/events/{event_id}/availability?seats=S1-R1-1,S1-R1-2")
        self.assertEqual(some.json["seats"], {"S1-R1-1": "sold", "S1-R1-2": "sold"})
        ended = s.request("GET", f"/v1/holds/{hold_id}")
        self.assertProblem(ended, 410, "hold-gone")
        self.assertEqual(ended.json["reason"], "checked_out")

        # The order, read back, with tickets that verify offline.
        read = s.request("GET", f"/v1/orders/{order_id}")
        self.assertEqual(read.status, 200)
        self.assertEqual(read.json["tickets"], order.json["tickets"])
        code = read.json["tickets"][0]["code"]
        check = subprocess.run([BINARY, "check-ticket", code, "--data-dir", s.data_dir],
                               capture_output=True, text=True)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
        self.assertIn("S1-R1-1", check.stdout)
        forged = code[:-2] + ("AA" if not code.endswith("AA") else "BB")
        check = subprocess.run([BINARY, "check-ticket", forged, "--data-dir", s.data_dir],
                               capture_output=True, text=True)
        self.assertEqual(check.returncode, 1)
        self.assertIn("INVALID", check.stdout)
        # Against a data dir with no secret: an error, not a verdict (and no secret is made).
        empty = tempfile.mkdtemp()
        check = subprocess.run([BINARY, "check-ticket", code, "--data-dir", empty],
                               capture_output=True, text=True)
        self.assertEqual(check.returncode, 1)
        self.assertNotIn("VALID", check.stdout)
        self.assertFalse(os.path.exists(os.path.join(empty, "ticket-secret")))

        # The organizer's reconciliation list.
        orders = s.request("GET", f"/v1/events/{event_id}/orders", admin=True)
        self.assertEqual(orders.status, 200)
        self.assertEqual([o["order_id"] for o in orders.json["orders"]], [order_id])

    def test_best_available_and_release(self):
        s = self.server
        venue = grid_venue(rows=3, seats_per_row=6)
        event_id = self.make_event(venue)
        hold = s.request("POST", f"/v1/events/{event_id}/holds", {"best_available": {"count": 4}})
        self.assertEqual(hold.status, 201, hold)
        seats = hold.json["seats"]
        self.assertEqual(len(seats), 4)
        rows = {seat.split("-")[1] for seat in seats}
        self.assertEqual(rows, {"R1"})  # the row nearest the stage
        numbers = sorted(int(seat.split("-")[2]) for seat in seats)
        self.assertEqual(numbers, list(range(numbers[0], numbers[0] + 4)))
        # Six seats, four taken: the two left must not be split 1 + 1.
        self.assertIn(numbers[0], (1, 3))
        release = s.request("DELETE", f"/v1/holds/{hold.json['hold_id']}")
        self.assertEqual(release.status, 204)
        ended = s.request("GET", f"/v1/holds/{hold.json['hold_id']}")
        self.assertProblem(ended, 410, "hold-gone")
        self.assertEqual(ended.json["reason"], "released")
        self.assertProblem(s.request("DELETE", f"/v1/holds/{hold.json['hold_id']}"), 410)
        availability = s.request("GET", f"/v1/events/{event_id}/availability")
        self.assertEqual(availability.json["available"], 18)

    def test_general_admission(self):
        s = self.server
        venue = grid_venue(rows=1, seats_per_row=2, ga_capacity=5)
        event_id = self.make_event(venue)
        hold = s.request("POST", f"/v1/events/{event_id}/holds", {"ga": {"area": "FLOOR", "quantity": 3}})
        self.assertEqual(hold.status, 201, hold)
        self.assertEqual(hold.json["ga"], {"area": "FLOOR", "quantity": 3})
        self.assertEqual(hold.json["total_cents"], 15000)
        too_many = s.request("POST", f"/v1/events/{event_id}/holds", {"ga": {"area": "FLOOR", "quantity": 3}})
        self.assertProblem(too_many, 409, "not-enough-seats")
        self.assertEqual(too_many.json["available"], 2)
        order = s.request("POST", f"/v1/holds/{hold.json['hold_id']}/checkout", checkout_body(),
                          headers={"Idempotency-Key": "ga-1"})
        self.assertEqual(order.status, 201, order)
        self.assertEqual(len(order.json["tickets"]), 3)
        self.assertEqual(len({t["code"] for t in order.json["tickets"]}), 3)
        area = s.request("GET", f"/v1/events/{event_id}/availability").json["ga_areas"][0]
        self.assertEqual((area["sold"], area["held"], area["available"]), (3, 0, 2))

    def test_hold_expires(self):
        s = self.server
        event_id = self.make_event(hold_seconds=1)
        hold = s.request("POST", f"/v1/events/{event_id}/holds", {"seats": ["S1-R1-1"]})
        self.assertEqual(hold.status, 201)
        import time
        time.sleep(1.5)
        # The sweeper (or lazy expiry) has given the seat back.
        some = s.request("GET", f"/v1/events/{event_id}/availability?seats=S1-R1-1")
        self.assertEqual(some.json["seats"]["S1-R1-1"], "available")
        gone = s.request("POST", f"/v1/holds/{hold.json['hold_id']}/checkout", checkout_body(),
                         headers={"Idempotency-Key": "late"})
        self.assertProblem(gone, 410, "hold-gone")
        self.assertEqual(gone.json["reason"], "expired")
        again = s.request("POST", f"/v1/events/{event_id}/holds", {"seats": ["S1-R1-1"]})
        self.assertEqual(again.status, 201)


if __name__ == "__main__":
    unittest.main()
