"""Report the fuzz input count where a user sees it: pytest's terminal summary, also under -q."""

import pytest

from .tally import FUZZ_TRIED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the inputs each fuzz target was given, when a fuzz test ran."""
    if FUZZ_TRIED:
        parts = ", ".join(f"{target} {count:,}" for target, count in FUZZ_TRIED.items())
        terminalreporter.write_line(f"mock fuzzing: {sum(FUZZ_TRIED.values()):,} inputs tried ({parts})")
