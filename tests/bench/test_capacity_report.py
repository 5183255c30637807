"""The capacity bench's verdicts: which step passes, and the capacity."""

from unittest import TestCase

from bench.capacity.report import capacity, percentile, reasons, verdict


def step(users: int, **figures) -> dict:
    """A step within every limit, changed by `figures`."""
    return {
        "users": users,
        "users_connected": users,
        "http_p95_ms": 120.0,
        "delivery_p99_ms": 90.0,
        "errors": 0,
        "lost": 0,
        "generator_cpu_percent": 20.0,
        **figures,
    }


class CapacityTests(TestCase):
    def test_a_step_within_every_limit_passes(self):
        self.assertEqual(verdict(step(100)), "pass")
        self.assertEqual(reasons(step(100)), [])

    def test_a_step_fails_on_each_limit_with_its_reason(self):
        cases: dict[str, dict] = {
            "page/API p95 200.1 ms > 200": {"http_p95_ms": 200.1},
            "delivery p99 251.0 ms > 250": {"delivery_p99_ms": 251.0},
            "2 errors": {"errors": 2},
            "1 lost": {"lost": 1},
            "2 employees without a socket": {"users_connected": 98},
        }
        for reason, figures in cases.items():
            with self.subTest(reason):
                self.assertEqual(verdict(step(100, **figures)), "fail")
                self.assertEqual(reasons(step(100, **figures)), [reason])

    def test_a_tab_closed_on_purpose_is_away_not_missing(self):
        away = step(100, users_connected=97, users_away=3)
        self.assertEqual(verdict(away), "pass")

    def test_the_limits_themselves_pass(self):
        at_limits = step(100, http_p95_ms=200.0, delivery_p99_ms=250.0)
        self.assertEqual(verdict(at_limits), "pass")

    def test_a_step_without_requests_fails(self):
        self.assertEqual(verdict(step(100, http_p95_ms=None)), "fail")

    def test_a_saturated_generator_is_no_verdict_on_the_server(self):
        busy = step(100, generator_cpu_percent=95.0, http_p95_ms=900.0)
        self.assertEqual(verdict(busy), "generator-bound")
        self.assertIsNone(capacity([busy]))

    def test_capacity_is_the_last_step_before_the_first_failure(self):
        steps = [
            step(100),
            step(200),
            step(400, delivery_p99_ms=400.0),
            step(700),  # a lucky step after a failure counts for nothing
        ]
        self.assertEqual(capacity(steps), 200)
        self.assertIsNone(capacity([step(100, lost=3), step(200)]))
        self.assertEqual(capacity([step(100), step(200)]), 200)

    def test_percentile_is_the_nearest_rank(self):
        values = [float(v) for v in range(101)]
        self.assertEqual(percentile(values, 50), 50.0)
        self.assertEqual(percentile(values, 99), 99.0)
        self.assertIsNone(percentile([], 95))
