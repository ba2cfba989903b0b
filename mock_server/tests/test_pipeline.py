"""The mock's shape: parts in layers without import circles, routes mounted in the router, frozen responses.

The rule on imports: each part (a top-level module or a subpackage) imports only parts of lower
LAYERS, and inside a part no modules import each other in a circle.
"""

import ast
import dataclasses
from pathlib import Path

import maas_kl_mock
import pytest
from maas_kl_mock import Delivery, MockConfig, MockCore, MockRequest, MockResponse
from maas_kl_mock.pipeline.router import Mount, Route

PACKAGE = Path(maas_kl_mock.__file__).parent


# The mock's parts, lowest first: the pipeline never sees a face, the cassettes or the proxy; `_core` mounts the
# cassettes' replayer stage but knows no face; the proxy (a second product) builds on the ASGI face;
# only the entry points (`_cli`, the plugin, `__init__`) see everything.
LAYERS = (
    {"_errors", "_http"},  # values every part shares
    {"_spec"},
    {"media", "state", "inspector"},
    {"pipeline"},
    {"cassettes"},
    {"_core"},
    {"faces"},
    {"proxy"},
    {"_cli", "pytest_plugin"},
    {"__init__", "__main__"},
)
LAYER = {part: number for number, parts in enumerate(LAYERS) for part in parts}


def parts_imported(path: Path, *, siblings: bool = False) -> set[str]:
    """The parts of the mock (or, with `siblings`, the modules of its own part) `path` imports, lazy ones too."""
    depth = len(path.relative_to(PACKAGE).parts) - 1  # 0: a top-level module, 1: a module of a part
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == (1 if siblings else depth + 1):
            found.update([node.module.split(".")[0]] if node.module else [alias.name for alias in node.names])
    return found


def test_the_mock_is_split_into_the_parts_of_the_layering() -> None:
    parts = {p.stem for p in PACKAGE.glob("*.py")} | {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert parts == set(LAYER)


@pytest.mark.parametrize("part", sorted(LAYER))
def test_a_part_imports_only_parts_below_it(part: str) -> None:
    files = (
        [PACKAGE / f"{part}.py"] if part.startswith("_") or part == "pytest_plugin" else (PACKAGE / part).glob("*.py")
    )
    imported = set().union(*(parts_imported(f) for f in files)) - {part}
    upward = sorted(name for name in imported if LAYER[name] >= LAYER[part])
    assert upward == [], f"{part} imports {upward}, which are not below it in LAYERS"


@pytest.mark.parametrize("part", sorted(p.parent.name for p in PACKAGE.glob("*/__init__.py")))
def test_no_module_of_a_part_imports_itself_in_a_circle(part: str) -> None:
    graph = {f.stem: parts_imported(f, siblings=True) for f in (PACKAGE / part).glob("*.py")}

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for name in graph.get(start, ()):
            if name == goal or (name not in seen and reaches(name, goal, seen | {name})):
                return True
        return False

    assert sorted(name for name in graph if reaches(name, name, {name})) == []


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
