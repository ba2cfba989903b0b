"""Ctrl-C after a create names the task, its family and the exact `maas-kl status ... --wait`; never a traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from maas_kl_client.cli import main
from maas_kl_mock import MockServer
from maas_kl_mock.pytest_plugin import MockFixture

from tests.cli.conftest import BASE_URL, SharedClock


@pytest.fixture(scope="module")
def slow_server() -> Iterator[MockServer]:
    with MockServer("--submitted-seconds", "600", "--processing-seconds", "600") as mock:
        yield mock


def start(server: MockServer, *argv: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "MAAS_KL_API_KEY": server.token or "",
        "MAAS_KL_ENDPOINT_PATH": server.endpoint_path,
        "MAAS_KL_BASE_URL": server.base_url,
    }
    command = [sys.executable, "-m", "maas_kl_client.cli", *argv]
    return subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # A test run started as a background job ignores SIGINT, and children inherit that; a user's
        # command on a terminal does not, so give it the default handler back (as tests/demo does).
        preexec_fn=_default_sigint,  # noqa: PLW1509 - the child only resets one signal
    )


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.default_int_handler)


def test_sigint_while_waiting_names_the_task_and_the_command(slow_server: MockServer, tmp_path: Path) -> None:
    slow_server.control.reset()
    out = tmp_path / "cc"
    process = start(slow_server, "text2video", "x", "--output", f"{out}/")
    deadline = time.monotonic() + 60
    while not slow_server.control.tasks():
        assert time.monotonic() < deadline, "the create never arrived"
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    [task] = slow_server.control.tasks()
    assert process.returncode == 130
    assert "Traceback" not in err
    assert f"text2video task {task['task_id']} keeps running" in err
    assert f"maas-kl status {task['task_id']} --kind text2video --wait --output {out}/" in err


@pytest.mark.parametrize("after_requests", [0, 1])
def test_ctrl_c_around_the_create_names_its_recovery_key(
    maas_kl_mock: MockFixture, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, after_requests: int
) -> None:
    monkeypatch.setenv("MAAS_KL_API_KEY", "k")
    monkeypatch.setenv("MAAS_KL_ENDPOINT_PATH", "default")
    monkeypatch.setenv("MAAS_KL_BASE_URL", BASE_URL)
    seen = 0

    def interrupting(request: httpx.Request) -> httpx.Response:
        nonlocal seen
        seen += 1
        if seen > after_requests:
            raise KeyboardInterrupt
        return maas_kl_mock.handler(request)

    with httpx.Client(transport=httpx.MockTransport(interrupting)) as http:
        code = main(["text2video", "x", "--wait"], clock=SharedClock(maas_kl_mock.clock), http_client=http)
    err = capsys.readouterr().err
    assert code == 130
    assert "Traceback" not in err
    if after_requests == 0:  # stopped while the create was on its way: its recovery key finds it, if it exists
        assert "interrupted while creating a text2video task" in err
        assert "maas-kl status maaskl-" in err
    else:
        [task] = maas_kl_mock.store.tasks()
        assert f"maas-kl status {task.task_id} --kind text2video --wait" in err


def test_ctrl_c_before_a_command_runs_is_quiet(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(*_: object, **__: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr("maas_kl_client.cli._main.run", interrupted)
    assert main(["status", "1"]) == 130
    assert "interrupted; nothing was sent" in capsys.readouterr().err
