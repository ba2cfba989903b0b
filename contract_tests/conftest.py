"""Load the contract suite's Hypothesis profile; with MAAS_KL_CONTRACT_COVERAGE set, report (and gate) coverage.

`make contract-ci` sets MAAS_KL_CONTRACT_COVERAGE=gate: at the end of the session the exchanges the
suite recorded (contract_tests/coverage.py) become the coverage report, written beside the JUnit
file in reports/ and printed as a short table; a business code or capability-rule side that no
exchange exercised fails the session. `report` writes and prints without failing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from contract_tests.coverage import COVERAGE_ENV, RECORDER, Run, gate_failures, measure, render_table, write_reports
from contract_tests.profiles import active, register

REPORTS_ENV = "MAAS_KL_CONTRACT_REPORTS"
ROOT = Path(__file__).resolve().parent.parent
register()
_TABLE = pytest.StashKey[str]()


def pytest_sessionstart(session: pytest.Session) -> None:
    """Start the session's coverage on no exchanges."""
    RECORDER.clear()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Turn the recorded exchanges into the coverage report; in gate mode a gap fails the session."""
    mode = os.environ.get(COVERAGE_ENV, "")
    if mode not in {"gate", "report"}:
        return
    rows = measure(RECORDER.exchanges, mock=True)
    run = Run(f"make contract-{active()}", mock=True, exchanges=len(RECORDER.exchanges))
    directory = Path(os.environ.get(REPORTS_ENV) or ROOT / "reports")
    written = write_reports(rows, run, directory, f"contract-{active()}-coverage")
    session.config.stash[_TABLE] = render_table(rows, run, written)
    if mode == "gate" and gate_failures(rows) and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the coverage table last, after the test summary."""
    table = terminalreporter.config.stash.get(_TABLE, None)
    if table is not None:
        terminalreporter.write_line("")
        for line in table.splitlines():
            terminalreporter.write_line(line)
