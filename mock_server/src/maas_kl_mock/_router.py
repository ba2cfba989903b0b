"""Route stage: maps a method and path under the real layout to one spec operation."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from ._errors import ApiError
from ._spec import Operation, Spec


@dataclass(frozen=True, slots=True)
class Route:
    """The operation a request asks for, with its path parameters."""

    operation: Operation
    params: dict[str, str]
    endpoint_path: str


class Router:
    """Matches `/v1/ai/{endpointPath}/kling/videos/...` against the spec's paths."""

    def __init__(self, spec: Spec, endpoint_paths: Collection[str] | None = None) -> None:
        self._base = spec.base_path
        self._endpoint_paths = frozenset(endpoint_paths) if endpoint_paths else None
        # Templates grouped by length, so a request only looks at templates that can match.
        self._by_length: dict[int, list[Operation]] = {}
        for op in spec.operations:
            self._by_length.setdefault(len(op.segments), []).append(op)
        self.example_path = "/" + "/".join(self._base) + (spec.operations[0].path if spec.operations else "")

    def match(self, method: str, path: str) -> Route:
        """Return the route for `method path`; ApiError 404/1203 for an unknown path, 404/1202 for a wrong method."""
        parts = path.split("/")[1:] if path.startswith("/") else path.split("/")
        base_len = len(self._base)
        endpoint_path = ""
        if len(parts) <= base_len:
            raise self._unknown(path)
        for expected, actual in zip(self._base, parts[:base_len], strict=True):
            if expected.startswith("{"):
                if not actual or (self._endpoint_paths is not None and actual not in self._endpoint_paths):
                    raise self._unknown(path)
                endpoint_path = actual
            elif expected != actual:
                raise self._unknown(path)
        rest = parts[base_len:]
        allowed: list[str] = []
        for op in self._by_length.get(len(rest), ()):
            params = _bind(op.segments, rest)
            if params is None:
                continue
            if op.method == method:
                return Route(op, params, endpoint_path)
            allowed.append(op.method)
        if allowed:
            allow = ", ".join(sorted(set(allowed)))
            raise ApiError(
                1202,
                f"Invalid request method: {method} is not allowed on {path}; use {allow}",
                headers=[("Allow", allow)],
            )
        raise self._unknown(path)

    def _unknown(self, path: str) -> ApiError:
        shown = path if len(path) <= 200 else path[:200] + "..."
        return ApiError(1203, f"No such path: {shown}. API paths look like {self.example_path}")


def _bind(template: tuple[str, ...], actual: list[str]) -> dict[str, str] | None:
    params: dict[str, str] = {}
    for want, got in zip(template, actual, strict=True):
        if want.startswith("{") and want.endswith("}"):
            params[want[1:-1]] = got
        elif want != got:
            return None
    return params
