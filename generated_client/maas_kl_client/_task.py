"""The results the SDK hands back: a plain Task, read out of the envelope once, with no Unset in sight."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import httpx

from ._errors import MalformedResponseError
from .models.task_status import TaskStatus

if TYPE_CHECKING:
    from .models.video import Video


class Envelope(dict[str, Any]):
    """A success envelope's `data`, carrying what came around it: its `request_id` and the HTTP response."""

    __slots__ = ("request_id", "response")

    def __init__(self, data: Mapping[str, Any], request_id: str | None, response: httpx.Response | None) -> None:
        dict.__init__(self, data)
        self.request_id = request_id
        self.response = response

    def __reduce__(self) -> tuple[Any, ...]:
        # The HTTP response holds the request's headers, the key among them: a pickle (multiprocessing,
        # xdist, a cache) keeps the data and the request id only (issue 24).
        return (Envelope, (dict(self), self.request_id, None))


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


_STATUSES: dict[str, TaskStatus] = {member.value: member for member in TaskStatus}
"""The spec's statuses by value: a dict lookup, not the enum's constructor, for every task read."""

VIDEO_FIELDS = frozenset({"id", "url", "duration"})


def _video(value: Any) -> Video | None:
    """Read one video; a malformed entry is skipped (extra keys are kept, as from_dict keeps them)."""
    if not isinstance(value, dict) or not value.keys() >= VIDEO_FIELDS:
        return None
    from .models.video import Video  # noqa: PLC0415 - attrs loads with the first video, not with the SDK

    if len(value) > len(VIDEO_FIELDS):
        return Video.from_dict(value)
    return Video(id=value["id"], url=value["url"], duration=value["duration"])


class Task:
    """A generation task as the service last reported it; fields beyond the id and status are read on access.

    Example: ``task.videos[0].url`` once ``task.task_status == "succeed"``.
    """

    __slots__ = ("_data", "_videos", "request_id", "task_id", "task_status")

    def __init__(self, data: Mapping[str, Any], request_id: str | None = None) -> None:
        if request_id is None:
            request_id = getattr(data, "request_id", None)
        task_id, status = data.get("task_id"), data.get("task_status")
        if not isinstance(task_id, str) or not isinstance(status, str):
            msg = "The service answered a task without a string task_id and task_status"
            raise MalformedResponseError(msg, status_code=200, code=0, request_id=request_id)
        self._data = data
        self._videos: list[Video] | None = None
        self.task_id: str = task_id
        self.task_status: TaskStatus = _STATUSES.get(status) or TaskStatus(status)
        """`submitted`, `processing`, `succeed` or `failed`; an unknown status is kept as it came."""
        self.request_id: str | None = request_id
        """The envelope's request id, to quote to support."""

    @classmethod
    def from_data(cls, data: Mapping[str, Any], request_id: str | None = None) -> Task:
        """Read a Task from an envelope's `data` (its request id comes along when `data` is an Envelope)."""
        return cls(data, request_id)

    @property
    def videos(self) -> list[Video]:
        """The videos produced; empty while the task runs or when it failed."""
        if self._videos is None:
            result = self._data.get("task_result")
            raw = result.get("videos") if isinstance(result, dict) else None
            self._videos = [v for v in map(_video, raw if isinstance(raw, list) else []) if v is not None]
        return self._videos

    @property
    def status_message(self) -> str | None:
        """The service's status detail; on failure, the reason."""
        return _text(self._data.get("task_status_msg"))

    @property
    def task_status_msg(self) -> str | None:
        """The API's name for `status_message`."""
        return self.status_message

    @property
    def external_task_id(self) -> str | None:
        """The caller's (or the SDK's) recovery key, when the service echoed it."""
        return _text(self._info().get("external_task_id"))

    @property
    def parent_video(self) -> Video | None:
        """For an extension: the video it extends."""
        return _video(self._info().get("parent_video"))

    @property
    def created_at(self) -> int:
        """Unix time in milliseconds (0 when the service left it out)."""
        return _int(self._data.get("created_at"))

    @property
    def updated_at(self) -> int:
        """Unix time in milliseconds (0 when the service left it out)."""
        return _int(self._data.get("updated_at"))

    def _info(self) -> Mapping[str, Any]:
        info = self._data.get("task_info")
        return info if isinstance(info, dict) else {}

    def to_dict(self) -> dict[str, Any]:
        """Return the task as the service sent it (a copy), e.g. for JSON output."""
        return copy.deepcopy(dict(self._data))

    @property
    def envelope(self) -> Envelope:
        """The `data` this task was read from, with the envelope's request id and HTTP response."""
        data = self._data
        return data if isinstance(data, Envelope) else Envelope(data, self.request_id, None)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Task):
            return NotImplemented
        return self.request_id == other.request_id and dict(self._data) == dict(other._data)

    __hash__ = None  # type: ignore[assignment]  # mutable data, like a dict

    def __repr__(self) -> str:
        return (
            f"Task(task_id={self.task_id!r}, task_status={str(self.task_status)!r}, "
            f"videos={len(self.videos)}, request_id={self.request_id!r})"
        )
