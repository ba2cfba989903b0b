"""How many inputs the fuzz tests tried, by target, and the hooks that print it in pytest's summary.

The hooks are registered by the root conftest.py, the one conftest pytest loads in every run (an
xdist controller collects nothing, so it never loads this folder's): a worker hands its counts
to the controller through xdist's `workeroutput`, and the controller adds them up.
"""

from collections import Counter
from typing import Any

import pytest

FUZZ_TRIED: Counter[str] = Counter()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """On an xdist worker, hand this worker's counts to the controller, which prints the summary."""
    output: dict[str, Any] | None = getattr(session.config, "workeroutput", None)
    if output is not None:
        output["fuzz_tried"] = dict(FUZZ_TRIED)


def pytest_testnodedown(node: Any, error: object) -> None:
    """On the xdist controller, add up what each worker tried."""
    del error
    FUZZ_TRIED.update(getattr(node, "workeroutput", {}).get("fuzz_tried", {}))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the inputs each fuzz target was given, when a fuzz test ran (also under -q)."""
    if FUZZ_TRIED:
        parts = ", ".join(f"{target} {count:,}" for target, count in FUZZ_TRIED.items())
        terminalreporter.write_line(f"mock fuzzing: {sum(FUZZ_TRIED.values()):,} inputs tried ({parts})")
