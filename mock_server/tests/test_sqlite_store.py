"""The persistent store: same behaviour as the memory store, and everything survives a reopen."""

import sqlite3
from pathlib import Path

import orjson
import pytest
from maas_kl_mock import (
    ManualClock,
    MemoryTaskStore,
    MockConfig,
    MockCore,
    MockRequest,
    SqliteTaskStore,
    Task,
    Video,
)
from maas_kl_mock.state.sqlite_store import task_from_bytes, task_to_bytes


def make(n: int, external: str | None = None) -> Task:
    return Task(str(n), "t", "text2video", 0.0, 1, 3, "kling-v1", "std", external, None, Video(f"v{n}", 5.1))


AUTH = {"authorization": "Bearer tenant-a", "content-type": "application/json"}


def test_task_round_trips_through_bytes() -> None:
    task = make(7, external="e7")
    assert task_from_bytes(task_to_bytes(task)) == task


def test_reopened_store_keeps_tasks_counters_and_secret(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    store = SqliteTaskStore(path, max_tasks=3)
    for n in range(5):
        store.add(make(n, external=f"e{n}"), now=0.0)
    secret = store.signing_secret()
    store.close()
    again = SqliteTaskStore(path, max_tasks=3)
    assert [t.task_id for t in again.tasks()] == ["2", "3", "4"], "evictions were committed too"
    assert (again.created_total, again.evicted_total) == (5, 2)
    assert again.signing_secret() == secret
    assert again.get("t", "text2video", "e4") is not None
    assert not again.has_external("t", "e0")
    again.clear()
    again.close()
    emptied = SqliteTaskStore(path)
    assert len(emptied) == 0
    emptied.close()


def test_memory_store_secrets_differ_per_instance() -> None:
    assert MemoryTaskStore().signing_secret() != MemoryTaskStore().signing_secret()


def test_state_file_of_another_format_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    SqliteTaskStore(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'format'", (b"other",))
    with pytest.raises(ValueError, match="not a maas-kl-mock state file"):
        SqliteTaskStore(path)


def test_core_on_a_state_file_serves_old_tasks_and_urls_after_restart(tmp_path: Path) -> None:
    config = MockConfig(state_path=tmp_path / "s.sqlite", seed=1)
    clock = ManualClock()
    first = MockCore(config, clock)
    body = b'{"prompt": "A dog", "external_task_id": "x-1"}'
    created = first.handle(MockRequest("POST", "/v1/ai/XXX/kling/videos/text2video", AUTH, body))
    assert created.status == 200
    first.store.close()
    clock.advance(60)
    second = MockCore(config, clock)  # same seed: ids must still not collide
    query = second.handle(MockRequest("GET", "/v1/ai/XXX/kling/videos/text2video/x-1", AUTH))
    data = orjson.loads(query.body)["data"]
    url = data["task_result"]["videos"][0]["url"]
    path, _, sig = url.partition("?")
    video = second.handle(MockRequest("GET", path[path.index("/files/") :], {}, query=sig))
    assert video.status == 200, "a URL signed before the restart still opens"
    body = b'{"prompt": "A cat", "external_task_id": "x-2"}'
    again = second.handle(MockRequest("POST", "/v1/ai/XXX/kling/videos/text2video", AUTH, body))
    new = orjson.loads(again.body)["data"]
    assert new["task_id"] != data["task_id"]
    assert len({t.video.id for t in second.store.tasks() if t.video}) == 2
    second.close()
