"""Derive the sync client from the async one by token rewriting, so the twin is written once (decision S10).

The hand-written source is overlay/maas_kl_client/_async_client.py; the generator writes what
`unasync` returns as maas_kl_client/_client.py. Code that differs by more than these names lives
in _core.py, which both clients import.
"""

from __future__ import annotations

import re

SOURCE = "_async_client.py"
TARGET = "_client.py"

DOCSTRING = '"""MaasKL: the synchronous client, derived from _async_client.py by generator/unasync.py; do not edit."""'

# Whole-word rewrites, applied in order. Keywords first, then names, then the docstring words.
REPLACEMENTS: tuple[tuple[str, str], ...] = (
    ("async def ", "def "),
    ("async with ", "with "),
    ("async for ", "for "),
    ("await ", ""),
    ("AsyncMaasKL", "MaasKL"),
    ("AsyncTaskResource", "TaskResource"),
    ("AsyncFamilies", "Families"),
    ("_async_client", "_client"),
    ("_async_resources", "_resources"),
    ("_async_resource", "_resource"),
    ("httpx.AsyncClient", "httpx.Client"),
    ("asleep", "sleep"),
    ("aclose", "close"),
    ("__aenter__", "__enter__"),
    ("__aexit__", "__exit__"),
    ("aiter_bytes", "iter_bytes"),
    ("aiter_raw", "iter_raw"),
    ("in_thread", "inline"),
    ("AsyncIterator", "Iterator"),
    ("an async client", "a sync client"),
    ("Asynchronous", "Synchronous"),
)

# What must not survive the rewrite: a leftover means the table misses an entry.
LEFTOVER = re.compile(r"\b(?:async|await|Async\w*|asleep|aclose|aiter_\w+|__aenter__|__aexit__|_async_\w+)\b")
DROP = "# unasync: drop"
"""A line ending with this marker exists only in the async source (e.g. `close = aclose`)."""

# The hand-written async modules and their derived sync twins (the rendered resources are added by the generator).
MODULES: tuple[tuple[str, str], ...] = ((SOURCE, TARGET), ("_async_resource.py", "_resource.py"))


def _pattern(old: str) -> re.Pattern[str]:
    """Match `old` as whole words: `aclose` but not `raclose`, `Asynchronous` but not `NotAsynchronous`."""
    head = r"\b" if old[0].isalnum() or old[0] == "_" else ""
    tail = r"\b" if old[-1].isalnum() or old[-1] == "_" else ""
    return re.compile(head + re.escape(old) + tail)


def docstring_for(source_name: str, target_name: str) -> str:
    """Return the derived module's one-line docstring, naming the source it came from."""
    if source_name == SOURCE:
        return DOCSTRING
    return f'"""Derived from {source_name} by generator/unasync.py; do not edit ({target_name} is the sync twin)."""'


def unasync(source: str, docstring: str = DOCSTRING, extra: tuple[tuple[str, str], ...] = ()) -> str:
    """Return the sync twin of an async module: its one-line docstring replaced, every table entry applied."""
    first, newline, rest = source.partition("\n")
    if not (first.startswith('"""') and first.endswith('"""') and len(first) > len('""""""')):
        msg = f"{SOURCE} must start with a one-line module docstring, which unasync replaces; found {first[:60]!r}"
        raise ValueError(msg)
    text = "".join(line for line in rest.splitlines(keepends=True) if not line.rstrip().endswith(DROP))
    for old, new in (*extra, *REPLACEMENTS):
        text = _pattern(old).sub(new, text)
    leftover = sorted({m.group(0) for m in LEFTOVER.finditer(text)})
    if leftover:
        msg = f"unasync left {', '.join(leftover)} in the sync client; add a rewrite to REPLACEMENTS in {__name__}"
        raise ValueError(msg)
    return DOCSTRING + newline + text
