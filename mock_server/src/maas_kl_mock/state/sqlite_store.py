"""SqliteTaskStore: the TaskStore kept in a SQLite file, so a restarted mock still knows every task.

Reads are served by an in-memory `MemoryTaskStore` loaded at start; every write (add, evict,
clear) is committed to the file before the answer leaves, so a task the client may have been
told about survives a kill. The video-URL signing key lives in the same file: URLs handed out
before a restart still open their videos after it.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

import orjson

from .store import MemoryTaskStore
from .task import Task, TaskKind, Video

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tasks (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id TEXT NOT NULL UNIQUE,
    body BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
"""
_FORMAT = b"maas-kl-mock-state/1"


def _video(value: Any) -> Video | None:
    if value is None:
        return None
    ratio = (int(value[2]), int(value[3])) if len(value) >= 4 else (16, 9)  # files written before ratios: 16:9
    return Video(str(value[0]), float(value[1]), ratio)


def task_to_bytes(task: Task) -> bytes:
    """Serialize a task as JSON; videos as [id, duration, ratio width, ratio height]."""
    return orjson.dumps(
        {
            "task_id": task.task_id,
            "tenant": task.tenant,
            "kind": task.kind,
            "created_at": task.created_at,
            "submitted_for": task.submitted_for,
            "processing_for": task.processing_for,
            "model": task.model,
            "mode": task.mode,
            "external_task_id": task.external_task_id,
            "fails_with": task.fails_with,
            "video": [task.video.id, task.video.duration, *task.video.ratio] if task.video else None,
            "parent": [task.parent.id, task.parent.duration, *task.parent.ratio] if task.parent else None,
        }
    )


def task_from_bytes(data: bytes) -> Task:
    """Read back what task_to_bytes wrote."""
    raw = orjson.loads(data)
    return Task(
        task_id=raw["task_id"],
        tenant=raw["tenant"],
        kind=str(raw["kind"]),
        created_at=raw["created_at"],
        submitted_for=raw["submitted_for"],
        processing_for=raw["processing_for"],
        model=raw["model"],
        mode=raw["mode"],
        external_task_id=raw["external_task_id"],
        fails_with=raw["fails_with"],
        video=_video(raw["video"]),
        parent=_video(raw["parent"]),
    )


class SqliteTaskStore:
    """A TaskStore persisted in a SQLite file; `SqliteTaskStore(path)` reopens what a previous run left.

    >>> store = SqliteTaskStore(":memory:")
    >>> len(store)
    0
    """

    def __init__(self, path: str | os.PathLike[str], max_tasks: int = 20_000, retention_seconds: float = 30 * 86_400):
        """Open (or create) the state file and load its tasks."""
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # The core is single-threaded; autocommit off, one explicit transaction per write.
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # a killed process loses nothing committed
        self._db.executescript(_SCHEMA)
        secret = self._meta_bytes("secret")
        if secret is None:
            secret = os.urandom(32)
            self._set_meta("format", _FORMAT)
            self._set_meta("secret", secret)
        elif self._meta_bytes("format") != _FORMAT:
            raise ValueError(f"{path} is not a maas-kl-mock state file of format {_FORMAT.decode()}")
        self._memory = MemoryTaskStore(max_tasks, retention_seconds, secret=secret, on_evict=self._delete)
        for (body,) in self._db.execute("SELECT body FROM tasks ORDER BY seq"):
            self._memory.add(task_from_bytes(body), float("-inf"))
        self._memory.created_total = int(self._meta_bytes("created_total") or len(self._memory))
        self._memory.evicted_total = int(self._meta_bytes("evicted_total") or 0)

    def _meta_bytes(self, key: str) -> bytes | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else bytes(row[0]) if not isinstance(row[0], str) else row[0].encode()

    def _set_meta(self, key: str, value: bytes) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def _delete(self, task: Task) -> None:
        self._db.execute("DELETE FROM tasks WHERE task_id = ?", (task.task_id,))

    def _counters(self) -> None:
        self._set_meta("created_total", str(self._memory.created_total).encode())
        self._set_meta("evicted_total", str(self._memory.evicted_total).encode())

    # --- the TaskStore protocol ---------------------------------------------------------------
    @property
    def max_tasks(self) -> int:
        """Tasks kept before the oldest go."""
        return self._memory.max_tasks

    @property
    def retention_seconds(self) -> float:
        """Age past which a task is forgotten."""
        return self._memory.retention_seconds

    @property
    def created_total(self) -> int:
        """Tasks ever created in this state file (since the last clear)."""
        return self._memory.created_total

    @property
    def evicted_total(self) -> int:
        """Tasks forgotten for age or count."""
        return self._memory.evicted_total

    def __len__(self) -> int:
        return len(self._memory)

    def add(self, task: Task, now: float) -> None:
        """Commit `task` to the file, then hold it in memory (evictions are committed with it)."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            self._db.execute("INSERT INTO tasks (task_id, body) VALUES (?, ?)", (task.task_id, task_to_bytes(task)))
            self._memory.add(task, now)
            self._counters()
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def get(self, tenant: str, kind: TaskKind, key: str) -> Task | None:
        """Return the tenant's task of `kind` whose task_id, or else external_task_id, is `key`."""
        return self._memory.get(tenant, kind, key)

    def has_external(self, tenant: str, external_task_id: str) -> bool:
        """Whether the tenant already used `external_task_id`."""
        return self._memory.has_external(tenant, external_task_id)

    def video(self, video_id: str) -> tuple[Task, Video] | None:
        """Return the task that produced `video_id`, whoever owns it; callers check the tenant."""
        return self._memory.video(video_id)

    def unfinished(self, tenant: str, now: float) -> int:
        """How many of the tenant's tasks still hold a concurrency slot at `now`."""
        return self._memory.unfinished(tenant, now)

    def tasks(self, tenant: str | None = None) -> list[Task]:
        """Every stored task, oldest first, or only the tenant's."""
        return self._memory.tasks(tenant)

    def tenants(self) -> dict[str, int]:
        """Task count per tenant."""
        return self._memory.tenants()

    def clear(self) -> None:
        """Forget every task, in memory and in the file; the signing key stays."""
        self._db.execute("BEGIN IMMEDIATE")
        self._db.execute("DELETE FROM tasks")
        self._memory.clear()
        self._counters()
        self._db.execute("COMMIT")

    def signing_secret(self) -> bytes:
        """Return the key kept in the state file, so URLs signed before a restart still verify."""
        return self._memory.signing_secret()

    def close(self) -> None:
        """Close the file."""
        self._db.close()
