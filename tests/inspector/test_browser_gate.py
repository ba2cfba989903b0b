"""The browser tests' gate: without Chromium they skip and say how to install it, except under CI=true."""

from __future__ import annotations

import os
import subprocess
import sys

from .conftest import ROOT

TARGET = "tests/inspector/test_inspector_browser.py::test_the_page_is_usable_from_the_keyboard"


def _run(ci: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["MAAS_KL_CHROMIUM"] = str(ROOT / "no-such-chromium")
    if ci is not None:
        env["CI"] = ci
    command = [sys.executable, "-m", "pytest", TARGET, "-q", "-rs", "-p", "no:cacheprovider"]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)


def test_a_missing_browser_skips_with_the_install_command() -> None:
    done = _run(None)
    assert done.returncode == 0, done.stdout[-2000:]
    assert "1 skipped" in done.stdout
    assert "apt-get install -y chromium" in done.stdout


def test_a_missing_browser_fails_under_ci() -> None:
    done = _run("true")
    assert done.returncode != 0, done.stdout[-2000:]
    assert "CI must run them" in done.stdout
