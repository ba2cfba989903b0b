"""ARCHITECTURE.md's import rules, checked on the source: who may import whom."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SDK = ROOT / "generated_client" / "maas_kl_client"
STDLIB = set(sys.stdlib_module_names)


def imported(folder: Path, skip: str | None = None) -> dict[str, set[str]]:
    """Top-level names of absolute imports under `folder` (relative imports stay inside), by module file."""
    found: dict[str, set[str]] = {}
    for path in sorted(folder.rglob("*.py")):
        if skip and skip in path.relative_to(folder).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                found.setdefault(name.split(".")[0], set()).add(str(path.relative_to(ROOT)))
    return found


CORE = STDLIB | {"httpx", "attrs", "maas_kl_specfacts"}


def test_the_sdk_core_imports_only_httpx_attrs_the_interpreter_and_the_standard_library() -> None:
    found = imported(SDK, skip="cli")
    assert found, "no imports found: wrong folder?"
    extra = {name: files for name, files in found.items() if name not in CORE}
    assert not extra


def test_the_interpreter_imports_only_the_standard_library() -> None:
    found = imported(ROOT / "specfacts" / "src" / "maas_kl_specfacts")
    assert found, "no imports found: wrong folder?"
    assert set(found) <= STDLIB, found


def test_the_cli_adds_only_rich() -> None:
    found = imported(SDK / "cli")
    extra = {name: files for name, files in found.items() if name not in CORE | {"rich"}}
    assert not extra
    assert "rich" in found


@pytest.mark.parametrize(
    ("folder", "forbidden"),
    [
        ("mock_server/src/maas_kl_mock", "maas_kl_client"),
        ("generator", "maas_kl_client"),
        ("generator", "maas_kl_mock"),
        ("generated_client/maas_kl_client", "maas_kl_mock"),
        ("specfacts/src/maas_kl_specfacts", "maas_kl_client"),
        ("specfacts/src/maas_kl_specfacts", "maas_kl_mock"),
    ],
)
def test_forbidden_imports(folder: str, forbidden: str) -> None:
    found = imported(ROOT / folder)
    assert forbidden not in found, f"{folder} imports {forbidden} in {sorted(found.get(forbidden, ()))}"


def test_the_demo_imports_only_the_launcher_from_the_mock() -> None:
    """The demo starts the mock as a process; `MockServer` (and its error) is the one way in."""
    taken: set[str] = set()
    for path in sorted((ROOT / "demo").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                assert not [a.name for a in node.names if a.name.split(".")[0] == "maas_kl_mock"], path
            elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "maas_kl_mock":
                assert node.module == "maas_kl_mock", f"{path} imports {node.module}"
                taken.update(alias.name for alias in node.names)
    assert taken == {"MockServer", "MockServerError"}


def test_nothing_imports_the_test_suites() -> None:
    for folder in (
        "generated_client/maas_kl_client",
        "mock_server/src/maas_kl_mock",
        "specfacts/src/maas_kl_specfacts",
        "demo",
        "generator",
    ):
        found = imported(ROOT / folder)
        assert not {"tests", "contract_tests"} & set(found), folder
