"""Run `maas-kl` against a served mock, killing itself with SIGKILL at a chosen request: a kill at an exact point.

`MAAS_KL_TEST_DIE_AT=after-create:2` dies once the 2nd create's answer is in, before the CLI can
record it; `before-create:N`, `before-video:N`, `after-video:N` likewise; `hang-before-create:N`
blocks there so the test can kill it from outside. The SDK's clock is the server's: each sleep
advances the mock's clock over its control API, so tasks finish without anyone waiting.
"""

from __future__ import annotations

import os
import signal
import sys
import time

import httpx
from maas_kl_client.cli import main


class ServerClock:
    """The SDK's Clock on the served mock's clock (`/_mock/clock`)."""

    def __init__(self, base_url: str) -> None:
        self._http = httpx.Client(base_url=f"{base_url}/_mock/")

    def monotonic(self) -> float:
        return float(self._http.get("clock").json()["now"])

    def time(self) -> float:
        return self.monotonic()

    def sleep(self, seconds: float) -> None:
        self._http.post("clock/advance", json={"seconds": seconds})

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)


class Dying(httpx.HTTPTransport):
    """Send requests as usual; at the chosen one, SIGKILL this process (or hang until the test kills it)."""

    def __init__(self, point: str) -> None:
        super().__init__()
        where, _, count = point.partition(":")
        self.where, self.count, self.seen = where, int(count or 0), 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        kind = "create" if request.method == "POST" else "video" if request.url.path.endswith(".mp4") else "query"
        hit = self.where.endswith(f"-{kind}") and self._count()
        if hit and self.where.startswith("hang-before"):
            while True:
                time.sleep(1)
        if hit and self.where.startswith("before"):
            os.kill(os.getpid(), signal.SIGKILL)
        response = super().handle_request(request)
        if hit and self.where.startswith("after"):
            response.read()
            os.kill(os.getpid(), signal.SIGKILL)
        return response

    def _count(self) -> bool:
        self.seen += 1
        return self.seen == self.count


if __name__ == "__main__":
    point = os.environ.get("MAAS_KL_TEST_DIE_AT", "")
    with httpx.Client(transport=Dying(point)) as http:
        code = main(sys.argv[1:], clock=ServerClock(os.environ["MAAS_KL_BASE_URL"]), http_client=http)
    raise SystemExit(code)
