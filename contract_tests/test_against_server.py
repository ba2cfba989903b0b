"""`make contract`: skipped without configuration, creates gated on remote hosts, a real run on loopback."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import httpx
import pytest
import schemathesis
from maas_kl_mock import MockServer
from schemathesis.core.control import SkipTest

from contract_tests import against_server
from contract_tests.against_server import (
    ALLOW_ENV,
    CAP_TESTCASE,
    CAPPED_OPERATIONS,
    LEDGER_ENV,
    MAX_CREATES_ENV,
    is_loopback,
    plan,
    report_coverage,
    settle_capped_run,
)
from contract_tests.checks import CreateBudget, CreateCapReached

KEY = "sk-contract-secret"
REMOTE = {"BASE_URL": "https://genaiapi.example.com", "MAAS_KL_API_KEY": KEY, "MAAS_KL_ENDPOINT_PATH": "acct"}
TENANT_A = "contract-key-a-7f3e91"
TENANT_B = "contract-key-b-2c81d4"
ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("env", [{}, {"BASE_URL": "https://h.example"}, {"MAAS_KL_API_KEY": KEY}])
def test_without_configuration_it_skips_with_a_clear_message(env: dict[str, str]) -> None:
    decided = plan([], env)
    assert decided.skip is not None
    assert "skipped" in decided.skip
    assert "not set" in decided.skip
    assert decided.command == []


def test_skip_exits_zero_and_says_why(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("BASE_URL", "MAAS_KL_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    assert against_server.main([]) == 0
    assert "contract: skipped, BASE_URL and MAAS_KL_API_KEY not set" in capsys.readouterr().out


def test_a_remote_host_without_permission_sends_no_create() -> None:
    decided = plan([], REMOTE)
    assert decided.skip is None
    assert decided.command[decided.command.index("--exclude-method") + 1] == "POST"
    assert "--url" in decided.command
    assert decided.command[decided.command.index("--url") + 1] == "https://genaiapi.example.com/v1/ai/acct/kling"
    assert MAX_CREATES_ENV not in decided.env
    assert any("--allow-create" in note for note in decided.notes)


@pytest.mark.parametrize(
    ("argv", "extra", "cap"),
    [
        (["--allow-create"], {}, "10"),
        ([], {ALLOW_ENV: "1"}, "10"),
        (["--allow-create", "--max-creates", "3"], {}, "3"),
    ],
)
def test_a_remote_host_with_permission_caps_creates(argv: list[str], extra: dict[str, str], cap: str) -> None:
    decided = plan(argv, {**REMOTE, **extra})
    assert "--exclude-method" not in decided.command
    assert decided.env[MAX_CREATES_ENV] == cap
    assert decided.config_text is not None
    assert decided.config_text.endswith(CAPPED_OPERATIONS)
    assert decided.command[decided.command.index("--config-file") + 1].endswith("contract-schemathesis.toml")
    assert decided.ledger is not None
    assert decided.env[LEDGER_ENV] == str(decided.ledger)


def test_loopback_runs_everything_uncapped_and_the_key_stays_out_of_argv() -> None:
    decided = plan([], {**REMOTE, "BASE_URL": "http://127.0.0.1:4010", MAX_CREATES_ENV: "1"})
    assert "--exclude-method" not in decided.command
    assert MAX_CREATES_ENV not in decided.env, "an inherited cap must not leak into an uncapped run"
    assert decided.config_text is None
    assert decided.ledger is None
    assert not any(KEY in part for part in decided.command), "the key travels by environment, never argv"
    assert "--report-junit-path" in decided.command


@pytest.mark.parametrize(
    ("host", "loop"),
    [("localhost", True), ("127.0.0.2", True), ("[::1]", True), ("10.0.0.1", False), ("api.example.com", False)],
)
def test_is_loopback(host: str, loop: bool) -> None:
    assert is_loopback(host) is loop


def test_the_budget_skips_the_create_after_the_cap(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    ledger = tmp_path / "creates.json"
    monkeypatch.setenv(MAX_CREATES_ENV, "2")
    monkeypatch.setenv(LEDGER_ENV, str(ledger))
    budget = CreateBudget()
    budget.spend("get_text2video_task", "GET /q", "fuzzing")  # queries are never counted
    budget.spend("create_text2video_task", "POST /t", "examples")
    budget.spend("create_image2video_task", "POST /i", "fuzzing")
    with pytest.raises(SkipTest, match="create cap of 2 spent"):
        budget.spend("create_video_extend_task", "POST /v", "stateful")
    with pytest.raises(CreateCapReached, match=r"cap is 2 .* cannot skip"):
        budget.spend("create_video_extend_task", "POST /v", "coverage")
    assert budget.sent == 2
    assert json.loads(ledger.read_text(encoding="utf-8")) == {"cap": 2, "sent": 2, "skipped": ["POST /v [stateful]"]}


def _junit(path: Path, *, failures: int) -> None:
    path.write_text(
        f'<testsuites errors="0" failures="{failures}" skipped="0" tests="1"><testsuite name="schemathesis" '
        f'errors="0" failures="{failures}" skipped="0" tests="1"><testcase name="POST /x" /></testsuite></testsuites>',
        encoding="utf-8",
    )


def test_a_capped_run_reports_its_skips_in_junit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ledger, junit = tmp_path / "creates.json", tmp_path / "junit.xml"
    ledger.write_text(json.dumps({"cap": 1, "sent": 1, "skipped": ["POST /x [fuzzing]", "POST /y [stateful]"]}))
    _junit(junit, failures=0)
    assert settle_capped_run(0, ledger, junit) == 0
    assert "creates sent: 1 (cap 1); create cases skipped because of the cap: 2" in capsys.readouterr().out
    root = ElementTree.parse(junit).getroot()
    assert (root.get("tests"), root.get("skipped"), root.get("failures")) == ("2", "1", "0")
    capped = [case for case in root.iter("testcase") if case.get("name") == CAP_TESTCASE]
    assert len(capped) == 1
    assert capped[0].find("skipped") is not None


def test_a_failure_hidden_behind_a_skip_still_fails_the_run(tmp_path: Path) -> None:
    ledger, junit = tmp_path / "creates.json", tmp_path / "junit.xml"
    ledger.write_text(json.dumps({"cap": 1, "sent": 1, "skipped": ["POST /x [fuzzing]"]}))
    _junit(junit, failures=1)
    assert settle_capped_run(0, ledger, junit) == 1
    assert settle_capped_run(1, ledger, junit) == 1


@pytest.fixture(scope="module")
def loopback_mock() -> Iterator[str]:
    with MockServer("--token", TENANT_A, "--token", TENANT_B, "--concurrency", "100000") as mock:
        yield mock.base_url


def _make_contract(env: dict[str, str], reports: Path) -> subprocess.CompletedProcess[str]:
    """Run what `make contract` runs, with two examples per operation."""
    return subprocess.run(
        [sys.executable, "-m", "contract_tests.against_server", "--max-examples", "2", "--reports", str(reports)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_make_contract_passes_against_the_mock_that_make_mock_starts(tmp_path: Path) -> None:
    """The README's path as written: `make mock`'s flags, then `make contract` with the documented key (point 2)."""
    make_mock = re.search(r"maas-kl-mock serve (.*) \$\(MOCK_ARGS\)", (ROOT / "Makefile").read_text(encoding="utf-8"))
    assert make_mock is not None
    flags = [flag for flag in make_mock[1].split() if flag not in ("--port", "4010")]
    assert "--host" in flags  # the Makefile's flags, minus its fixed port
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make contract BASE_URL=http://127.0.0.1:4010 MAAS_KL_API_KEY=mock-token" in readme
    with MockServer(*flags) as mock:
        env = {**os.environ, "BASE_URL": mock.base_url, "MAAS_KL_API_KEY": "mock-token"}
        env.pop("MAAS_KL_CONTRACT_OTHER_API_KEY", None)
        done = _make_contract(env, tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert 'failures="0"' in (tmp_path / "contract-junit.xml").read_text(encoding="utf-8")


def test_make_contract_passes_against_the_standalone_mock(loopback_mock: str, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "BASE_URL": loopback_mock,
        "MAAS_KL_API_KEY": TENANT_A,
        "MAAS_KL_CONTRACT_OTHER_API_KEY": TENANT_B,
    }
    done = _make_contract(env, tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    report = (tmp_path / "contract-junit.xml").read_text(encoding="utf-8")
    assert "<testsuite" in report
    assert 'failures="0"' in report
    assert TENANT_A not in done.stdout + done.stderr, "the key must not be printed"
    assert TENANT_A not in report, "the key must not reach the JUnit report"
    assert TENANT_B not in report, "the other tenant's key must not reach the JUnit report"
    assert schemathesis.__version__ == "4.32.5"
    # The coverage report: printed at the end, written beside the JUnit file, report only, free of keys.
    assert "contract coverage (make contract, live: report only;" in done.stdout
    assert "rows not seen need a paid create" in done.stdout
    coverage = json.loads((tmp_path / "contract-coverage.json").read_text(encoding="utf-8"))
    assert coverage["mode"] == "live"
    assert coverage["exchanges"] > 0
    assert any(row["seen"] and "schemathesis" in row["sources"] for row in coverage["rows"])
    written = (tmp_path / "contract-coverage.md").read_text(encoding="utf-8") + json.dumps(coverage)
    written += (tmp_path / "contract-observations.jsonl").read_text(encoding="utf-8")
    assert TENANT_A not in written
    assert TENANT_B not in written


def test_make_contract_sends_no_create_beyond_the_cap(loopback_mock: str, tmp_path: Path) -> None:
    """The cap holds through a real `st run` and the run stays green: creates past it are skipped, not errors.

    The mock is on loopback; `--max-creates` is the seam that caps a loopback run as if it were remote.
    """
    httpx.post(f"{loopback_mock}/_mock/reset", json={}, timeout=10).raise_for_status()
    config_before = (ROOT / "contract_tests" / "schemathesis.toml").read_text(encoding="utf-8")
    # The other tenant is set here, not inherited: test_mock_schemathesis puts its own key in os.environ.
    env = {
        **os.environ,
        "BASE_URL": loopback_mock,
        "MAAS_KL_API_KEY": TENANT_A,
        "MAAS_KL_CONTRACT_OTHER_API_KEY": TENANT_B,
    }
    # The nightly recipe's options (README), with a smaller cap and one example: a baseline that saw nothing.
    baseline = tmp_path / "last" / "contract-coverage.json"
    baseline.parent.mkdir()
    baseline.write_text(json.dumps({"rows": []}), encoding="utf-8")
    recipe = without(recipe_args(), "--max-creates", "--coverage-baseline")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "contract_tests.against_server",
            *recipe,
            *("--max-examples", "1", "--max-creates", "2", "--coverage-baseline", str(baseline)),
            "--reports",
            str(tmp_path),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    stats = httpx.get(f"{loopback_mock}/_mock/stats", timeout=10).json()
    # A create the server refuses (schemathesis sends invalid ones too) spends the budget without creating a task.
    assert stats["created_total"] <= 2, stats
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "Hook Error" not in done.stdout
    assert (ROOT / "contract_tests" / "schemathesis.toml").read_text(encoding="utf-8") == config_before
    found = re.search(r"creates sent: (\d+) \(cap 2\); create cases skipped because of the cap: (\d+)", done.stdout)
    assert found is not None, done.stdout[-3000:]
    sent, skipped = int(found[1]), int(found[2])
    assert stats["created_total"] <= sent <= 2
    assert skipped >= 1, "a run with a cap of 2 must reach it: three create operations in fuzzing and stateful"
    report = (tmp_path / "contract-junit.xml").read_text(encoding="utf-8")
    root = ElementTree.fromstring(report)
    assert (root.get("failures"), root.get("errors")) == ("0", "0"), report
    assert f"{skipped} create cases skipped after {sent} creates were sent" in report
    assert TENANT_A not in report + done.stdout + done.stderr
    for kept in RECIPE_KEEPS:  # every file the recipe says to keep is there
        assert (tmp_path / kept).is_file(), kept
    assert "contract coverage (make contract, live: report only;" in done.stdout
    assert "coverage drift" not in done.stdout


README = (ROOT / "contract_tests" / "README.md").read_text(encoding="utf-8")
RECIPE = README.partition("## Nightly against your gateway\n")[2]
RECIPE_BASELINE = Path("last/contract-coverage.json")
RECIPE_KEEPS = (
    "contract-junit.xml",
    "contract-coverage.json",
    "contract-coverage.md",
    "contract-creates.json",
    "contract-observations.jsonl",
)


def recipe_args() -> list[str]:
    """The CONTRACT_ARGS of the nightly recipe's one command, as make passes them."""
    block = re.search(r"```sh\n(.*?)```", RECIPE, flags=re.DOTALL)
    assert block is not None, "contract_tests/README.md: no sh block under 'Nightly against your gateway'"
    (line,) = [line for line in block[1].splitlines() if line.strip()]
    words = shlex.split(line)
    assert words[:2] == ["make", "contract"], line
    (args,) = [w.removeprefix("CONTRACT_ARGS=") for w in words[2:] if w.startswith("CONTRACT_ARGS=")]
    return args.split()


