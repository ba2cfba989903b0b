"""Helpers from before Task read plainly; kept so existing code keeps working."""

from __future__ import annotations

from ._task import Task
from .models.video import Video


def task_videos(task: Task) -> list[Video]:
    """Return `task.videos` (kept for code written before Task had it)."""
    return list(task.videos)


def task_external_id(task: Task) -> str | None:
    """Return `task.external_task_id` (kept for code written before Task had it)."""
    return task.external_task_id
