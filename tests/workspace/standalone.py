"""The standalone mock as a child process on port 0, its address read from its start-up line."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# An API key appears nowhere in the start-up line; the address does. Issue 16 adds a ready line: parse here only.
_ADDRESS = re.compile(r"listening on (http://[0-9.]+:[0-9]+)")


def read_address(line: str) -> str:
    """The mock's base URL from its start-up line (the one place that knows its wording)."""
    found = _ADDRESS.search(line)
    if found is None:
        msg = f"no address in the mock's start-up line: {line!r}"
        raise AssertionError(msg)
    return found.group(1)


@contextmanager
def serving(command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> Iterator[str]:
    """Run `command` (a `serve` of the mock on port 0) until the block ends; yield the address it listens on."""
    proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert proc.stdout is not None
        yield read_address(proc.stdout.readline())
    finally:
        proc.terminate()
        proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()
