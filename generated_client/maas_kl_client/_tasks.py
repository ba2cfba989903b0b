"""Reading results out of a Task without wading through the generated Unset unions."""

from __future__ import annotations

from .models.task import Task
from .models.video import Video
from .types import Unset


def task_videos(task: Task) -> list[Video]:
    """Return the videos a succeeded task produced (empty while it runs or when it failed).

    Example: ``url = task_videos(task)[0].url``.
    """
    result = task.task_result
    if isinstance(result, Unset) or isinstance(result.videos, Unset):
        return []
    return list(result.videos)


def task_external_id(task: Task) -> str | None:
    """Return the caller's (or the SDK's) recovery key, when the service echoed it."""
    info = task.task_info
    if isinstance(info, Unset) or isinstance(info.external_task_id, Unset):
        return None
    return info.external_task_id
