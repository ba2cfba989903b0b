"""The coverage report's rows come from the spec, and only what a run really exercised counts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from contract_tests.coverage import (
    OBSERVATIONS_ENV,
    Exchange,
    Recorder,
    Run,
    expected_rows,
    gate_failures,
    load_observations,
    measure,
    render_table,
    to_json,
)
from contract_tests.spec_facts import capability_map, code, facts

ROOT = Path(__file__).resolve().parent.parent
CASSETTE = ROOT / "tests" / "cassettes" / "three-families"


def _create(rule_index: int) -> tuple[str, str]:
    rule = capability_map().rules[rule_index]
    method, path, _ = facts().operations[rule.operation]
    return method, f"/v1/ai/default/kling{path}"


def test_every_row_comes_from_the_spec() -> None:
    rows = expected_rows(mock=True)
    codes = {r.key for r in rows if r.section == "code"}
    assert codes == {f"{c.code} {c.name}" for c in facts().codes.rows}
    sides = {r.key for r in rows if r.section == "capability"}
    assert sides == {f"{rule.name} ({side})" for rule in capability_map().rules for side in ("accepted", "refused")}
    assert {r.operation for r in rows if r.section == "status"} == {
        f"{m} {p}" for m, p, _ in facts().operations.values()
    }
    assert any(r.section == "constraint" and r.key.endswith("prompt maxLength (refused)") for r in rows)
    assert not [r for r in expected_rows(mock=False) if r.section in {"prefer", "fault"}]


def test_a_rule_that_allows_everything_is_exempt_on_its_refused_side_only() -> None:
    exempt = {r.key: r.exempt for r in expected_rows(mock=True) if r.section == "capability" and r.exempt}
    assert exempt, "the spec's map has a rule every model fully supports"
    assert all(key.endswith("(refused)") and "every combination" in why for key, why in exempt.items())


def test_a_prefer_example_counts_for_its_code_but_never_for_a_capability_rule() -> None:
    invalid = code("invalid_value")
    method, path = _create(0)
    rule = capability_map().rules[0]
    refused_model = next(model for model, combos in rule.supported.items() if not combos)
    answer = {"code": invalid.code, "message": "x", "request_id": "r"}
    served = Exchange(
        "t",
        method,
        path,
        f"code={invalid.status}",
        {"prompt": "A dog", "model_name": refused_model},
        invalid.status,
        answer,
    )
    rows = {(r.section, r.key): r for r in measure([served], mock=True)}
    assert rows["code", f"{invalid.code} {invalid.name}"].how == {"example"}
    assert not rows["capability", f"{rule.name} (refused)"].seen
    real = Exchange("t", method, path, "", {"prompt": "A dog", "model_name": refused_model}, invalid.status, answer)
    rows = {(r.section, r.key): r for r in measure([real], mock=True)}
    assert rows["capability", f"{rule.name} (refused)"].seen == 1


def test_a_live_report_marks_what_needs_a_paid_create_and_never_gates() -> None:
    rows = measure([], mock=False)
    table = render_table(rows, Run("make contract", mock=False, exchanges=0))
    assert "live: report only" in table
    assert "would fail a mock run" in table
    paid = {r.key for r in rows if r.needs_paid_create}
    assert any(key.endswith("(accepted)") for key in paid)
    assert not any(key.endswith("(refused)") for key in paid)
    assert to_json(rows, Run("make contract", mock=False, exchanges=0))["mode"] == "live"
    assert gate_failures(rows)  # what a mock run would miss is listed, but only a mock run fails on it


def test_make_contract_recorded_writes_and_prints_its_coverage(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "contract_tests.recorded", str(CASSETTE), "--reports", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "contract coverage (make contract-recorded, live: report only; 15 exchanges from recorded)" in done.stdout
    report = json.loads((tmp_path / "contract-recorded-coverage.json").read_text(encoding="utf-8"))
    seen = {row["key"] for row in report["rows"] if row["seen"]}
    assert any(key.startswith("POST ") and key.endswith(" 200") for key in seen)
    assert (tmp_path / "contract-recorded-coverage.md").read_text(encoding="utf-8").startswith("# Contract coverage")


def test_recorded_exchanges_keep_no_url_signature(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Observations are a report: a video link's signature (its query string) never reaches the file."""
    out = tmp_path / "observations.jsonl"
    monkeypatch.setenv(OBSERVATIONS_ENV, str(out))
    video = {"data": {"task_result": {"videos": [{"url": "https://cdn.example/v.mp4?Signature=s3cr3t&Expires=1"}]}}}
    Recorder().record(Exchange("t", "GET", "/videos/text2video/1", "", None, 200, video))
    assert "s3cr3t" not in out.read_text(encoding="utf-8")
    (seen,) = load_observations(out)
    assert seen.response["data"]["task_result"]["videos"][0]["url"] == "https://cdn.example/v.mp4?(query masked)"
