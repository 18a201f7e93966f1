"""An event's max_per_customer: one buyer, known by their email trimmed, lowercased and without a
+tag, buys at most that many seats over all their orders, however many checkouts run at once
and through whichever node; the limit is checked at checkout, keeps the hold, and follows the
event's changes."""

import threading
import unittest

from harness import ServerTest, event_for, grid_venue, loopback
from test_cluster import TwoNodes

CARD_OK = "4242424242424242"


class BuyerLimitsTest(ServerTest):
    def setUp(self):
        venue = grid_venue(sections=1, rows=2, seats_per_row=10)
        venue_id = self.server.create_venue(venue)
        self.event = event_for(venue_id, venue, max_per_order=4, max_per_customer=3)
        self.event_id = self.server.create_event(self.event)
        self.seats = iter(f"S1-R{row}-{n}" for row in (1, 2) for n in range(1, 11))

    def hold(self, count, conn=None):
        seats = [next(self.seats) for _ in range(count)]
        response = self.server.request("POST", f"/v1/events/{self.event_id}/holds",
                                       {"seats": seats}, conn=conn)
        self.assertEqual(response.status, 201, response)
        return response.json["hold_id"]

    def checkout(self, hold_id, email, key="k", conn=None):
        body = {"payment": {"card_number": CARD_OK},
                "customer": {"email": email, "name": "A Fan"}}
        return self.server.request("POST", f"/v1/holds/{hold_id}/checkout", body,
                                   headers={"Idempotency-Key": key}, conn=conn)

    def test_a_buyer_stops_at_the_limit_whatever_the_spelling_of_their_email(self):
        first = self.checkout(self.hold(2), "Fan@Example.com")
        self.assertEqual(first.status, 201, first)
        over = self.hold(2)
        refused = self.checkout(over, " fan+second@EXAMPLE.com ")
        self.assertEqual(refused.status, 422, refused)
        self.assertEqual(refused.json["type"], "/problems/customer-limit")
        self.assertEqual(refused.json["max_per_customer"], 3)
        # The hold is kept: someone else (a friend paying) may still buy it.
        kept = self.server.request("GET", f"/v1/holds/{over}")
        self.assertEqual(kept.json["status"], "held", kept)
        friend = self.checkout(over, "friend@example.com", key="other")
        self.assertEqual(friend.status, 201, friend)
        last = self.checkout(self.hold(1), "FAN@example.com")
        self.assertEqual(last.status, 201, last)
        orders = self.server.request("GET", f"/v1/events/{self.event_id}/orders", admin=True)
        self.assertEqual(len(orders.json["orders"]), 3)

    def test_concurrent_checkouts_of_one_buyer_sell_exactly_the_limit(self):
        holds = [self.hold(1) for _ in range(8)]
        answers = []
        lock = threading.Lock()
        start = threading.Barrier(len(holds))

        def buy(number, hold_id):
            conn = self.server.connect(source=loopback(number))
            start.wait()
            answer = self.checkout(hold_id, f"crowd+{number}@example.com", conn=conn)
            with lock:
                answers.append(answer)

        threads = [threading.Thread(target=buy, args=(n, h)) for n, h in enumerate(holds)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        statuses = sorted(answer.status for answer in answers)
        self.assertEqual(statuses, [201] * 3 + [422] * 5, answers)
        orders = self.server.request("GET", f"/v1/events/{self.event_id}/orders", admin=True)
        self.assertEqual(len(orders.json["orders"]), 3)

    def test_a_raised_limit_counts_what_was_bought_before(self):
        self.assertEqual(self.checkout(self.hold(3), "fan@example.com").status, 201)
        self.assertEqual(self.checkout(self.hold(1), "fan@example.com").status, 422)
        self.event["max_per_customer"] = 4
        changed = self.server.request("PUT", f"/v1/events/{self.event_id}", self.event,
                                      admin=True)
        self.assertEqual(changed.status, 200, changed)
        self.assertEqual(changed.json["max_per_customer"], 4)
        self.assertEqual(self.checkout(self.hold(1), "fan@example.com", key="after").status, 201)
        self.assertEqual(self.checkout(self.hold(1), "fan@example.com", key="past").status, 422)

    def test_a_limit_out_of_range_is_refused_and_changes_nothing(self):
        for bad in (0, -1, 10_001, "3", 2.5):
            body = dict(self.event, max_per_customer=bad)
            answer = self.server.request("PUT", f"/v1/events/{self.event_id}", body, admin=True)
            self.assertEqual(answer.status, 400, (bad, answer))
            self.assertEqual(answer.json["field"], "max_per_customer")
        shown = self.server.request("GET", f"/v1/events/{self.event_id}")
        self.assertEqual(shown.json["max_per_customer"], 3)


class TwoNodeBuyerLimitsTest(TwoNodes, BuyerLimitsTest):
    """The same on two cluster nodes, each request sent to the other node than the last: the
    count is PostgreSQL's, not a node's."""


if __name__ == "__main__":
    unittest.main()
