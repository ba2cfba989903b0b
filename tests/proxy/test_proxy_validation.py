"""`maas-kl-mock proxy` in front of a misbehaving upstream: violations in the header, the report and the control API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .misbehaving import MisbehavingUpstream
from .processes import Child

KEY = "sk-proxy-test-key-0123456789"
API = "/v1/ai/default/kling"
AUTH = {"Authorization": f"Bearer {KEY}"}

# (how to ask, operation, JSON pointer, rule) for each way the upstream breaks the spec
CASES = {
    "missing-field": ("POST", "create_text2video_task", "/data/task_id", "schema:required"),
    "wrong-code": ("GET", "get_text2video_task", "/code", "business-code"),
    "unknown-status": ("GET", "get_text2video_task", "/data/task_status", "schema:enum"),
    "error-with-data": ("GET", "get_text2video_task", "/data", "schema:not"),
}


def _call(client: httpx.Client, case: str) -> httpx.Response:
    method = CASES[case][0]
    if method == "POST":
        return client.post(f"{API}/videos/text2video", json={"prompt": case})
    return client.get(f"{API}/videos/text2video/{case}")


@pytest.fixture(scope="module")
def upstream() -> Iterator[MisbehavingUpstream]:
    with MisbehavingUpstream() as server:
        yield server


@pytest.fixture(scope="module")
def proxy(upstream: MisbehavingUpstream, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Child, Path]]:
    report = tmp_path_factory.mktemp("proxy") / "violations.jsonl"
    with Child("proxy", "--upstream", upstream.base_url, "--report", str(report), "--timeout", "0.5") as child:
        yield child, report


@pytest.fixture(scope="module")
def strict(upstream: MisbehavingUpstream) -> Iterator[Child]:
    with Child("proxy", "--upstream", upstream.base_url, "--strict") as child:
        yield child


@pytest.mark.parametrize("case", sorted(CASES))
def test_violation_is_reported_in_header_report_and_control_api(proxy: tuple[Child, Path], case: str) -> None:
    child, report = proxy
    _, operation, pointer, rule = CASES[case]
    with httpx.Client(base_url=child.base_url, headers=AUTH) as client:
        response = _call(client, case)
        listed = client.get("/_mock/violations").json()["violations"]
    header = json.loads(response.headers["x-maas-kl-violations"])
    assert {"dir": "response", "pointer": pointer, "rule": rule} in header
    lines = [json.loads(line) for line in report.read_text(encoding="utf-8").splitlines()]
    wanted = {"operation": operation, "direction": "response", "pointer": pointer, "rule": rule}
    assert any(wanted.items() <= line.items() for line in lines), lines
    assert any(wanted.items() <= entry.items() for entry in listed)
    assert KEY not in report.read_text(encoding="utf-8")


def test_a_conforming_answer_carries_no_violations(proxy: tuple[Child, Path]) -> None:
    with httpx.Client(base_url=proxy[0].base_url, headers=AUTH) as client:
        response = client.get(f"{API}/videos/text2video/fine")
    assert response.status_code == 200
    assert "x-maas-kl-violations" not in response.headers


def test_capability_map_break_is_a_request_violation(proxy: tuple[Child, Path]) -> None:
    with httpx.Client(base_url=proxy[0].base_url, headers=AUTH) as client:
        response = client.post(f"{API}/videos/text2video", json={"prompt": "fine", "model_name": "MaaS_KL_V1.5"})
        listed = client.get("/_mock/violations").json()["violations"]
    assert {"dir": "request", "pointer": "/model_name", "rule": "capability-map"} in json.loads(
        response.headers["x-maas-kl-violations"]
    )
    assert any(v["rule"] == "capability-map" and "MaaS_KL_V1.5" in v["message"] for v in listed)


def test_video_urls_pass_through_unchanged_without_record(proxy: tuple[Child, Path]) -> None:
    with httpx.Client(base_url=proxy[0].base_url, headers=AUTH) as client:
        response = client.get(f"{API}/videos/text2video/with-video")
    assert response.json()["data"]["task_result"]["videos"][0]["url"] == "https://cdn.example/v-1.mp4?sig=abc"
    assert "x-maas-kl-violations" not in response.headers


def test_invalid_request_is_reported_and_still_forwarded(
    proxy: tuple[Child, Path], upstream: MisbehavingUpstream
) -> None:
    before = len(upstream.seen)
    with httpx.Client(base_url=proxy[0].base_url, headers=AUTH) as client:
        response = client.post(f"{API}/videos/text2video", json={"prompt": "fine", "duration": "7"})
    assert {"dir": "request", "pointer": "/duration", "rule": "schema:enum"} in json.loads(
        response.headers["x-maas-kl-violations"]
    )
    assert len(upstream.seen) == before + 1
    assert upstream.seen[-1].endswith(f"auth=Bearer {KEY}")  # the caller's key, forwarded as it came


@pytest.mark.parametrize("case", sorted(CASES))
def test_strict_turns_a_broken_answer_into_502_with_the_violation(strict: Child, case: str) -> None:
    _, _, pointer, rule = CASES[case]
    with httpx.Client(base_url=strict.base_url, headers=AUTH) as client:
        response = _call(client, case)
    assert response.status_code == 502
    body = response.json()
    assert {"pointer": pointer, "rule": rule}.items() <= body["violations"][0].items()
    assert pointer in body["message"]


def test_strict_refuses_an_invalid_request_before_sending(strict: Child, upstream: MisbehavingUpstream) -> None:
    before = list(upstream.seen)
    with httpx.Client(base_url=strict.base_url, headers=AUTH) as client:
        response = client.post(f"{API}/videos/text2video", json={"prompt": "fine", "cfg_scale": 3})
        fine = client.get(f"{API}/videos/text2video/fine")
    assert (response.status_code, response.json()["code"]) == (400, 1201)
    assert "/cfg_scale" in response.json()["message"]
    assert "data" not in response.json()
    assert fine.status_code == 200
    assert upstream.seen == [*before, f"GET {API}/videos/text2video/fine auth=Bearer {KEY}"]


@pytest.mark.parametrize(("ask", "status", "code"), [("reset", 500, 5000), ("slow", 504, 5002)])
def test_upstream_failure_becomes_the_error_envelope(
    proxy: tuple[Child, Path], ask: str, status: int, code: int
) -> None:
    with httpx.Client(base_url=proxy[0].base_url, headers=AUTH) as client:
        response = client.get(f"{API}/videos/text2video/{ask}")
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert set(response.json()) == {"code", "message", "request_id"}


def test_unreachable_upstream_is_503_with_the_envelope(upstream: MisbehavingUpstream) -> None:
    gone = MisbehavingUpstream()  # bound, never served, then closed: nobody listens there any more
    url = gone.base_url
    gone.server.server_close()
    with Child("proxy", "--upstream", url) as child, httpx.Client(base_url=child.base_url, headers=AUTH) as client:
        response = client.get(f"{API}/videos/text2video/fine")
    assert (response.status_code, response.json()["code"]) == (503, 5001)
    assert "upstream" in response.json()["message"]


def test_bad_upstream_flag_is_a_usage_error() -> None:
    child = Child("proxy", "--upstream", "genaiapi.cloudsway.net/v1")
    with pytest.raises(RuntimeError, match="--upstream"):
        child.start(timeout=20)
