"""Derive the sync twins from `_async/` by token rewriting, so each is written once (decision S10).

As in httpcore, `maas_kl_client/_async/` holds the sources (callbacks.py, client.py and resource.py by
hand, families.py rendered) and `_sync/` their derived twins, beside them. Code that differs by more than
these names lives in the shared modules both import.
"""

from __future__ import annotations

import re

SOURCE = "_async/client.py"
TARGET = "_sync/client.py"

# Whole-word rewrites, applied in order. Keywords first, then names, then the docstring words.
REPLACEMENTS: tuple[tuple[str, str], ...] = (
    ("async def ", "def "),
    ("async with ", "with "),
    ("async for ", "for "),
    ("await ", ""),
    ("AsyncMaasKL", "MaasKL"),
    ("AsyncTaskResource", "TaskResource"),
    ("AsyncFamilies", "Families"),
    ("httpx.AsyncClient", "httpx.Client"),
    ("AsyncRequests", "Requests"),
    ("AsyncPartWriter", "PartWriter"),
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

# The async modules and their derived sync twins, by path inside the package.
MODULES: tuple[tuple[str, str], ...] = tuple(
    (f"_async/{name}", f"_sync/{name}")
    for name in ("__init__.py", "callbacks.py", "client.py", "resource.py", "families.py")
)


def _pattern(old: str) -> re.Pattern[str]:
    """Match `old` as whole words: `aclose` but not `raclose`, `Asynchronous` but not `NotAsynchronous`."""
    head = r"\b" if old[0].isalnum() or old[0] == "_" else ""
    tail = r"\b" if old[-1].isalnum() or old[-1] == "_" else ""
    return re.compile(head + re.escape(old) + tail)


def docstring_for(source_name: str, target_name: str) -> str:
    """Return the derived module's one-line docstring, naming the source it came from."""
    return (
        f'"""The sync twin of {source_name}, derived by generator/unasync.py: edit {source_name}, not {target_name}."""'
    )


def unasync(source: str, docstring: str, extra: tuple[tuple[str, str], ...] = ()) -> str:
    """Return the sync twin of an async module: its first line replaced by `docstring`, every rewrite applied."""
    first, newline, rest = source.partition("\n")
    if not (first.startswith('"""') and first.endswith('"""') and len(first) > len('""""""')):
        msg = (
            f"an async source must start with a one-line module docstring, which unasync replaces; found {first[:60]!r}"
        )
        raise ValueError(msg)
    text = "".join(line for line in rest.splitlines(keepends=True) if not line.rstrip().endswith(DROP))
    for old, new in (*extra, *REPLACEMENTS):
        text = _pattern(old).sub(new, text)
    leftover = sorted({m.group(0) for m in LEFTOVER.finditer(text)})
    if leftover:
        msg = f"unasync left {', '.join(leftover)} in the sync client; add a rewrite to REPLACEMENTS in {__name__}"
        raise ValueError(msg)
    return docstring + newline + text
