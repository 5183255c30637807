"""The Makefile on a newcomer's machine: the Python it accepts."""

import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    shutil.which("make") is None, reason="The Makefile tests need make."
)


def make(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", "-C", str(ROOT), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def fake_python(tmp_path: Path, version: str) -> Path:
    """Return a `python` that reports `version` and, like a real one, makes
    the directory `-m venv DIR` names, so a missing check shows."""
    script = tmp_path / f"python{version}"
    script.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = "-m" ]; then mkdir -p "$3"; exit 0; fi\n'
        f"echo {version}\n"
    )
    script.chmod(0o755)
    return script


@pytest.mark.parametrize("goal", ["run", "test"])
def test_an_unsupported_python_is_named_before_anything_is_made(tmp_path, goal):
    venv = tmp_path / "venv"
    python = fake_python(tmp_path, "3.10")

    result = make(goal, f"PYTHON={python}", f"VENV={venv}")

    assert result.returncode != 0
    assert (
        f"Canteen runs on Python 3.11 to 3.14, but {python} is 3.10: "
        f"make {goal} PYTHON=python3.11"
    ) in result.stderr
    assert result.stdout == ""
    assert not venv.exists()


def test_a_missing_python_is_named_too(tmp_path):
    venv = tmp_path / "venv"

    result = make("run", "PYTHON=no-such-python3", f"VENV={venv}")

    assert result.returncode != 0
    assert "but no-such-python3 is not there: make run PYTHON=python3.11" in (
        result.stderr
    )
    assert not venv.exists()


def test_the_makefile_accepts_the_pythons_pyproject_declares():
    result = make("--eval", "pythons: ; @echo $(PYTHONS)", "pythons")
    accepted = result.stdout.split()

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    declared = SpecifierSet(pyproject["project"]["requires-python"])
    lock = tomllib.loads((ROOT / "uv.lock").read_text())

    assert accepted == [
        f"3.{minor}" for minor in range(8, 20) if f"3.{minor}" in declared
    ]
    assert accepted[0] == "3.11"
    assert SpecifierSet(lock["requires-python"]) == declared
