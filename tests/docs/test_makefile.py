"""The Makefile as a user meets it: `make` help, `make clean`."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _make(*args: str) -> str:
    done = subprocess.run(["make", "-s", *args], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60)
    return done.stdout


def test_help_has_no_colour_codes_when_its_output_is_not_a_terminal() -> None:
    out = _make("help")
    assert "\033" not in out
    assert re.search(r"^  test +Every check", out, re.MULTILINE), out


def test_help_lines_up_every_description_whatever_the_longest_target() -> None:
    lines = _make("help").splitlines()
    starts = {len(line) - len(line[2:].split(maxsplit=1)[1]) for line in lines}
    assert len(starts) == 1, lines  # `contract-recorded` once pushed its text a column right


def test_clean_keeps_the_users_videos_and_reports() -> None:
    plan = _make("-n", "clean")  # what it would run, without running it
    removed = plan.split()
    assert ".venv" in removed
    assert "out" not in removed
    assert "reports" not in removed


def test_fuzz_target_runs_the_fuzz_tests_at_depth() -> None:
    plan = _make("-n", "fuzz")
    assert "MAAS_KL_FUZZ=deep" in plan
    assert "tests/reliability/test_fuzz_mock.py" in plan


def test_make_test_installs_the_browser_the_inspector_tests_need() -> None:
    plan = _make("-n", "unit")  # `make test` runs unit; .ci/run runs `make test`, so CI gets chromium
    assert "apt-get install -y -qq chromium" in plan
    assert "npm ci" in plan or (ROOT / "node_modules" / ".package-lock.json").exists()  # axe-core comes from npm
    assert "pytest -q" in plan
