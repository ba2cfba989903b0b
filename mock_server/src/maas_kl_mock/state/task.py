"""A generation task and its video: status is a function of the clock, never of a background job."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from maas_kl_specfacts import TaskStatuses

# The task family's name, as maas_kl_specfacts derives it from the spec; a task is found only on its own query.
TaskKind: TypeAlias = str


@dataclass(frozen=True, slots=True)
class Video:
    """A video the mock produced (or will, once its task succeeds)."""

    id: str
    duration: float
    ratio: tuple[int, int] = (16, 9)  # width:height of the frames; an extension keeps its source's

    @property
    def duration_text(self) -> str:
        """The decimal string the API uses, e.g. `5.1`."""
        return f"{self.duration:.1f}"


@dataclass(slots=True)
class Task:
    """One task of one tenant; its status at any time follows from when it was created."""

    task_id: str
    tenant: str
    kind: TaskKind
    created_at: float
    submitted_for: float
    processing_for: float
    model: str
    mode: str
    external_task_id: str | None = None
    fails_with: str | None = None  # the task_status_msg when the task ends failed
    video: Video | None = None
    parent: Video | None = None

    @property
    def processing_at(self) -> float:
        """When the task leaves `submitted`."""
        return self.created_at + self.submitted_for

    @property
    def finished_at(self) -> float:
        """When the task reaches `succeed` or `failed` (and frees its concurrency slot)."""
        return self.processing_at + self.processing_for

    def status(self, now: float, statuses: TaskStatuses) -> str:
        """Return the task status at time `now`, in the spec's words."""
        if now < self.processing_at:
            return statuses.initial
        if now < self.finished_at:
            return statuses.running
        return statuses.failed if self.fails_with is not None else statuses.succeeded

    def updated_at(self, now: float) -> float:
        """Return the time of the last status change at `now`."""
        if now < self.processing_at:
            return self.created_at
        if now < self.finished_at:
            return self.processing_at
        return self.finished_at

    def visible_video(self, now: float) -> Video | None:
        """Return the video, once the task has succeeded."""
        return self.video if now >= self.finished_at and self.fails_with is None else None
