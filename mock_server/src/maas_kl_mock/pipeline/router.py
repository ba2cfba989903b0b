"""Route stage: maps a method and path to a spec operation, or to a mounted route (control API, video files)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from urllib.parse import unquote

from .._errors import ApiError
from .._http import MockRequest, MockResponse
from .._spec import Operation, Spec


@dataclass(frozen=True, slots=True)
class Route:
    """The operation a request asks for, with its path parameters."""

    operation: Operation
    params: dict[str, str]
    endpoint_path: str


@dataclass(frozen=True, slots=True)
class Mount:
    """A route outside the spec (the control API, the video files): every path under `prefix` goes to `serve`."""

    prefix: str
    name: str
    serve: Callable[[MockRequest], MockResponse]


class Router:
    """Matches `/v1/ai/{endpointPath}/kling/videos/...` against the spec's paths, after the mounted prefixes."""

    def __init__(self, spec: Spec, endpoint_paths: Collection[str] | None = None) -> None:
        self._base = spec.base_path
        self._endpoint_paths = frozenset(endpoint_paths) if endpoint_paths else None
        self._base_literals = tuple((i, part) for i, part in enumerate(self._base) if not part.startswith("{"))
        self._endpoint_slots = tuple(i for i, part in enumerate(self._base) if part.startswith("{"))
        # Templates grouped by length, so a request only looks at templates that can match.
        self._by_length: dict[int, list[_Template]] = {}
        for op in spec.operations:
            self._by_length.setdefault(len(op.segments), []).append(_Template.compile(op))
        # Paths without parameters (the creates) resolve with one lookup; the table is filled by the
        # general matcher itself, so both agree on every precedence question.
        self._exact: dict[tuple[str, tuple[str, ...]], Operation] = {}
        for template in (t for group in self._by_length.values() for t in group if not t.params):
            rest = template.operation.segments
            found = self._match_rest(template.operation.method, rest)
            if found is not None and not found[1]:
                self._exact[(template.operation.method, rest)] = found[0]
        self.example_path = "/" + "/".join(self._base) + (spec.operations[0].path if spec.operations else "")
        self.mounts: tuple[Mount, ...] = ()
        self._mount_prefixes: tuple[str, ...] = ()  # one C-level startswith tells most requests they are API calls

    def mount(self, prefix: str, name: str, serve: Callable[[MockRequest], MockResponse]) -> None:
        """Send every path under `prefix` to `serve`; mounts are tried in the order they were added."""
        self.mounts = (*self.mounts, Mount(prefix, name, serve))
        self._mount_prefixes = tuple(m.prefix for m in self.mounts)

    def resolve(self, method: str, path: str) -> Route | Mount:
        """Return the mount whose prefix `path` starts with, else the spec operation `match` finds."""
        if path.startswith(self._mount_prefixes):
            for mount in self.mounts:
                if path.startswith(mount.prefix):
                    return mount
        return self.match(method, path)

    def match(self, method: str, path: str) -> Route:
        """Return the route for the raw (percent-encoded) `path`; not_found if unknown, invalid_method on a method.

        The path is split at its literal slashes first and each segment decoded after, so an id that
        holds `/` (sent as `%2F`) stays one parameter and can never reach another route.
        """
        parts = path.split("/")[1:] if path.startswith("/") else path.split("/")
        if "%" in path:  # the fast path skips decoding: most requests carry no escapes
            parts = [unquote(part) for part in parts]
        base_len = len(self._base)
        endpoint_path = ""
        if len(parts) <= base_len:
            raise self._unknown(path)
        for index, literal in self._base_literals:
            if parts[index] != literal:
                raise self._unknown(path)
        for index in self._endpoint_slots:
            endpoint_path = parts[index]
            if not endpoint_path or (self._endpoint_paths is not None and endpoint_path not in self._endpoint_paths):
                raise self._unknown(path)
        rest = tuple(parts[base_len:])
        exact = self._exact.get((method, rest))
        if exact is not None:
            return Route(exact, {}, endpoint_path)
        found = self._match_rest(method, rest)
        if found is not None:
            return Route(found[0], found[1], endpoint_path)
        allowed = [t.operation.method for t in self._by_length.get(len(rest), ()) if t.bind(rest) is not None]
        if allowed:
            allow = ", ".join(sorted(set(allowed)))
            raise ApiError(
                "invalid_method",
                f"Invalid request method: {method} is not allowed on {path}; use {allow}",
                headers=[("Allow", allow)],
            )
        raise self._unknown(path)

    def _match_rest(self, method: str, rest: tuple[str, ...]) -> tuple[Operation, dict[str, str]] | None:
        """Return the first template of `method` that binds the segments after the base path, with its parameters."""
        for template in self._by_length.get(len(rest), ()):
            if template.operation.method == method:
                params = template.bind(rest)
                if params is not None:
                    return template.operation, params
        return None

    def _unknown(self, path: str) -> ApiError:
        shown = path if len(path) <= 200 else path[:200] + "..."
        return ApiError("not_found", f"No such path: {shown}. API paths look like {self.example_path}")


@dataclass(frozen=True, slots=True)
class _Template:
    """An operation's path template, split at start-up into literal segments and parameter positions."""

    operation: Operation
    literals: tuple[tuple[int, str], ...]
    params: tuple[tuple[int, str], ...]

    @classmethod
    def compile(cls, op: Operation) -> _Template:
        """Split `op`'s segments: `{name}` is a parameter, anything else must match exactly."""
        literals: list[tuple[int, str]] = []
        params: list[tuple[int, str]] = []
        for index, segment in enumerate(op.segments):
            if segment.startswith("{") and segment.endswith("}"):
                params.append((index, segment[1:-1]))
            else:
                literals.append((index, segment))
        return cls(op, tuple(literals), tuple(params))

    def bind(self, actual: tuple[str, ...]) -> dict[str, str] | None:
        """Return the path parameters when `actual` (of the template's length) matches, else None."""
        for index, literal in self.literals:
            if actual[index] != literal:
                return None
        return {name: actual[index] for index, name in self.params}
