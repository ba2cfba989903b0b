"""MockCore.close(): run on ASGI lifespan shutdown and at CLI exit, so a SQLite state file is closed cleanly."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import pytest
from maas_kl_mock import MockApp, MockConfig, MockCore


def _lifespan(app: MockApp) -> list[str]:
    incoming = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent: list[str] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop(0)

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message["type"])

    asyncio.run(app({"type": "lifespan"}, receive, send))
    return sent


def test_lifespan_shutdown_closes_the_sqlite_store(tmp_path: Path) -> None:
    core = MockCore(MockConfig(state_path=tmp_path / "state.db"))
    assert _lifespan(MockApp(core)) == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert core.closed
    with pytest.raises(sqlite3.ProgrammingError):  # the connection is closed
        core.store._db.execute("SELECT 1")  # type: ignore[attr-defined]
    core.close()  # idempotent


def test_the_cli_closes_the_store_when_it_exits(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    command = [sys.executable, "-m", "maas_kl_mock", "serve", "--port", "0", "--state", str(state)]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert proc.stdout is not None
        assert "listening on" in proc.stdout.readline()
    finally:
        proc.terminate()
        rest = proc.communicate(timeout=20)[0]
    assert proc.returncode == 0, rest
    assert "Traceback" not in rest
    # A cleanly closed SQLite file leaves no write-ahead log or journal behind.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.db"]
