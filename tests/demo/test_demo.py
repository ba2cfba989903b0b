"""`python -m demo` end to end against a real subprocess mock with a fast lifecycle; nothing may outlive it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from maas_kl_mock import MockServer, MockServerError

from demo.main import group_alive

ROOT = Path(__file__).resolve().parents[2]
FAST = ["--submitted-seconds", "0.2", "--processing-seconds", "0.3"]
MOCK_PID = re.compile(r"\(pid (\d+);")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAAS_KL_")}
    return {**env, **extra}


def _demo(args: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "demo", *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_demo_runs_four_tasks_writes_mp4s_and_stops_the_mock(tmp_path: Path) -> None:
    done = _demo(["--out", str(tmp_path), *FAST], _env())
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    videos = sorted(tmp_path.glob("*.mp4"))
    assert [v.name.split("-")[0] for v in videos] == ["image2video", "text2video", "video_extend"]
    for video in videos:
        data = video.read_bytes()
        assert data[4:8] == b"ftyp", video
        assert str(video) in out  # listed in the table
    for step in ("text to video", "image to video", "extend video", "meant to fail"):
        assert len(re.findall(rf"✓ {step}", out)) >= 2, step  # its finish line and its table row
    assert "TaskFailed: Failure to pass the risk control system" in out
    assert "4/4 tasks ended as intended; 3 MP4 files" in out
    assert (tmp_path / "frame.png").read_bytes().startswith(b"\x89PNG")
    found = MOCK_PID.search(out)
    assert found, out
    assert "no process left behind" in out
    assert not group_alive(int(found[1]))


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.default_int_handler)


def test_interrupted_demo_stops_the_mock(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "demo", "--out", str(tmp_path), "--submitted-seconds", "30"],
        cwd=ROOT,
        env=_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # A test run started as a background job ignores SIGINT, and children inherit that; a user's
        # demo on a terminal does not, so give it the default handler back.
        preexec_fn=_default_sigint,  # noqa: PLW1509 - the child only resets one signal
    )
    try:
        assert proc.stdout is not None
        line = ""
        while not (found := MOCK_PID.search(line)):
            line += proc.stdout.readline()
            assert proc.poll() is None, line
        proc.send_signal(signal.SIGINT)
        rest, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for pipe in (proc.stdout, proc.stderr):  # so a failure here is not reported again as a leak elsewhere
            if pipe is not None:
                pipe.close()
    assert proc.returncode == 130
    assert "Interrupted" in rest
    assert not group_alive(int(found[1]))


def test_live_mode_without_a_terminal_refuses_paid_work_unless_yes(tmp_path: Path) -> None:
    done = _demo(["--out", str(tmp_path)], _env(MAAS_KL_API_KEY="k", MAAS_KL_ENDPOINT_PATH="p"), timeout=60)
    assert done.returncode == 2
    assert "Refusing to create 3 paid tasks" in done.stdout
    assert "make demo YES=1" in done.stdout
    assert "make demo DEMO_ARGS=--mock" in " ".join(done.stdout.split())  # the way to the mock, key still set
    assert list(tmp_path.glob("*.mp4")) == []


def test_half_set_credentials_are_refused(tmp_path: Path) -> None:
    done = _demo(["--out", str(tmp_path)], _env(MAAS_KL_API_KEY="k"), timeout=60)
    assert done.returncode == 2
    assert "MAAS_KL_ENDPOINT_PATH is not set" in done.stdout


def test_the_launcher_the_demo_uses_reports_a_failed_start() -> None:
    mock = MockServer("--submitted-seconds", "not-a-number", die_with_parent=True, startup_timeout=30)
    with pytest.raises(MockServerError, match=r"exited with 2 before listening:[\s\S]*not-a-number"):
        mock.start()
    assert mock.pid is None
