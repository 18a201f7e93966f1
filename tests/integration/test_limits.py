"""Clients and limits against the real binary, with clients on distinct loopback addresses (the
server listens on 127.0.0.1, which every address of 127.0.0.0/8 reaches):

- a flood of holds or joins from one address is answered 429 rate-limited with Retry-After,
  while another address is served at once, and /metrics counts what was refused;
- behind a trusted balancer (--trusted-proxy), the limit follows the address it forwards;
  an untrusted peer's X-Forwarded-For is ignored;
- thousands of idle connections from one address do not stop another address from being
  served: beyond --connections-per-client, new connections of that address are closed at once;
- in cluster mode, two nodes count one client against one limit (in Redis)."""

import re
import resource
import socket
import threading
import time
import unittest

import harness
from harness import Server, ServerTest, event_for, grid_venue

HOLDS_BURST = 20  # the defaults (services/rate_limits.hpp)
JOINS_BURST = 10
# Where a test counts exactly what goes through after the burst, the holds' rate is slowed so
# that the machine's pace can't refill a bucket during the test.
SLOW_HOLDS = ["--rate-limit", "holds=1/min:20"]


def metric(server, name, labels):
    text = server.request("GET", "/metrics").body
    match = re.search(re.escape(name + "{" + labels + "}") + r" (\S+)", text)
    return float(match.group(1)) if match else None


def seat(n):
    """The n-th seat of a grid_venue of 20 seats a row."""
    return f"S1-R{1 + n // 20}-{1 + n % 20}"


class EventTest(ServerTest):
    """A fresh event of 200 seats for each test."""

    def setUp(self):
        venue = grid_venue(rows=10, seats_per_row=20)  # 200 seats: never sold out here
        venue_id = self.server.create_venue(venue)
        self.event_id = self.server.create_event(event_for(venue_id, venue))

    def hold(self, seat_id, source, headers=None):
        return self.server.request("POST", f"/v1/events/{self.event_id}/holds",
                                   {"seats": [seat_id]}, headers=headers, source=source)

    def assertRateLimited(self, response):
        self.assertProblem(response, 429, "rate-limited")
        retry_after = int(response.headers["retry-after"])
        self.assertGreaterEqual(retry_after, 1)
        self.assertEqual(response.json["retry_after"], retry_after)
        return retry_after


class LimitsTest(EventTest):
    def test_a_flood_of_holds_from_one_address_is_429_while_another_is_served(self):
        answers = [self.hold(seat(n), "127.0.0.2") for n in range(40)]
        self.assertEqual([a.status for a in answers[:HOLDS_BURST]], [201] * HOLDS_BURST)
        refused = [a for a in answers if a.status == 429]
        self.assertGreaterEqual(len(refused), 5, [a.status for a in answers])
        for response in refused:
            self.assertLessEqual(self.assertRateLimited(response), 1)  # holds: one a second
        # Another address is served at once.
        started = time.monotonic()
        self.assertEqual(self.hold(seat(100), "127.0.0.3").status, 201)
        self.assertLess(time.monotonic() - started, 2)
        # The flood's other requests are of another class, not refused with its holds.
        self.assertEqual(self.server.request("GET", f"/v1/events/{self.event_id}/availability",
                                             source="127.0.0.2").status, 200)
        self.assertGreaterEqual(metric(self.server, "boxoffice_rate_limited_total",
                                       'class="holds"'), len(refused))
        # Once the wait is over, the flooding address may hold again.
        time.sleep(1.1)
        self.assertEqual(self.hold(seat(101), "127.0.0.2").status, 201)

    def test_a_flood_of_joins_does_not_delay_a_fan_on_another_address(self):
        venue = grid_venue()
        venue_id = self.server.create_venue(venue)
        room = {"enabled": True, "active_limit": 5, "admit_per_second": 20,
                "session_seconds": 60}
        event_id = self.server.create_event(event_for(venue_id, venue, waiting_room=room))
        other_event = self.server.create_event(event_for(venue_id, venue, waiting_room=room))
        stop = threading.Event()
        flood = []

        def flooder():  # one keep-alive connection, as fast as the server answers
            conn = self.server.connect(source="127.0.0.4")
            while not stop.is_set():
                flood.append(self.server.request("POST", f"/v1/events/{event_id}/queue",
                                                 conn=conn).status)
            conn.close()

        thread = threading.Thread(target=flooder)
        thread.start()
        try:
            time.sleep(0.5)
            started = time.monotonic()
            fan = self.server.request("POST", f"/v1/events/{event_id}/queue", source="127.0.0.5")
            self.assertEqual(fan.status, 201, fan)
            self.assertLess(time.monotonic() - started, 2)
        finally:
            stop.set()
            thread.join()
        self.assertEqual(flood[:JOINS_BURST], [201] * JOINS_BURST)
        self.assertGreater(flood.count(429), 50)
        self.assertLessEqual(flood.count(201), JOINS_BURST + 1)  # 10 a minute after the burst
        # The fan is far ahead of the flood's 429s: the room has at most a dozen before them.
        self.assertLessEqual(fan.json["number"], JOINS_BURST + 1)
        limited = self.server.request("POST", f"/v1/events/{event_id}/queue", source="127.0.0.4")
        self.assertLessEqual(self.assertRateLimited(limited), 6)
        # Joins are counted per event: another room is open to the same address.
        self.assertEqual(self.server.request("POST", f"/v1/events/{other_event}/queue",
                                             source="127.0.0.4").status, 201)

    def test_an_event_sets_its_own_join_limit(self):
        venue = grid_venue()
        venue_id = self.server.create_venue(venue)
        room = {"enabled": True, "active_limit": 5, "admit_per_second": 20,
                "session_seconds": 60}
        tight = self.server.create_event(event_for(venue_id, venue, waiting_room=room,
                                                   rate_limits={"joins": "1/min:2"}))
        other = self.server.create_event(event_for(venue_id, venue, waiting_room=room))
        joins = [self.server.request("POST", f"/v1/events/{tight}/queue", source="127.0.0.6")
                 for _ in range(3)]
        self.assertEqual([j.status for j in joins[:2]], [201, 201])
        self.assertGreater(self.assertRateLimited(joins[2]), 6)  # a minute's, not the node's 6 s
        # The node's limit, in its own buckets, still lets the same address join another room.
        self.assertEqual(self.server.request("POST", f"/v1/events/{other}/queue",
                                             source="127.0.0.6").status, 201)

    def test_an_untrusted_peers_forwarded_for_is_ignored(self):
        statuses = [self.hold(seat(n), "127.0.0.6",
                              headers={"X-Forwarded-For": f"203.0.113.{n + 1}"}).status
                    for n in range(HOLDS_BURST + 4)]
        self.assertEqual(statuses[:HOLDS_BURST], [201] * HOLDS_BURST)
        self.assertIn(429, statuses[HOLDS_BURST:])


