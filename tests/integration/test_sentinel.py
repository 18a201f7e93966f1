"""Cluster mode under Redis failover: two nodes find the Redis primary through Sentinel; the
primary is killed (kill -9) in the middle of a sale. Sentinel promotes the replica, the nodes
follow it by themselves, errors are answered only during the switch, and no seat is sold
twice (PostgreSQL stays the final arbiter even for holds the old primary took with it)."""

import random
import threading
import time
import unittest

import harness
from harness import Server, event_for, grid_venue

CARD_OK = "4242424242424242"
RUN_SECONDS = 12
KILL_AT = 3
SETTLED_AFTER = 4  # seconds after the kill by which the switch must be over


class SentinelFailoverTest(unittest.TestCase):
    def test_primary_killed_during_a_sale(self):
        redis = harness.Redis("start-sentinel", "1")
        self.addCleanup(redis.stop)
        database = harness.postgres_database()
        # Hammered as fast as the nodes answer: the limits are raised out of reach, but still
        # counted in Redis, which fails open while it fails over.
        args = ["--postgres", database, "--redis", redis.url, "--checkout-pin-seconds", "5",
                *harness.STRESS_LIMITS]
        nodes = [Server(extra_args=args).start() for _ in range(2)]
        for node in nodes:
            self.addCleanup(node.cleanup)
        venue = grid_venue(rows=100, seats_per_row=50)  # not sold out before the end
        venue_id = nodes[0].create_venue(venue)
        event_id = nodes[0].create_event(event_for(venue_id, venue, hold_seconds=600))

        answers = []    # (seconds since start, what, status)
        confirmed = {}  # order_id -> seats
        lock = threading.Lock()
        started = time.monotonic()
        stop = threading.Event()

        def record(what, status):
            with lock:
                answers.append((time.monotonic() - started, what, status))

        def worker(number):
            rng = random.Random(number)
            node = nodes[number % 2]
            conn = node.connect(timeout=10)
            while not stop.is_set():
                hold = node.request("POST", f"/v1/events/{event_id}/holds",
                                    {"best_available": {"count": rng.randint(1, 2)}}, conn=conn)
                record("hold", hold.status)
                if hold.status != 201:
                    time.sleep(0.01)
                    continue
                hold_id = hold.json["hold_id"]
                order = node.request("POST", f"/v1/holds/{hold_id}/checkout",
                                     {"payment": {"card_number": CARD_OK},
                                      "customer": {"email": "fan@example.com", "name": "Fan"}},
                                     headers={"Idempotency-Key": f"k-{hold_id}"}, conn=conn)
                record("checkout", order.status)
                if order.status == 201:
                    with lock:
                        confirmed[order.json["order_id"]] = order.json["seats"]

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(6)]
        for t in threads:
            t.start()
        time.sleep(KILL_AT)
        redis.run("kill-primary")
        time.sleep(RUN_SECONDS - KILL_AT)
        stop.set()
        for t in threads:
            t.join()

        for node in nodes:  # a node that died says why
            self.assertIsNone(node.process.poll(), node.read_log())
        before = [a for a in answers if a[0] < KILL_AT]
        after = [a for a in answers if a[0] > KILL_AT + SETTLED_AFTER]
        self.assertTrue(before and after)
        # Before the kill, and once the switch is over, every answer is a normal one.
        for when, what, status in before + after:
            self.assertIn(status, (201, 409, 410), (when, what, status))
        # During the switch: failures are 503 (the store is unavailable), never a 500.
        for when, what, status in answers:
            self.assertIn(status, (201, 409, 410, 503), (when, what, status))
        self.assertGreater(sum(1 for a in after if a[1] == "checkout" and a[2] == 201), 0,
                           "no sale after the failover")

        orders = nodes[0].request("GET", f"/v1/events/{event_id}/orders",
                                  admin=True).json["orders"]
        by_id = {o["order_id"]: o for o in orders}
        for order_id, seats in confirmed.items():
            self.assertIn(order_id, by_id)
            self.assertEqual(by_id[order_id]["seats"], seats)
        sold = [seat for o in orders for seat in o["seats"]]
        self.assertEqual(len(sold), len(set(sold)), "a seat is sold twice")
        for node in nodes:
            self.assertEqual(node.request("GET", "/readyz").status, 200)


if __name__ == "__main__":
    unittest.main()
