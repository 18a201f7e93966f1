"""The same flows, races and crashes with PostgreSQL as the source of truth (one node)."""

import unittest

import harness
import test_crash
import test_flow
import test_race


class PostgresFlowTest(test_flow.FlowTest):
    @classmethod
    def server_args(cls):
        return ["--postgres", harness.postgres_database()]


class PostgresRaceTest(test_race.RaceTest):
    @classmethod
    def server_args(cls):
        return ["--postgres", harness.postgres_database()]


class PostgresCrashTest(test_crash.CrashTest):
    def server_args(self):
        return ["--postgres", harness.postgres_database()]



if __name__ == "__main__":
    unittest.main()
