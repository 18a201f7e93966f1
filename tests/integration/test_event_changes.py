"""An organizer's change to an event (price, pricing, sale window, order limit, hold time,
cancellation) applies to the next hold, on one node and across the nodes of a cluster, while a
hold made before keeps its total and its order is charged that total."""

import calendar
import time
import unittest

import harness
from harness import ServerTest, event_for, grid_venue
from test_cluster import TwoNodes

CARD_OK = "4242424242424242"


def checkout_body():
    return {"payment": {"card_number": CARD_OK},
            "customer": {"email": "fan@example.com", "name": "Fan One"}}


class EventChangesTest(ServerTest):
    def setUp(self):
        venue = grid_venue(sections=2, rows=2, seats_per_row=10)
        venue_id = self.server.create_venue(venue)
        self.event = event_for(venue_id, venue, max_per_order=8)
        self.event["price_levels"].append(
            {"id": "vip", "name": "VIP", "price_cents": 9000, "currency": "USD"})
        self.event_id = self.server.create_event(self.event)

    def change(self, **fields):
        """PUTs the event with `fields` changed; waits until every node serves that version."""
        self.event.update(fields)
        response = self.server.request("PUT", f"/v1/events/{self.event_id}", self.event,
                                       admin=True)
        self.assertEqual(response.status, 200, response)
        self.wait_for_version(response.json["version"])
        return response

    def wait_for_version(self, version):
        # One node: at once. Several: within the catalog's reload (every 0.1 s), well under 2 s.
        deadline = time.monotonic() + 2
        for node in self.each_node():
            while True:
                seen = node.request("GET", f"/v1/events/{self.event_id}")
                self.assertEqual(seen.status, 200, seen)
                if seen.json["version"] >= version:
                    break
                self.assertLess(time.monotonic(), deadline, "a node kept the old version")
                time.sleep(0.02)

    def each_node(self):
        return [self.server]

    def hold(self, seats):
        return self.server.request("POST", f"/v1/events/{self.event_id}/holds", {"seats": seats})

    def checkout(self, hold_id, key):
        return self.server.request("POST", f"/v1/holds/{hold_id}/checkout", checkout_body(),
                                   headers={"Idempotency-Key": key})

    def test_a_new_price_is_charged_on_the_next_hold_and_an_old_hold_keeps_its_total(self):
        before = self.hold(["S1-R1-1", "S1-R1-2"])
        self.assertEqual(before.status, 201, before)
        self.assertEqual(before.json["total_cents"], 2 * 5000)

        self.event["price_levels"][0]["price_cents"] = 1
        self.change()
        after = self.hold(["S1-R1-3", "S1-R1-4", "S1-R1-5"])
        self.assertEqual(after.status, 201, after)
        self.assertEqual(after.json["total_cents"], 3)

        kept = self.server.request("GET", f"/v1/holds/{before.json['hold_id']}")
        self.assertEqual(kept.json["total_cents"], 2 * 5000)
        old_order = self.checkout(before.json["hold_id"], "old-price")
        self.assertEqual(old_order.status, 201, old_order)
        self.assertEqual(old_order.json["total_cents"], 2 * 5000)
        new_order = self.checkout(after.json["hold_id"], "new-price")
        self.assertEqual(new_order.status, 201, new_order)
        self.assertEqual(new_order.json["total_cents"], 3)

    def test_new_pricing_shows_in_the_seat_map_and_the_next_hold(self):
        seatmap = self.server.request("GET", f"/v1/events/{self.event_id}/seatmap")
        self.assertEqual(seatmap.json["sections"][1]["price_level"], "std")
        self.event["pricing"]["S2"] = "vip"
        self.change()
        changed = self.server.request("GET", f"/v1/events/{self.event_id}/seatmap",
                                      headers={"If-None-Match": seatmap.headers["etag"]})
        self.assertEqual(changed.status, 200, changed)  # the old ETag no longer matches
        self.assertEqual(changed.json["sections"][1]["price_level"], "vip")
        hold = self.hold(["S1-R2-1", "S2-R2-1"])
        self.assertEqual(hold.status, 201, hold)
        self.assertEqual(hold.json["total_cents"], 5000 + 9000)
        best = self.server.request("POST", f"/v1/events/{self.event_id}/holds",
                                   {"best_available": {"count": 2, "price_level": "vip"}})
        self.assertEqual(best.status, 201, best)
        self.assertTrue(all(seat.startswith("S2-") for seat in best.json["seats"]), best.json)

    def test_an_order_limit_lowered_or_raised_applies_to_the_next_hold(self):
        self.change(max_per_order=1)
        over = self.hold(["S1-R1-6", "S1-R1-7"])
        self.assertProblem(over, 422, "over-order-limit")
        self.assertEqual(over.json["max_per_order"], 1)
        self.assertEqual(self.hold(["S1-R1-6"]).status, 201)

        self.change(max_per_order=10)
        ten = self.hold([f"S2-R1-{n}" for n in range(1, 11)])
        self.assertEqual(ten.status, 201, ten)

    def test_a_sale_window_moved_later_stops_holds_at_once(self):
        self.change(on_sale_at=harness.iso(20 * 86400))
        refused = self.hold(["S1-R2-9"])
        self.assertProblem(refused, 403, "not-on-sale")
        self.change(on_sale_at=harness.iso(-60))
        self.assertEqual(self.hold(["S1-R2-9"]).status, 201)

    def test_a_new_hold_time_applies_to_the_next_hold(self):
        self.change(hold_seconds=30)
        hold = self.hold(["S1-R2-10"])
        self.assertEqual(hold.status, 201, hold)
        expires_at = calendar.timegm(time.strptime(hold.json["expires_at"][:19],
                                                   "%Y-%m-%dT%H:%M:%S"))
        lasts = expires_at - time.time()
        self.assertGreater(lasts, 20)
        self.assertLessEqual(lasts, 31)

    def test_a_cancelled_event_is_not_sold(self):
        before = self.hold(["S2-R2-5"])
        self.assertEqual(before.status, 201)
        cancelled = self.server.request("POST", f"/v1/events/{self.event_id}/cancel", admin=True)
        self.assertEqual(cancelled.status, 200, cancelled)
        self.wait_for_version(cancelled.json["version"])
        self.assertProblem(self.hold(["S2-R2-6"]), 403, "not-on-sale")

    def test_an_events_own_hold_limit_applies_to_the_next_hold_on_every_node(self):
        nodes = self.each_node()

        def hold_from(n, source):  # seat n of a row, through the nodes in turn
            return nodes[n % len(nodes)].request(
                "POST", f"/v1/events/{self.event_id}/holds", {"seats": [f"S1-R2-{n + 1}"]},
                source=source)

        self.change(rate_limits={"holds": "1/min:3"})
        self.assertEqual([hold_from(n, "127.0.0.7").status for n in range(4)],
                         [201, 201, 201, 429])
        self.assertEqual(hold_from(4, "127.0.0.8").status, 201)  # another client
        self.change(rate_limits={"holds": "1/min:6"})  # looser: the next hold goes
        self.assertEqual(hold_from(5, "127.0.0.7").status, 201)
        refused = self.server.request("PUT", f"/v1/events/{self.event_id}",
                                      dict(self.event, rate_limits={"holds": "off"}), admin=True)
        self.assertProblem(refused, 400, "invalid-field")
        self.assertEqual(refused.json["field"], "rate_limits.holds")
        shown = self.server.request("GET", f"/v1/events/{self.event_id}", admin=True)
        self.assertEqual(shown.json["rate_limits"], {"holds": "1/min:6"})

    def test_the_currency_cannot_change(self):
        for level in self.event["price_levels"]:
            level["currency"] = "EUR"
        refused = self.server.request("PUT", f"/v1/events/{self.event_id}", self.event,
                                      admin=True)
        self.assertProblem(refused, 400, "invalid-field")
        shown = self.server.request("GET", f"/v1/events/{self.event_id}")
        self.assertEqual(shown.json["price_levels"][0]["currency"], "USD")
        hold = self.hold(["S2-R1-1"])
        self.assertEqual(hold.json["currency"], "USD")


class TwoNodeEventChangesTest(TwoNodes, EventChangesTest):
    """The same on two cluster nodes: a change made through one is held, read and paid for
    through the other."""

    def each_node(self):
        return self.nodes


if __name__ == "__main__":
    unittest.main()
