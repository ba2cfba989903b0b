"""A cassette directory from a pull request is hostile input: replay refuses it at start-up (issue 24, points 5, 12).

Each case is `maas-kl-mock serve --replay DIR`, as a user runs it: it must exit with the usage
error "cannot start: ..." naming the file, never a traceback and never a listening server.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from maas_kl_mock import MockServer

KEY = "sk-replay-hostile-0123456789"
VIDEO = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 4
FLOW = "0001-create_text2video_task"
PROMPT = {"prompt": "A dog"}


def _flow(video: dict[str, object] | None = None, *, name: str = f"{FLOW}.video-1.mp4") -> dict[str, object]:
    data = {
        "task_id": "t-1",
        "task_status": "succeed",
        "created_at": 1,
        "updated_at": 1,
        "task_result": {"videos": [{"id": "v-1", "url": "https://cdn.example/v-1.mp4", "duration": "5"}]},
    }
    answer = {"code": 0, "message": "SUCCEED", "request_id": "r-1", "data": data}
    request = {"method": "POST", "path": "/v1/ai/default/kling/videos/text2video", "json": PROMPT}
    exchanges: list[dict[str, object]] = [
        {"seq": 0, "at": 0.0, "kind": "create", "operation": "create_text2video_task", "request": request,
         "response": {"status": 200, "json": answer}},
        {"seq": 1, "at": 0.0, "kind": "query", "operation": "get_text2video_task",
         "request": {"method": "GET", "path": "/v1/ai/default/kling/videos/text2video/t-1"},
         "response": {"status": 200, "json": answer}},
    ]  # fmt: skip
    response = video if video is not None else {"file": name, "sha256": hashlib.sha256(VIDEO).hexdigest()}
    exchanges.append(
        {"seq": 2, "at": 0.0, "kind": "video", "operation": "video",
         "request": {"method": "GET", "url": "https://cdn.example/v-1.mp4"},
         "response": {"status": 200, "headers": {"content-type": "video/mp4"}, **response}}
    )  # fmt: skip
    return {"format": "maas-kl-mock/cassette/1", "flow": FLOW, "operation": "create_text2video_task",
            "exchanges": exchanges}  # fmt: skip


def _write(directory: Path, flow: object) -> Path:
    path = directory / f"{FLOW}.json"
    path.write_text(json.dumps(flow), encoding="utf-8")
    return path


def _valid(directory: Path) -> None:
    _write(directory, _flow())
    (directory / f"{FLOW}.video-1.mp4").write_bytes(VIDEO)


def _secret_link_without_digest(d: Path) -> None:  # the review's repro
    _write(d, _flow({"file": "secret.mp4"}))
    (d / "secret.mp4").symlink_to("/etc/passwd")


def _secret_link_with_its_digest(d: Path) -> None:
    digest = hashlib.sha256(Path("/etc/passwd").read_bytes()).hexdigest()
    _write(d, _flow({"file": "secret.mp4", "sha256": digest}))
    (d / "secret.mp4").symlink_to("/etc/passwd")


def _endless_device(d: Path) -> None:
    _write(d, _flow({"file": "zero.mp4", "sha256": "0" * 64}))
    (d / "zero.mp4").symlink_to("/dev/zero")


def _pipe(d: Path) -> None:
    _write(d, _flow({"file": "pipe.mp4", "sha256": "0" * 64}))
    os.mkfifo(d / "pipe.mp4")


def _dot_dot(d: Path) -> None:
    _write(d, _flow({"file": "..", "sha256": "0" * 64}))


def _separator(d: Path) -> None:
    _write(d, _flow({"file": "../outside.mp4", "sha256": "0" * 64}))


def _failed_video_naming_a_file_outside(d: Path) -> None:
    flow = _flow({"file": "../../etc/passwd"})
    flow["exchanges"][2]["response"]["status"] = 404  # type: ignore[index]
    _write(d, flow)


def _flow_link_outside(d: Path) -> None:
    outside = d.parent / "elsewhere.json"
    outside.write_text(json.dumps(_flow()), encoding="utf-8")
    (d / f"{FLOW}.json").symlink_to(outside)


def _nested(d: Path) -> None:
    (d / f"{FLOW}.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")


def _exchanges_not_objects(d: Path) -> None:
    _write(d, {"format": "maas-kl-mock/cassette/1", "flow": FLOW, "exchanges": [1, "two", None]})


def _request_not_object(d: Path) -> None:
    flow = _flow()
    flow["exchanges"][0]["request"] = ["POST"]  # type: ignore[index]
    _write(d, flow)


def _bad_json(d: Path) -> None:
    (d / f"{FLOW}.json").write_text('{"format": "maas-kl-mock/cassette/1", "exchanges": [', encoding="utf-8")


def _not_a_status(d: Path) -> None:
    flow = _flow()
    flow["exchanges"][0]["response"]["status"] = "9" * 5000  # type: ignore[index]
    _write(d, flow)


CASES: dict[str, Callable[[Path], None]] = {
    "symlink-without-sha256": _secret_link_without_digest,
    "symlink-out-with-sha256": _secret_link_with_its_digest,
    "device": _endless_device,
    "fifo": _pipe,
    "dot-dot": _dot_dot,
    "separator": _separator,
    "failed-video-naming-outside": _failed_video_naming_a_file_outside,
    "flow-symlink-out": _flow_link_outside,
    "100k-nested-arrays": _nested,
    "exchanges-not-objects": _exchanges_not_objects,
    "request-not-object": _request_not_object,
    "bad-json": _bad_json,
    "status-not-a-number": _not_a_status,
}


@pytest.mark.parametrize("case", CASES)
def test_a_hostile_cassette_is_refused_at_start_up_naming_the_file(tmp_path: Path, case: str) -> None:
    directory = tmp_path / "cassettes"
    directory.mkdir()
    CASES[case](directory)
    done = subprocess.run(
        [sys.executable, "-m", "maas_kl_mock", "serve", "--port", "0", "--replay", str(directory)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "cannot start:" in done.stderr
    assert f"{FLOW}.json" in done.stderr or str(directory) in done.stderr
    assert "Traceback" not in done.stderr
    assert "root:" not in done.stderr  # nothing of /etc/passwd


def test_a_video_swapped_for_a_link_after_start_up_is_not_served(tmp_path: Path) -> None:
    _valid(tmp_path)
    auth = {"Authorization": f"Bearer {KEY}"}
    with MockServer("--replay", str(tmp_path), "--token", KEY) as replay, httpx.Client(headers=auth) as http:
        http.post(f"{replay.api_base_url}/videos/text2video", json=PROMPT)
        task = http.get(f"{replay.api_base_url}/videos/text2video/t-1").json()["data"]
        url = task["task_result"]["videos"][0]["url"]
        assert http.get(url).content == VIDEO
        video = tmp_path / f"{FLOW}.video-1.mp4"
        video.unlink()
        video.symlink_to("/etc/passwd")
        answer = http.get(url)
    assert answer.status_code == 404
    assert answer.json()["code"] != 0
    assert b"root:" not in answer.content
