"""The capacity bench's sampler: a step's figures from the samples in its
window."""

from unittest import TestCase, mock

from bench.capacity.sampler import Sampler


def sampler(**options) -> Sampler:
    daphne = mock.Mock(**{"process.pid": 101})
    return Sampler([daphne], options.pop("redis", None), None, **options)


class SamplerTests(TestCase):
    def test_cpu_is_the_share_of_the_window_and_memory_its_peak(self):
        s = sampler(redis=202, database=True)
        s.samples = [
            {"at": 9.0, "daphne": 0.0, "redis": 0.0, "rss_mib": 900.0},  # before
            {"at": 10.0, "daphne": 1.0, "redis": 0.5, "rss_mib": 100.0,
             "postgres": 2.0, "db_connections": 4},
            {"at": 12.0, "daphne": 2.5, "redis": 0.6, "rss_mib": 150.0,
             "postgres": 3.0, "db_connections": 7},
        ]  # fmt: skip
        self.assertEqual(
            s.over(10.0, 12.0),
            {
                "daphne_cpu_percent": 75.0,
                "redis_cpu_percent": 5.0,
                "postgres_cpu_percent": 50.0,
                "server_rss_mib": 150,
                "db_connections": 7,
            },
        )

    def test_a_part_not_running_has_no_figure(self):
        s = sampler(database=False)
        s.samples = [
            {"at": 0.0, "daphne": 0.0, "redis": 0.0, "haproxy": 0.0, "rss_mib": 1.0},
            {"at": 1.0, "daphne": 0.2, "redis": 0.0, "haproxy": 0.0, "rss_mib": 1.0},
        ]
        self.assertEqual(
            s.over(0.0, 1.0), {"daphne_cpu_percent": 20.0, "server_rss_mib": 1}
        )

    def test_a_window_of_fewer_than_two_samples_has_no_figures(self):
        s = sampler(database=False)
        s.samples = [{"at": 0.0, "daphne": 0.0, "rss_mib": 1.0}]
        self.assertEqual(s.over(0.0, 1.0), {})
