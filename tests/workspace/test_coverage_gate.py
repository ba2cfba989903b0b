"""`make contract-ci` fails, and says what, when a capability rule is no longer exercised: a scenario removed in a copy.

The copy runs the real target, `make contract-ci`, on the scenario module only (`CONTRACT_TESTS=`):
the gate judges the exchanges of what ran, and the scenarios alone exercise every business code and
every capability-rule side, so the run passes before the removal and fails after it, naming the row.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from contract_tests.spec_facts import capability_map
from tests.changes.workspace import Workspace
from tests.workspace.test_spec_change_workflow import environment, in_this_environment

SCENARIOS = "contract_tests/scenarios"


def _contract_ci(ws: Workspace) -> subprocess.CompletedProcess[str]:
    command = in_this_environment(["make", "contract-ci", "CONTRACT_TESTS=contract_tests/test_scenarios.py"])
    return subprocess.run(command, cwd=ws.root, env=environment(ws.root), capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return Workspace(tmp_path_factory.mktemp("coverage-gate"))


def test_removing_the_one_scenario_that_refuses_a_rule_fails_make_contract_ci(ws: Workspace) -> None:
    rule = capability_map().rules[0].name  # the first rule of the map; its refused side has one scenario
    scenario = next(
        path
        for path in sorted(ws.path(SCENARIOS).glob("capability.*.yaml"))
        if f"rule: {rule}\n" in path.read_text(encoding="utf-8") and "side: refused" in path.read_text(encoding="utf-8")
    )

    before = _contract_ci(ws)
    assert before.returncode == 0, before.stdout[-3000:] + before.stderr[-2000:]
    assert "contract coverage (make contract-ci, mock: gated;" in before.stdout
    assert "not exercised" not in before.stdout

    scenario.unlink()
    after = _contract_ci(ws)
    assert after.returncode != 0, after.stdout[-3000:]
    assert "passed" in after.stdout
    assert "failed" not in after.stdout.split("contract coverage")[0]  # every test passed: the gate failed the run
    table = after.stdout.split("contract coverage", 1)[1]
    assert "capability rules, both sides" in table
    assert f"not exercised (fails this run):\n    - capability: {rule} (refused)\n" in table

    report = json.loads((ws.root / "reports" / "contract-ci-coverage.json").read_text(encoding="utf-8"))
    assert report["not_exercised_required"] == [f"capability: {rule} (refused)"]
    assert (ws.root / "reports" / "contract-ci-coverage.md").is_file()
    assert (ws.root / "reports" / "contract-ci-junit.xml").is_file()
    assert not Path(ws.root / ".venv").exists()
