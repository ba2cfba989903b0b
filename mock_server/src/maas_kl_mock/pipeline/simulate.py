"""Simulate stage: creates and queries tasks in the TaskStore, with tenants, lifecycle, extension and concurrency."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from maas_kl_specfacts import SpecFacts

from .._errors import ApiError
from ..media.mp4 import FALLBACK_RATIO, requested_ratio
from ..state.clock import Clock
from ..state.store import TaskStore
from ..state.task import Task, Video
from .capability import CapabilityMap

JSON = Any


@dataclass(frozen=True, slots=True)
class Lifecycle:
    """How long a task stays `submitted` and `processing`; `slow` multiplies both."""

    submitted_seconds: float = 1.0
    processing_seconds: float = 3.0
    slow_factor: float = 10.0
    spread: float = 0.0
    """Log-normal sigma of processing time per task (0: every task takes processing_seconds)."""
    scale: tuple[tuple[str, float], ...] = ()
    """Processing-time multipliers by request value, e.g. (("pro", 2.0), ("10", 2.0)) for mode and duration."""

    def processing(self, values: tuple[str, ...], rng: random.Random) -> float:
        """Draw the processing seconds of a task whose mode and duration are `values`: scaled, then spread."""
        seconds = self.processing_seconds
        for value, factor in self.scale:
            if value in values:
                seconds *= factor
        return seconds * rng.lognormvariate(0.0, self.spread) if self.spread > 0 else seconds


class Simulator:
    """The stateful heart of the mock: what a create stores and what a query finds."""

    def __init__(  # noqa: PLR0913  (every collaborator is injected)
        self,
        store: TaskStore,
        clock: Clock,
        capabilities: CapabilityMap,
        facts: SpecFacts,
        *,
        lifecycle: Lifecycle | None = None,
        concurrency_limit: int = 10,
        failure_message: str = "Failure to pass the risk control system",
        seed: int | None = None,
        default_ratio: tuple[int, int] = FALLBACK_RATIO,
    ) -> None:
        self.store = store
        self.default_ratio = default_ratio
        self.clock = clock
        self.capabilities = capabilities
        self.facts = facts
        self.lifecycle = lifecycle or Lifecycle()
        self.concurrency_limit = concurrency_limit
        self.failure_message = failure_message
        self._rng = random.Random(seed)  # noqa: S311  (reproducible ids, not secrets)
        self._next_task_id = 859_830_423_409_475_642 + self._rng.randrange(10**12)
        # A reopened persistent store: carry on after its highest id, never reuse one.
        held = [int(t.task_id) for t in store.tasks() if t.task_id.isdigit()]
        self._next_task_id = max([self._next_task_id, *held])

    def is_create(self, operation_id: str) -> bool:
        """Whether `operation_id` creates a task."""
        return self.facts.is_create(operation_id)

    def serves(self, operation_id: str) -> bool:
        """Whether `operation_id` belongs to a task family (the others are served from examples)."""
        return self.facts.family(operation_id) is not None

    def _kind(self, operation_id: str) -> str:
        family = self.facts.family(operation_id)
        if family is None:
            msg = f"{operation_id} is not an operation of a task family"
            raise KeyError(msg)
        return family.name

    def query(self, operation_id: str, tenant: str, key: str) -> Task:
        """Return the tenant's task by task_id or external_task_id; not_found otherwise, whoever owns it."""
        task = self.store.get(tenant, self._kind(operation_id), key)
        if task is None:
            raise ApiError(
                "not_found", "Task not found: no task with this task_id or external_task_id for this API key"
            )
        return task

    def create(self, operation_id: str, tenant: str, body: Mapping[str, JSON], scenario: str | None = None) -> Task:
        """Store a new task for `tenant`; refuse duplicates (invalid_value) and a full account (concurrency_limited)."""
        now = self.clock.now()
        kind = self._kind(operation_id)
        external = body.get("external_task_id")
        if external is not None and self.store.has_external(tenant, external):
            raise ApiError(
                "invalid_value",
                f"Invalid key or value: external_task_id {external[:80]!r} is already used by another task of "
                "this account; query that task instead, or choose a new id",
            )
        if self.store.unfinished(tenant, now) >= self.concurrency_limit:
            raise ApiError(
                "concurrency_limited",
                f"Concurrent task limit exceeded: this account already has {self.concurrency_limit} unfinished "
                "tasks; wait for one to finish and retry",
                headers=[("Retry-After", str(max(1, round(self.lifecycle.processing_seconds))))],
            )
        parent: Video | None = None
        if operation_id == self.capabilities.extend_operation:
            source, parent = self._extendable(tenant, str(body.get(self.capabilities.parent_field, "")), now)
            model, mode = source.model, source.mode
            length = parent.duration + self.capabilities.seconds_added
            values: tuple[str, ...] = (mode,)
            ratio = parent.ratio
        else:
            chosen = self.capabilities.selection(body)
            model, mode = chosen.model, chosen.mode
            length = float(chosen.duration) + 0.1
            values = (mode, str(chosen.duration))
            ratio = requested_ratio(body, self.default_ratio)
        factor = self.lifecycle.slow_factor if scenario == "slow" else 1.0
        fails = scenario == "fail"
        self._next_task_id += 1
        task = Task(
            task_id=str(self._next_task_id),
            tenant=tenant,
            kind=kind,
            created_at=now,
            submitted_for=self.lifecycle.submitted_seconds * factor,
            processing_for=self.lifecycle.processing(values, self._rng) * factor,
            model=model,
            mode=mode,
            external_task_id=external,
            fails_with=self.failure_message if fails else None,
            video=None if fails else Video(self._new_video_id(), round(length, 1), ratio),
            parent=parent,
        )
        self.store.add(task, now)
        return task

    def _new_video_id(self) -> str:
        # Seeded ids repeat after a restart on a persistent store: draw again until the id is free.
        while True:
            video_id = uuid4_text(self._rng.getrandbits(128))
            if self.store.video(video_id) is None:
                return video_id

    def _extendable(self, tenant: str, video_id: str, now: float) -> tuple[Task, Video]:
        found = self.store.video(video_id)
        caps = self.capabilities
        if found is None or found[0].tenant != tenant or found[0].visible_video(now) is None:
            raise ApiError(
                "not_found",
                "Video not found: video_id must name a video generated for this API key by a task that succeeded",
            )
        source, video = found
        if now - source.finished_at > caps.retention_days * 86_400:
            raise ApiError(
                "not_found", f"Video not found: videos are deleted {caps.retention_days:g} days after generation"
            )
        if not caps.extendable(source.model):
            raise ApiError(
                "invalid_value",
                f"Invalid key or value: video_id names a {source.model} video; only videos of "
                f"{', '.join(sorted(caps.extendable_models))} can be extended",
            )
        total = video.duration + caps.seconds_added
        if total > caps.max_total_seconds:
            raise ApiError(
                "invalid_value",
                f"Invalid key or value: extending this {video.duration_text}s video would make it {total:.1f}s; "
                f"the total cannot exceed {caps.max_total_seconds:g}s",
            )
        return source, video


def uuid4_text(bits: int) -> str:
    """`str(uuid.UUID(int=bits, version=4))` without building a UUID object: one video id per create."""
    bits = (bits & ~(0xC000 << 48) | 0x8000 << 48) & ~(0xF000 << 64) | 4 << 76
    text = f"{bits:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
