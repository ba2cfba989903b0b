"""MockServer: the standalone mock as a child process, for code that cannot take an httpx transport.

It binds port 0 (the kernel picks a free port, so nothing races between choosing and binding) and
reads its address from the `--ready-file` the server writes once it listens. The child runs in its
own process group, so stopping it stops everything it started; with `die_with_parent` (Linux) it
also gets SIGTERM when the launching process dies, even by SIGKILL.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

import httpx

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


class MockServerError(RuntimeError):
    """The server did not come up, or died; the message carries the end of its log."""


class MockControl:
    """The control API under `/_mock/`, over HTTP: what tests of an out-of-process mock assert on and steer."""

    def __init__(self, base_url: str, token: str | None = None) -> None:
        # JSON on every call, and the control token when the server has one (decision M-CONTROL).
        headers = {"Content-Type": "application/json"} | ({"X-Mock-Control-Token": token} if token else {})
        self._http = httpx.Client(base_url=f"{base_url}/_mock/", timeout=30.0, headers=headers)

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None, **params: Any) -> Any:
        response = self._http.request(method, path, json=body, params={k: v for k, v in params.items() if v})
        response.raise_for_status()
        return response.json()

    def health(self) -> dict[str, Any]:
        """`GET /_mock/health`."""
        return dict(self._call("GET", "health"))

    def tasks(self, tenant: str | None = None) -> list[dict[str, Any]]:
        """Return the tasks the server holds, of one tenant (its key or label) or of all."""
        return list(self._call("GET", "tasks", tenant=tenant)["tasks"])

    def stats(self) -> dict[str, Any]:
        """Tasks per tenant, requests, faults injected, internal errors."""
        return dict(self._call("GET", "stats"))

    def reset(self) -> None:
        """Forget tasks, calls and fault counts."""
        self._call("POST", "reset")

    def now(self) -> float:
        """Return the server's simulated time."""
        return float(self._call("GET", "clock")["now"])

    def advance(self, seconds: float) -> float:
        """Move the server's clock forward, so tasks move on without anyone sleeping; returns the new time."""
        return float(self._call("POST", "clock/advance", {"seconds": seconds})["now"])

    def faults(self) -> dict[str, Any]:
        """Return the fault plan and what it injected so far."""
        return dict(self._call("GET", "faults"))

    def set_faults(self, **plan: Any) -> dict[str, Any]:
        """Change the fault plan, e.g. `set_faults(rate=0.2, seed=1, kinds=["500"])`; keys left out are kept."""
        return dict(self._call("PUT", "faults", plan)["plan"])

    def calls(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Return the last requests the server answered (method, path, operation_id, tenant label, status)."""
        return list(self._call("GET", "calls", limit=limit)["calls"])

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._http.close()


class MockServer:
    """`maas-kl-mock serve ARGS` (or `proxy ARGS` with `command="proxy"`) on a free loopback port, as a context manager.

    >>> with MockServer("--submitted-seconds", "0") as mock:  # doctest: +SKIP
    ...     requests.post(f"{mock.api_base_url}/videos/text2video", headers=mock.headers, json={"prompt": "A dog"})
    ...     mock.control.advance(5)
    >>> with MockServer("--upstream", mock.base_url, "--record", "out", command="proxy") as proxy:  # doctest: +SKIP
    ...     requests.get(f"{proxy.api_base_url}/videos/text2video/123", headers=mock.headers)
    """

    COMMANDS = ("serve", "proxy")

    def __init__(  # noqa: PLR0913  (keyword-only options, each with a default)
        self,
        *args: str,
        command: str = "serve",
        host: str = "127.0.0.1",
        port: int = 0,
        startup_timeout: float = 30.0,
        log_path: Path | None = None,
        die_with_parent: bool = False,
    ) -> None:
        if command not in self.COMMANDS:
            raise ValueError(f"command must be one of {', '.join(self.COMMANDS)}, got {command!r}")
        self.command = command
        self.args = [str(arg) for arg in args]
        self.host = host
        self.port = port
        self.startup_timeout = startup_timeout
        self.log_path = log_path
        self.die_with_parent = die_with_parent
        self.ready: dict[str, Any] = {}
        self._proc: subprocess.Popen[bytes] | None = None
        self._dir: tempfile.TemporaryDirectory[str] | None = None
        self._log: IO[bytes] | None = None
        self._control: MockControl | None = None
        self._last_log = ""

    # --- where it is -----------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        """The server's origin, e.g. `http://127.0.0.1:41234` (the video links and `/_mock/` live here)."""
        return str(self._ready("base_url"))

    @property
    def api_base_url(self) -> str:
        """The API's base URL, `{base_url}/v1/ai/{endpoint_path}/kling`."""
        return str(self._ready("api_base_url"))

    @property
    def endpoint_path(self) -> str:
        """The endpointPath segment `api_base_url` uses."""
        return str(self._ready("endpoint_path"))

    @property
    def token(self) -> str | None:
        """The documented default key the server accepts, or None when you chose the keys (`--token`)."""
        token = self._ready("token")
        return None if token is None else str(token)

    @property
    def headers(self) -> dict[str, str]:
        """An Authorization header with the default key (empty when you chose the keys)."""
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    @property
    def control(self) -> MockControl:
        """The control API: `tasks()`, `stats()`, `reset()`, `advance(seconds)`, `set_faults(...)`, `calls()`."""
        if self._control is None:
            self._control = MockControl(self.base_url, self.control_token)
        return self._control

    @property
    def control_token(self) -> str | None:
        """The `--control-token` the server was started with, which `control` sends (else the environment's)."""
        args = self.args
        for index, arg in enumerate(args):
            if arg == "--control-token" and index + 1 < len(args):
                return args[index + 1]
            if arg.startswith("--control-token="):
                return arg.split("=", 1)[1]
        return os.environ.get("MAAS_KL_MOCK_CONTROL_TOKEN") or None

    @property
    def pid(self) -> int | None:
        """The server's process id (also its process group id) while it runs."""
        return self._proc.pid if self._proc else None

    def alive(self) -> bool:
        """Whether the server process is still running."""
        return self._proc is not None and self._proc.poll() is None

    def logs(self) -> str:
        """Everything the server wrote to stdout and stderr so far."""
        if self._log is None:
            return self._last_log
        self._log.flush()
        return Path(self._log.name).read_bytes().decode("utf-8", "replace")

    def _ready(self, key: str) -> Any:
        if not self.ready:
            raise MockServerError("the mock server is not started; use `with MockServer(...)` or call start()")
        return self.ready[key]

    # --- lifecycle -------------------------------------------------------------------------------
    def start(self) -> Self:
        """Start the server and return once it listens; raises MockServerError with its log otherwise."""
        if self.alive():
            return self
        if self._proc is not None:
            self.stop()  # after kill(): tidy the dead run before the restart
        self._dir = tempfile.TemporaryDirectory(prefix="maas-kl-mock-")
        ready_file = Path(self._dir.name) / "ready.json"
        log_path = self.log_path or Path(self._dir.name) / "server.log"
        self._log = log_path.open("ab")
        command = [sys.executable, "-m", "maas_kl_mock", self.command, "--host", self.host, "--port", str(self.port)]
        self._proc = subprocess.Popen(  # noqa: S603  (our own interpreter and module)
            [*command, *self.args, "--ready-file", str(ready_file)],
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=self._log,
            start_new_session=True,  # its own process group: stop() reaches its children too
            # preexec_fn is unsafe once other threads run, so it is opt-in (the demo starts no threads first)
            preexec_fn=_terminate_with_parent if self.die_with_parent else None,  # noqa: PLW1509
        )
        deadline = time.monotonic() + self.startup_timeout
        while not ready_file.exists():
            if self._proc.poll() is not None:
                code = self._proc.returncode
                self.stop()
                raise MockServerError(
                    f"maas-kl-mock {self.command} exited with {code} before listening:\n{self._tail()}"
                )
            if time.monotonic() > deadline:
                self.stop()
                raise MockServerError(
                    f"maas-kl-mock {self.command} did not listen within {self.startup_timeout:g} s:\n{self._tail()}"
                )
            time.sleep(0.01)  # waiting on another process, not on simulated time
        self.ready = json.loads(ready_file.read_text(encoding="utf-8"))
        self.port = int(self.base_url.rsplit(":", 1)[1])  # a restart binds the same port again
        return self

    def _tail(self) -> str:
        return self.logs()[-3000:]

    def kill(self) -> None:
        """SIGKILL the server and its process group, as a crash would: no shutdown, no flush."""
        self._signal_group(signal.SIGKILL)
        if self._proc is not None:
            self._proc.wait()

    def stop(self, grace: float = 5.0) -> None:
        """Stop the server and everything it started: SIGTERM, then SIGKILL after `grace` s; safe to call twice."""
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
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)  # anything left in its group
        if self._control is not None:
            self._control.close()
            self._control = None
        if self._log is not None:
            self._last_log = self.logs()
            self._log.close()
            self._log = None
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None

    def _signal_group(self, sig: signal.Signals) -> None:
        if self._proc is not None and self._proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._proc.pid, sig)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    async def __aenter__(self) -> Self:
        return await asyncio.to_thread(self.start)

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await asyncio.to_thread(self.stop)


def _terminate_with_parent() -> None:  # pragma: no cover - runs in the forked child
    """Ask Linux to SIGTERM the server when its parent dies, even by SIGKILL; elsewhere do nothing."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
