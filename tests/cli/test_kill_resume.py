"""SIGKILL a `maas-kl batch` before, during and after its creates, resume it: one task per job, every video on disk."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from maas_kl_mock import MockServer

ROOT = Path(__file__).resolve().parents[2]
JOBS = 5


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer("--concurrency", "10") as mock:
        yield mock


def rows(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]


def batch(server: MockServer, jobs: Path, out: Path, die_at: str, *more: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "MAAS_KL_API_KEY": server.token or "",
        "MAAS_KL_ENDPOINT_PATH": server.endpoint_path,
        "MAAS_KL_BASE_URL": server.base_url,
        "MAAS_KL_TEST_DIE_AT": die_at,
    }
    argv = [sys.executable, "-m", "tests.cli.dying_cli", "batch", str(jobs), "--output", str(out), *more]
    return subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def killed(process: subprocess.Popen[str]) -> None:
    _, err = process.communicate(timeout=120)
    assert process.returncode == -signal.SIGKILL, err


def test_a_batch_killed_at_any_point_resumes_to_one_task_per_job(server: MockServer, tmp_path: Path) -> None:
    server.control.reset()
    jobs, out = tmp_path / "jobs.jsonl", tmp_path / "out"
    jobs.write_text("".join(json.dumps({"family": "text2video", "prompt": f"kill {n}"}) + "\n" for n in range(JOBS)))
    limit = ("--max-in-flight", "2")

    killed(batch(server, jobs, out, "before-create:1", *limit))  # the journal names job 0's key; nothing sent
    assert [r["status"] for r in rows(out)][:1] == ["sending"]
    assert not server.control.tasks()

    killed(batch(server, jobs, out, "after-create:2", "--resume", *limit))  # jobs 0 and 1 made, not recorded
    assert len(server.control.tasks()) == 2
    assert [r["task_id"] for r in rows(out)[:2]] == [None, None]

    # Both are sent again (the service refuses the duplicate key, the CLI finds the task by it), waited
    # on and downloaded; then it hangs before job 2's create and is killed from outside.
    hanging = batch(server, jobs, out, "hang-before-create:3", "--resume", *limit)
    deadline = time.monotonic() + 60
    while rows(out)[2]["status"] != "sending":
        assert time.monotonic() < deadline, "the batch never reached job 2's create"
        time.sleep(0.05)
    hanging.send_signal(signal.SIGKILL)
    killed(hanging)

    killed(batch(server, jobs, out, "after-video:2", "--resume", *limit))  # all created, a download cut short

    done = batch(server, jobs, out, "", "--resume", *limit)
    _, err = done.communicate(timeout=120)
    assert done.returncode == 0, err

    tasks = server.control.tasks()
    assert len(tasks) == JOBS
    assert Counter(t["external_task_id"] for t in tasks).most_common(1)[0][1] == 1
    final = rows(out)
    assert {r["task_id"] for r in final} == {t["task_id"] for t in tasks}
    assert [r["status"] for r in final] == ["succeed"] * JOBS
    files = [Path(f) for r in final for f in r["files"]]
    assert len(files) == JOBS
    assert all(f.is_file() and f.stat().st_size > 0 for f in files)
    assert sorted(files) == sorted(out.glob("*.mp4"))
