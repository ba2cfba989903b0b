"""Respond stage: the spec's documented examples, used as templates and filled with live values."""

from __future__ import annotations

import os
from dataclasses import dataclass
from itertools import count
from typing import Any

import orjson

from .._errors import ApiError
from .._http import MockResponse
from .._spec import Operation, Spec
from ..media.video import VideoSigner
from ..state.task import Task, Video

JSON = Any
_RETRY_STATUSES = frozenset({429, 503})


@dataclass(frozen=True, slots=True)
class TaskTemplate:
    """The shape of one operation's documented 200 example: its message and which keys it carries."""

    message: str
    data_keys: tuple[str, ...]
    info_keys: tuple[str, ...]

    @classmethod
    def from_example(cls, example: dict[str, JSON]) -> TaskTemplate:
        """Read the shape off an example body."""
        data = example.get("data", {})
        info = data.get("task_info", {}) if isinstance(data.get("task_info"), dict) else {}
        return cls(str(example.get("message", "SUCCEED")), tuple(data), tuple(info))


class Responder:
    """Builds every body the mock sends: task envelopes, error envelopes, named examples."""

    def __init__(self, spec: Spec, signer: VideoSigner) -> None:
        self._spec = spec
        self._codes = spec.facts.codes
        self._signer = signer
        self._ids = count(1)
        self._id_prefix = os.urandom(6).hex()
        self._templates: dict[str, TaskTemplate] = {}
        self.failure_message = "Failure to pass the risk control system"
        for op in spec.operations:
            examples = op.examples(200)
            if examples:
                first = examples.get("document") or next(iter(examples.values()))
                self._templates[op.operation_id] = TaskTemplate.from_example(first)
            for example in examples.values():
                data = example.get("data", {})
                if data.get("task_status") == spec.facts.statuses.failed and data.get("task_status_msg"):
                    self.failure_message = str(data["task_status_msg"])

    def request_id(self) -> str:
        """Return a request id unique per response, in the UUID layout the service uses."""
        n = next(self._ids)
        p = self._id_prefix
        return f"{p[:8]}-{p[8:12]}-4{n >> 48 & 0xFFF:03x}-a{n >> 36 & 0xFFF:03x}-{n & 0xFFFFFFFFF:012x}"

    def task(self, op: Operation, task: Task, now: float, base_url: str) -> MockResponse:
        """Return the 200 envelope for `task` as the template of `op` lays it out."""
        template = self._templates.get(op.operation_id) or TaskTemplate("SUCCEED", _DEFAULT_KEYS, ())
        status = task.status(now, self._spec.facts.statuses)
        values: dict[str, JSON] = {
            "task_id": task.task_id,
            "task_status": status,
            "task_status_msg": task.fails_with if status == self._spec.facts.statuses.failed else "",
            "created_at": int(task.created_at * 1000),
            "updated_at": int(task.updated_at(now) * 1000),
        }
        info: dict[str, JSON] = {}
        for key in template.info_keys:
            if key == "task_id":
                info["task_id"] = task.task_id
            elif key == "external_task_id" and task.external_task_id is not None:
                info["external_task_id"] = task.external_task_id
        if task.external_task_id is not None:
            info.setdefault("external_task_id", task.external_task_id)
        if task.parent is not None:
            info["parent_video"] = self._video(task, task.parent, base_url)
        values["task_info"] = info
        video = task.visible_video(now)
        values["task_result"] = {"videos": [self._video(task, video, base_url)]} if video else {}
        data = {key: values[key] for key in template.data_keys if key in values and (key != "task_info" or info)}
        body = {"code": 0, "message": template.message, "request_id": self.request_id(), "data": data}
        return MockResponse(200, orjson.dumps(body))

    def _video(self, task: Task, video: Video, base_url: str) -> dict[str, str]:
        return {
            "id": video.id,
            "url": self._signer.url(base_url, task.tenant, video.id),
            "duration": video.duration_text,
        }

    def error(self, error: ApiError) -> MockResponse:
        """Return the error envelope `{code, message, request_id}` with the code's HTTP status."""
        row = error.row(self._codes)
        headers = list(error.headers)
        if row.status in _RETRY_STATUSES and not any(k.lower() == "retry-after" for k, _ in headers):
            headers.append(("Retry-After", "1"))
        body = {"code": row.code, "message": error.message or row.meaning, "request_id": self.request_id()}
        return MockResponse(row.status, orjson.dumps(body), headers)

    def example(self, op: Operation, status: int, name: str | None) -> MockResponse:
        """Return a documented example of `op`'s `status` response, Prism-style, with a live request_id."""
        examples = op.examples(status)
        if status not in op.responses:
            known = ", ".join(str(s) for s in sorted(op.responses))
            raise ApiError(
                "invalid_request", f"Invalid request parameters: Prefer code={status} is not documented; use {known}"
            )
        if name is not None and name not in examples:
            known = " or ".join(f"example={example}" for example in examples)
            offer = f"its examples: {known}" if examples else "it has no named example"
            elsewhere = [o.operation_id for o in self._spec.operations if name in o.examples(status)]
            where = f"; example={name[:60]} is one of {', '.join(elsewhere)}'s" if elsewhere else ""
            raise ApiError(
                "invalid_request",
                f"Invalid request parameters: Prefer example={name[:60]} is not an example of {op.operation_id}'s "
                f"{status} ({offer}){where}. To make a created task end failed, send Prefer: scenario=fail",
            )
        if not examples:
            raise ApiError(
                "invalid_request", f"Invalid request parameters: the {status} response has no example to serve"
            )
        chosen = dict(examples[name] if name is not None else self._default_example(examples))
        chosen["request_id"] = self.request_id()
        headers = [("Retry-After", "1")] if status in _RETRY_STATUSES else []
        return MockResponse(status, orjson.dumps(chosen), headers)

    def _default_example(self, examples: dict[str, JSON]) -> JSON:
        """Return the first example with a retryable code (429: the rate limit a tester means), else the first (M5)."""
        for example in examples.values():
            code = example.get("code") if isinstance(example, dict) else None
            row = self._codes.by_code.get(code) if isinstance(code, int) else None
            if row is not None and row.retryable:
                return example
        return next(iter(examples.values()))


_DEFAULT_KEYS = ("task_id", "task_status", "task_status_msg", "task_info", "task_result", "created_at", "updated_at")
