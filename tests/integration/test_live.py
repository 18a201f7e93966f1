"""Live seat maps over SSE (GET /v1/events/{id}/availability/stream), as a browser's EventSource
sees them: a snapshot, then deltas in order; a reconnect with Last-Event-ID gets exactly the
changes it missed; an expired hold shows as released with reason timeout. Then the same stream
on one node of a cluster, fed by holds made through another."""

import json
import re
import time
import unittest

import harness
from harness import Server, ServerTest, event_for, grid_venue

CARD_OK = "4242424242424242"
ARRIVAL_SECONDS_MAX = 1.0


def checkout_body():
    return {"payment": {"card_number": CARD_OK},
            "customer": {"email": "fan@example.com", "name": "Fan One"}}


class EventStream:
    """A minimal EventSource: reads messages (event, id, data) off one streamed answer."""

    def __init__(self, server, event_id, last_event_id=None, query=False):
        self.conn = server.connect(timeout=5)
        headers = {"Accept": "text/event-stream"}
        path = f"/v1/events/{event_id}/availability/stream"
        if last_event_id is not None and query:
            path += f"?last_event_id={last_event_id}"
        elif last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        self.conn.request("GET", path, headers=headers)
        self.response = self.conn.getresponse()
        self.headers = {k.lower(): v for k, v in self.response.getheaders()}
        self.retry = None
        self.comments = 0

    def next(self):
        """The next message with data, as a dict; comments and retry-only blocks are skipped."""
        fields = {}
        while True:
            line = self.response.fp.readline()
            if not line:
                raise EOFError("the stream ended")
            line = line.decode().rstrip("\r\n")
            if line == "":
                if "data" in fields:
                    fields["json"] = json.loads(fields["data"])
                    return fields
                fields = {}
                continue
            if line.startswith(":"):
                self.comments += 1
                continue
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "retry":
                self.retry = int(value)
            else:
                fields[name] = value

    def close(self):
        self.conn.close()


class LiveTestMixin:
    def changes_until(self, stream, done, have_seq):
        """Reads delta messages until `done(changes)`, within ARRIVAL_SECONDS_MAX; checks that
        every change is new and in order and that each message's id is its last change's."""
        changes = []
        deadline = time.monotonic() + ARRIVAL_SECONDS_MAX
        while not done(changes):
            self.assertLess(time.monotonic(), deadline, f"changes too late: {changes}")
            message = stream.next()
            self.assertEqual(message["event"], "delta", message)
            batch = message["json"]["changes"]
            self.assertTrue(batch)
            self.assertEqual(int(message["id"]), batch[-1]["seq"], message)
            for change in batch:
                self.assertGreater(change["seq"], have_seq, "a change sent twice or out of order")
                have_seq = change["seq"]
                changes.append(change)
        return changes, have_seq


