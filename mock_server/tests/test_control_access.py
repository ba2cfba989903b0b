"""The control surface against web pages (issue 24, point 4; decision M-CONTROL), on served mocks and a proxy."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from maas_kl_mock import MockServer
from maas_kl_mock._http import MockRequest
from maas_kl_mock.faces.guard import ControlAccess, split_host
from maas_kl_mock.pipeline.faults import FaultPlan

TOKEN = "control-secret-7f3a"


@pytest.fixture(scope="module")
def served() -> Iterator[MockServer]:
    with MockServer("--submitted-seconds", "0", "--processing-seconds", "0") as mock:
        yield mock


def _state(mock: MockServer) -> tuple[int, float]:
    return len(mock.control.tasks()), float(mock.control.faults()["plan"]["rate"])


def test_a_cross_site_text_post_cannot_reset_or_set_faults(served: MockServer) -> None:
    api = f"{served.api_base_url}/videos/text2video"
    httpx.post(api, headers=served.headers, json={"prompt": "A dog"}).raise_for_status()
    before = _state(served)
    assert before == (1, 0.0)
    page = {"Origin": "http://evil.example", "Content-Type": "text/plain"}
    for path, data in (("reset", "x"), ("faults", '{"rate": 1.0}')):
        refused = httpx.post(f"{served.base_url}/_mock/{path}", headers=page, content=data)
        assert refused.status_code == 403, refused.text
        assert set(refused.json()) == {"code", "message", "request_id"}
        assert refused.json()["code"] == 1103
    # Same origin but not JSON: a form or a text/plain fetch from a page the server itself served.
    same_site = httpx.post(f"{served.base_url}/_mock/reset", headers={"Content-Type": "text/plain"}, content="x")
    assert same_site.status_code == 400
    assert same_site.json()["code"] == 1200
    no_type = httpx.put(f"{served.base_url}/_mock/faults", content=b'{"rate": 1.0}')
    assert no_type.status_code == 400
    assert _state(served) == before  # nothing changed


def test_a_foreign_host_name_is_refused_even_for_reads(served: MockServer) -> None:
    rebound = httpx.get(f"{served.base_url}/_mock/tasks", headers={"Host": "attacker.example"})
    assert rebound.status_code == 403
    assert "allowed host" in rebound.json()["message"]
    health = httpx.get(f"{served.base_url}/_mock/health", headers={"Host": "attacker.example"})
    assert health.status_code == 403
    assert httpx.get(f"{served.base_url}/_mock/tasks", headers={"Host": "localhost"}).status_code == 200
    # The API itself is not the control surface: any Host reaches it, as before.
    api = httpx.get(f"{served.api_base_url}/videos/text2video/1", headers={**served.headers, "Host": "x.example"})
    assert api.status_code == 404


def test_same_origin_json_writes_work(served: MockServer) -> None:
    own = {"Origin": served.base_url, "Content-Type": "application/json"}
    moved = httpx.post(f"{served.base_url}/_mock/clock/advance", headers=own, content=b'{"seconds": 1}')
    assert moved.status_code == 200
    assert httpx.post(f"{served.base_url}/_mock/reset", headers=own).status_code == 200


def test_beyond_loopback_the_control_surface_needs_the_token() -> None:
    with MockServer(host="0.0.0.0") as mock:
        assert "beyond loopback, with no control token" in mock.logs()
        local = mock.base_url.replace("0.0.0.0", "127.0.0.1")
        refused = httpx.get(f"{local}/_mock/tasks")
        assert refused.status_code == 403
        assert "--control-token" in refused.json()["message"]
        assert httpx.get(f"{local}/_mock/ui/").status_code == 403  # the inspector too
        assert httpx.get(f"{local}/_mock/health").status_code == 200  # readiness probes
        assert httpx.post(f"{local}/v1/ai/default/kling/videos/text2video", json={}).status_code == 401  # the API


def test_with_the_token_it_works_and_is_never_printed() -> None:
    with MockServer("--control-token", TOKEN, host="0.0.0.0") as mock:
        local = mock.base_url.replace("0.0.0.0", "127.0.0.1")
        assert httpx.get(f"{local}/_mock/tasks").status_code == 403
        wrong = httpx.get(f"{local}/_mock/tasks", headers={"X-Mock-Control-Token": "nope"})
        assert wrong.status_code == 403
        ok = httpx.get(f"{local}/_mock/tasks", headers={"X-Mock-Control-Token": TOKEN})
        assert ok.status_code == 200
        assert mock.control.set_faults(rate=0.0)["rate"] == 0.0  # MockServer.control sends it
        assert "warning: listening on 0.0.0.0" in mock.logs()
        assert TOKEN not in mock.logs()


def test_an_allowed_host_name_is_answered() -> None:
    with MockServer("--allow-host", "mock.internal") as mock:
        named = httpx.get(f"{mock.base_url}/_mock/stats", headers={"Host": "mock.internal:4010"})
        assert named.status_code == 200


def test_the_proxy_guards_its_control_surface_too() -> None:
    with (
        MockServer() as upstream,
        MockServer("--upstream", upstream.base_url, command="proxy") as proxy,
    ):
        page = {"Origin": "http://evil.example", "Content-Type": "text/plain"}
        assert httpx.post(f"{proxy.base_url}/_mock/reset", headers=page, content="x").status_code == 403
        assert httpx.get(f"{proxy.base_url}/_mock/violations", headers={"Host": "evil.example"}).status_code == 403
        assert httpx.get(f"{proxy.base_url}/_mock/violations").status_code == 200


@pytest.mark.parametrize(
    ("host", "headers", "allowed"),
    [
        ("127.0.0.1", {"host": "localhost:4010"}, True),
        ("127.0.0.1", {"host": "app.localhost:4010"}, True),
        ("127.0.0.1", {"host": "[::1]:4010"}, True),
        ("127.0.0.1", {"host": "127.0.0.1"}, True),
        ("127.0.0.1", {"host": "127.0.0.1.nip.io"}, False),
        ("127.0.0.1", {"host": "localhost.evil.example"}, False),
        ("127.0.0.1", {"host": "localhost:4010", "origin": "http://localhost:4010"}, True),
        ("127.0.0.1", {"host": "localhost:4010", "origin": "http://localhost:4011"}, False),
        ("127.0.0.1", {"host": "localhost:4010", "origin": "null"}, False),
        ("127.0.0.1", {"host": "localhost:4010", "origin": "http://localhost:99999"}, False),
        ("10.0.0.5", {"host": "10.0.0.5:4010", "x-mock-control-token": TOKEN}, True),
        ("0.0.0.0", {"host": "0.0.0.0:4010", "x-mock-control-token": TOKEN}, True),  # the address it is bound to
        ("0.0.0.0", {"host": "10.0.0.5:4010", "x-mock-control-token": TOKEN}, False),  # other names: --allow-host
    ],
)
def test_host_and_origin_rules(host: str, headers: dict[str, str], allowed: bool) -> None:
    access = ControlAccess(host, frozenset(), TOKEN)
    request = MockRequest("GET", "/_mock/tasks", headers, base_url=f"http://{headers['host']}")
    assert (access.refusal(request) is None) is allowed


def test_split_host() -> None:
    assert split_host("[::1]:4010") == "::1"
    assert split_host("Example.ORG:80") == "example.org"
    assert split_host("::1") == "::1"


def test_fault_plan_is_untouched_by_refused_writes(served: MockServer) -> None:
    plan = FaultPlan().to_json()
    httpx.put(f"{served.base_url}/_mock/faults", headers={"Content-Type": "text/plain"}, content=b'{"rate":1}')
    assert served.control.faults()["plan"]["rate"] == plan["rate"]
