"""kill -9, or a stop by SIGTERM, during a stream of checkouts: after a restart every order
that got a 201 is there and consistent, no seat is sold twice, and no payment is left
authorised without an order. A stop by SIGTERM also ends the process cleanly (exit status 0;
under AddressSanitizer, no store call finishing into an event loop that is gone)."""

import os
import random
import sqlite3
import threading
import time
import unittest

from harness import STRESS_LIMITS, Server, event_for, grid_venue

WORKERS = 8
CARD_OK = "4242424242424242"


class CrashTest(unittest.TestCase):
    def server_args(self):
        return []

    def test_kill9_during_checkouts(self):
        self.checkouts_then(lambda server: server.kill9())

    def test_sigterm_during_checkouts(self):
        def stop(server):
            status = server.stop()
            self.assertEqual(status, 0, server.read_log())
        self.checkouts_then(stop)

    def checkouts_then(self, end_server):
        """Checkouts from several clients for 3 s, then `end_server`, then the checks."""
        args = self.server_args() + STRESS_LIMITS
        server = Server(extra_args=args).start()
        try:
            venue = grid_venue(rows=20, seats_per_row=25)  # 500 seats
            venue_id = server.create_venue(venue)
            event_id = server.create_event(event_for(venue_id, venue))
            confirmed = {}  # order_id -> seats, for every 201
            attempts = []   # (hold_id, key, body) of every checkout sent
            lock = threading.Lock()
            stop = threading.Event()

            def worker(number):
                rng = random.Random(number)
                conn = server.connect(timeout=10)
                while not stop.is_set():
                    try:
                        hold = server.request("POST", f"/v1/events/{event_id}/holds",
                                              {"best_available": {"count": rng.randint(1, 3)}},
                                              conn=conn)
                        if hold.status != 201:
                            continue
                        key = f"k-{hold.json['hold_id']}"
                        body = {"payment": {"card_number": CARD_OK},
                                "customer": {"email": f"fan{number}@example.com", "name": "Fan"}}
                        with lock:
                            attempts.append((hold.json["hold_id"], key, body))
                        order = server.request("POST", f"/v1/holds/{hold.json['hold_id']}/checkout",
                                               body, headers={"Idempotency-Key": key}, conn=conn)
                        if order.status == 201:
                            with lock:
                                confirmed[order.json["order_id"]] = order.json["seats"]
                    except (OSError, ConnectionError, Exception):
                        return  # the server died under us

            threads = [threading.Thread(target=worker, args=(i,)) for i in range(WORKERS)]
            for t in threads:
                t.start()
            time.sleep(3)
            end_server(server)
            stop.set()
            for t in threads:
                t.join()
            self.assertGreater(len(confirmed), 0, "no checkout completed before the end")

            server = Server(data_dir=server.data_dir, extra_args=args).start()
            orders = server.request("GET", f"/v1/events/{event_id}/orders", admin=True).json["orders"]
            by_id = {o["order_id"]: o for o in orders}
            for order_id, seats in confirmed.items():
                self.assertIn(order_id, by_id, "an order that got a 201 was lost")
                self.assertEqual(by_id[order_id]["seats"], seats)
                self.assertEqual(server.request("GET", f"/v1/orders/{order_id}").status, 200)
            sold = [seat for o in orders for seat in o["seats"]]
            self.assertEqual(len(sold), len(set(sold)), "a seat is sold twice")
            availability = server.request("GET", f"/v1/events/{event_id}/availability").json
            self.assertEqual(availability["sold"], len(sold))
            self.assertEqual(availability["held"], 0)  # holds do not survive a restart

            # Every payment is captured with an order, or voided: none is left authorised.
            ledger = sqlite3.connect(os.path.join(server.data_dir, "test-payments.sqlite"))
            rows = ledger.execute("SELECT id, status FROM payments").fetchall()
            ledger.close()
            captured = {pid for pid, status in rows if status == "captured"}
            self.assertNotIn("authorized", {status for _, status in rows})
            self.assertEqual(captured, {o["payment"]["id"] for o in orders})
            self.assertTrue(all(o["payment"]["status"] == "captured" for o in orders))

            # A retried checkout answers the order it made, or 410 for a lost hold.
            for hold_id, key, body in attempts:
                retry = server.request("POST", f"/v1/holds/{hold_id}/checkout", body,
                                       headers={"Idempotency-Key": key})
                self.assertIn(retry.status, (201, 410), retry)
                if retry.status == 201:
                    self.assertIn(retry.json["order_id"], by_id)
            self.assertEqual(len(server.request("GET", f"/v1/events/{event_id}/orders",
                                                admin=True).json["orders"]), len(orders))
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
