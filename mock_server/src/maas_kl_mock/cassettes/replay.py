"""Replay: serves recorded task flows offline, walking each flow's statuses on the mock's clock.

A create whose body matches a recorded create (same operation and body, volatile fields aside)
starts that flow; its queries then get the recorded answers in order, a change of status only once
the mock's clock has reached the time it was recorded at. Unmatched requests are simulated
(`fallback="simulate"`) or refused with 404 naming the closest recording (`fallback="error"`).
Nothing here opens a connection.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from maas_kl_specfacts import SpecFacts
from maas_kl_specfacts._families import RECOVERY_FIELD

from .._errors import ApiError
from .._http import MockRequest, MockResponse
from ..media import cdn as _cdn
from ..pipeline.router import Route
from ..state.clock import Clock
from .format import CREATE, QUERY, VIDEO, CassetteError, Flow, Scrubber, body_bytes, load_flows, video_bytes
from .record import VOLATILE_FIELDS

JSON = Any
REPLAY_PREFIX = "/files/replay/"
FALLBACKS = ("error", "simulate")


@dataclass(slots=True)
class _Playing:
    """One replayed flow: where its creates and queries stand, and the ids it answers to."""

    flow: Flow
    started: float
    recorded_external: str | None
    external: str | None
    creates: int = -1
    cursor: int = -1
    last_ok: int | None = None


class Replayer:
    """Answers API requests from a cassette directory; `answer` returns None when the mock should simulate."""

    def __init__(self, directory: Path, fallback: str, clock: Clock, facts: SpecFacts) -> None:
        if fallback not in FALLBACKS:
            raise ValueError(f"replay fallback must be one of {', '.join(FALLBACKS)}, got {fallback!r}")
        self.directory = directory
        self.fallback = fallback
        self.clock = clock
        self.flows = load_flows(directory)
        self._creates = frozenset(family.create for family in facts.families.values())
        self._scrub = Scrubber()
        self._playing: dict[tuple[str, str], _Playing] = {}
        self._uses: dict[str, int] = {}
        self._videos: dict[str, tuple[Flow, dict[str, JSON]]] = {}  # served file name -> (flow, exchange)
        self._by_url: dict[str, str] = {}  # recorded (scrubbed) video URL -> served file name
        for flow in self.flows:
            for exchange in flow.of_kind(VIDEO):
                name = exchange["response"].get("file")
                if isinstance(name, str):
                    self._videos[name] = (flow, exchange)
                    self._by_url[str(exchange["request"].get("url"))] = name

    def reset(self) -> None:
        """Forget the flows being played; the next matching create starts again."""
        self._playing.clear()
        self._uses.clear()

    def answer(self, route: Route, request: MockRequest, tenant: str) -> MockResponse | None:
        """Return the recorded answer, None to simulate it, or the `not_found` ApiError explaining the miss."""
        op = route.operation
        if op.operation_id in self._creates:
            return self._create(op.operation_id, request, tenant)
        ref = next(iter(route.params.values()), None)
        playing = self._playing.get((tenant, ref)) if ref is not None else None
        if playing is None:
            return self._miss(self._query_miss(op.operation_id, ref))
        return self._query(playing, request)

    def video(self, request: MockRequest) -> MockResponse:
        """Serve the bytes recorded for a replayed video URL."""
        name = request.path[len(REPLAY_PREFIX) :]
        found = self._videos.get(name)
        if found is None:
            raise ApiError(
                "not_found",
                f"Video not found in the replay: {name[:80]} was not fetched while recording {self.directory}; "
                "record the flow again with the download included",
            )
        if request.method not in ("GET", "HEAD"):
            raise ApiError(
                "invalid_method",
                f"Invalid request method: use GET or HEAD on {REPLAY_PREFIX}...",
                headers=[("Allow", "GET, HEAD")],
            )
        _, exchange = found
        try:
            data, modified = video_bytes(self.directory, exchange["response"])
        except CassetteError as exc:  # changed on disk since start-up: say so, never a 500
            raise ApiError("not_found", f"Video not found in the replay: {exc}") from None
        content_type = str(exchange["response"].get("headers", {}).get("content-type", "video/mp4"))
        status = int(exchange["response"].get("status", 200))
        if status != 200:  # a recorded failure replays as it was
            return MockResponse(status, b"" if request.method == "HEAD" else data, [], content_type=content_type)
        return _cdn.in_memory(request.method, request.headers, data, modified, content_type)

    def _create(self, operation: str, request: MockRequest, tenant: str) -> MockResponse | None:
        try:
            body = orjson.loads(request.body) if request.body else None
        except orjson.JSONDecodeError:
            body = None
        if not isinstance(body, dict):
            return self._miss(f"the {operation} body is not a JSON object, and every recorded create has one")
        external = body.get(RECOVERY_FIELD) if isinstance(body.get(RECOVERY_FIELD), str) else None
        playing = self._playing.get((tenant, external)) if external else None
        if playing is None or playing.flow.operation != operation:
            wanted = _normal(self._scrub.json(body))
            matches = [f for f in self.flows if f.operation == operation and self._recorded_body(f) == wanted]
            if not matches:
                return self._miss(self._create_miss(operation, wanted))
            key = orjson.dumps(wanted, option=orjson.OPT_SORT_KEYS).decode()
            use = self._uses.get(key, 0)
            self._uses[key] = use + 1
            flow = matches[use % len(matches)]
            first = flow.of_kind(CREATE)[0]["request"].get("json", {})
            recorded_external = first.get(RECOVERY_FIELD) if isinstance(first, dict) else None
            playing = _Playing(flow, self.clock.now(), recorded_external, external)
        creates = playing.flow.of_kind(CREATE)
        playing.creates = min(playing.creates + 1, len(creates) - 1)
        exchange = creates[playing.creates]
        response = self._response(playing, exchange, request)
        self._register(playing, tenant, response)
        return response

    def _query(self, playing: _Playing, request: MockRequest) -> MockResponse:
        items = playing.flow.of_kind(QUERY)
        if not items:
            raise ApiError("not_found", f"Resource not found: flow {playing.flow.name} recorded no query of this task")
        elapsed = self.clock.now() - playing.started
        index = playing.cursor + 1
        if index >= len(items):
            index = len(items) - 1
        elif (
            playing.last_ok is not None
            and _changes_status(items, playing.last_ok, index)
            and elapsed < float(items[index].get("at", 0))
        ):
            index = playing.last_ok  # not yet: the recorded service had not moved on at this time
        playing.cursor = max(playing.cursor, index)
        if int(items[index]["response"].get("status", 0)) == 200:
            playing.last_ok = index
        return self._response(playing, items[index], request)

    def _response(self, playing: _Playing, exchange: dict[str, JSON], request: MockRequest) -> MockResponse:
        recorded = exchange["response"]
        value: JSON = recorded.get("json")
        if value is not None:
            value = self._rewrite(value, playing, request.base_url)
            body = orjson.dumps(value)
        else:
            body = body_bytes(recorded)
        headers = dict(recorded.get("headers", {}))
        content_type = str(headers.pop("content-type", "application/json"))
        return MockResponse(int(recorded.get("status", 200)), body, list(headers.items()), content_type=content_type)

    def _rewrite(self, value: JSON, playing: _Playing, base_url: str) -> JSON:
        """Put the caller's external id back, and point video URLs at the replay's own file route."""
        if isinstance(value, dict):
            out = {k: self._rewrite(v, playing, base_url) for k, v in value.items()}
            url = out.get("url")
            if isinstance(url, str) and url.startswith(("http://", "https://")):
                name = self._by_url.get(url) or f"unrecorded-{hashlib.sha256(url.encode()).hexdigest()[:16]}.mp4"
                out["url"] = f"{base_url}{REPLAY_PREFIX}{name}"
            return out
        if isinstance(value, list):
            return [self._rewrite(v, playing, base_url) for v in value]
        if isinstance(value, str) and playing.external and value == playing.recorded_external:
            return playing.external
        return value

    def _register(self, playing: _Playing, tenant: str, response: MockResponse) -> None:
        try:
            data = orjson.loads(response.body).get("data")
        except (orjson.JSONDecodeError, AttributeError):
            data = None
        if isinstance(data, dict) and isinstance(data.get("task_id"), str):
            self._playing[(tenant, data["task_id"])] = playing
        if playing.external:
            self._playing[(tenant, playing.external)] = playing

    def _recorded_body(self, flow: Flow) -> JSON:
        creates = flow.of_kind(CREATE)
        return _normal(creates[0]["request"].get("json")) if creates else None

    def _miss(self, why: str) -> MockResponse | None:
        if self.fallback == "simulate":
            return None
        raise ApiError(
            "not_found",
            f"Resource not found: no recorded exchange matches (replay of {self.directory.name}, "
            f"--replay-fallback error; nothing was sent anywhere). {why}",
        )

    def _create_miss(self, operation: str, sent: JSON) -> str:
        best: tuple[int, Flow, list[str]] | None = None
        for flow in self.flows:
            recorded = self._recorded_body(flow)
            if recorded is None:
                continue
            differences = _differences(recorded, sent)
            score = len(differences) + (1000 if flow.operation != operation else 0)
            if best is None or score < best[0]:
                best = (score, flow, differences)
        if best is None:
            return f"The cassette directory holds no recorded create; record a {operation} flow first."
        _, flow, differences = best
        if flow.operation != operation:
            return f"No {operation} was recorded; the closest recorded request is {flow.name} ({flow.operation})."
        return f"Closest recorded request: {flow.name} ({flow.operation}); it differs at " + "; ".join(differences[:4])

    def _query_miss(self, operation: str, ref: str | None) -> str:
        known = [k[1] for k in self._playing]
        recorded = []
        for flow in self.flows:
            for exchange in flow.of_kind(QUERY)[:1]:
                data = _data(exchange["response"])
                if isinstance(data, dict) and isinstance(data.get("task_id"), str):
                    recorded.append(f"{data['task_id']} ({flow.name})")
        close = difflib.get_close_matches(str(ref), known, n=1)
        hint = f" Closest id being replayed: {close[0]}." if close else ""
        shown = ", ".join(recorded[:5]) or "none"
        return (
            f"{operation} of {str(ref)[:80]!r} belongs to no flow being replayed for this key: replay the create first "
            f"(recorded tasks: {shown}).{hint}"
        )


def _data(response: dict[str, JSON]) -> JSON:
    """Return a recorded answer's `data`, or None when its body is not an envelope object."""
    body = response.get("json")
    return body.get("data") if isinstance(body, dict) else None


