"""What an operator relies on: metrics, request ids, readiness."""

import re
import socket
import time
import unittest

from harness import Server, ServerTest, grid_venue


class OperationsTest(ServerTest):
    def test_request_id_is_echoed_or_made(self):
        given = self.server.request("GET", "/healthz", headers={"X-Request-Id": "trace-42"})
        self.assertEqual(given.headers["x-request-id"], "trace-42")
        made = self.server.request("GET", "/healthz")
        self.assertRegex(made.headers["x-request-id"], r"^[0-9a-f]{16}$")
        other = self.server.request("GET", "/healthz")
        self.assertNotEqual(made.headers["x-request-id"], other.headers["x-request-id"])
        unsafe = self.server.request("GET", "/healthz", headers={"X-Request-Id": 'a"b'})
        self.assertNotEqual(unsafe.headers["x-request-id"], 'a"b')

    def test_metrics_count_routes_and_outcomes(self):
        s = self.server
        event_id = self.make_event(grid_venue(rows=1, seats_per_row=4))
        first = s.request("POST", f"/v1/events/{event_id}/holds", {"seats": ["S1-R1-1"]})
        self.assertEqual(first.status, 201)
        self.assertEqual(s.request("POST", f"/v1/events/{event_id}/holds",
                                   {"seats": ["S1-R1-1"]}).status, 409)
        s.request("GET", "/no/such/thing")
        metrics = s.request("GET", "/metrics")
        self.assertEqual(metrics.status, 200)
        self.assertTrue(metrics.headers["content-type"].startswith("text/plain"))
        text = metrics.body

        def value(pattern):
            match = re.search(r"^" + pattern + r" (\S+)$", text, re.MULTILINE)
            self.assertIsNotNone(match, pattern)
            return float(match.group(1))

        self.assertEqual(value(r'boxoffice_http_requests_total\{method="POST",route="/v1/events/\{id\}/holds",status="201"\}'), 1)
        self.assertEqual(value(r'boxoffice_http_requests_total\{method="POST",route="/v1/events/\{id\}/holds",status="409"\}'), 1)
        self.assertEqual(value(r'boxoffice_http_requests_total\{method="any",route="unmatched",status="404"\}'), 1)
        self.assertEqual(value(r'boxoffice_http_request_duration_seconds_count\{method="POST",route="/v1/events/\{id\}/holds"\}'), 2)
        self.assertEqual(value(r"boxoffice_holds_created_total"), 1)
        self.assertEqual(value(r"boxoffice_hold_conflicts_total"), 1)
        self.assertEqual(value(r"boxoffice_holds_pending_expiry"), 1)


class OpenFilesTest(unittest.TestCase):
    """A process started with systemd's soft limit of open files raises it to the hard limit,
    and accepts no more connections than that leaves room for: a crowd of idle connections
    makes the server close new ones, never run out of descriptors."""

    def test_the_limit_is_raised_and_connections_stay_below_it(self):
        server = Server(open_files=(300, 400)).start()
        try:
            crowd = []
            for _ in range(350):  # past the soft limit it started with, and past 400 - 256
                crowd.append(socket.create_connection(("127.0.0.1", server.port)))
            for conn in crowd:
                conn.close()
            for _ in range(50):  # until the server has seen the crowd go
                try:
                    if server.request("GET", "/healthz").status == 200:
                        break
                except (ConnectionError, OSError):
                    time.sleep(0.1)
            self.assertEqual(server.request("GET", "/healthz").status, 200)
            log = server.read_log()
            self.assertIn("open files: 400 (hard limit 400); connections_max 144", log)
            self.assertNotIn("accept failed", log)
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
