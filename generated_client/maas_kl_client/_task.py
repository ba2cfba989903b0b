"""The results the SDK hands back: a plain Task, read out of the envelope once, with no Unset in sight."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from ._errors import MalformedResponseError
from .models.task_status import TaskStatus
from .models.video import Video


class Envelope(dict[str, Any]):
    """A success envelope's `data`, carrying what came around it: its `request_id` and the HTTP response."""

    __slots__ = ("request_id", "response")

    def __init__(self, data: Mapping[str, Any], request_id: str | None, response: httpx.Response | None) -> None:
        super().__init__(data)
        self.request_id = request_id
        self.response = response


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _video(value: Any) -> Video | None:
    return Video.from_dict(value) if isinstance(value, dict) and {"id", "url", "duration"} <= value.keys() else None


@dataclass(frozen=True, slots=True, kw_only=True)
class Task:
    """A generation task as the service last reported it.

    Example: ``task.videos[0].url`` once ``task.task_status == "succeed"``.
    """

    task_id: str
    task_status: TaskStatus
    """`submitted`, `processing`, `succeed` or `failed`; an unknown status is kept as it came."""
    status_message: str | None
    """The service's status detail; on failure, the reason."""
    videos: list[Video]
    """The videos produced; empty while the task runs or when it failed."""
    external_task_id: str | None
    """The caller's (or the SDK's) recovery key, when the service echoed it."""
    parent_video: Video | None
    """For an extension: the video it extends."""
    created_at: int
    updated_at: int
    request_id: str | None
    """The envelope's request id, to quote to support."""
    _data: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_data(cls, data: Mapping[str, Any], request_id: str | None = None) -> Task:
        """Read a Task from an envelope's `data` (its request id comes along when `data` is an Envelope)."""
        if request_id is None:
            request_id = getattr(data, "request_id", None)
        task_id, status = data.get("task_id"), data.get("task_status")
        if not isinstance(task_id, str) or not isinstance(status, str):
            msg = "The service answered a task without a string task_id and task_status"
            raise MalformedResponseError(msg, status_code=200, code=0, request_id=request_id)
        info = data.get("task_info")
        info = info if isinstance(info, dict) else {}
        result = data.get("task_result")
        raw_videos = result.get("videos") if isinstance(result, dict) else None
        videos = [v for v in map(_video, raw_videos if isinstance(raw_videos, list) else []) if v is not None]
        created, updated = data.get("created_at"), data.get("updated_at")
        return cls(
            task_id=task_id,
            task_status=TaskStatus(status),
            status_message=_text(data.get("task_status_msg")),
            videos=videos,
            external_task_id=_text(info.get("external_task_id")),
            parent_video=_video(info.get("parent_video")),
            created_at=created if isinstance(created, int) else 0,
            updated_at=updated if isinstance(updated, int) else 0,
            request_id=request_id,
            _data=data,
        )

    @property
    def task_status_msg(self) -> str | None:
        """The API's name for `status_message`."""
        return self.status_message

    def to_dict(self) -> dict[str, Any]:
        """Return the task as the service sent it (a copy), e.g. for JSON output."""
        return copy.deepcopy(dict(self._data))

    @property
    def envelope(self) -> Envelope:
        """The `data` this task was read from, with the envelope's request id and HTTP response."""
        data = self._data
        return data if isinstance(data, Envelope) else Envelope(data, self.request_id, None)