def without(args: list[str], *options: str) -> list[str]:
    """`args` with each of `options` and its value left out."""
    out: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in options:
            skip = True
        else:
            out.append(arg)
    return out


def test_the_nightly_recipe_caps_creates_keeps_reports_and_compares_coverage() -> None:
    """The recipe's command, planned offline against a remote gateway: creates allowed and capped, a baseline."""
    args = recipe_args()
    decided = plan(args, REMOTE)
    assert decided.skip is None
    assert decided.env[MAX_CREATES_ENV] == args[args.index("--max-creates") + 1]
    assert decided.config_text is not None, "a capped run gets its own config"
    assert decided.baseline == RECIPE_BASELINE
    assert "--exclude-method" not in decided.command
    for kept in RECIPE_KEEPS:
        assert f"`{kept}`" in RECIPE, f"the recipe does not say to keep {kept}"


def test_require_server_turns_a_missing_secret_into_a_failure(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("BASE_URL", "MAAS_KL_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    assert against_server.main(["--require-server"]) == 2
    assert "contract: skipped, BASE_URL and MAAS_KL_API_KEY not set" in capsys.readouterr().out


def test_a_row_the_baseline_exercised_and_this_run_did_not_is_coverage_drift(tmp_path: Path) -> None:
    observations = tmp_path / "none.jsonl"
    first = report_coverage(observations, tmp_path, None)
    assert first == []
    seen_before = json.loads((tmp_path / "contract-coverage.json").read_text(encoding="utf-8"))
    row = seen_before["rows"][0]
    row["seen"] = 1
    assert report_coverage(observations, tmp_path, seen_before) == [f"{row['section']}: {row['key']}"]
