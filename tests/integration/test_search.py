"""Search over HTTP: the index follows the catalog (publish, update, unpublish, cancel), the
query is understood, suggestions, the lag in /metrics; on SQLite and on PostgreSQL."""

import json
import re
import time
import unittest
import urllib.parse

from harness import ServerTest, grid_venue, postgres_database


class SearchTest(ServerTest):
    def search(self, path):
        """Polls until the index has caught up with what the test expects (it is eventually
        consistent), for at most 5 s; answers the last body."""
        return json.loads(self.server.request("GET", path).body)

    def ids(self, q, **params):
        params["q"] = q
        return [r["id"] for r in self.search("/v1/search?" + urllib.parse.urlencode(params))["results"]]

    def eventually(self, check):
        deadline = time.time() + 5
        while True:
            try:
                check()
                return
            except AssertionError:
                if time.time() > deadline:
                    raise
                time.sleep(0.05)

    def test_index_follows_the_catalog(self):
        s = self.server
        event_id = self.make_event(name="Zanzibar Nights", performers=["Quillon Vetch"])
        self.eventually(lambda: self.assertEqual(self.ids("quillon"), [event_id]))
        self.eventually(lambda: self.assertEqual(self.ids("quilon vetch"), [event_id]))  # a typo
        answer = self.search("/v1/search?q=" + urllib.parse.quote("quillon concert in LA"))
        self.assertEqual(answer["query"]["understood"]["summary"], "Concerts · Los Angeles")
        self.assertIn("<mark>", answer["results"][0]["highlights"]["performers"])
        self.assertEqual(answer["facets"]["category"][0]["value"], "concert")
        suggestions = self.search("/v1/search/suggest?q=quil")["suggestions"]
        self.assertEqual(suggestions[0]["text"], "Quillon Vetch")

        body = json.loads(s.request("GET", f"/v1/events/{event_id}", admin=True).body)
        for key in ("id", "published", "version", "cancelled", "venue", "price_range"):
            body.pop(key, None)
        body["name"] = "Zanzibar Mornings"
        updated = s.request("PUT", f"/v1/events/{event_id}", body, admin=True)
        self.assertEqual(updated.status, 200, updated)
        self.eventually(lambda: self.assertEqual(self.ids("mornings"), [event_id]))
        self.assertEqual(self.ids("nights"), [])

        self.assertEqual(s.request("POST", f"/v1/events/{event_id}/unpublish").status, 401)
        self.assertEqual(s.request("POST", f"/v1/events/{event_id}/unpublish", admin=True).status, 200)
        self.eventually(lambda: self.assertEqual(self.ids("mornings"), []))
        self.assertEqual(s.request("GET", f"/v1/events/{event_id}").status, 404)
        self.assertEqual(s.request("POST", f"/v1/events/{event_id}/publish", admin=True).status, 200)
        self.eventually(lambda: self.assertEqual(self.ids("mornings"), [event_id]))

        cancelled = s.request("POST", f"/v1/events/{event_id}/cancel", admin=True)
        self.assertEqual(cancelled.status, 200)
        self.assertTrue(json.loads(cancelled.body)["cancelled"])
        self.eventually(lambda: self.assertEqual(self.ids("mornings"), []))
        hold = s.request("POST", f"/v1/events/{event_id}/holds", {"seats": ["S1-R1-1"]})
        self.assertProblem(hold, 403)  # not on sale

        rebuilt = s.request("POST", "/v1/search/rebuild", admin=True)
        self.assertEqual(rebuilt.status, 200, rebuilt)
        self.assertEqual(self.ids("mornings"), [])
        metrics = s.request("GET", "/metrics").body
        self.assertRegex(metrics, r"boxoffice_search_index_lag_seconds_count [1-9]")
        self.assertRegex(metrics, r"boxoffice_search_index_rebuilds_total [1-9]")

    def test_bad_parameters_are_problems(self):
        self.assertProblem(self.server.request("GET", "/v1/search?limit=0"), 400)
        self.assertProblem(self.server.request("GET", "/v1/search?cursor=nope"), 400)
        self.assertProblem(self.server.request("GET", "/v1/search?from=yesterday"), 400)
        self.assertProblem(self.server.request("GET", "/v1/search?lat=91&lon=0"), 400)


class PostgresSearchTest(SearchTest):
    @classmethod
    def server_args(cls):
        return ["--postgres", postgres_database()]


if __name__ == "__main__":
    unittest.main()
