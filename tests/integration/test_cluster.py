"""Cluster mode: boxoffice nodes sharing one PostgreSQL and one Redis, behind nginx.

- the single-node flows and races again, with the holds in Redis;
- 300 clients racing through the balancer over three nodes for the same 100 seats;
- kill -9 of a node in the middle of checkouts, the buyers retrying on the other nodes;
- PostgreSQL stopped and started again under a cluster node;
- the waiting room over two nodes that share its counters, every request on the other node.
The Redis failover under Sentinel is in test_sentinel.py."""

import os
import random
import shutil
import sqlite3
import subprocess
import tempfile
import threading
import time
import unittest

import harness
import test_flow
import test_postgres_outage
import test_queue
import test_race
from harness import Server, event_for, grid_venue, loopback

CARD_OK = "4242424242424242"
PIN_SECONDS = 5  # --checkout-pin-seconds: how soon a dead node's checkout is settled


def cluster_args(database, redis_url):
    return ["--postgres", database, "--redis", redis_url,
            "--checkout-pin-seconds", str(PIN_SECONDS)]


class WithRedis:
    """A single-node test class, run again with its holds in a Redis of its own."""

    @classmethod
    def setUpClass(cls):
        cls.redis = harness.Redis()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.redis.stop()

    @classmethod
    def server_args(cls):
        return cluster_args(harness.postgres_database(), cls.redis.url)


class RedisFlowTest(WithRedis, test_flow.FlowTest):
    pass


class RedisRaceTest(WithRedis, test_race.RaceTest):
    pass


class Alternating(Server):
    """A Server-like handle that sends each request to the next of `nodes` in turn: whatever one
    node hands out (a queue token, an access token, a hold), the other is asked about."""

    def __init__(self, nodes):
        self.nodes = nodes
        self.turn = 0

    def connect(self, timeout=30, source=None):
        self.turn += 1
        self.port = self.nodes[self.turn % len(self.nodes)].port
        return super().connect(timeout, source)


class TwoNodes:
    """A test class run again on two cluster nodes sharing Redis, PostgreSQL and one ticket
    secret, each request sent to the other node than the last."""

    @classmethod
    def setUpClass(cls):
        cls.redis = harness.Redis()
        args = cluster_args(harness.postgres_database(), cls.redis.url)
        first = Server(extra_args=args).start()
        second = Server(extra_args=args)
        shutil.copy(os.path.join(first.data_dir, "ticket-secret"), second.data_dir)
        cls.nodes = [first, second.start()]
        cls.server = Alternating(cls.nodes)

    @classmethod
    def tearDownClass(cls):
        for node in cls.nodes:
            node.cleanup()
        cls.redis.stop()


class TwoNodeQueueTest(TwoNodes, test_queue.QueueTest):
    """The waiting room's tests again, on two nodes."""


class RedisPostgresOutageTest(test_postgres_outage.PostgresOutageTest):
    """PostgreSQL stopped and started again under a node of a cluster."""

    def node_args(self, postgres_url):
        self.redis = harness.Redis()
        self.addCleanup(self.redis.stop)
        return cluster_args(postgres_url, self.redis.url)