class TrustedProxyTest(EventTest):
    """Behind a balancer on 127.0.0.0/8: the client is the address it forwards."""

    @classmethod
    def server_args(cls):
        return ["--trusted-proxy", "127.0.0.0/8"] + SLOW_HOLDS

    def test_the_limit_follows_the_forwarded_address(self):
        def hold(n, client, peer="127.0.0.2", field="X-Forwarded-For"):
            value = client if field == "X-Forwarded-For" else f"for={client};proto=http"
            return self.hold(seat(n), peer, headers={field: value})

        statuses = [hold(n, "203.0.113.7").status for n in range(HOLDS_BURST + 5)]
        self.assertEqual(statuses, [201] * HOLDS_BURST + [429] * 5)
        # The same balancer, another client: served. The same client through another balancer
        # address, or told in Forwarded: still limited.
        self.assertEqual(hold(30, "203.0.113.8").status, 201)
        self.assertEqual(hold(31, "203.0.113.7", peer="127.0.0.3").status, 429)
        self.assertEqual(hold(32, '"203.0.113.7:4711"', field="Forwarded").status, 429)
        self.assertEqual(hold(33, "203.0.113.9", field="Forwarded").status, 201)
        # Garbage from the balancer counts against the balancer itself, and is no error.
        self.assertEqual(hold(34, "not an address").status, 201)
        # The client put its own guess first: only what the balancer appended counts.
        self.assertEqual(hold(35, "198.51.100.1, 203.0.113.7").status, 429)


class IdleConnectionsTest(ServerTest):
    IDLE = 2000
    CAP = 256

    @classmethod
    def server_args(cls):
        return ["--connections-per-client", str(cls.CAP)]

    def test_idle_connections_from_one_address_do_not_stop_another(self):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft < self.IDLE + 100:
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, self.IDLE + 1000), hard))
        idle = []
        try:
            for _ in range(self.IDLE):
                sock = socket.socket()
                sock.bind(("127.0.0.7", 0))
                sock.connect(("127.0.0.1", self.server.port))  # and says nothing
                idle.append(sock)
            started = time.monotonic()
            response = self.server.request("GET", "/v1/events", source="127.0.0.8")
            self.assertEqual(response.status, 200, response)
            self.assertLess(time.monotonic() - started, 2)
            # All but CAP of the idle ones were closed at once, and counted.
            deadline = time.monotonic() + 10
            while (metric(self.server, "boxoffice_connections_refused_total",
                          'reason="client_cap"') or 0) < self.IDLE - self.CAP:
                self.assertLess(time.monotonic(), deadline, "the cap did not close them")
                time.sleep(0.1)
            self.assertEqual(metric(self.server, "boxoffice_connections_refused_total",
                                    'reason="client_cap"'), self.IDLE - self.CAP)
        finally:
            for sock in idle:
                sock.close()


class ClusterLimitsTest(unittest.TestCase):
    """Two nodes sharing PostgreSQL and Redis count one client against one limit."""

    def setUp(self):
        self.redis = harness.Redis()
        self.addCleanup(self.redis.stop)
        args = ["--postgres", harness.postgres_database(), "--redis", self.redis.url] + SLOW_HOLDS
        self.nodes = [Server(extra_args=args).start() for _ in range(2)]
        for node in self.nodes:
            self.addCleanup(node.cleanup)

    def test_two_nodes_share_one_limit(self):
        venue = grid_venue(rows=5, seats_per_row=20)
        venue_id = self.nodes[0].create_venue(venue)
        event_id = self.nodes[0].create_event(event_for(venue_id, venue))
        statuses = []
        for n in range(HOLDS_BURST + 6):
            node = self.nodes[n % 2]
            statuses.append(node.request("POST", f"/v1/events/{event_id}/holds",
                                         {"seats": [seat(n)]}, source="127.0.0.2").status)
        self.assertEqual(statuses, [201] * HOLDS_BURST + [429] * 6)  # 429 on both nodes
        # Another client, on either node, is served.
        for number, node in enumerate(self.nodes):
            self.assertEqual(node.request("POST", f"/v1/events/{event_id}/holds",
                                          {"seats": [seat(90 + number)]},
                                          source="127.0.0.3").status, 201)


if __name__ == "__main__":
    unittest.main()
