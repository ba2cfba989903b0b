"""The standalone mock as a child process: a free loopback port, a short lifecycle, and nothing left behind.

The mock binds port 0 (the kernel picks a free one) and announces its URL on stdout, so there is no
race between finding a port and binding it. It runs in its own process group, so stopping it
stops everything it started; on Linux it also gets SIGTERM if the demo itself dies.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from types import TracebackType
from typing import IO, Self

ANNOUNCE = re.compile(r"listening on (?P<base>http://\S+)")
PR_SET_PDEATHSIG = 1


class MockStartError(RuntimeError):
    """The mock did not come up; the message carries what it printed."""


def _child_setup() -> None:  # pragma: no cover - runs in the forked child
    """Ask Linux to SIGTERM the mock when its parent dies, even by SIGKILL."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class MockProcess:
    """`maas-kl-mock serve` on 127.0.0.1, started by `start()` (or `with`) and always stopped by `stop()`."""

    def __init__(
        self, *, token: str, submitted_seconds: float, processing_seconds: float, startup_timeout: float = 30.0
    ) -> None:
        self.args = [
            sys.executable,
            "-m",
            "maas_kl_mock",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--token",
            token,
            "--submitted-seconds",
            str(submitted_seconds),
            "--processing-seconds",
            str(processing_seconds),
        ]
        self.startup_timeout = startup_timeout
        self.base_url = ""
        self._proc: subprocess.Popen[str] | None = None
        self._log: IO[str] | None = None

    @property
    def pid(self) -> int | None:
        """The mock's process id (also its process group id), once started."""
        return self._proc.pid if self._proc else None

    def start(self) -> str:
        """Start the mock and return its base URL once it is accepting connections."""
        self._log = tempfile.TemporaryFile("w+", encoding="utf-8", prefix="maas-kl-mock-")  # noqa: SIM115
        self._proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module, fixed arguments
            self.args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            start_new_session=True,
            preexec_fn=_child_setup,  # noqa: PLW1509 - no threads exist yet at this point
        )
        assert self._proc.stdout is not None
        line = self._read_announcement(self._proc.stdout)
        found = ANNOUNCE.search(line)
        if found is None:
            self.stop()
            msg = f"maas-kl-mock did not start: {line.strip() or 'no output'}\n{self._stderr()}"
            raise MockStartError(msg)
        self.base_url = found["base"]
        return self.base_url

    def _read_announcement(self, stdout: IO[str]) -> str:
        deadline = time.monotonic() + self.startup_timeout
        with selectors.DefaultSelector() as selector:
            selector.register(stdout, selectors.EVENT_READ)
            while (left := deadline - time.monotonic()) > 0:
                if selector.select(timeout=left):
                    return stdout.readline()
        return f"no start-up line within {self.startup_timeout:g} s"

    def _stderr(self) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        return self._log.read()[-2000:]

    def stop(self, grace: float = 5.0) -> None:
        """Stop the whole process group: SIGTERM, then SIGKILL after `grace` seconds; safe to call twice."""
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=grace)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
            # Anything the mock started shares its group; make sure none of it outlives the mock.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            if proc.stdout is not None:
                proc.stdout.close()
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def group_alive(pgid: int) -> bool:
    """Whether any process of the group `pgid` still exists."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
