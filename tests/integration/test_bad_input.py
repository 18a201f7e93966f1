"""Bad input gets a clear problem+json answer and changes nothing."""

import socket
import time
import unittest

from harness import ADMIN_KEY, ServerTest, event_for, grid_venue, iso


class BadInputTest(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.venue = grid_venue(rows=2, seats_per_row=10)
        cls.venue_id = cls.server.create_venue(cls.venue)
        cls.event_id = cls.server.create_event(event_for(cls.venue_id, cls.venue, max_per_order=4))

    def holds_path(self):
        return f"/v1/events/{self.event_id}/holds"

    def assert_nothing_held(self):
        availability = self.server.request("GET", f"/v1/events/{self.event_id}/availability")
        self.assertEqual(availability.json["held"], 0, availability)
        self.assertEqual(availability.json["sold"], 0)

    def test_malformed_json(self):
        response = self.server.request("POST", self.holds_path(), raw=b'{"seats": [',
                                       headers={"Content-Type": "application/json"})
        self.assertProblem(response, 400, "malformed-json")
        self.assert_nothing_held()

    def test_duplicate_key_rejected(self):
        # Boost.JSON alone would keep the last "seats" and hold S1-R1-2.
        response = self.server.request("POST", self.holds_path(),
                                       raw=b'{"seats": ["S1-R1-1"], "seats": ["S1-R1-2"]}',
                                       headers={"Content-Type": "application/json"})
        self.assertProblem(response, 400, "invalid-field")
        self.assertEqual(response.json["field"], "seats")
        self.assert_nothing_held()

    def test_unknown_fields_rejected(self):
        response = self.server.request("POST", self.holds_path(),
                                       {"seats": ["S1-R1-1"], "seat_count": 2})
        self.assertProblem(response, 400, "invalid-field")
        self.assertEqual(response.json["field"], "seat_count")
        self.assert_nothing_held()
        body = event_for(self.venue_id, self.venue, max_per_ordr=2)
        response = self.server.request("POST", "/v1/events", body, admin=True)
        self.assertProblem(response, 400, "invalid-field")
        self.assertEqual(response.json["field"], "max_per_ordr")
        venue = grid_venue()
        venue["layout"]["sections"][0]["rows"][0]["seats"][0]["z"] = 1
        response = self.server.request("POST", "/v1/venues", venue, admin=True)
        self.assertProblem(response, 400, "invalid-field")
        self.assertEqual(response.json["field"], "layout.sections[0].rows[0].seats[0].z")

    def test_wrong_types_and_missing_fields(self):
        response = self.server.request("POST", self.holds_path(), {"seats": "S1-R1-1"})
        self.assertProblem(response, 400, "invalid-field")
        response = self.server.request("POST", self.holds_path(), {})
        self.assertProblem(response, 400, "invalid-field")
        response = self.server.request("POST", self.holds_path(), [1, 2])
        self.assertProblem(response, 400, "invalid-field")
        body = event_for(self.venue_id, self.venue)
        del body["starts_at"]
        response = self.server.request("POST", "/v1/events", body, admin=True)
        self.assertProblem(response, 400, "invalid-field")
        self.assertEqual(response.json["field"], "starts_at")
        self.assert_nothing_held()

    def test_unknown_and_duplicate_seats(self):
        response = self.server.request("POST", self.holds_path(), {"seats": ["S1-R1-1", "NOPE-9"]})
        self.assertProblem(response, 422, "unknown-seats")
        self.assertEqual(response.json["unknown"], ["NOPE-9"])
        response = self.server.request("POST", self.holds_path(), {"seats": ["S1-R1-1", "S1-R1-1"]})
        self.assertProblem(response, 422, "duplicate-seats")
        self.assertEqual(response.json["duplicates"], ["S1-R1-1"])
        self.assert_nothing_held()

    def test_over_max_per_order(self):
        seats = [f"S1-R1-{n}" for n in range(1, 6)]
        response = self.server.request("POST", self.holds_path(), {"seats": seats})
        self.assertProblem(response, 422, "over-order-limit")
        self.assertEqual(response.json["max_per_order"], 4)
        response = self.server.request("POST", self.holds_path(), {"best_available": {"count": 5}})
        self.assertProblem(response, 422, "over-order-limit")
        self.assert_nothing_held()

    def test_not_on_sale_and_unpublished(self):
        later = self.server.create_event(event_for(self.venue_id, self.venue, on_sale_at=iso(3600)))
        response = self.server.request("POST", f"/v1/events/{later}/holds", {"seats": ["S1-R1-1"]})
        self.assertProblem(response, 403, "not-on-sale")
        self.assertIn("on_sale_at", response.json)
        hidden = self.server.create_event(event_for(self.venue_id, self.venue), publish=False)
        response = self.server.request("POST", f"/v1/events/{hidden}/holds", {"seats": ["S1-R1-1"]})
        self.assertProblem(response, 404, "not-found")
        self.assertEqual(self.server.request("GET", f"/v1/events/{hidden}").status, 404)
        self.assertEqual(self.server.request("GET", f"/v1/events/{hidden}", admin=True).status, 200)

    def test_body_too_large(self):
        response = self.server.request("POST", self.holds_path(), raw=b"{" + b" " * (2 << 20) + b"}",
                                       headers={"Content-Type": "application/json"})
        self.assertProblem(response, 413)
        self.assert_nothing_held()

    def test_unknown_route_and_wrong_method(self):
        self.assertProblem(self.server.request("GET", "/v1/nothing-here"), 404)
        self.assertProblem(self.server.request("GET", "/v1/events/abc"), 404)
        response = self.server.request("DELETE", f"/v1/events/{self.event_id}")  # PUT updates it
        self.assertProblem(response, 405)
        self.assertIn("GET", response.headers["allow"])

    def test_admin_key(self):
        venue = grid_venue()
        response = self.server.request("POST", "/v1/venues", venue)
        self.assertProblem(response, 401, "unauthorized")
        response = self.server.request("POST", "/v1/venues", venue,
                                       headers={"Authorization": "Bearer wrong-" + ADMIN_KEY})
        self.assertProblem(response, 403, "forbidden")
        response = self.server.request("GET", f"/v1/events/{self.event_id}/orders")
        self.assertProblem(response, 401)

    def test_bad_ids(self):
        self.assertProblem(self.server.request("GET", "/v1/holds/xyz"), 404)
        self.assertProblem(self.server.request("GET", "/v1/holds/" + "0" * 32), 404)
        self.assertProblem(self.server.request("GET", "/v1/orders/" + "f" * 32), 404)

    def test_checkout_needs_idempotency_key_and_valid_card(self):
        hold = self.server.request("POST", self.holds_path(), {"seats": ["S1-R2-9"]})
        self.assertEqual(hold.status, 201)
        path = f"/v1/holds/{hold.json['hold_id']}/checkout"
        body = {"payment": {"card_number": "4242424242424242"},
                "customer": {"email": "a@b.c", "name": "A"}}
        self.assertProblem(self.server.request("POST", path, body), 400, "invalid-field")
        body["payment"]["card_number"] = "1234"
        response = self.server.request("POST", path, body, headers={"Idempotency-Key": "k"})
        self.assertProblem(response, 400, "invalid-field")
        self.assertEqual(self.server.request("GET", f"/v1/holds/{hold.json['hold_id']}").status, 200)
        self.assertEqual(self.server.request("DELETE", f"/v1/holds/{hold.json['hold_id']}").status, 204)

    def test_overlong_header(self):
        response = self.server.request("GET", "/healthz", headers={"X-Junk": "a" * (64 << 10)})
        self.assertProblem(response, 431)

    def test_half_sent_request_times_out_while_others_are_served(self):
        slow = socket.create_connection(("127.0.0.1", self.server.port))
        slow.sendall(b"POST /v1/events/1/holds HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
        # Others are served meanwhile.
        for _ in range(5):
            self.assertEqual(self.server.request("GET", "/healthz").status, 200)
        slow.settimeout(30)
        started = time.monotonic()
        answer = b""
        while True:
            chunk = slow.recv(4096)
            if not chunk:
                break
            answer += chunk
        slow.close()
        self.assertIn(b" 408 ", answer.split(b"\r\n")[0] + b" ")
        self.assertLess(time.monotonic() - started, 25)


if __name__ == "__main__":
    unittest.main()
