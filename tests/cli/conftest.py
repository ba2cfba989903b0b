"""Run the real `maas-kl` entry point against the in-process mock, on one shared simulated clock."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from maas_kl_client.cli import main
from maas_kl_mock import ManualClock
from maas_kl_mock.pytest_plugin import MockFixture

BASE_URL = "http://127.0.0.1:4010"  # loopback, so the SDK allows plain http; the transport never dials it


class SharedClock:
    """The SDK's Clock on the mock's manual clock: every SDK sleep moves the simulation, nothing really sleeps."""

    def __init__(self, clock: ManualClock) -> None:
        self._clock = clock

    def monotonic(self) -> float:
        return self._clock.now()

    def time(self) -> float:
        return self._clock.now()

    def sleep(self, seconds: float) -> None:
        self._clock.advance(seconds)

    async def asleep(self, seconds: float) -> None:
        self._clock.advance(seconds)


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


Runner = Callable[..., Result]


@pytest.fixture
def cli(maas_kl_mock: MockFixture, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Runner:
    """Return run(*argv, headers=None) -> Result: `maas-kl` with the mock's transport and clock."""
    monkeypatch.setenv("MAAS_KL_API_KEY", "cli-test-key")
    monkeypatch.setenv("MAAS_KL_ENDPOINT_PATH", "default")
    monkeypatch.setenv("MAAS_KL_BASE_URL", BASE_URL)
    clock = SharedClock(maas_kl_mock.clock)

    def run(*argv: str, headers: dict[str, str] | None = None) -> Result:
        capsys.readouterr()
        with httpx.Client(transport=maas_kl_mock.transport(), headers=headers) as http:
            code = main(list(argv), clock=clock, http_client=http)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def sent_bodies(mock: MockFixture, operation_id: str) -> list[dict[str, Any]]:
    """The JSON bodies the mock received for one operation."""
    return [json.loads(call.request.body) for call in mock.calls if call.operation_id == operation_id]
