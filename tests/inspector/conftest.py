"""A real Chromium for the inspector's tests: Debian's `chromium`, driven by Playwright, launched once per module.

Outside CI a missing browser skips these tests with the command that installs it; with CI=true it
fails the run, so a green CI always means the browser ran. `make test` installs it (the `.browser`
step of the Makefile) where apt is there and it runs as root.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
REPORTS = ROOT / "reports"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# Flags that keep Chromium off the network this machine does not have, and fresh on every start.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INSTALL = "install it with `sudo apt-get install -y chromium` (Debian/Ubuntu) or run `make test` as root"


def chromium_path() -> str | None:
    """Return Debian's chromium, or another chromium-like browser on PATH (MAAS_KL_CHROMIUM overrides)."""
    chosen = os.environ.get("MAAS_KL_CHROMIUM")
    if chosen:
        return chosen if Path(chosen).is_file() else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def _missing(what: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"the inspector's browser tests need {what}, and CI must run them: {INSTALL}")
    pytest.skip(f"the inspector's browser tests need {what}: {INSTALL}")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium per module, with a user-data folder of its own.

    Module scope, as the module docstring says: Playwright's sync API keeps an asyncio loop running
    while it is open, so a session-wide browser made every later `asyncio.run` in the same process
    (the async SDK tests, on the same xdist worker or after it in one process) fail.
    """
    executable = chromium_path()
    if executable is None:
        _missing("Chromium")
    if not AXE.exists():
        _missing("axe-core from npm (`make .setup` installs it)")
    from playwright.sync_api import sync_playwright  # noqa: PLC0415  (only these tests need it)

    with tempfile.TemporaryDirectory(prefix="maas-kl-chromium-") as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=executable,
            args=FLAGS,
            viewport={"width": 1440, "height": 900},
        )
        context.add_init_script(path=str(AXE))  # through the DevTools protocol: the page's CSP stays as served
        try:
            yield context
        finally:
            context.close()
