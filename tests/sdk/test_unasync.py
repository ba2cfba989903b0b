"""The sync twins are derived from `_async/` (S10): committed output matches, and no async survives."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from generator.__main__ import HEADER_PY, build
from generator.unasync import LEFTOVER, MODULES, docstring_for, unasync

ROOT = Path(__file__).parents[2]
PACKAGE = ROOT / "generated_client" / "maas_kl_client"
DOC = '"""Doc."""'

ASYNC_NODES = (ast.AsyncFunctionDef, ast.Await, ast.AsyncWith, ast.AsyncFor)


@pytest.fixture(scope="module")
def fresh() -> dict[str, str]:
    return build(ROOT)


@pytest.mark.parametrize(("source", "target"), MODULES)
def test_each_committed_twin_is_its_async_source_rewritten(fresh: dict[str, str], source: str, target: str) -> None:
    assert fresh[f"generated_client/maas_kl_client/{target}"] == (PACKAGE / target).read_text(encoding="utf-8")
    text = (PACKAGE / target).read_text(encoding="utf-8")
    assert text.startswith(HEADER_PY + "\n" + docstring_for(source, target) + "\n")
    assert (PACKAGE / source).is_file()


@pytest.mark.parametrize("target", [t for _, t in MODULES])
def test_no_async_construct_or_name_remains(target: str) -> None:
    text = (PACKAGE / target).read_text(encoding="utf-8")
    tree = ast.parse(text)
    assert [type(n).__name__ for n in ast.walk(tree) if isinstance(n, ASYNC_NODES)] == []
    body = text.split("\n", 2)[2]  # the header and the docstring name the async source
    assert LEFTOVER.findall(body) == []
    assert "async" not in body.lower()


def test_the_sync_client_class_is_the_only_class_of_its_module() -> None:
    tree = ast.parse((PACKAGE / "_sync" / "client.py").read_text(encoding="utf-8"))
    assert {n.name for n in ast.walk(tree) if isinstance(n, ast.ClassDef)} == {"MaasKL"}


def test_the_docstring_given_is_the_docstring_written() -> None:
    """A twin opens with its own docstring, not the client's (review of issue 19)."""
    assert unasync(f"{DOC}\nx = 1\n", '"""Twin."""') == '"""Twin."""\nx = 1\n'
    resource = (PACKAGE / "_sync" / "resource.py").read_text(encoding="utf-8")
    client = (PACKAGE / "_sync" / "client.py").read_text(encoding="utf-8")
    assert ast.get_docstring(ast.parse(resource)) != ast.get_docstring(ast.parse(client))


def test_rewrites_keywords_and_names_as_whole_words_only() -> None:
    source = '"""Doc."""\nasync def f(c: AsyncMaasKL) -> None:\n    await c.aclose()\n    raclose = 1\n'
    assert unasync(source, DOC) == DOC + "\ndef f(c: MaasKL) -> None:\n    c.close()\n    raclose = 1\n"


@pytest.mark.parametrize("leftover", ["AsyncThing", "c.aiter_lines()"])
def test_a_name_the_table_misses_stops_the_generator(leftover: str) -> None:
    with pytest.raises(ValueError, match="add a rewrite to REPLACEMENTS"):
        unasync(f"{DOC}\nx = {leftover}\n", DOC)


def test_a_source_without_a_one_line_docstring_is_refused() -> None:
    with pytest.raises(ValueError, match="one-line module docstring"):
        unasync("import os\n", DOC)