class Balancer:
    """nginx in front of the nodes, round robin, keep-alive to the nodes, telling them who each
    client is (X-Forwarded-For); the nodes trust it (BALANCER_RANGE)."""

    def __init__(self, ports):
        self.dir = tempfile.mkdtemp(prefix="boxoffice-nginx-")
        self.port = harness.free_port()
        servers = "\n".join(f"    server 127.0.0.1:{p} max_fails=0;" for p in ports)
        config = f"""
worker_processes 1;
pid {self.dir}/nginx.pid;
error_log {self.dir}/error.log;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {self.dir}; proxy_temp_path {self.dir}; fastcgi_temp_path {self.dir};
  uwsgi_temp_path {self.dir}; scgi_temp_path {self.dir};
  upstream boxoffice {{
{servers}
    keepalive 64;
  }}
  server {{
    listen 127.0.0.1:{self.port};
    location / {{
      proxy_pass http://boxoffice;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_buffering off;
    }}
  }}
}}
"""
        with open(f"{self.dir}/nginx.conf", "w") as f:
            f.write(config)
        self.process = subprocess.Popen(["nginx", "-c", f"{self.dir}/nginx.conf", "-e",
                                         f"{self.dir}/error.log", "-g", "daemon off;"])
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                harness.socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("nginx did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait()
        subprocess.run(["rm", "-rf", self.dir])


def through(port):
    """A Server-like handle that talks to `port` (the balancer)."""
    handle = Server.__new__(Server)
    handle.port = port
    return handle


BALANCER_RANGE = "127.0.0.1/32"  # where nginx connects to the nodes from


class ClusterTest(unittest.TestCase):
    NODES = 3

    def setUp(self):
        self.redis = harness.Redis()
        self.addCleanup(self.redis.stop)
        database = harness.postgres_database()
        args = cluster_args(database, self.redis.url) + ["--trusted-proxy", BALANCER_RANGE]
        if self._testMethodName.startswith("test_kill9"):
            # Hammered as fast as the nodes answer, so that checkouts are in flight when one
            # dies: limits are not what it tests.
            args += harness.STRESS_LIMITS
        self.nodes = [Server(extra_args=args).start() for _ in range(self.NODES)]
        self.balancer = Balancer([node.port for node in self.nodes])
        self.front = through(self.balancer.port)

    def tearDown(self):
        self.balancer.stop()
        for node in self.nodes:
            node.cleanup()

    def make_event(self, venue, **overrides):
        venue_id = self.front.create_venue(venue)
        return self.front.create_event(event_for(venue_id, venue, **overrides))

    def wait_until_nodes_agree(self, event_id, expect):
        """Every node's availability satisfies `expect` within a second; answers them."""
        deadline = time.monotonic() + 1.0
        while True:
            answers = [n.request("GET", f"/v1/events/{event_id}/availability").json
                       for n in self.nodes if n.process.poll() is None]
            if all(expect(a) for a in answers) or time.monotonic() > deadline:
                return answers
            time.sleep(0.02)

    def test_300_clients_100_seats_three_nodes(self):
        event_id = self.make_event(grid_venue(rows=10, seats_per_row=10), hold_seconds=600)
        seats = [f"S1-R{r}-{n}" for r in range(1, 11) for n in range(1, 11)]
        holds = []  # (hold_id, seats, client number) of every 201
        lock = threading.Lock()
        start = threading.Barrier(300)

        def client(number):
            rng = random.Random(number)
            conn = self.front.connect(source=loopback(number))  # 300 people, 300 addresses
            start.wait()
            for _ in range(20):
                asked = rng.sample(seats, rng.randint(1, 3))
                response = self.front.request("POST", f"/v1/events/{event_id}/holds",
                                              {"seats": asked}, conn=conn)
                self.assertIn(response.status, (201, 409), response)
                if response.status == 201:
                    with lock:
                        holds.append((response.json["hold_id"], response.json["seats"], number))
            conn.close()

        threads = [threading.Thread(target=client, args=(i,)) for i in range(300)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

        held = [seat for _, hold_seats, _ in holds for seat in hold_seats]
        self.assertEqual(len(held), len(set(held)), "a seat is held by two live holds")
        self.assertGreater(len(held), 80)
        answers = self.wait_until_nodes_agree(
            event_id, lambda a: a["held"] == len(held) and a["sold"] == 0)
        for answer in answers:
            self.assertEqual(answer["held"], len(held), answer)
        self.assertEqual(len({a["seq"] for a in answers}), 1, "the nodes disagree")

        # Every hold checked out through the balancer, so on any node, by its holder.
        def checkout(batch):
            for hold_id, _, number in batch:
                order = self.front.request(
                    "POST", f"/v1/holds/{hold_id}/checkout",
                    {"payment": {"card_number": CARD_OK},
                     "customer": {"email": "fan@example.com", "name": "Fan"}},
                    headers={"Idempotency-Key": f"k-{hold_id}"}, source=loopback(number))
                self.assertEqual(order.status, 201, order)

        batches = [holds[i::10] for i in range(10)]
        threads = [threading.Thread(target=checkout, args=(b,)) for b in batches]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

        orders = self.front.request("GET", f"/v1/events/{event_id}/orders",
                                    admin=True).json["orders"]
        sold = [seat for o in orders for seat in o["seats"]]
        self.assertEqual(len(sold), len(set(sold)), "a seat is sold twice")
        self.assertEqual(sorted(sold), sorted(held))
        answers = self.wait_until_nodes_agree(
            event_id, lambda a: a["sold"] == len(sold) and a["held"] == 0)
        for answer in answers:
            self.assertEqual((answer["sold"], answer["held"]), (len(sold), 0), answer)
            self.assertEqual(answer["available"], 100 - len(sold))

    def test_kill9_of_a_node_during_checkouts(self):
        # Enough seats that the sale is still going when the node dies.
        event_id = self.make_event(grid_venue(rows=40, seats_per_row=50), hold_seconds=600)
        victim = self.nodes[0]
        survivors = self.nodes[1:]
        confirmed = {}  # order_id -> seats, for every 201
        lost = []       # (hold_id, key, body) of checkouts cut off by the kill
        lock = threading.Lock()
        stop = threading.Event()

        def worker(number):
            # Holds on any node; checkouts on the victim while it lives, so that its death
            # cuts some off in flight; then on the survivors.
            rng = random.Random(number)
            holder = self.nodes[number % len(self.nodes)]
            payer = victim
            while not stop.is_set():
                try:
                    hold = holder.request("POST", f"/v1/events/{event_id}/holds",
                                          {"best_available": {"count": rng.randint(1, 3)}})
                except OSError:
                    holder = survivors[number % 2]
                    continue
                if hold.status != 201:
                    continue
                hold_id = hold.json["hold_id"]
                key = f"k-{hold_id}"
                body = {"payment": {"card_number": CARD_OK},
                        "customer": {"email": f"fan{number}@example.com", "name": "Fan"}}
                try:
                    order = payer.request("POST", f"/v1/holds/{hold_id}/checkout", body,
                                          headers={"Idempotency-Key": key})
                except OSError:
                    with lock:
                        lost.append((hold_id, key, body))
                    payer = survivors[number % 2]
                    continue
                self.assertEqual(order.status, 201, order)
                with lock:
                    confirmed[order.json["order_id"]] = order.json["seats"]

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(9)]
        for t in threads:
            t.start()
        time.sleep(2)
        victim.kill9()
        time.sleep(1)
        stop.set()
        for t in threads:
            t.join()
        self.assertGreater(len(confirmed), 0)
        self.assertGreater(len(lost), 0, "the kill cut no checkout off: nothing was tested")

        # The buyers whose checkout was cut off retry on a surviving node, same key, same
        # body: the order the dead node made, or a new checkout once its pin ran out.
        for hold_id, key, body in lost:
            deadline = time.monotonic() + PIN_SECONDS + 10
            while True:
                retry = survivors[0].request("POST", f"/v1/holds/{hold_id}/checkout", body,
                                             headers={"Idempotency-Key": key})
                if retry.status != 409 or time.monotonic() > deadline:
                    break
                self.assertEqual(retry.json["type"], "/problems/checkout-in-progress", retry)
                time.sleep(0.5)
            self.assertEqual(retry.status, 201, retry)
            confirmed[retry.json["order_id"]] = retry.json["seats"]

        orders = survivors[0].request("GET", f"/v1/events/{event_id}/orders",
                                      admin=True).json["orders"]
        by_id = {o["order_id"]: o for o in orders}
        for order_id, seats in confirmed.items():
            self.assertIn(order_id, by_id, "an order that got a 201 was lost")
            self.assertEqual(by_id[order_id]["seats"], seats)
        sold = [seat for o in orders for seat in o["seats"]]
        self.assertEqual(len(sold), len(set(sold)), "a seat is sold twice")
        # The survivors agree with the orders, once stale checkouts are settled.
        answers = self.wait_until_nodes_agree(event_id, lambda a: a["sold"] == len(sold))
        for answer in answers:
            self.assertEqual(answer["sold"], len(sold), answer)

        # No payment captured without an order; after the dead node restarts, none of its
        # authorisations is left hanging.
        restarted = Server(data_dir=victim.data_dir, extra_args=victim.extra_args).start()
        try:
            payment_ids = {o["payment"]["id"] for o in orders}
            for node in [restarted] + survivors:
                ledger = sqlite3.connect(os.path.join(node.data_dir, "test-payments.sqlite"))
                rows = ledger.execute("SELECT id, status FROM payments").fetchall()
                ledger.close()
                for payment_id, status in rows:
                    if status == "captured":
                        self.assertIn(payment_id, payment_ids, "captured without an order")
                if node is restarted:
                    self.assertNotIn("authorized", {status for _, status in rows})
        finally:
            restarted.stop()


if __name__ == "__main__":
    unittest.main()
