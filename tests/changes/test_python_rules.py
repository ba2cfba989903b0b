"""The Python rules are griffe's: renames and removals break, new optional parameters add."""

from __future__ import annotations

from pathlib import Path

from generator.api_changes.python_api import additions, breaking, load, report

OLD = '''
"""A tiny package."""
from ._impl import Client, fetch

__all__ = ["Client", "fetch"]
'''
IMPL = """
class Client:
    def get(self, task_id: str) -> str:
        return task_id


def fetch(url: str, *, timeout: float = 1.0) -> bytes:
    return b""
"""


def package(root: Path, init: str, impl: str) -> Path:
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text(init, encoding="utf-8")
    (root / "pkg" / "_impl.py").write_text(impl, encoding="utf-8")
    return root


def test_report_lists_public_objects_with_signatures_and_no_private_modules(tmp_path: Path) -> None:
    found = report(load(package(tmp_path, OLD, IMPL), "pkg"))
    assert found == {
        "pkg": "module pkg",
        "pkg.Client": "class Client",
        "pkg.Client.get": "def get(self, task_id: str) -> str",
        "pkg.fetch": "def fetch(url: str, *, timeout: float = 1.0) -> bytes",
    }


def test_renaming_a_public_function_is_breaking(tmp_path: Path) -> None:
    old = load(package(tmp_path / "old", OLD, IMPL), "pkg")
    new = load(package(tmp_path / "new", OLD.replace("fetch", "download"), IMPL.replace("fetch", "download")), "pkg")
    broken = breaking(old, new)
    assert [(c.grade, c.where, c.what) for c in broken] == [("breaking", "pkg.fetch", "public object was removed")]
    assert [(c.grade, c.where) for c in additions(old, new, broken)] == [("addition", "pkg.download")]


def test_a_new_required_parameter_is_breaking_and_a_new_optional_one_is_not(tmp_path: Path) -> None:
    old = load(package(tmp_path / "old", OLD, IMPL), "pkg")
    required = load(package(tmp_path / "req", OLD, IMPL.replace("task_id: str)", "task_id: str, mode: str)")), "pkg")
    optional = load(
        package(tmp_path / "opt", OLD, IMPL.replace("task_id: str)", "task_id: str, mode: str = 'std')")), "pkg"
    )
    assert [c.what for c in breaking(old, required)] == ["parameter was added as required"]
    assert breaking(old, optional) == []
    [added] = additions(old, optional, [])
    assert (added.grade, added.where, added.new) == (
        "addition",
        "pkg.Client.get",
        "def get(self, task_id: str, mode: str = 'std') -> str",
    )
