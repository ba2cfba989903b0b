"""The pipeline's shape: no import circles, mounted routes in the router, frozen responses with a separate Delivery."""

import ast
import dataclasses
from pathlib import Path

import maas_kl_mock
import pytest
from maas_kl_mock import Delivery, MockConfig, MockCore, MockRequest, MockResponse
from maas_kl_mock._router import Mount, Route

PACKAGE = Path(maas_kl_mock.__file__).parent


def imports_of(path: Path, level: int = 1) -> set[str]:
    """Top-level modules of the package `path` imports, TYPE_CHECKING and function-level imports included."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == level:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
    return found


def test_no_module_of_the_mock_imports_itself_in_a_circle() -> None:
    graph = {p.stem: imports_of(p) for p in PACKAGE.glob("*.py")}
    for package in (p for p in PACKAGE.iterdir() if (p / "__init__.py").exists()):  # a subpackage is one node
        graph[package.name] = set().union(*(imports_of(f, level=2) for f in package.glob("*.py")))

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for name in graph.get(start, ()):
            if name == goal or (name not in seen and reaches(name, goal, seen | {name})):
                return True
        return False

    circles = sorted(name for name in graph if name != "__init__" and reaches(name, name, {name}))
    assert circles == []
    assert "_core" not in graph["_control"]


def test_control_api_and_video_files_are_routes_of_the_router() -> None:
    core = MockCore(MockConfig())
    control = core.router.resolve("GET", "/_mock/health")
    files = core.router.resolve("GET", "/files/videos/x.mp4")
    api = core.router.resolve("GET", "/v1/ai/x/kling/videos/text2video/1")
    assert isinstance(control, Mount)
    assert control.name == "control"
    assert isinstance(files, Mount)
    assert files.name == "files"
    assert isinstance(api, Route)
    without = MockCore(MockConfig(control_api=False))
    assert [m.name for m in without.router.mounts] == ["files"]
    assert without.handle(MockRequest("GET", "/_mock/health", {})).status == 404


def test_responses_are_frozen_and_delivery_is_kept_apart() -> None:
    response = MockCore(MockConfig()).handle(MockRequest("GET", "/_mock/health", {}))
    with pytest.raises(dataclasses.FrozenInstanceError):
        response.status = 500  # type: ignore[misc]
    assert response.delivery == Delivery()
    cut = MockResponse(200, b"", delivery=Delivery(chunks=[b"abcd", b"efgh"], cut_after=6))
    assert list(cut.delivery.streamed()) == [b"abcd", b"ef"]
