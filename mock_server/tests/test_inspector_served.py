"""The inspector as `serve` and `proxy` offer it: named at start-up, opened by `serve --open`, strict headers."""

from __future__ import annotations

import shlex
import sys
import time
from pathlib import Path

import httpx
import pytest
from maas_kl_mock import MockServer
from maas_kl_mock.inspector import CSP


def test_startup_line_and_ready_file_name_the_inspector() -> None:
    with MockServer() as mock:
        assert f"inspector: {mock.base_url}/_mock/ui/" in mock.logs()
        assert mock.ready["inspector_url"] == f"{mock.base_url}/_mock/ui/"
        page = httpx.get(mock.ready["inspector_url"])
    assert page.status_code == 200
    assert page.headers["content-security-policy"] == CSP
    assert page.headers["x-content-type-options"] == "nosniff"
    assert '<script src="/_mock/ui/inspector.js" defer></script>' in page.text


def test_serve_open_opens_the_inspector_in_a_browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened = tmp_path / "opened.txt"
    writer = f"import pathlib, sys; pathlib.Path({str(opened)!r}).write_text(sys.argv[1])"
    monkeypatch.setenv("BROWSER", f"{shlex.quote(sys.executable)} -c {shlex.quote(writer)} %s")
    with MockServer("--open") as mock:
        deadline = time.monotonic() + 20
        while not opened.exists() and time.monotonic() < deadline:
            time.sleep(0.05)  # waiting on another process
        assert opened.read_text() == f"{mock.base_url}/_mock/ui/"


def test_unknown_inspector_files_are_envelopes() -> None:
    with MockServer() as mock:
        for name in ("nope.js", "..%2F__init__.py", "static/index.html", ".hidden.css"):
            answer = httpx.get(f"{mock.base_url}/_mock/ui/{name}")
            assert answer.status_code == 404, name
            assert answer.json()["code"] == 1203


def test_the_proxy_logs_each_exchange_with_its_violations_and_whether_it_was_recorded(tmp_path: Path) -> None:
    key = "sk-recorded-proxy-0123456789"
    with (
        MockServer("--token", key) as upstream,
        MockServer("--upstream", upstream.base_url, "--record", str(tmp_path), command="proxy") as proxy,
    ):
        api = f"{proxy.base_url}/v1/ai/default/kling/videos/text2video"
        auth = {"Authorization": f"Bearer {key}"}
        httpx.post(api, headers=auth, json={"prompt": "A dog"}).raise_for_status()
        httpx.post(api, headers=auth, json={"prompt": "A dog", "duration": "7"})  # a request the spec refuses
        listing = httpx.get(f"{proxy.base_url}/_mock/calls").json()
        detail = httpx.get(f"{proxy.base_url}/_mock/calls/2").json()
        meta = httpx.get(f"{proxy.base_url}/_mock/meta").json()
    first, second = listing["calls"]
    assert (first["operation_id"], first["status"], first["recorded"], first["violations"]) == (
        "create_text2video_task",
        200,
        True,
        [],
    )
    assert {"pointer": "/duration", "rule": "schema:enum"}.items() <= second["violations"][0].items()
    assert meta["kind"] == "proxy"
    assert meta["views"] == ["calls"]
    assert key not in str(listing) + str(detail)
    assert detail["request"]["body"] == {"json": {"prompt": "A dog", "duration": "7"}}
