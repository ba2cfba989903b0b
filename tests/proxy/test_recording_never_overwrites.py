"""Recording into a used directory never replaces a cassette (issue 24, point 7)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from maas_kl_mock import MockServer
from maas_kl_mock.cassettes.format import Flow, Scrubber
from maas_kl_mock.cassettes.record import Recorder

from .hosts import ApiHost, VideoHost

CREATE = "/v1/ai/default/kling/videos/text2video"
AUTH = {"authorization": "Bearer sk-recording-key-0123456789"}


def _record(proxy: MockServer, prompt: str) -> None:
    answer = httpx.post(f"{proxy.base_url}{CREATE}", headers=AUTH, json={"prompt": prompt})
    assert answer.status_code == 200


def _prompts(directory: Path) -> dict[str, str]:
    found = {}
    for path in sorted(directory.glob("*.json")):
        flow = json.loads(path.read_text(encoding="utf-8"))
        found[path.name] = flow["exchanges"][0]["request"]["json"]["prompt"]
    return found


def test_a_new_flow_is_numbered_after_the_highest_and_replaces_nothing(tmp_path: Path) -> None:
    with VideoHost() as video, ApiHost(video.base_url) as api:
        with MockServer("--upstream", api.base_url, "--record", str(tmp_path), command="proxy") as proxy:
            for prompt in ("one", "two", "three"):
                _record(proxy, prompt)
        (tmp_path / "0001-create_text2video_task.json").unlink()  # the review's repro: numbering by count reused 0003
        with MockServer("--upstream", api.base_url, "--record", str(tmp_path), command="proxy") as proxy:
            _record(proxy, "four")
    assert _prompts(tmp_path) == {
        "0002-create_text2video_task.json": "two",
        "0003-create_text2video_task.json": "three",
        "0004-create_text2video_task.json": "four",
    }


def test_two_proxies_on_one_directory_each_keep_their_flows(tmp_path: Path) -> None:
    with (
        VideoHost() as video,
        ApiHost(video.base_url) as api,
        MockServer("--upstream", api.base_url, "--record", str(tmp_path), command="proxy") as first,
        MockServer("--upstream", api.base_url, "--record", str(tmp_path), command="proxy") as second,
    ):
        for n in range(3):
            _record(first, f"first-{n}")
            _record(second, f"second-{n}")
    prompts = _prompts(tmp_path)
    assert sorted(prompts.values()) == sorted([f"first-{n}" for n in range(3)] + [f"second-{n}" for n in range(3)])
    assert list(prompts) == [f"{n:04d}-create_text2video_task.json" for n in range(1, 7)]


def test_a_recorder_that_loses_the_race_takes_the_next_number(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path, Scrubber())
    (tmp_path / "0001-text2video.json").write_text("someone else's", encoding="utf-8")  # appeared after start-up
    flow = recorder.exchange(
        caller="Bearer k",
        operation="text2video",
        is_create=True,
        task_ref=None,
        method="POST",
        path=CREATE,
        query="",
        request_headers={},
        request_body=b'{"prompt": "x"}',
        status=200,
        response_headers={},
        response_body=b'{"code": 0, "data": {"task_id": "t-9"}}',
        now=1.0,
    )
    assert isinstance(flow, Flow)
    assert flow.name == "0002-text2video"
    assert (tmp_path / "0001-text2video.json").read_text(encoding="utf-8") == "someone else's"
    assert json.loads((tmp_path / "0002-text2video.json").read_text(encoding="utf-8"))["exchanges"][0]["seq"] == 0
