"""The standalone mock as a subprocess on loopback: start, wait until ready, kill, restart on the same port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Self

import httpx


def free_port() -> int:
    """Return a port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class MockProcess:
    """`maas-kl-mock serve` in a child process; `kill()` is SIGKILL, as a crash would be."""

    def __init__(self, args: list[str], *, port: int | None = None, log: Path | None = None) -> None:
        self.port = port or free_port()
        self.args = args
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None
        self.base_url = f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> None:
        """Start the server and return once its control API answers."""
        command = [sys.executable, "-m", "maas_kl_mock", "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        if self.log is None:
            self.proc = subprocess.Popen([*command, *self.args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        else:
            with self.log.open("ab") as out:  # the child keeps its own descriptor
                self.proc = subprocess.Popen([*command, *self.args], stdout=out, stderr=out)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"maas-kl-mock exited with {self.proc.returncode}; see {self.log}")
            try:
                if httpx.get(f"{self.base_url}/_mock/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError(f"maas-kl-mock not ready on {self.base_url} after {timeout}s")

    @property
    def pid(self) -> int:
        """The server's process id."""
        assert self.proc is not None
        return self.proc.pid

    def alive(self) -> bool:
        """Whether the process is still running."""
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL the server: no shutdown, no flush, connections cut."""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        """Terminate the server politely."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
