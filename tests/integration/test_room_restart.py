"""The embedded mode's waiting room survives a restart mid-sale, by SIGTERM and by kill -9:
everyone in line keeps their place and their token, the admitted person keeps their session
(their access token still holds seats), and people who join after the restart get numbers
past every number handed out before it."""

import time
import unittest

from harness import STRESS_LIMITS, Server, WaitingRoomClient

PEOPLE = 30
# The rooms are saved at every sweeper tick (100 ms): waiting this long makes sure a tick
# saved everyone before the kill.
SAVED_SECONDS = 0.5


class RoomRestartTest(WaitingRoomClient, unittest.TestCase):
    def setUp(self):
        self.server = Server(extra_args=STRESS_LIMITS).start()

    def tearDown(self):
        self.server.cleanup()

    def restart(self, end):
        end(self.server)
        self.server = Server(data_dir=self.server.data_dir, extra_args=STRESS_LIMITS).start()

    def line_of(self, event_id, people):
        """Each person's state and position now."""
        answers = []
        for person in people:
            status = self.status(event_id, person["queue_token"])
            self.assertEqual(status.status, 200, status)
            answers.append((status.json["state"], status.json["position"]))
        return answers

    def test_the_line_survives_a_clean_stop_and_a_kill9(self):
        # One place, taken by the first person for the whole test: nobody else moves.
        event_id = self.server.make_event(waiting_room={
            "enabled": True, "active_limit": 1, "admit_per_second": 50, "session_seconds": 600})
        first = self.join(event_id)
        admitted = self.wait_admitted(event_id, first["queue_token"])
        people = [self.join(event_id) for _ in range(PEOPLE)]
        numbers = [first["number"]] + [p["number"] for p in people]
        self.assertEqual(numbers, list(range(PEOPLE + 1)))
        line = self.line_of(event_id, people)
        self.assertEqual(line, [("waiting", i + 1) for i in range(PEOPLE)])

        stop = lambda s: self.assertEqual(s.stop(), 0, s.read_log())
        kill9 = lambda s: (time.sleep(SAVED_SECONDS), s.kill9())
        for end, clean in ((stop, True), (kill9, False)):
            self.restart(end)
            # Everyone keeps their place and token; the admitted one their session.
            self.assertEqual(self.line_of(event_id, people), line)
            again = self.status(event_id, first["queue_token"])
            self.assertEqual(again.status, 200, again)
            self.assertEqual(again.json["state"], "admitted")
            self.assertEqual(again.json["access_expires_at"], admitted["access_expires_at"])
            counts = self.server.request("GET", f"/v1/events/{event_id}/queue", admin=True)
            self.assertEqual((counts.json["waiting"], counts.json["active"]), (len(people), 1),
                             counts)
            # Newcomers join behind everyone, with numbers past every one handed out before.
            newcomer = self.join(event_id)
            self.assertGreater(newcomer["number"], max(numbers))
            if clean:  # saved exactly at the stop: not a number lost
                self.assertEqual(newcomer["number"], max(numbers) + 1)
            self.assertEqual(newcomer["state"], "waiting")
            self.assertEqual(newcomer["position"], len(people) + 1)
            numbers.append(newcomer["number"])
            people.append(newcomer)
            line.append(("waiting", len(people)))

        # The admitted person's access token still holds seats.
        held = self.server.request("POST", f"/v1/events/{event_id}/holds",
                                   {"seats": ["S1-R1-1"]},
                                   headers={"X-Queue-Access": admitted["access_token"]})
        self.assertEqual(held.status, 201, held)

    def test_joins_since_the_last_save_are_lost_in_a_kill9_and_never_reissued(self):
        event_id = self.server.make_event(waiting_room={
            "enabled": True, "active_limit": 1, "admit_per_second": 1, "session_seconds": 600})
        saved = [self.join(event_id) for _ in range(5)]
        time.sleep(SAVED_SECONDS)
        # Joins in a burst, then the kill at once: some of them may be after the last save.
        burst = [self.join(event_id) for _ in range(20)]
        self.restart(lambda s: s.kill9())
        states = []
        for person in saved + burst:
            status = self.status(event_id, person["queue_token"])
            self.assertIn(status.status, (200, 403), status)
            if person in saved:
                self.assertEqual(status.status, 200, status)
            if status.status == 403:  # a lost number: join again
                self.assertEqual(status.json["type"], "/problems/queue-token-invalid")
            else:
                states.append(status.json["state"])
        self.assertEqual(states.count("admitted"), 1, states)  # the first, the one place
        newcomer = self.join(event_id)
        self.assertGreater(newcomer["number"], max(p["number"] for p in saved + burst))
        # Positions count only the people still in line, not the lost numbers.
        self.assertEqual(newcomer["position"], states.count("waiting") + 1)

if __name__ == "__main__":
    unittest.main()
