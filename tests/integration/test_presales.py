"""Presales: before the general sale only holders of a presale's access codes may hold (and
join its waiting room); codes are made in bulk as CSV, read whatever their spelling, and each
use is spent by a hold granted. On one node, and on two cluster nodes where every request goes
to the other node than the last, so that a use spent through one is gone for the other."""

import csv
import io
import re
import time
import unittest

from harness import ServerTest, event_for, grid_venue, iso
from test_cluster import TwoNodes

CODE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$")


class PresalesTest(ServerTest):
    def make_event(self, **overrides):
        venue = grid_venue(rows=2, seats_per_row=10)
        venue_id = self.server.create_venue(venue)
        self.event = event_for(venue_id, venue, on_sale_at=iso(7200), presales=[
            {"id": "fanclub", "name": "Fan club", "starts_at": iso(-3600), "ends_at": iso(3600)},
            {"id": "later", "starts_at": iso(3600), "ends_at": iso(5400)}], **overrides)
        self.event_id = self.server.create_event(self.event)
        return self.event_id

    def codes(self, presale="fanclub", count=3, uses=1):
        made = self.server.request("POST", f"/v1/events/{self.event_id}/access-codes",
                                   {"presale": presale, "count": count, "uses": uses}, admin=True)
        self.assertEqual(made.status, 201, made)
        self.assertTrue(made.headers["content-type"].startswith("text/csv"), made.headers)
        self.assertIn("no-store", made.headers["cache-control"])
        rows = list(csv.reader(io.StringIO(made.body)))
        self.assertEqual(rows[0], ["code", "presale", "uses"])
        self.assertEqual(len(rows), count + 1)
        for code, row_presale, row_uses in rows[1:]:
            self.assertRegex(code, CODE)
            self.assertEqual((row_presale, row_uses), (presale, str(uses)))
        return [row[0] for row in rows[1:]]

    def hold(self, seats, code=None, headers=None):
        body = {"seats": seats}
        if code is not None:
            body["access_code"] = code
        return self.server.request("POST", f"/v1/events/{self.event_id}/holds", body,
                                   headers=headers)

    def test_a_presale_sells_to_its_codes_one_hold_a_use(self):
        self.make_event()
        first, second, _ = self.codes()
        self.assertProblem(self.hold(["S1-R1-1"]), 403, "presale-only")
        unknown = self.hold(["S1-R1-1"], "AAAA-BBBB-CCCC-DDDD")
        self.assertProblem(unknown, 403, "access-code-invalid")
        self.assertEqual(unknown.json["reason"], "unknown")
        typed = first.lower().replace("-", " ")
        self.assertEqual(self.hold(["S1-R1-1"], typed).status, 201)
        spent = self.hold(["S1-R1-2"], first)
        self.assertProblem(spent, 403, "access-code-invalid")
        self.assertEqual(spent.json["reason"], "used_up")
        # A hold refused spends nothing: the code still buys.
        self.assertEqual(self.hold(["S1-R1-1"], second).status, 409)
        self.assertEqual(self.hold(["S1-R1-2"], second).status, 201)
        # A code of a presale still to come opens nothing now.
        later = self.codes(presale="later", count=1)[0]
        self.assertProblem(self.hold(["S1-R1-3"], later), 403, "access-code-invalid")

    def test_at_the_general_sale_nobody_needs_a_code(self):
        self.make_event()
        code = self.codes(count=1)[0]
        self.event["on_sale_at"] = iso(-60)
        changed = self.server.request("PUT", f"/v1/events/{self.event_id}", self.event,
                                      admin=True)
        self.assertEqual(changed.status, 200, changed)
        deadline = time.monotonic() + 2  # every node reloads the catalog within 0.1 s
        while self.hold(["S1-R1-1"]).status != 201:
            self.assertLess(time.monotonic(), deadline, "the general sale never opened")
            time.sleep(0.05)
        self.assertEqual(self.hold(["S1-R1-2"], code).status, 201)
        self.assertEqual(self.hold(["S1-R1-3"], code).status, 201, "no use was spent")

    def test_bad_requests_for_codes_are_refused_and_make_none(self):
        self.make_event()
        path = f"/v1/events/{self.event_id}/access-codes"
        unauthorised = self.server.request("POST", path, {"presale": "fanclub", "count": 1})
        self.assertEqual(unauthorised.status, 401, unauthorised)
        for body, field in [({"presale": "press", "count": 1}, "presale"),
                            ({"presale": "fanclub", "count": 0}, "count"),
                            ({"presale": "fanclub", "count": 100_001}, "count"),
                            ({"presale": "fanclub", "count": 1, "uses": 0}, "uses"),
                            ({"presale": "fanclub", "count": 1, "extra": 1}, "extra")]:
            answer = self.server.request("POST", path, body, admin=True)
            self.assertProblem(answer, 400, "invalid-field")
            self.assertEqual(answer.json["field"], field, answer)
        bad_event = dict(self.event, presales=[
            {"id": "x", "starts_at": iso(100), "ends_at": iso(50)}])
        answer = self.server.request("POST", "/v1/events", bad_event, admin=True)
        self.assertProblem(answer, 400, "invalid-field")
        self.assertEqual(answer.json["field"], "presales[0].ends_at")

    def test_a_presales_waiting_room_lets_in_only_code_holders(self):
        self.make_event(waiting_room={"enabled": True, "active_limit": 10,
                                      "admit_per_second": 50, "session_seconds": 60})
        code = self.codes(count=1, uses=2)[0]
        path = f"/v1/events/{self.event_id}/queue"
        self.assertProblem(self.server.request("POST", path), 403, "presale-only")
        self.assertProblem(self.server.request("POST", path, {"access_code": "AAAA-BBBB"}), 403,
                           "access-code-invalid")
        joined = self.server.request("POST", path, {"access_code": code})
        self.assertEqual(joined.status, 201, joined)
        token = joined.json["queue_token"]
        deadline = time.monotonic() + 10
        while True:
            status = self.server.request("GET", f"{path}/status",
                                         headers={"X-Queue-Token": token})
            self.assertEqual(status.status, 200, status)
            if status.json["state"] == "admitted":
                break
            self.assertLess(time.monotonic(), deadline, "never admitted")
            time.sleep(0.05)
        access = {"X-Queue-Access": status.json["access_token"]}
        self.assertProblem(self.hold(["S1-R1-1"], headers=access), 403, "presale-only")
        self.assertEqual(self.hold(["S1-R1-1"], code, headers=access).status, 201)


class TwoNodePresalesTest(TwoNodes, PresalesTest):
    """The same on two cluster nodes: codes live in PostgreSQL, spent once whichever node."""


if __name__ == "__main__":
    unittest.main()
