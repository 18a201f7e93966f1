"""PostgreSQL stopped and started again: the node answers 503 with a problem body for what
needs the database (and /readyz fails) meanwhile, serves what it holds in memory, and recovers
by itself when the database is back, without a restart."""

import os
import tempfile
import time
import unittest
import subprocess

from harness import Server, event_for, grid_venue

POSTGRES_SH = os.path.join(os.path.dirname(__file__), "..", "support", "postgres.sh")
RECOVERY_SECONDS_MAX = 30

CHECKOUT = {"payment": {"card_number": "4242424242424242"},
            "customer": {"email": "fan@example.com", "name": "Fan"}}


class PostgresOutageTest(unittest.TestCase):
    def setUp(self):
        self.state = tempfile.mktemp(prefix="boxoffice-outage-pg-")
        subprocess.run([POSTGRES_SH, "start", self.state], check=True, capture_output=True)
        with open(self.state) as f:
            url = f.read().strip()
        self.server = Server(extra_args=self.node_args(url)).start()

    def node_args(self, postgres_url):
        return ["--postgres", postgres_url]

    def tearDown(self):
        self.server.cleanup()
        subprocess.run([POSTGRES_SH, "stop", self.state], capture_output=True)

    def hold(self, event_id, seat):
        response = self.server.request("POST", f"/v1/events/{event_id}/holds", {"seats": [seat]})
        self.assertEqual(response.status, 201, response)
        return response.json["hold_id"]

    def test_outage_and_recovery(self):
        s = self.server
        venue = grid_venue(rows=1, seats_per_row=10)
        event_id = s.create_event(event_for(s.create_venue(venue), venue))
        first = s.request("POST", f"/v1/holds/{self.hold(event_id, 'S1-R1-1')}/checkout",
                          CHECKOUT, headers={"Idempotency-Key": "before"})
        self.assertEqual(first.status, 201, first)

        subprocess.run([POSTGRES_SH, "pause", self.state], check=True, capture_output=True)
        ready = s.request("GET", "/readyz")
        self.assertEqual(ready.status, 503)
        self.assertEqual(ready.headers["content-type"], "application/problem+json")
        self.assertEqual(s.request("GET", f"/v1/events/{event_id}").status, 200)  # from memory
        during = self.hold(event_id, "S1-R1-2")  # holds live in memory
        refused = s.request("POST", f"/v1/holds/{during}/checkout", CHECKOUT,
                            headers={"Idempotency-Key": "during"})
        self.assertEqual(refused.status, 503, refused)
        self.assertEqual(refused.json["type"], "/problems/store-unavailable")
        self.assertEqual(refused.headers.get("retry-after"), "1")
        self.assertEqual(s.request("GET", f"/v1/holds/{during}").status, 200)  # the hold stays

        subprocess.run([POSTGRES_SH, "resume", self.state], check=True, capture_output=True)
        deadline = time.monotonic() + RECOVERY_SECONDS_MAX
        while s.request("GET", "/readyz").status != 200:
            self.assertLess(time.monotonic(), deadline, "no recovery after PostgreSQL came back")
            time.sleep(0.2)
        after = s.request("POST", f"/v1/holds/{during}/checkout", CHECKOUT,
                          headers={"Idempotency-Key": "during"})
        self.assertEqual(after.status, 201, after)
        self.assertEqual(after.json["payment"]["status"], "captured")
        orders = s.request("GET", f"/v1/events/{event_id}/orders", admin=True).json["orders"]
        self.assertEqual(sorted(o["seats"][0] for o in orders), ["S1-R1-1", "S1-R1-2"])


if __name__ == "__main__":
    unittest.main()
