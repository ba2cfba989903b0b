"""Record SDK flows through `proxy --record` in front of a faulty `serve`, then replay them offline.

The upstream injects 429, 500, 503 and connection resets on a fifth of the API calls while the
text-to-video and image-to-video flows run; the extension runs fault-free, because an unconfirmed
extension create is never re-sent by the SDK (D18) and would end the flow.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from maas_kl_mock import ManualClock, MockConfig, MockServer
from maas_kl_mock.pytest_plugin import MockFixture

from .flows import KEY, LIFECYCLE, Seen, client, run_flows
from .processes import Child

FAULTS = ("--fault-rate", "0.2", "--fault-seed", "11", "--fault-kinds", "429,500,503,reset", "--retry-after", "0")
CREATES = {"create_text2video_task", "create_image2video_task", "create_video_extend_task"}


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Seen], dict[str, int]]:
    """The cassette directory, what the SDK saw while recording, and the faults the upstream injected."""
    directory = tmp_path_factory.mktemp("cassettes")
    out = tmp_path_factory.mktemp("videos")
    with (
        MockServer("--token", KEY, *LIFECYCLE, *FAULTS) as upstream,
        Child("proxy", "--upstream", upstream.base_url, "--record", str(directory)) as proxy,
        client(proxy.base_url, upstream.endpoint_path) as sdk,
    ):
        seen = run_flows(sdk, out, between=lambda: upstream.control.set_faults(rate=0))
        injected = upstream.control.faults()["injected"]
    # both processes are stopped here: whatever follows is offline
    return directory, seen, injected


def _flows(directory: Path) -> dict[str, dict[str, object]]:
    return {path.name: json.loads(path.read_text(encoding="utf-8")) for path in sorted(directory.glob("*.json"))}


def test_recording_ran_against_faults(recorded: tuple[Path, dict[str, Seen], dict[str, int]]) -> None:
    _, seen, injected = recorded
    assert sum(injected.values()) > 0, "the upstream injected no fault: the test would prove less than it says"
    assert {s.statuses[-1] for s in seen.values()} == {"succeed"}


def test_one_readable_file_per_flow(recorded: tuple[Path, dict[str, Seen], dict[str, int]]) -> None:
    directory, seen, _ = recorded
    flows = _flows(directory)
    assert {flow["operation"] for flow in flows.values()} == CREATES
    for flow in flows.values():
        kinds = [e["kind"] for e in flow["exchanges"]]  # type: ignore[attr-defined]
        assert kinds[0] == "create"
        assert "query" in kinds
        assert kinds[-1] == "video"
    for name in flows:  # stable and diff-friendly: sorted keys, two-space indent, trailing newline
        text = (directory / name).read_text(encoding="utf-8")
        assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    task_ids = {s.task_id for s in seen.values()}
    assert all(any(t in (directory / n).read_text(encoding="utf-8") for t in task_ids) for n in flows)


def test_cassettes_hold_no_key_and_no_signature(recorded: tuple[Path, dict[str, Seen], dict[str, int]]) -> None:
    directory, _, _ = recorded
    texts = [path.read_bytes().decode("utf-8", "replace") for path in directory.iterdir()]
    joined = "\n".join(texts)
    assert KEY not in joined
    assert KEY[-12:] not in joined
    assert "sig=<scrubbed>" in joined  # the upstream's video URLs were recorded, their signatures not
    assert not re.search(r"sig=(?!<scrubbed>)", joined)
    assert "Bearer" not in joined


def _replay(directory: Path, **settings: object) -> MockFixture:
    return MockFixture(MockConfig(check_responses=True, record_calls=None, replay=directory, **settings), ManualClock())  # type: ignore[arg-type]


def test_replay_gives_the_same_sdk_results_offline(
    recorded: tuple[Path, dict[str, Seen], dict[str, int]], tmp_path: Path
) -> None:
    directory, seen, _ = recorded
    mock = _replay(directory)
    http = httpx.Client(transport=mock.transport())
    with client("http://127.0.0.1:4010", "default", http_client=http, clock=mock.clock) as sdk:
        replayed = run_flows(sdk, tmp_path)
    assert replayed == seen  # task ids, status sequences, video ids, durations and the MP4 bytes


def test_replay_walks_statuses_on_the_mock_clock(recorded: tuple[Path, dict[str, Seen], dict[str, int]]) -> None:
    directory, seen, _ = recorded
    mock = _replay(directory)
    with mock.client() as http:
        created = http.post("/videos/text2video", json={"prompt": "A dog running on the grass"}).json()
        task_id = created["data"]["task_id"]
        statuses = []
        for _ in range(12):
            answer = http.get(f"/videos/text2video/{task_id}")
            if answer.status_code == 200:
                statuses.append(answer.json()["data"]["task_status"])
        assert statuses[-1] != "succeed"  # the clock has not moved: the recorded service had not finished
        mock.advance(3600)
        final = [http.get(f"/videos/text2video/{task_id}").json()["data"]["task_status"] for _ in range(12)]
    assert task_id == seen["text2video"].task_id
    assert final[-1] == "succeed"


def test_standalone_replay_fails_loudly_on_unmatched_requests(
    recorded: tuple[Path, dict[str, Seen], dict[str, int]],
) -> None:
    directory, seen, _ = recorded
    with MockServer("--replay", str(directory), "--token", KEY) as replay:
        headers = {"Authorization": f"Bearer {KEY}"}
        api = replay.api_base_url
        other = httpx.post(f"{api}/videos/text2video", headers=headers, json={"prompt": "A cat running on the grass"})
        unknown = httpx.get(f"{api}/videos/text2video/123456", headers=headers)
        matched = httpx.post(f"{api}/videos/text2video", headers=headers, json={"prompt": "A dog running on the grass"})
        calls = replay.control.calls()
    assert (other.status_code, other.json()["code"]) == (404, 1203)
    message = other.json()["message"]
    assert "0001-create_text2video_task" in message
    assert "/prompt" in message
    assert "A dog running on the grass" in message
    assert "nothing was sent" in message
    assert (unknown.status_code, unknown.json()["code"]) == (404, 1203)
    assert "replay the create first" in unknown.json()["message"]
    assert matched.json()["data"]["task_id"] == seen["text2video"].task_id
    assert len(calls) == 3


def test_replay_fallback_simulate_serves_unmatched_requests(
    recorded: tuple[Path, dict[str, Seen], dict[str, int]],
) -> None:
    mock = _replay(recorded[0], replay_fallback="simulate")
    with mock.client() as http:
        answer = http.post("/videos/text2video", json={"prompt": "A cat, never recorded"})
    assert answer.status_code == 200
    assert len(mock.store) == 1  # simulated, so the simulator holds it


def test_replay_refuses_a_directory_that_is_not_a_cassette(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ValueError, match="not a cassette flow"):
        _replay(tmp_path)
