"""200 concurrent clients race over HTTP for the same 50 seats: every seat ends up in exactly
one hold, and after checkout in exactly one order. Each client has a loopback address of its
own, as 200 people have, so the per-client limits count each apart (at their defaults)."""

import random
import threading
import unittest

from harness import ServerTest, grid_venue, loopback

CLIENTS = 200
SEATS = [f"S1-R{r}-{n}" for r in range(1, 6) for n in range(1, 11)]  # 50
# Each client gives up after 20 tries, the burst of holds a client may make at once: the race
# takes about 1,500 tries in all (the last seats are found by chance), far below 200 × 20.
ATTEMPTS_MAX = 20


class RaceTest(ServerTest):
    def test_two_hundred_clients_fifty_seats(self):
        s = self.server
        event_id = self.make_event(grid_venue(rows=5, seats_per_row=10))
        holds = []  # (hold_id, seats, client number) of every 201
        statuses = []
        unexpected = []  # answers neither 201 nor 409
        lock = threading.Lock()
        start = threading.Barrier(CLIENTS)

        def client(number):
            rng = random.Random(number)
            conn = s.connect(source=loopback(number))
            start.wait()
            for attempt in range(ATTEMPTS_MAX):
                seats = rng.sample(SEATS, rng.randint(1, 3))
                response = s.request("POST", f"/v1/events/{event_id}/holds", {"seats": seats},
                                     conn=conn)
                with lock:
                    statuses.append(response.status)
                    if response.status not in (201, 409):
                        unexpected.append((number, attempt, response))
                    if response.status == 201:
                        holds.append((response.json["hold_id"], response.json["seats"], number))
                if response.status != 201 and attempt % 5 == 4:
                    left = s.request("GET", f"/v1/events/{event_id}/availability", conn=conn)
                    if left.json["available"] == 0:
                        break
            conn.close()

        threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

        self.assertEqual(unexpected, [])
        held_seats = [seat for _, seats, _ in holds for seat in seats]
        self.assertEqual(len(held_seats), len(set(held_seats)), "a seat is in two holds")
        self.assertEqual(sorted(held_seats), sorted(SEATS))
        availability = s.request("GET", f"/v1/events/{event_id}/availability").json
        self.assertEqual((availability["held"], availability["available"]), (50, 0))

        # Everyone checks out at once, each from their own address.
        results = []

        def checkout(hold_id, number):
            response = s.request("POST", f"/v1/holds/{hold_id}/checkout",
                                 {"payment": {"card_number": "4242424242424242"},
                                  "customer": {"email": "fan@example.com", "name": "Fan"}},
                                 headers={"Idempotency-Key": hold_id}, source=loopback(number))
            with lock:
                results.append(response)

        threads = [threading.Thread(target=checkout, args=(h, n)) for h, _, n in holds]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertTrue(all(r.status == 201 for r in results), [r for r in results if r.status != 201][:3])

        orders = s.request("GET", f"/v1/events/{event_id}/orders", admin=True).json["orders"]
        sold = [seat for order in orders for seat in order["seats"]]
        self.assertEqual(len(sold), len(set(sold)), "a seat is in two orders")
        self.assertEqual(sorted(sold), sorted(SEATS))
        availability = s.request("GET", f"/v1/events/{event_id}/availability").json
        self.assertEqual((availability["sold"], availability["held"]), (50, 0))


if __name__ == "__main__":
    unittest.main()
