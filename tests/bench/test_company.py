"""The feeds company's recipe: what decides when its stored build is made
again must cover the code that builds it."""

import argparse
import inspect
from pathlib import Path
from unittest import TestCase

from bench import company
from bench.harness import ROOT


def args(**changed) -> argparse.Namespace:
    return argparse.Namespace(**{"people": 200, "members": 30, "seed": 2026, **changed})


class RecipeTests(TestCase):
    def test_the_recipe_covers_the_module_that_builds_the_company(self):
        source = inspect.getsourcefile(company.build)
        assert source is not None
        self.assertIn(str(Path(source).relative_to(ROOT)), company.RECIPE)

    def test_every_file_of_the_recipe_exists(self):
        for path in company.RECIPE:
            with self.subTest(path):
                self.assertTrue((ROOT / path).is_file())

    def test_the_recipe_changes_with_each_argument(self):
        base = company.recipe(args())
        self.assertEqual(company.recipe(args()), base)
        for changed in ({"people": 201}, {"members": 31}, {"seed": 1}):
            with self.subTest(**changed):
                self.assertNotEqual(company.recipe(args(**changed)), base)