def _normal(body: JSON) -> JSON:
    if isinstance(body, dict):
        return {k: v for k, v in body.items() if k not in VOLATILE_FIELDS}
    return body


def _changes_status(items: list[dict[str, JSON]], last_ok: int | None, index: int) -> bool:
    def status(i: int | None) -> JSON:
        if i is None:
            return None
        data = _data(items[i]["response"])
        return data.get("task_status") if isinstance(data, dict) else None

    candidate = items[index]["response"]
    return int(candidate.get("status", 0)) == 200 and status(index) != status(last_ok)


def _differences(recorded: JSON, sent: JSON, pointer: str = "") -> list[str]:
    """Where two JSON values differ, as `pointer (recorded X, sent Y)` items."""
    if isinstance(recorded, dict) and isinstance(sent, dict):
        found: list[str] = []
        for key in sorted(set(recorded) | set(sent)):
            where = f"{pointer}/{key}"
            if key not in sent:
                found.append(f"{where} (recorded {_short(recorded[key])}, sent nothing)")
            elif key not in recorded:
                found.append(f"{where} (not recorded, sent {_short(sent[key])})")
            else:
                found.extend(_differences(recorded[key], sent[key], where))
        return found
    if recorded != sent:
        return [f"{pointer or '(body)'} (recorded {_short(recorded)}, sent {_short(sent)})"]
    return []


def _short(value: JSON) -> str:
    text = orjson.dumps(value).decode()
    return text if len(text) <= 60 else text[:57] + "..."
