"""SqliteTaskStore: the TaskStore kept in a SQLite file, so a restarted mock still knows every task.

Reads are served by an in-memory `MemoryTaskStore` loaded at start; every write (add, evict,
clear) is committed to the file before the answer leaves, so a task the client may have been
told about survives a kill, and a write that fails leaves memory as the file has it. The
video-URL signing key lives in the same file: URLs handed out before a restart still open their
videos after it, so the file is created readable by its owner only. One mock holds a file at a
time: an exclusive lock on the file (M-STATE).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import orjson

from .._errors import ApiError
from .store import MemoryTaskStore
from .task import Task, TaskKind, Video

BUSY_SECONDS = 0.25  # how long a write waits for a lock another process holds, before it is refused

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
        """Open (or create) the state file, lock it for this process and load its tasks."""
        self._path = str(path)
        self._max_tasks = max_tasks
        self._retention = retention_seconds
        self._lock: IO[bytes] | None = None
        if self._path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            _create_private(Path(path))
            self._lock = _lock(Path(path))
        try:
            self._db = self._open()
            self._memory = self._load()
        except BaseException:
            self._release()
            raise

    def _open(self) -> sqlite3.Connection:
        """Connect and prove the file can be written now, so a bad file stops start-up, not the first create."""
        # The core is single-threaded; autocommit off, one explicit transaction per write.
        db = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False, timeout=BUSY_SECONDS)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")  # a killed process loses nothing committed
            db.executescript(_SCHEMA)
            db.execute("BEGIN IMMEDIATE")  # a read-only file, or one another process holds, fails here
            db.execute("ROLLBACK")
        except sqlite3.Error as exc:
            db.close()
            raise StateFileError(f"{self._path}: {_why(exc)}") from None
        return db

    def _load(self) -> MemoryTaskStore:
        """Read every task and counter from the file into a fresh memory store."""
        secret = self._meta_bytes("secret")
        if secret is None:
            fresh = secret = os.urandom(32)

            def first() -> None:
                self._set_meta("format", _FORMAT)
                self._set_meta("secret", fresh)

            self._write(first)
        elif self._meta_bytes("format") != _FORMAT:
            raise StateFileError(f"{self._path} is not a maas-kl-mock state file of format {_FORMAT.decode()}")
        memory = MemoryTaskStore(self._max_tasks, self._retention, secret=secret, on_evict=self._delete)
        for seq, body in self._db.execute("SELECT seq, body FROM tasks ORDER BY seq"):
            try:
                memory.add(task_from_bytes(body), float("-inf"))
            except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
                raise StateFileError(
                    f"{self._path}: task row {seq} is malformed ({type(exc).__name__}: {str(exc)[:80]}); "
                    "the file was changed by hand or by another program: move it away, or pass another --state"
                ) from None
        try:
            memory.created_total = int(self._meta_bytes("created_total") or len(memory))
            memory.evicted_total = int(self._meta_bytes("evicted_total") or 0)
        except ValueError:
            raise StateFileError(f"{self._path}: its task counters are malformed; move it away") from None
        return memory

    def _write(self, change: Callable[[], None]) -> None:
        """Run `change` in one write transaction: committed whole, or rolled back whole."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise _unavailable(self._path, exc) from None
        try:
            change()
            self._db.execute("COMMIT")
        except BaseException as exc:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            if isinstance(exc, sqlite3.OperationalError):
                raise _unavailable(self._path, exc) from None
            raise

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
        """Commit `task` to the file with the evictions it causes, then hold it; a failed write changes nothing."""

        def change() -> None:
            self._db.execute("INSERT INTO tasks (task_id, body) VALUES (?, ?)", (task.task_id, task_to_bytes(task)))
            self._memory.add(task, now)  # evictions run their DELETE inside this transaction
            self._counters()

        try:
            self._write(change)
        except BaseException:
            self._memory = self._load()  # memory may hold the task or lost evicted ones: read back the file's truth
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
        """Forget every task, in the file and then in memory, in one transaction; the signing key stays."""

        def change() -> None:
            self._db.execute("DELETE FROM tasks")
            self._set_meta("created_total", b"0")
            self._set_meta("evicted_total", b"0")

        self._write(change)
        self._memory.clear()

    def signing_secret(self) -> bytes:
        """Return the key kept in the state file, so URLs signed before a restart still verify."""
        return self._memory.signing_secret()

    def close(self) -> None:
        """Close the file and release its lock."""
        self._db.close()
        self._release()

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.close()  # closing the descriptor releases the lock
            self._lock = None


class StateFileError(ValueError):
    """A --state file this mock cannot use: malformed, read-only, unreadable, or held by another process."""


def _why(exc: sqlite3.Error) -> str:
    text = str(exc)
    if "readonly" in text or "read-only" in text:
        return "cannot write it (read-only file or folder); make it writable or pass another --state"
    if "locked" in text or "busy" in text:
        return "another process holds a lock on it; stop that process or pass another --state"
    if "not a database" in text or "malformed" in text:
        return f"not a SQLite file this mock wrote ({text}); move it away or pass another --state"
    return f"cannot use it ({text}); pass another --state"


def _unavailable(path: str, exc: sqlite3.OperationalError) -> ApiError:
    return ApiError("unavailable", f"Service unavailable: the mock's --state file cannot be written ({_why(exc)})")


def _create_private(path: Path) -> None:
    """Create the state file readable by its owner only (it holds the URL-signing key); keep an existing one."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _lock(state: Path) -> IO[bytes]:
    """Hold an exclusive lock for this process's life; a StateFileError names the file when another process has it.

    On POSIX it is a `flock` on the state file itself (SQLite's own locks are `fcntl` byte ranges,
    which `flock` does not touch); Windows locks byte ranges mandatorily, so there it is a byte of
    a `<file>.lock` beside it.
    """
    path = Path(f"{state}.lock") if sys.platform == "win32" else state
    try:
        handle = path.open("a+b" if sys.platform == "win32" else "rb")
    except OSError as exc:
        raise StateFileError(f"{state}: cannot open it ({exc.strerror}); check its permissions") from None
    try:
        if sys.platform == "win32":  # pragma: no cover
            import msvcrt  # noqa: PLC0415

            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl  # noqa: PLC0415

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise StateFileError(
            f"{state} is in use by another maas-kl-mock (one mock per state file); stop that mock, "
            "or pass another --state"
        ) from None
    return handle
