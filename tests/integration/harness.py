"""Starts the real boxoffice binary on a free loopback port with a temporary data dir, and
talks HTTP/1.1 to it. Every integration test goes through here: no mocks, the real server."""

import http.client
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest
import uuid

BINARY = os.environ.get("BOXOFFICE_BIN", "build/asan/src/app/boxoffice")
ADMIN_KEY = "test-admin-key"
START_SECONDS_MAX = 60
# For tests that hammer the server as fast as it answers from one address (crashes and failovers
# under load): per-client limits are not what they test, so they are raised far out of reach,
# but still counted on every request.
STRESS_LIMITS = ["--rate-limit", "all=100000/s:100000"]


def loopback(number):
    """A loopback address of client `number`'s own (127.1.0.1, 127.1.0.2, ...): the server
    listens on 127.0.0.1, which every address of 127.0.0.0/8 reaches, and counts each apart."""
    return f"127.1.{number // 250}.{1 + number % 250}"


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # lower-case names
        self.body = body
        try:
            self.json = json.loads(body) if body else None
        except ValueError:
            self.json = None

    def __repr__(self):
        return f"<{self.status} {self.body[:300]!r}>"


class Server:
    """One boxoffice process. `start()` waits for its "listening on" line."""

    def __init__(self, data_dir=None, extra_args=(), threads=2, open_files=None):
        self.owns_data_dir = data_dir is None
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="boxoffice-test-")
        self.extra_args = list(extra_args)
        self.threads = threads
        self.open_files = open_files  # (soft, hard) RLIMIT_NOFILE for the process, if given
        self.process = None
        self.port = None

    def start(self):
        args = [BINARY, "serve", "--listen", "127.0.0.1:0", "--data-dir", self.data_dir,
                "--admin-key", ADMIN_KEY, "--threads", str(self.threads)] + self.extra_args
        self.log = open(os.path.join(self.data_dir, "server.log"), "ab")
        limit = None
        if self.open_files:
            limit = lambda: resource.setrlimit(resource.RLIMIT_NOFILE, self.open_files)
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log,
                                        preexec_fn=limit)
        deadline = time.monotonic() + START_SECONDS_MAX
        while time.monotonic() < deadline:
            line = self.process.stdout.readline().decode()
            if not line:
                raise RuntimeError(f"boxoffice exited with {self.process.wait()}: {self.read_log()}")
            match = re.search(r"listening on http://[^:]+:(\d+)", line)
            if match:
                self.port = int(match.group(1))
                return self
        raise RuntimeError("boxoffice did not start in time")

    def read_log(self):
        with open(os.path.join(self.data_dir, "server.log"), "rb") as f:
            return f.read().decode(errors="replace")[-4000:]

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode if self.process else None

    def kill9(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def cleanup(self):
        self.stop()
        if self.owns_data_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def connect(self, timeout=30, source=None):
        """A connection from `source` (a loopback address), or from 127.0.0.1."""
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout,
                                          source_address=(source, 0) if source else None)

    def request(self, method, path, body=None, headers=None, admin=False, raw=None, conn=None,
                source=None):
        """Sends one request, on `conn` or a connection of its own from `source`; `body` is
        JSON-encoded unless `raw` bytes are given."""
        headers = dict(headers or {})
        if admin:
            headers.setdefault("Authorization", f"Bearer {ADMIN_KEY}")
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        own = conn is None
        conn = conn or self.connect(source=source)
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            payload = response.read().decode()
            return Response(response.status,
                            {k.lower(): v for k, v in response.getheaders()}, payload)
        finally:
            if own:
                conn.close()

    # The organizer's set-up, as a real client does it.
    def create_venue(self, venue):
        response = self.request("POST", "/v1/venues", venue, admin=True)
        assert response.status == 201, response
        return response.json["id"]

    def create_event(self, event, publish=True):
        response = self.request("POST", "/v1/events", event, admin=True)
        assert response.status == 201, response
        event_id = response.json["id"]
        if publish:
            published = self.request("POST", f"/v1/events/{event_id}/publish", admin=True)
            assert published.status == 200, published
        return event_id

    def make_event(self, venue=None, **overrides):
        """A published event (`event_for` with `overrides`) in a new venue (a grid's if none)."""
        venue = venue or grid_venue()
        return self.create_event(event_for(self.create_venue(venue), venue, **overrides))


