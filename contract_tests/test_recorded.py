"""`make contract-recorded DIR=...` passes a clean recording and names each kind of break in a tampered one."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from contract_tests.recorded import main

ROOT = Path(__file__).resolve().parent.parent
CASSETTE = ROOT / "tests" / "cassettes" / "three-families"


def test_make_target_passes_the_committed_recording() -> None:
    done = subprocess.run(
        ["make", "--no-print-directory", "contract-recorded", f"DIR={CASSETTE}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "contract-recorded passed: 18 exchanges in 3 flows, 0 findings" in done.stdout


def _tamper(tmp_path: Path, edit: Any) -> Path:
    copy = tmp_path / "cassette"
    shutil.copytree(CASSETTE, copy)
    path = copy / "0001-create_text2video_task.json"
    flow = json.loads(path.read_text(encoding="utf-8"))
    edit(flow, copy)
    path.write_text(json.dumps(flow, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return copy


def _unknown_status(flow: dict[str, Any], _: Path) -> None:
    flow["exchanges"][1]["response"]["json"]["data"]["task_status"] = "queued"


def _error_with_data(flow: dict[str, Any], _: Path) -> None:
    flow["exchanges"][1]["response"] = {
        "status": 404,
        "json": {"code": 1203, "message": "Resource not found", "request_id": "r-x", "data": {}},
    }


def _wrong_code(flow: dict[str, Any], _: Path) -> None:
    flow["exchanges"][1]["response"] = {
        "status": 429,
        "json": {"code": 1201, "message": "Invalid key or value", "request_id": "r-y"},
    }


def _status_back(flow: dict[str, Any], _: Path) -> None:
    queries = [e for e in flow["exchanges"] if e["kind"] == "query"]
    queries[-1]["response"]["json"]["data"]["task_status"] = "submitted"


def _repeated_request_id(flow: dict[str, Any], _: Path) -> None:
    flow["exchanges"][1]["response"]["json"]["request_id"] = flow["exchanges"][0]["response"]["json"]["request_id"]


def _video_bytes(flow: dict[str, Any], copy: Path) -> None:
    (copy / "0001-create_text2video_task.video-1.mp4").write_bytes(b"<html>expired</html>")


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (_unknown_status, "[spec:schema:enum] response /data/task_status"),
        (_error_with_data, "[spec:schema:not] response /data"),
        (_wrong_code, "[spec:business-code] response /code"),
        (_wrong_code, "[error_envelope_matches_table]"),
        (_status_back, "[flow:status-order] processing was followed by submitted"),
        (_repeated_request_id, "[request_id_unique]"),
        (_video_bytes, "[video:mp4]"),
    ],
)
def test_a_tampered_recording_fails_naming_the_break(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], edit: Any, expected: str
) -> None:
    copy = _tamper(tmp_path, edit)
    assert main([str(copy)]) == 1
    out = capsys.readouterr().out
    assert expected in out
    assert "0001-create_text2video_task" in out


def test_a_directory_without_cassettes_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "notes.json").write_text('{"hello": 1}', encoding="utf-8")
    with pytest.raises(SystemExit) as caught:
        main([str(tmp_path)])
    assert caught.value.code == 2