class LiveTest(LiveTestMixin, ServerTest):
    def test_snapshot_deltas_and_resume(self):
        s = self.server
        event_id = self.make_event(grid_venue(ga_capacity=10))
        stream = EventStream(s, event_id)
        self.assertEqual(stream.response.status, 200)
        self.assertEqual(stream.headers["content-type"], "text/event-stream")
        self.assertEqual(stream.headers["cache-control"], "no-cache")
        self.assertEqual(stream.headers["x-accel-buffering"], "no")
        self.assertNotIn("content-length", stream.headers)

        snapshot = stream.next()
        self.assertEqual(stream.retry, 2000)
        self.assertEqual(snapshot["event"], "snapshot")
        self.assertEqual(snapshot["json"]["available"], 50)
        self.assertEqual(int(snapshot["id"]), snapshot["json"]["seq"])
        have = int(snapshot["id"])

        # Hold, check out, hold and release: each arrives, in order, with the seats' ids.
        hold = s.request("POST", f"/v1/events/{event_id}/holds", {"seats": ["S1-R1-1", "S1-R1-2"]})
        self.assertEqual(hold.status, 201, hold)
        order = s.request("POST", f"/v1/holds/{hold.json['hold_id']}/checkout", checkout_body(),
                          headers={"Idempotency-Key": "live-1"})
        self.assertEqual(order.status, 201, order)
        other = s.request("POST", f"/v1/events/{event_id}/holds", {"seats": ["S1-R2-5"]})
        self.assertEqual(other.status, 201, other)
        released = s.request("DELETE", f"/v1/holds/{other.json['hold_id']}")
        self.assertEqual(released.status, 204, released)
        changes, have = self.changes_until(stream, lambda c: len(c) >= 4, have)
        self.assertEqual(len(changes), 4, changes)
        self.assertEqual([(c["kind"], c["seats"]) for c in changes],
                         [("held", ["S1-R1-1", "S1-R1-2"]), ("sold", ["S1-R1-1", "S1-R1-2"]),
                          ("held", ["S1-R2-5"]), ("released", ["S1-R2-5"])])
        self.assertEqual(changes[0]["seq"], hold.json["seq"])
        self.assertEqual(changes[3]["reason"], "release")
        self.assertNotIn("reason", changes[0])
        stream.close()

        # Disconnected: more changes happen.
        missed = []
        third = s.request("POST", f"/v1/events/{event_id}/holds", {"seats": ["S1-R3-1"]})
        self.assertEqual(third.status, 201, third)
        missed.append(("held", ["S1-R3-1"], None))
        self.assertEqual(s.request("DELETE", f"/v1/holds/{third.json['hold_id']}").status, 204)
        missed.append(("released", ["S1-R3-1"], None))
        ga = s.request("POST", f"/v1/events/{event_id}/holds",
                       {"ga": {"area": "FLOOR", "quantity": 2}})
        self.assertEqual(ga.status, 201, ga)
        missed.append(("held", [], {"area": "FLOOR", "quantity": 2}))
        current = s.request("GET", f"/v1/events/{event_id}/availability").json["seq"]

        # Reconnect with the last id: exactly the missed changes, none twice, then live again.
        for query in (True, False):
            resumed = EventStream(s, event_id, last_event_id=have, query=query)
            changes, seq = self.changes_until(resumed, lambda c: len(c) >= 3, have)
            self.assertEqual(len(changes), 3, changes)
            self.assertEqual([(c["kind"], c["seats"], c.get("ga")) for c in changes], missed)
            self.assertEqual([c["seq"] for c in changes], list(range(have + 1, current + 1)))
            if not query:
                fourth = s.request("POST", f"/v1/events/{event_id}/holds", {"seats": ["S1-R4-1"]})
                self.assertEqual(fourth.status, 201, fourth)
                more, seq = self.changes_until(resumed, lambda c: len(c) >= 1, seq)
                self.assertEqual([(c["kind"], c["seats"]) for c in more], [("held", ["S1-R4-1"])])
                current = seq
            resumed.close()

        # An id from the future, or not a number: a fresh snapshot.
        for last in (current + 1000, "nonsense"):
            fresh = EventStream(s, event_id, last_event_id=last)
            message = fresh.next()
            self.assertEqual(message["event"], "snapshot")
            self.assertEqual(int(message["id"]), current)
            fresh.close()

    def test_expiry_is_released_with_reason_timeout(self):
        s = self.server
        event_id = self.make_event(hold_seconds=1)
        stream = EventStream(s, event_id)
        have = int(stream.next()["id"])
        hold = s.request("POST", f"/v1/events/{event_id}/holds", {"seats": ["S1-R1-1"]})
        self.assertEqual(hold.status, 201, hold)
        changes, have = self.changes_until(stream, lambda c: len(c) >= 1, have)
        self.assertEqual(changes[0]["kind"], "held")
        time.sleep(1.0)  # the hold's second; the sweeper ends it within 100 ms after
        changes, have = self.changes_until(stream, lambda c: len(c) >= 1, have)
        self.assertEqual([(c["kind"], c.get("reason"), c["seats"]) for c in changes],
                         [("released", "timeout", ["S1-R1-1"])])
        stream.close()

    def test_unknown_event_is_404(self):
        response = self.server.request("GET", "/v1/events/999999/availability/stream")
        self.assertProblem(response, 404, "not-found")

    def test_metrics_count_subscribers_and_messages(self):
        event_id = self.make_event()
        stream = EventStream(self.server, event_id)
        stream.next()
        metrics = self.server.request("GET", "/metrics").body
        # Streams of earlier tests may still count: a silent peer is noticed at the heartbeat.
        subscribers = re.search(r"^boxoffice_live_subscribers (\d+)$", metrics, re.M)
        self.assertTrue(subscribers and int(subscribers.group(1)) >= 1)
        sent = re.search(r"^boxoffice_live_messages_sent_total (\d+)$", metrics, re.M)
        self.assertTrue(sent and int(sent.group(1)) >= 1)
        self.assertTrue(re.search(r"^boxoffice_live_subscribers_dropped_total 0$", metrics, re.M))
        stream.close()


class ClusterLiveTest(LiveTestMixin, unittest.TestCase):
    """Two nodes sharing PostgreSQL and Redis: a stream on one hears the other's holds."""

    def setUp(self):
        self.redis = harness.Redis()
        self.addCleanup(self.redis.stop)
        database = harness.postgres_database()
        args = ["--postgres", database, "--redis", self.redis.url]
        self.nodes = [Server(extra_args=args).start() for _ in range(2)]
        for node in self.nodes:
            self.addCleanup(node.cleanup)

    def test_a_change_on_one_node_reaches_a_stream_on_the_other(self):
        first, second = self.nodes
        venue = grid_venue()
        venue_id = first.create_venue(venue)
        event_id = first.create_event(event_for(venue_id, venue))
        # The other node learns of the event from the shared catalog within its refresh.
        deadline = time.monotonic() + 5
        while second.request("GET", f"/v1/events/{event_id}").status != 200:
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.05)
        stream = EventStream(second, event_id)
        have = int(stream.next()["id"])
        hold = first.request("POST", f"/v1/events/{event_id}/holds", {"seats": ["S1-R1-3"]})
        self.assertEqual(hold.status, 201, hold)
        self.assertEqual(first.request("DELETE", f"/v1/holds/{hold.json['hold_id']}").status, 204)
        changes, have = self.changes_until(stream, lambda c: len(c) >= 2, have)
        self.assertEqual([(c["kind"], c.get("reason"), c["seats"]) for c in changes],
                         [("held", None, ["S1-R1-3"]), ("released", "release", ["S1-R1-3"])])
        stream.close()


if __name__ == "__main__":
    unittest.main()
