"""Child processes for the proxy tests: `maas-kl-mock serve|proxy --port 0`, ready when they print their URL."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Self

_READY = re.compile(r"listening on (http://\S+)")


class Child:
    """`maas-kl-mock <args>` on a port the OS picks; `base_url` comes from its start-up line, no port guessing."""

    def __init__(self, *args: str, log: Path | None = None) -> None:
        self.args = [sys.executable, "-m", "maas_kl_mock", *args, "--host", "127.0.0.1", "--port", "0"]
        self.log = log
        self.proc: subprocess.Popen[str] | None = None
        self.base_url = ""
        self.output: list[str] = []
        self._reader: threading.Thread | None = None

    def start(self, timeout: float = 30.0) -> Self:
        """Start the child and return once it printed the address it listens on."""
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
        found = threading.Event()

        def read() -> None:
            assert self.proc is not None
            assert self.proc.stdout is not None
            for line in self.proc.stdout:
                self.output.append(line)
                match = _READY.search(line)
                if match and not found.is_set():
                    self.base_url = match.group(1)
                    found.set()

        reader = self._reader = threading.Thread(target=read, daemon=True)
        reader.start()
        deadline = time.monotonic() + timeout
        while not found.wait(0.05):
            if time.monotonic() > deadline or not reader.is_alive():  # timed out, or the child exited
                self.stop()
                raise RuntimeError(f"{' '.join(self.args[2:])} did not start: {''.join(self.output)[-2000:]}")
        return self

    def stop(self) -> None:
        """Terminate the child (and wait for it), then close its output pipe."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        if self._reader is not None:
            self._reader.join(10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
