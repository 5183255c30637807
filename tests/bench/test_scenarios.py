"""The registry of `make bench`: the scenarios, their order, and how the
ones with a company of their own are started."""

import sys
from argparse import Namespace
from unittest import TestCase, mock

from bench.harness import ROOT
from bench.scenarios import REGISTRY


class RegistryTests(TestCase):
    def test_the_scenarios_run_in_their_documented_order(self):
        self.assertEqual(
            list(REGISTRY),
            [
                "pages",
                "feeds",
                "search",
                "onboarding",
                "direct",
                "flood",
                "space",
                "profile",
                "saturation",
                "two",
                "idle",
                "idle-two",
                "reference",
                "capacity",
            ],
        )

    def test_a_bench_with_a_company_of_its_own_runs_as_its_own_process(self):
        bench = mock.Mock(
            args=Namespace(people=300, steps=[20, 50], setups=["embedded", "one"])
        )
        expected = {
            "pages": ["bench.pages"],
            "feeds": ["bench.feeds"],
            "search": ["bench.search"],
            "onboarding": ["bench.onboarding"],
            "capacity": [
                "bench.capacity",
                "--people",
                "300",
                "--steps",
                "20",
                "50",
                "--setups",
                "embedded",
                "one",
            ],
        }
        for name, argv in expected.items():
            with self.subTest(name), mock.patch("subprocess.run") as run:
                REGISTRY[name].run(bench)
                run.assert_called_once_with(
                    [sys.executable, "-m", *argv], cwd=ROOT, check=True
                )
                self.assertEqual(REGISTRY[name].results, name)
