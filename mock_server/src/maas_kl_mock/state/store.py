"""TaskStore: tasks per tenant, bounded in count and in age, so memory stays flat under load.

`TaskStore` is the protocol the simulator and the control API use; `MemoryTaskStore` is the
default, and `SqliteTaskStore` (in `sqlite_store`) keeps the same tasks in a file across restarts.
"""

from __future__ import annotations

import heapq
import os
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from .task import Task, TaskKind, Video


class TaskStore(Protocol):
    """What the mock needs from a task store; every method answers from memory, writes may persist."""

    @property
    def max_tasks(self) -> int:
        """Tasks kept before the oldest go."""
        ...

    @property
    def retention_seconds(self) -> float:
        """Age in seconds past which a task is forgotten."""
        ...

    @property
    def created_total(self) -> int:
        """Tasks created since the store was made or cleared."""
        ...

    @property
    def evicted_total(self) -> int:
        """Tasks forgotten for age or count."""
        ...

    def __len__(self) -> int:
        """How many tasks are held."""
        ...

    def add(self, task: Task, now: float) -> None:
        """Store `task`; the caller has checked that its external_task_id is free."""
        ...

    def get(self, tenant: str, kind: TaskKind, key: str) -> Task | None:
        """Return the tenant's task of `kind` whose task_id, or else external_task_id, is `key`."""
        ...

    def has_external(self, tenant: str, external_task_id: str) -> bool:
        """Whether the tenant already used `external_task_id`."""
        ...

    def video(self, video_id: str) -> tuple[Task, Video] | None:
        """Return the task that produced `video_id`, whoever owns it; callers check the tenant."""
        ...

    def unfinished(self, tenant: str, now: float) -> int:
        """How many of the tenant's tasks still hold a concurrency slot at `now`."""
        ...

    def tasks(self, tenant: str | None = None) -> list[Task]:
        """Every stored task, oldest first, or only the tenant's."""
        ...

    def tenants(self) -> dict[str, int]:
        """Task count per tenant."""
        ...

    def clear(self) -> None:
        """Forget every task."""
        ...

    def signing_secret(self) -> bytes:
        """Return the key video URLs are signed with; it lives as long as the tasks whose URLs it signed."""
        ...

    def close(self) -> None:
        """Release the store's resources (a file, a connection)."""
        ...


@dataclass(slots=True)
class _Tenant:
    by_id: dict[str, Task] = field(default_factory=dict)
    by_external: dict[str, Task] = field(default_factory=dict)
    busy: list[tuple[float, str]] = field(default_factory=list)  # heap of (finished_at, task_id)


class MemoryTaskStore:
    """In-memory store; the oldest tasks go first past `max_tasks` or `retention_seconds`."""

    def __init__(
        self,
        max_tasks: int = 20_000,
        retention_seconds: float = 30 * 86_400,
        *,
        secret: bytes | None = None,
        on_evict: Callable[[Task], None] | None = None,
    ) -> None:
        self._secret = secret or os.urandom(32)
        self._on_evict = on_evict
        self.max_tasks = max_tasks
        self.retention_seconds = retention_seconds
        self._tenants: dict[str, _Tenant] = {}
        self._videos: dict[str, Task] = {}
        self._order: deque[Task] = deque()
        self.created_total = 0
        self.evicted_total = 0

    def __len__(self) -> int:
        return len(self._order)

    def __iter__(self) -> Iterator[Task]:
        return iter(list(self._order))

    def add(self, task: Task, now: float) -> None:
        """Store `task`; the caller has checked that its external_task_id is free."""
        self._expire(now)
        tenant = self._tenants.get(task.tenant)
        if tenant is None:
            tenant = self._tenants[task.tenant] = _Tenant()
        tenant.by_id[task.task_id] = task
        if task.external_task_id is not None:
            tenant.by_external[task.external_task_id] = task
        if task.video is not None:
            self._videos[task.video.id] = task
        heapq.heappush(tenant.busy, (task.finished_at, task.task_id))
        self._order.append(task)
        self.created_total += 1
        while len(self._order) > self.max_tasks:
            self._drop(self._order.popleft())
        if len(tenant.busy) > 2 * len(tenant.by_id) + 64:
            # Evicted tasks give their slots back: keeps the heap bounded when the store is full.
            tenant.busy = [entry for entry in tenant.busy if entry[1] in tenant.by_id]
            heapq.heapify(tenant.busy)

    def get(self, tenant: str, kind: TaskKind, key: str) -> Task | None:
        """Return the tenant's task of `kind` whose task_id, or else external_task_id, is `key`."""
        found = self._tenants.get(tenant)
        if found is None:
            return None
        task = found.by_id.get(key) or found.by_external.get(key)
        return task if task is not None and task.kind == kind else None

    def has_external(self, tenant: str, external_task_id: str) -> bool:
        """Whether the tenant already used `external_task_id`."""
        found = self._tenants.get(tenant)
        return found is not None and external_task_id in found.by_external

    def video(self, video_id: str) -> tuple[Task, Video] | None:
        """Return the task that produced `video_id`, whoever owns it; callers check the tenant."""
        task = self._videos.get(video_id)
        if task is None or task.video is None:
            return None
        return task, task.video

    def unfinished(self, tenant: str, now: float) -> int:
        """How many of the tenant's tasks still hold a concurrency slot at `now`."""
        found = self._tenants.get(tenant)
        if found is None:
            return 0
        while found.busy and found.busy[0][0] <= now:
            heapq.heappop(found.busy)
        return len(found.busy)

    def tasks(self, tenant: str | None = None) -> list[Task]:
        """Every stored task, oldest first, or only the tenant's."""
        if tenant is None:
            return list(self._order)
        found = self._tenants.get(tenant)
        return list(found.by_id.values()) if found else []

    def tenants(self) -> dict[str, int]:
        """Task count per tenant."""
        return {name: len(t.by_id) for name, t in self._tenants.items() if t.by_id}

    def clear(self) -> None:
        """Forget every task."""
        self._tenants.clear()
        self._videos.clear()
        self._order.clear()
        self.created_total = 0
        self.evicted_total = 0

    def signing_secret(self) -> bytes:
        """Return the random key of this process: URLs die with the process, as the tasks do."""
        return self._secret

    def close(self) -> None:
        """Nothing to release in memory."""

    def _expire(self, now: float) -> None:
        horizon = now - self.retention_seconds
        while self._order and self._order[0].created_at < horizon:
            self._drop(self._order.popleft())

    def _drop(self, task: Task) -> None:
        self.evicted_total += 1
        if self._on_evict is not None:
            self._on_evict(task)
        tenant = self._tenants.get(task.tenant)
        if tenant is None:
            return
        tenant.by_id.pop(task.task_id, None)
        if task.external_task_id is not None and tenant.by_external.get(task.external_task_id) is task:
            del tenant.by_external[task.external_task_id]
        if task.video is not None:
            self._videos.pop(task.video.id, None)
        if not tenant.by_id and not tenant.busy:
            del self._tenants[task.tenant]
