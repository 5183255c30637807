"""The in-process harness the feeds, pages, onboarding and search benches
share: what one measure asks, and the table it prints."""

import contextlib
import io

from django.db import connection
from django.test import TestCase

from bench.inprocess import count_queries, print_requests, timed, wall_times


class TimedTests(TestCase):
    def test_a_measure_is_one_counted_call_then_the_timed_ones(self):
        calls = []

        def ask():
            calls.append(1)
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.execute("SELECT 2")

        figures = timed(ask, 7)

        self.assertEqual(len(calls), 1 + 7)
        self.assertEqual(list(figures), ["p50_ms", "p95_ms", "queries"])
        self.assertEqual(figures["queries"], 2)
        self.assertLessEqual(figures["p50_ms"], figures["p95_ms"])

    def test_statements_are_counted_for_the_one_call_only(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        self.assertEqual(count_queries(lambda: None), 0)

    def test_wall_times_are_one_per_call_in_ms(self):
        times = wall_times(lambda: None, 4)
        self.assertEqual(len(times), 4)
        self.assertTrue(all(0 <= t < 1000 for t in times))


class PrintRequestsTests(TestCase):
    def test_each_request_is_judged_against_its_kinds_budget(self):
        figure = {"p50_ms": 12.0, "p95_ms": 40.0, "queries": 3}
        requests = {
            "heavy": {
                "home page 1": {"kind": "page", **figure},
                "home_feed page 1": {"kind": "selector", **figure},
            },
            "light": {},
        }
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            print_requests(requests, lambda kind: 30.0 if kind == "selector" else 50)

        self.assertEqual(
            out.getvalue().splitlines(),
            [
                "request              user    p50 ms  p95 ms queries",
                "home page 1          heavy     12.0    40.0       3  p95 ≤ 50 ok",
                "home_feed page 1     heavy     12.0    40.0       3  p95 ≤ 30 OVER",
            ],
        )
