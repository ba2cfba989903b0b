"""The sync client is derived from the async one (S10): committed output matches, and no async survives."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from generator.unasync import DOCSTRING, LEFTOVER, SOURCE, TARGET, unasync

ROOT = Path(__file__).parents[2]
ASYNC_SOURCE = ROOT / "generator" / "overlay" / "maas_kl_client" / SOURCE
COMMITTED = ROOT / "generated_client" / "maas_kl_client" / TARGET

ASYNC_NODES = (ast.AsyncFunctionDef, ast.Await, ast.AsyncWith, ast.AsyncFor)


def _formatted(source: str) -> str:
    """Return the source as the generator's ruff pass leaves it (imports sorted, formatted)."""
    ruff = [sys.executable, "-m", "ruff"]
    here = ROOT / "generated_client"
    stdin = ["--stdin-filename", "m.py", "-"]
    fixed = subprocess.run(
        [*ruff, "check", "--fix-only", "--quiet", *stdin],
        cwd=here,
        input=source,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return subprocess.run(
        [*ruff, "format", *stdin], cwd=here, input=fixed, capture_output=True, text=True, check=True
    ).stdout


def test_the_committed_sync_client_is_the_rewritten_async_one() -> None:
    derived = _formatted(unasync(ASYNC_SOURCE.read_text(encoding="utf-8")))
    assert derived == COMMITTED.read_text(encoding="utf-8")
    assert not (ROOT / "generator" / "overlay" / "maas_kl_client" / TARGET).exists(), "hand-written twin is back"


def test_no_async_construct_or_name_remains() -> None:
    text = COMMITTED.read_text(encoding="utf-8")
    tree = ast.parse(text)
    assert [type(n).__name__ for n in ast.walk(tree) if isinstance(n, ASYNC_NODES)] == []
    body = text.partition("\n")[2]  # the docstring names the source file, _async_client.py
    assert LEFTOVER.findall(body) == []
    assert "async" not in body.lower()
    classes = {n.name for n in ast.walk(tree) if isinstance(n, ast.ClassDef)}
    assert classes == {"MaasKL"}
    assert ast.get_docstring(tree) == DOCSTRING.strip('"')


def test_rewrites_keywords_and_names_as_whole_words_only() -> None:
    source = '"""Doc."""\nasync def f(c: AsyncMaasKL) -> None:\n    await c.aclose()\n    raclose = 1\n'
    assert unasync(source) == DOCSTRING + "\ndef f(c: MaasKL) -> None:\n    c.close()\n    raclose = 1\n"


@pytest.mark.parametrize("leftover", ["AsyncThing", "c.aiter_lines()"])
def test_a_name_the_table_misses_stops_the_generator(leftover: str) -> None:
    with pytest.raises(ValueError, match="add a rewrite to REPLACEMENTS"):
        unasync(f'"""Doc."""\nx = {leftover}\n')


def test_a_source_without_a_one_line_docstring_is_refused() -> None:
    with pytest.raises(ValueError, match="one-line module docstring"):
        unasync("import os\n")