def grid_venue(sections=1, rows=5, seats_per_row=10, ga_capacity=0, name="Test Hall"):
    """A venue whose seats are "S<s>-R<r>-<n>", rows 1 unit apart, stage at y = -10."""
    layout = {"stage": {"x": seats_per_row / 2, "y": -10}, "sections": [], "ga_areas": []}
    for s in range(1, sections + 1):
        rows_list = []
        for r in range(1, rows + 1):
            seats = [{"id": f"S{s}-R{r}-{n}", "label": str(n),
                      "x": float(n + (s - 1) * (seats_per_row + 2)), "y": float(r)}
                     for n in range(1, seats_per_row + 1)]
            rows_list.append({"label": f"R{r}", "seats": seats})
        layout["sections"].append({"id": f"S{s}", "name": f"Section {s}", "rows": rows_list})
    if ga_capacity:
        layout["ga_areas"].append({"id": "FLOOR", "name": "Floor", "capacity": ga_capacity})
    return {"name": name, "city": "Los Angeles", "country": "US",
            "timezone": "America/Los_Angeles", "lat": 34.05, "lon": -118.24, "layout": layout}


def iso(seconds_from_now):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + seconds_from_now))


def event_for(venue_id, venue, **overrides):
    places = [s["id"] for s in venue["layout"]["sections"]] + \
             [a["id"] for a in venue["layout"]["ga_areas"]]
    event = {"venue_id": venue_id, "name": "The Test Tour", "performers": ["The Testers"],
             "category": "concert", "tags": ["rock"], "starts_at": iso(30 * 86400),
             "on_sale_at": iso(-3600),
             "price_levels": [{"id": "std", "name": "Standard", "price_cents": 5000,
                               "currency": "USD"}],
             "pricing": {place: "std" for place in places}, "max_per_order": 8}
    event.update(overrides)
    return event


def postgres_database():
    """A fresh database on the test PostgreSQL (the ctest fixture `postgres`); its URL."""
    with open(os.environ["BOXOFFICE_TEST_POSTGRES_URL_FILE"]) as f:
        admin_url = f.read().strip()
    name = "it_" + uuid.uuid4().hex[:16]
    subprocess.run(["psql", admin_url, "-q", "-c", f"CREATE DATABASE {name}"], check=True,
                   capture_output=True)
    return admin_url.rsplit("/", 1)[0] + "/" + name


class Redis:
    """A throwaway Redis of its own (tests/support/redis.sh): event ids restart with every fresh
    database, so nodes of different tests must not share one."""

    SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support", "redis.sh")

    def __init__(self, command="start", *options):
        """`Redis()`: one server. `Redis("start-sentinel", "1")`: a primary, a replica and
        Sentinels, with a redis-sentinel:// URL."""
        self.state = tempfile.mktemp(prefix="boxoffice-redis-")
        subprocess.run([self.SCRIPT, command, self.state, *options], check=True,
                       capture_output=True)
        with open(self.state) as f:
            self.url = f.read().strip()

    def run(self, command):
        return subprocess.run([self.SCRIPT, command, self.state], check=True,
                              capture_output=True, text=True).stdout

    def stop(self):
        self.run("stop")


class ServerTest(unittest.TestCase):
    """A test case with one fresh server (and data dir) per test class."""

    @classmethod
    def server_args(cls):
        """Extra arguments of `boxoffice serve` (a subclass picks another store)."""
        return []

    @classmethod
    def setUpClass(cls):
        cls.server = Server(extra_args=cls.server_args()).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def make_event(self, venue=None, **overrides):
        return self.server.make_event(venue, **overrides)

    def assertProblem(self, response, status, slug=None):
        self.assertEqual(response.status, status, response)
        self.assertEqual(response.headers.get("content-type"), "application/problem+json",
                         response)
        self.assertEqual(response.json["status"], status)
        self.assertTrue(response.json["title"])
        if slug:
            self.assertEqual(response.json["type"], f"/problems/{slug}", response)


class WaitingRoomClient:
    """Joining, polling and waiting in an event's waiting room, checking what every answer must
    be: a mixin of test cases that have `self.server`."""

    def join(self, event_id):
        joined = self.server.request("POST", f"/v1/events/{event_id}/queue")
        self.assertEqual(joined.status, 201, joined)
        self.assertTrue(joined.json["queue_token"].startswith("bq2."))
        self.assertEqual(joined.json["status_url"], f"/v1/events/{event_id}/queue/status")
        return joined.json

    def status(self, event_id, token, in_query=False):
        if in_query:
            return self.server.request("GET", f"/v1/events/{event_id}/queue/status?token={token}")
        return self.server.request("GET", f"/v1/events/{event_id}/queue/status",
                                   headers={"X-Queue-Token": token})

    def wait_admitted(self, event_id, token, seconds=10):
        """The answer that admitted `token`'s holder, with its access token."""
        deadline = time.time() + seconds
        while time.time() < deadline:
            status = self.status(event_id, token)
            self.assertEqual(status.status, 200, status)
            if status.json["state"] == "admitted":
                self.assertEqual(status.json["position"], 0)
                self.assertIn("access_expires_at", status.json)
                return status.json
            self.assertNotIn("access_token", status.json)
            time.sleep(0.05)
        self.fail("not admitted in time")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
