"""The virtual waiting room against the real binary: join, poll until admitted, hold with the
access token, and every way a hold without a good token is refused; a checkout or a release
frees the place for the next person; the pre-queue is admitted when the sale opens."""

import hashlib
import json
import time
import unittest

from harness import ServerTest, WaitingRoomClient, event_for, grid_venue, iso

CHECKOUT = {"payment": {"card_number": "4242424242424242"},
            "customer": {"email": "fan@example.com", "name": "Fan One"}}


def room(**overrides):
    settings = {"enabled": True, "active_limit": 1, "admit_per_second": 20,
                "session_seconds": 60}
    settings.update(overrides)
    return settings


class QueueTest(WaitingRoomClient, ServerTest):
    def hold(self, event_id, seats, access=None):
        headers = {"X-Queue-Access": access} if access is not None else {}
        return self.server.request("POST", f"/v1/events/{event_id}/holds", {"seats": seats},
                                   headers=headers)

    def assertQueueRequired(self, response, event_id):
        self.assertProblem(response, 403, "queue-required")
        self.assertEqual(response.json["queue_url"], f"/v1/events/{event_id}/queue")

    def test_join_admit_hold_checkout_frees_the_place(self):
        s = self.server
        event_id = self.make_event(waiting_room=room())
        other_event = self.make_event(waiting_room=room(active_limit=5))

        first = self.join(event_id)
        self.assertEqual(first["number"], 0)
        access = self.wait_admitted(event_id, first["queue_token"])["access_token"]
        # The query form of the token works too.
        self.assertEqual(self.status(event_id, first["queue_token"], True).json["state"],
                         "admitted")

        # One active place: the second person waits at position 1.
        second = self.join(event_id)
        time.sleep(0.3)
        waiting = self.status(event_id, second["queue_token"])
        self.assertEqual(waiting.status, 200)
        self.assertEqual(waiting.json["state"], "waiting")
        self.assertEqual(waiting.json["position"], 1)
        self.assertGreaterEqual(waiting.json["eta_seconds"], 1)
        self.assertNotIn("access_token", waiting.json)

        # Holds without a valid access token: refused with where to queue.
        self.assertQueueRequired(self.hold(event_id, ["S1-R1-1"]), event_id)
        forged = access[:-3] + ("AAA" if not access.endswith("AAA") else "BBB")
        self.assertQueueRequired(self.hold(event_id, ["S1-R1-1"], forged), event_id)
        self.assertQueueRequired(self.hold(event_id, ["S1-R1-1"], first["queue_token"]),
                                 event_id)
        self.assertQueueRequired(self.hold(event_id, ["S1-R1-1"], "junk"), event_id)
        # Another event's room does not take this event's token.
        self.assertQueueRequired(self.hold(other_event, ["S1-R1-1"], access), other_event)
        # Nor does its status take this event's queue token.
        self.assertProblem(self.status(other_event, first["queue_token"]), 403,
                           "queue-token-invalid")
        self.assertProblem(self.status(event_id, "bq1.forged.token"), 403,
                           "queue-token-invalid")
        self.assertProblem(s.request("GET", f"/v1/events/{event_id}/queue/status"), 403,
                           "queue-token-invalid")

        # With it: the hold, then the checkout.
        held = self.hold(event_id, ["S1-R1-1", "S1-R1-2"], access)
        self.assertEqual(held.status, 201, held)
        order = s.request("POST", f"/v1/holds/{held.json['hold_id']}/checkout", CHECKOUT,
                          headers={"Idempotency-Key": "queue-1"})
        self.assertEqual(order.status, 201, order)

        # The checkout ended the session at once: its token is used up, the next one is in.
        self.assertQueueRequired(self.hold(event_id, ["S1-R1-3"], access), event_id)
        self.assertProblem(self.status(event_id, first["queue_token"]), 410,
                           "queue-session-ended")
        second_access = self.wait_admitted(event_id, second["queue_token"],
                                           seconds=2)["access_token"]

        # Releasing all of one's holds frees the place as well.
        third = self.join(event_id)
        held = self.hold(event_id, ["S1-R2-1"], second_access)
        self.assertEqual(held.status, 201, held)
        time.sleep(0.3)
        self.assertEqual(self.status(event_id, third["queue_token"]).json["state"], "waiting")
        released = s.request("DELETE", f"/v1/holds/{held.json['hold_id']}")
        self.assertEqual(released.status, 204, released)
        self.wait_admitted(event_id, third["queue_token"], seconds=2)
        self.assertQueueRequired(self.hold(event_id, ["S1-R2-1"], second_access), event_id)

        metrics = s.request("GET", "/metrics").body
        self.assertIn("boxoffice_queue_active ", metrics)
        self.assertIn("boxoffice_queue_waiting ", metrics)
        self.assertIn("boxoffice_queue_admitted_total ", metrics)
        counts = s.request("GET", f"/v1/events/{event_id}/queue", admin=True)
        self.assertEqual(counts.json["admitted"], 3, counts)

    def availability_of(self, event_id, seats):
        states = self.server.request(
            "GET", f"/v1/events/{event_id}/availability?seats={','.join(seats)}")
        self.assertEqual(states.status, 200, states)
        return states.json["seats"]

    def assertAvailableSoon(self, event_id, seats):
        """Available on this node within a second (another cluster node's change reaches it
        through Redis's stream within milliseconds)."""
        deadline = time.time() + 1
        while self.availability_of(event_id, seats) != {seat: "available" for seat in seats}:
            self.assertLess(time.time(), deadline, f"{seats} not available")
            time.sleep(0.02)

    def test_one_access_token_holds_at_most_max_per_order_across_its_holds(self):
        event_id = self.make_event(waiting_room=room(), max_per_order=4)
        access = self.wait_admitted(event_id, self.join(event_id)["queue_token"])["access_token"]
        self.assertEqual(self.hold(event_id, ["S1-R1-1", "S1-R1-2", "S1-R1-3"], access).status,
                         201)
        over = self.hold(event_id, ["S1-R2-1", "S1-R2-2"], access)
        self.assertProblem(over, 422, "over-order-limit")
        self.assertEqual(over.json["max_per_order"], 4)
        # The refused hold was given back at once.
        self.assertAvailableSoon(event_id, ["S1-R2-1", "S1-R2-2"])
        last = self.hold(event_id, ["S1-R2-1"], access)
        self.assertEqual(last.status, 201, last)
        self.assertProblem(self.hold(event_id, ["S1-R3-1"], access), 422, "over-order-limit")
        # Giving a hold back makes room again.
        released = self.server.request("DELETE", f"/v1/holds/{last.json['hold_id']}")
        self.assertEqual(released.status, 204)
        self.assertEqual(self.hold(event_id, ["S1-R3-1"], access).status, 201)

    def test_a_checkout_ends_the_session_and_releases_its_other_holds(self):
        event_id = self.make_event(waiting_room=room(), max_per_order=4)
        access = self.wait_admitted(event_id, self.join(event_id)["queue_token"])["access_token"]
        bought = self.hold(event_id, ["S1-R4-1", "S1-R4-2"], access)
        kept = self.hold(event_id, ["S1-R4-5", "S1-R4-6"], access)
        self.assertEqual(kept.status, 201, kept)
        order = self.server.request("POST", f"/v1/holds/{bought.json['hold_id']}/checkout",
                                    CHECKOUT, headers={"Idempotency-Key": "session-end"})
        self.assertEqual(order.status, 201, order)
        self.assertAvailableSoon(event_id, ["S1-R4-5", "S1-R4-6"])
        gone = self.server.request("GET", f"/v1/holds/{kept.json['hold_id']}")
        self.assertProblem(gone, 410, "hold-gone")
        self.assertEqual(gone.json["reason"], "released")

    def test_an_expired_session_releases_its_holds(self):
        # The shortest session the API allows: 30 s.
        event_id = self.make_event(waiting_room=room(session_seconds=30), max_per_order=4)
        access = self.wait_admitted(event_id, self.join(event_id)["queue_token"])["access_token"]
        held = self.hold(event_id, ["S1-R5-1", "S1-R5-2"], access)
        self.assertEqual(held.status, 201, held)
        # Seen held twice in a row: by both nodes of a cluster (whose mirrors see another
        # node's hold within milliseconds), so that "available" below means released.
        deadline, seen = time.time() + 1, 0
        while seen < 2:
            held_now = self.availability_of(event_id, ["S1-R5-1"])["S1-R5-1"] == "held"
            seen = seen + 1 if held_now else 0
            self.assertLess(time.time(), deadline, "the hold is not seen")
        deadline = time.time() + 35
        while self.availability_of(event_id, ["S1-R5-1"])["S1-R5-1"] != "available":
            self.assertLess(time.time(), deadline, "the session's hold outlived it")
            time.sleep(0.1)
        gone = self.server.request("GET", f"/v1/holds/{held.json['hold_id']}")
        self.assertProblem(gone, 410, "hold-gone")
        self.assertEqual(gone.json["reason"], "released", gone)

    def test_organizers_see_the_rooms_counts(self):
        s = self.server
        event_id = self.make_event(waiting_room=room(active_limit=1))
        path = f"/v1/events/{event_id}/queue"
        self.assertProblem(s.request("GET", path), 401, "unauthorized")
        empty = s.request("GET", path, admin=True)
        self.assertEqual(empty.status, 200, empty)
        self.assertEqual(empty.json, {"waiting": 0, "active": 0, "admitted": 0, "skipped": 0})

        first = self.join(event_id)
        self.wait_admitted(event_id, first["queue_token"])
        self.join(event_id)
        self.join(event_id)
        counts = s.request("GET", path, admin=True)
        self.assertEqual(counts.json, {"waiting": 2, "active": 1, "admitted": 1, "skipped": 0})
        self.assertEqual(counts.headers["cache-control"], "private, no-store")

        no_room = self.make_event()
        self.assertProblem(s.request("GET", f"/v1/events/{no_room}/queue", admin=True), 404,
                           "not-found")

    def read_events(self, response, until):
        """Server-sent events of `response` as (event, data) pairs, until `until(pairs)`."""
        events, event, data = [], None, None
        while not until(events):
            line = response.readline().decode()
            self.assertTrue(line, f"the stream ended after {events}")
            line = line.rstrip("\n")
            if line.startswith("event: "):
                event = line[len("event: "):]
            elif line.startswith("data: "):
                data = json.loads(line[len("data: "):])
            elif line == "" and event:
                events.append((event, data))
                event, data = None, None
        return events

    def test_status_as_server_sent_events_until_admitted(self):
        s = self.server
        event_id = self.make_event(waiting_room=room())
        first = self.join(event_id)
        access = self.wait_admitted(event_id, first["queue_token"])["access_token"]
        second = self.join(event_id)

        conn = s.connect(timeout=20)
        conn.request("GET", f"/v1/events/{event_id}/queue/status/stream?token={second['queue_token']}")
        stream = conn.getresponse()
        self.assertEqual(stream.status, 200)
        self.assertEqual(stream.getheader("Content-Type"), "text/event-stream")
        opening = self.read_events(stream, lambda events: len(events) == 1)
        self.assertEqual(opening[0][0], "status")
        self.assertEqual(opening[0][1]["state"], "waiting")
        self.assertEqual(opening[0][1]["position"], 1)

        # The first person's checkout lets the second in: the stream says so, then ends.
        held = self.hold(event_id, ["S1-R1-1"], access)
        self.assertEqual(held.status, 201, held)
        order = s.request("POST", f"/v1/holds/{held.json['hold_id']}/checkout", CHECKOUT,
                          headers={"Idempotency-Key": "stream-1"})
        self.assertEqual(order.status, 201, order)
        events = self.read_events(stream, lambda events: events and events[-1][1]["state"] == "admitted")
        admitted = events[-1][1]
        self.assertTrue(admitted["access_token"].startswith("bq2."))
        self.assertEqual(self.hold(event_id, ["S1-R1-2"], admitted["access_token"]).status, 201)
        self.assertEqual(stream.read(), b"")  # ended
        conn.close()

        # A token that is no good gets a problem, not a stream.
        bad = s.request("GET", f"/v1/events/{event_id}/queue/status/stream?token=bq1.forged.x")
        self.assertProblem(bad, 403, "queue-token-invalid")

    def buy(self, event_id, access, body, key):
        held = self.server.request("POST", f"/v1/events/{event_id}/holds", body,
                                   headers={"X-Queue-Access": access})
        self.assertEqual(held.status, 201, held)
        order = self.server.request("POST", f"/v1/holds/{held.json['hold_id']}/checkout",
                                    CHECKOUT, headers={"Idempotency-Key": key})
        self.assertEqual(order.status, 201, order)

    def test_a_session_that_finds_nothing_gives_its_place_to_the_next(self):
        venue = grid_venue(rows=1, seats_per_row=2)
        venue_id = self.server.create_venue(venue)
        event_id = self.server.create_event(event_for(
            venue_id, venue, waiting_room=room(active_limit=2), max_per_order=4))
        first, second, third = (self.join(event_id) for _ in range(3))
        first_access = self.wait_admitted(event_id, first["queue_token"])["access_token"]
        second_access = self.wait_admitted(event_id, second["queue_token"])["access_token"]
        self.assertEqual(self.hold(event_id, ["S1-R1-1", "S1-R1-2"], first_access).status, 201)
        time.sleep(0.3)  # past the quarter-second for which what is left may be remembered
        # Everything is held: the first, who holds it, keeps the session...
        self.assertProblem(self.hold(event_id, ["S1-R1-1"], first_access), 409)
        self.assertEqual(self.status(event_id, first["queue_token"]).json["state"], "admitted")
        # ...the second, who holds nothing, gives the place to the third at once.
        nothing = self.hold(event_id, ["S1-R1-2"], second_access)
        self.assertProblem(nothing, 409, "seats-unavailable")
        self.assertProblem(self.status(event_id, second["queue_token"]), 410,
                           "queue-session-ended")
        self.wait_admitted(event_id, third["queue_token"], seconds=2)

    def test_the_line_is_told_within_a_second_when_the_event_sells_out(self):
        venue = grid_venue(rows=1, seats_per_row=2, ga_capacity=2)
        venue_id = self.server.create_venue(venue)
        event_id = self.server.create_event(event_for(
            venue_id, venue, waiting_room=room(active_limit=1), max_per_order=4))
        first, second, third = (self.join(event_id) for _ in range(3))
        self.buy(event_id, self.wait_admitted(event_id, first["queue_token"])["access_token"],
                 {"seats": ["S1-R1-1", "S1-R1-2"]}, "seats")
        last_access = self.wait_admitted(event_id, second["queue_token"])["access_token"]
        held = self.server.request("POST", f"/v1/events/{event_id}/holds",
                                   {"ga": {"area": "FLOOR", "quantity": 2}},
                                   headers={"X-Queue-Access": last_access})
        self.assertEqual(held.status, 201, held)
        # Everything held or sold: the hold could come back, so the line waits.
        self.assertEqual(self.status(event_id, third["queue_token"]).json["state"], "waiting")

        conn = self.server.connect(timeout=20)
        conn.request("GET",
                     f"/v1/events/{event_id}/queue/status/stream?token={third['queue_token']}")
        stream = conn.getresponse()
        self.assertEqual(self.read_events(stream, lambda e: len(e) == 1)[0][1]["state"],
                         "waiting")
        order = self.server.request("POST", f"/v1/holds/{held.json['hold_id']}/checkout",
                                    CHECKOUT, headers={"Idempotency-Key": "places"})
        self.assertEqual(order.status, 201, order)
        sold_at = time.time()
        # The third person's turn came, but there is nothing left: sold out, no access token.
        told = self.read_events(stream, lambda e: e and e[-1][1]["state"] == "sold_out")[-1][1]
        self.assertLess(time.time() - sold_at, 2.5)  # the stream looks every second
        self.assertNotIn("access_token", told)
        conn.close()
        polled = self.status(event_id, third["queue_token"]).json
        self.assertEqual(polled["state"], "sold_out", polled)
        self.assertEqual(polled["eta_seconds"], 0)
        self.assertNotIn("access_token", polled)
        late = self.join(event_id)
        self.assertEqual(late["state"], "sold_out", late)

    def test_events_without_a_room_are_not_gated(self):
        event_id = self.make_event()
        self.assertProblem(self.server.request("POST", f"/v1/events/{event_id}/queue"), 404)
        self.assertEqual(self.hold(event_id, ["S1-R1-1"]).status, 201)
        disabled = self.make_event(waiting_room=room(enabled=False))
        self.assertProblem(self.server.request("POST", f"/v1/events/{disabled}/queue"), 404)
        self.assertEqual(self.hold(disabled, ["S1-R1-1"]).status, 201)

    def test_pre_queue_waits_for_the_open_then_is_admitted(self):
        not_yet = self.make_event(
            on_sale_at=iso(3600), waiting_room=room(pre_queue_opens_at=iso(600)))
        closed = self.server.request("POST", f"/v1/events/{not_yet}/queue")
        self.assertProblem(closed, 409, "queue-not-open")
        self.assertIn("opens_at", closed.json)

        event_id = self.make_event(
            on_sale_at=iso(3), waiting_room=room(active_limit=10, pre_queue_opens_at=iso(-60)))
        early = [self.join(event_id) for _ in range(3)]
        for person in early:
            self.assertEqual(person["state"], "pre_queue")
        status = self.status(event_id, early[0]["queue_token"])
        self.assertEqual(status.json["state"], "pre_queue")
        self.assertGreaterEqual(status.json["eta_seconds"], 1)
        for person in early:
            self.wait_admitted(event_id, person["queue_token"], seconds=15)

    def test_every_answer_to_a_poll_says_when_to_poll_again(self):
        # Nobody else is admitted (one place, taken): the line stands, and the wait grows with
        # the place.
        venue = grid_venue()
        body = event_for(self.server.create_venue(venue), venue,
                         waiting_room=room(active_limit=1, admit_per_second=1, poll_seconds_max=3))
        event_id = self.server.create_event(body)
        first = self.join(event_id)
        self.wait_admitted(event_id, first["queue_token"])
        people = [self.join(event_id) for _ in range(8)]  # within the joins' rate limit

        def advice(status, longest):
            return min(longest, max(1, status["eta_seconds"] // 2))

        near = self.status(event_id, people[0]["queue_token"]).json
        far = self.status(event_id, people[-1]["queue_token"]).json
        self.assertEqual(near["state"], "waiting")
        self.assertEqual(near["poll_after_seconds"], advice(near, 3))
        self.assertGreaterEqual(far["eta_seconds"], 8)
        self.assertEqual(far["poll_after_seconds"], 3)  # the room's longest
        self.assertEqual(people[-1]["poll_after_seconds"], 3)  # the join's answer too

        # Before the open: at the open (the room's longest, if that is later).
        soon = self.make_event(
            on_sale_at=iso(20), waiting_room=room(pre_queue_opens_at=iso(-60)))
        early = self.join(soon)
        self.assertEqual(early["state"], "pre_queue")
        self.assertIn(early["poll_after_seconds"], range(early["eta_seconds"] - 1,
                                                        early["eta_seconds"] + 1))
        later = self.make_event(
            on_sale_at=iso(600), waiting_room=room(pre_queue_opens_at=iso(-60)))
        self.assertEqual(self.join(later)["poll_after_seconds"], 30)  # the default longest

        # The event's settings show it; a change applies to the next answer.
        event = self.server.request("GET", f"/v1/events/{event_id}").json
        self.assertEqual(event["waiting_room"]["poll_seconds_max"], 3)
        body["waiting_room"]["poll_seconds_max"] = 600
        changed = self.server.request("PUT", f"/v1/events/{event_id}", body, admin=True)
        self.assertEqual(changed.status, 200, changed)
        # On every node within the catalog's propagation bound (cluster: reloaded every 0.1 s).
        deadline = time.time() + 2
        while True:
            far = self.status(event_id, people[-1]["queue_token"]).json
            if far["poll_after_seconds"] > 3 or time.time() > deadline:
                break
            time.sleep(0.05)
        self.assertEqual(far["poll_after_seconds"], advice(far, 600))
        self.assertGreater(far["poll_after_seconds"], 3)

        # Admitted: nothing left to poll for.
        self.assertNotIn("poll_after_seconds", self.status(event_id, first["queue_token"]).json)

    def solve(self, challenge, difficulty, enough=True):
        """A counter whose SHA-256(challenge || counter) has at least `difficulty` leading zero
        bits (or, not `enough`, fewer), as the page's worker finds it."""
        counter = 0
        while True:
            digest = hashlib.sha256((challenge + str(counter)).encode()).digest()
            bits = 256 - int.from_bytes(digest, "big").bit_length()
            if (bits >= difficulty) == enough:
                return str(counter)
            counter += 1

    def challenge(self, event_id):
        got = self.server.request("GET", f"/v1/events/{event_id}/queue/challenge")
        self.assertEqual(got.status, 200, got)
        self.assertEqual(got.headers.get("cache-control"), "no-store")
        self.assertTrue(got.json["challenge"].startswith("bc1."))
        return got.json

    def join_with(self, event_id, body):
        return self.server.request("POST", f"/v1/events/{event_id}/queue", body)

    def assertProofRefused(self, response, event_id, slug, reason=None):
        self.assertProblem(response, 403, slug)
        self.assertEqual(response.json["challenge_url"], f"/v1/events/{event_id}/queue/challenge")
        if reason:
            self.assertEqual(response.json["reason"], reason, response)

    def test_a_room_with_proof_of_work_joins_only_with_a_solved_challenge(self):
        event_id = self.make_event(waiting_room=room(proof_of_work={"difficulty": 8}))
        other = self.make_event(waiting_room=room(proof_of_work={"difficulty": 8}))
        event = self.server.request("GET", f"/v1/events/{event_id}").json
        self.assertEqual(event["waiting_room"]["proof_of_work"], {"difficulty": 8})

        self.assertProofRefused(self.server.request("POST", f"/v1/events/{event_id}/queue"),
                                event_id, "proof-of-work-required")
        issued = self.challenge(event_id)
        self.assertEqual(issued["difficulty"], 8)
        self.assertIn("expires_at", issued)
        solution = self.solve(issued["challenge"], 8)
        proof = {"challenge": issued["challenge"], "solution": solution}
        joined = self.join_with(event_id, proof)
        self.assertEqual(joined.status, 201, joined)
        self.assertTrue(joined.json["queue_token"].startswith("bq2."))
        self.assertEqual(self.status(event_id, joined.json["queue_token"]).status, 200)
        # Used once (in cluster mode, through the other node).
        self.assertProofRefused(self.join_with(event_id, proof), event_id,
                                "proof-of-work-invalid", "used")

        fresh = self.challenge(event_id)["challenge"]
        self.assertProofRefused(
            self.join_with(event_id, {"challenge": fresh, "solution": self.solve(fresh, 8, False)}),
            event_id, "proof-of-work-invalid", "insufficient")
        solved = {"challenge": fresh, "solution": self.solve(fresh, 8)}
        self.assertProofRefused(self.join_with(other, solved), other, "proof-of-work-invalid",
                                "another_event")
        tampered = fresh[:6] + ("A" if fresh[6] != "A" else "B") + fresh[7:]
        self.assertProofRefused(
            self.join_with(event_id, {"challenge": tampered, "solution": solved["solution"]}),
            event_id, "proof-of-work-invalid", "forged")
        # A body with anything else is refused as such, and spends nothing.
        self.assertProblem(self.join_with(event_id, dict(solved, extra=1)), 400, "invalid-field")
        self.assertProblem(self.server.request("POST", f"/v1/events/{event_id}/queue",
                                               raw=b"{not json"), 400, "malformed-json")
        self.assertEqual(self.join_with(event_id, solved).status, 201)
        counts = self.server.request("GET", f"/v1/events/{event_id}/queue", admin=True).json
        self.assertEqual(counts["waiting"] + counts["admitted"], 2, counts)

        # Rooms that ask for no work hand out no challenge, and take a join as before.
        plain = self.make_event(waiting_room=room())
        self.assertProblem(self.server.request("GET", f"/v1/events/{plain}/queue/challenge"), 404)
        self.join(plain)

    def test_invalid_settings_are_refused(self):
        venue = grid_venue()
        venue_id = self.server.create_venue(venue)
        for bad in [room(active_limit=0), room(admit_per_second=0), room(session_seconds=1),
                    room(pre_queue_opens_at="yesterday"),
                    room(pre_queue_opens_at=iso(7200)),  # after the sale opens
                    room(proof_of_work={"difficulty": 0}), room(proof_of_work={"difficulty": 33}),
                    room(proof_of_work={"bits": 8}), room(poll_seconds_max=2),
                    room(poll_seconds_max=601)]:
            response = self.server.request("POST", "/v1/events",
                                           event_for(venue_id, venue, on_sale_at=iso(3600),
                                                     waiting_room=bad), admin=True)
            self.assertProblem(response, 400)


if __name__ == "__main__":
    unittest.main()
