"""Recording: groups the proxy's exchanges into task flows and writes each flow's cassette file as it grows."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from maas_kl_specfacts._families import RECOVERY_FIELD

from .format import (
    CREATE,
    KEPT_REQUEST_HEADERS,
    KEPT_RESPONSE_HEADERS,
    QUERY,
    VIDEO,
    Flow,
    Scrubber,
    body_value,
    claim_flow,
    highest_number,
    write_flow,
    write_video,
)

JSON = Any
VOLATILE_FIELDS = (RECOVERY_FIELD,)  # request fields a replayed create may change freely


class Recorder:
    """Writes one scrubbed cassette file per task flow into `directory`.

    A flow starts at a create; queries join it by `task_id` or `external_task_id` (per caller key),
    and a video fetch joins the flow whose answer carried the video. Nothing unscrubbed is kept on disk.
    A new flow never replaces a file: it is numbered after the highest number in the directory and
    created with O_EXCL, taking the next number when another recorder got there first (P6).
    """

    def __init__(self, directory: Path, scrubber: Scrubber) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.scrubber = scrubber
        self._flows: list[Flow] = []
        self._by_id: dict[tuple[str, str], Flow] = {}
        self._started: dict[str, float] = {}
        self._videos: dict[str, int] = {}
        self._numbered = highest_number(directory)  # continue after what a reused directory holds

    def exchange(  # noqa: PLR0913  (one exchange has this many parts)
        self,
        *,
        caller: str,
        operation: str,
        is_create: bool,
        task_ref: str | None,
        method: str,
        path: str,
        query: str,
        request_headers: dict[str, str],
        request_body: bytes,
        status: int,
        response_headers: dict[str, str],
        response_body: bytes,
        now: float,
    ) -> Flow:
        """Record one API exchange into its flow (a new one for a create of a task not seen yet)."""
        who = _caller_key(caller)
        sent = body_value(request_body)
        answer = body_value(response_body)
        external = _field(sent.get("json"), RECOVERY_FIELD)
        flow: Flow | None = None
        if is_create and external is not None:
            flow = self._by_id.get((who, external))  # the SDK re-sending a create it could not confirm
        if not is_create and task_ref is not None:
            flow = self._by_id.get((who, task_ref))
        if flow is None:
            flow = self._new_flow(operation if is_create else f"{operation}-unmatched")
        data = answer.get("json", {}).get("data") if isinstance(answer.get("json"), dict) else None
        for ref in (external, _field(data, "task_id"), _field(_field_obj(data, "task_info"), RECOVERY_FIELD)):
            if ref is not None:
                self._by_id[(who, ref)] = flow
        request: dict[str, JSON] = {"method": method, "path": path, **self.scrubber.json(sent)}
        if query:
            request["query"] = self.scrubber.query(query)
        headers = {k: v for k, v in request_headers.items() if k in KEPT_REQUEST_HEADERS}
        if headers:
            request["headers"] = self.scrubber.json(headers)
        response: dict[str, JSON] = {"status": status, **self.scrubber.json(answer)}
        kept = {k: v for k, v in response_headers.items() if k in KEPT_RESPONSE_HEADERS}
        if kept:
            response["headers"] = self.scrubber.json(kept)
        self._append(
            flow, kind=CREATE if is_create else QUERY, operation=operation, request=request, response=response, now=now
        )
        return flow

    def flow_of(self, caller: str, task_ref: str) -> Flow | None:
        """Return the flow a task id or external id belongs to, for this caller."""
        return self._by_id.get((_caller_key(caller), task_ref))

    def flow_named(self, name: str) -> Flow | None:
        """Return the flow recorded under `name`, if this recorder started it."""
        return next((f for f in self._flows if f.name == name), None)

    def video(  # noqa: PLR0913  (one fetch has this many parts)
        self, flow: Flow, url: str, *, status: int, content_type: str, data: bytes, now: float
    ) -> None:
        """Record a video fetch into `flow`, its bytes beside the flow file."""
        number = self._videos.get(flow.name, 0) + 1
        self._videos[flow.name] = number
        response: dict[str, JSON] = {"status": status, "headers": {"content-type": content_type}}
        if status == 200:
            response.update(write_video(self.directory, flow, number, data))
        else:
            response.update(self.scrubber.json(body_value(data)))
        request = {"method": "GET", "url": self.scrubber.text(url)}
        self._append(flow, kind=VIDEO, operation=VIDEO, request=request, response=response, now=now)

    def _new_flow(self, operation: str) -> Flow:
        self._numbered += 1
        flow = Flow(f"{self._numbered:04d}-{operation}", operation)
        self._flows.append(flow)
        return flow

    def _append(  # noqa: PLR0913
        self,
        flow: Flow,
        *,
        kind: str,
        operation: str,
        request: dict[str, JSON],
        response: dict[str, JSON],
        now: float,
    ) -> None:
        if flow.path is None:  # its first exchange: claim a name on disk before anything refers to it
            self._claim(flow, now, kind=kind, operation=operation, request=request, response=response)
            return
        started = self._started.setdefault(flow.name, now)
        flow.exchanges.append(
            {
                "seq": len(flow.exchanges),
                "at": round(now - started, 3),
                "kind": kind,
                "operation": operation,
                "request": request,
                "response": response,
            }
        )
        flow.path = write_flow(self.directory, flow)

    def _claim(  # noqa: PLR0913
        self,
        flow: Flow,
        now: float,
        *,
        kind: str,
        operation: str,
        request: dict[str, JSON],
        response: dict[str, JSON],
    ) -> None:
        exchange = {"seq": 0, "at": 0.0, "kind": kind, "operation": operation, "request": request, "response": response}
        flow.exchanges.append(exchange)
        for _ in range(_CLAIM_TRIES):
            try:
                flow.path = claim_flow(self.directory, flow)
            except FileExistsError:  # another recorder on this directory took the number
                self._numbered = max(self._numbered, highest_number(self.directory)) + 1
                flow.name = f"{self._numbered:04d}-{flow.operation}"
                continue
            self._started[flow.name] = now
            return
        raise OSError(f"{self.directory}: no free cassette number after {_CLAIM_TRIES} tries")


_CLAIM_TRIES = 100


def _caller_key(caller: str) -> str:
    """Return a digest of the caller's Authorization header: flows are per key, and the key stays in memory only."""
    return hashlib.sha256(caller.encode()).hexdigest()[:16]


def _field_obj(node: JSON, name: str) -> JSON:
    return node.get(name) if isinstance(node, dict) else None


def _field(node: JSON, name: str) -> str | None:
    value = _field_obj(node, name)
    return value if isinstance(value, str) and value else None
