"""Report the fuzz input count where a user sees it: pytest's terminal summary, also under -q and under xdist."""

from typing import Any

import pytest

from .tally import FUZZ_TRIED


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
    """Print the inputs each fuzz target was given, when a fuzz test ran."""
    if FUZZ_TRIED:
        parts = ", ".join(f"{target} {count:,}" for target, count in FUZZ_TRIED.items())
        terminalreporter.write_line(f"mock fuzzing: {sum(FUZZ_TRIED.values()):,} inputs tried ({parts})")
