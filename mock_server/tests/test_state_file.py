"""The --state file: one mock per file, private, and clear errors instead of 500s (issue 24, point 9)."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from maas_kl_mock import ApiError, MockServer, SqliteTaskStore, Task, Video

AUTH = {"authorization": "Bearer mock-token"}


def _serve(state: Path) -> subprocess.CompletedProcess[str]:
    """Start `maas-kl-mock serve --state STATE` expecting it to refuse; return what it said."""
    return subprocess.run(
        [sys.executable, "-m", "maas_kl_mock", "serve", "--port", "0", "--state", str(state)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@contextmanager
def _foreign_write_lock(path: Path) -> Iterator[None]:
    """Another program (not a mock) holding SQLite's write lock on the file."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        db.execute("ROLLBACK")
        db.close()


def _task(n: int) -> Task:
    return Task(str(n), "t", "text2video", 0.0, 1, 3, "kling-v1", "std", None, None, Video(f"v{n}", 5.1))


def test_a_second_mock_on_the_same_file_refuses_to_start_naming_it(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    with MockServer("--state", str(state)) as first:
        done = _serve(state)
        assert first.alive()
    assert done.returncode == 2
    assert f"cannot start: {state} is in use by another maas-kl-mock" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_state_file_is_created_private(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    with MockServer("--state", str(state)) as mock:
        httpx.post(f"{mock.api_base_url}/videos/text2video", headers=mock.headers, json={"prompt": "A dog"})
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.iterdir() if p.name.startswith("state")}
    assert modes["state.db"] == 0o600
    assert all(mode & 0o077 == 0 for mode in modes.values()), modes  # the WAL and its index too


def test_a_file_another_program_locks_is_a_clear_start_up_error(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    SqliteTaskStore(state).close()
    with _foreign_write_lock(state):
        started = time.monotonic()
        done = _serve(state)
    assert done.returncode == 2
    assert f"cannot start: {state}: another process holds a lock on it" in done.stderr
    assert time.monotonic() - started < 20  # refused, not waited on write after write


def test_a_lock_taken_while_serving_is_a_503_and_no_task_appears(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    with MockServer("--state", str(state)) as mock, httpx.Client(headers=mock.headers) as http:
        with _foreign_write_lock(state):
            refused = http.post(f"{mock.api_base_url}/videos/text2video", json={"prompt": "A dog"})
        assert refused.status_code == 503
        assert refused.json()["code"] != 0
        assert "--state" in refused.json()["message"]
        assert mock.control.tasks() == []  # memory agrees with the file: nothing was stored
        created = http.post(f"{mock.api_base_url}/videos/text2video", json={"prompt": "A dog"})
        assert created.status_code == 200
        assert len(mock.control.tasks()) == 1


def test_a_malformed_row_is_a_clear_start_up_error_not_a_key_error(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    SqliteTaskStore(state).close()
    with sqlite3.connect(state) as db:
        db.execute("INSERT INTO tasks (task_id, body) VALUES ('x', ?)", (b'{"task_id": "x"}',))
    done = _serve(state)
    assert done.returncode == 2
    assert f"cannot start: {state}: task row 1 is malformed" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_file_that_is_not_a_database_is_named(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    state.write_bytes(b"not sqlite " * 100)
    done = _serve(state)
    assert done.returncode == 2
    assert f"cannot start: {state}: not a SQLite file this mock wrote" in done.stderr


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="permissions do not bind root")
def test_a_read_only_file_is_a_clear_start_up_error(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    SqliteTaskStore(state).close()
    state.chmod(0o400)
    done = _serve(state)
    assert done.returncode == 2
    assert f"cannot start: {state}" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_failed_write_leaves_memory_as_the_file_has_it(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    store = SqliteTaskStore(state, max_tasks=2)
    store.add(_task(1), now=0.0)
    store.add(_task(2), now=0.0)
    with _foreign_write_lock(state):
        with pytest.raises(ApiError):
            store.add(_task(3), now=0.0)  # would also have evicted task 1
        assert [t.task_id for t in store.tasks()] == ["1", "2"]
        with pytest.raises(ApiError):
            store.clear()
        assert [t.task_id for t in store.tasks()] == ["1", "2"]
    store.add(_task(3), now=0.0)
    assert [t.task_id for t in store.tasks()] == ["2", "3"]
    store.clear()
    store.close()
    reopened = SqliteTaskStore(state)
    assert (len(reopened), reopened.created_total) == (0, 0)
    reopened.close()
