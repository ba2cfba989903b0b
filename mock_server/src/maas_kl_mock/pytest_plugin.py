"""The pytest face: `maas_kl_mock` (in process, manual clock) and `maas_kl_mock_server` (a real server).

Configure either per test with the marker, e.g. `@pytest.mark.maas_kl_mock(concurrency_limit=2)`;
the marker takes MockConfig's fields.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields, replace
from difflib import get_close_matches
from pathlib import Path
from typing import Any

import pytest

from ._core import MockConfig
from .faces.server import MockServer
from .faces.transport import InProcessMock
from .pipeline.faults import FaultInjector, FaultPlan
from .state.clock import ManualClock
from .state.store import TaskStore


class MockFixture(InProcessMock):
    """What the fixture yields: the in-process mock, plus short names for what tests assert on."""

    @property
    def store(self) -> TaskStore:
        """The tasks the mock holds."""
        return self.core.store

    @property
    def clock(self) -> ManualClock:
        """The manual clock: `advance(seconds)` moves every task along."""
        clock = self.core.clock
        assert isinstance(clock, ManualClock)
        return clock

    @property
    def faults(self) -> FaultInjector:
        """The fault controls; set `faults.plan = FaultPlan(...)`, read `faults.injected`."""
        return self.core.faults

    def set_faults(self, **settings: Any) -> FaultPlan:
        """Replace the fault plan, e.g. `set_faults(rate=0.2, seed=1, kinds=["500"])`."""
        self.core.faults.plan = FaultPlan.from_json(settings, self.core.faults.plan)
        return self.core.faults.plan

    def advance(self, seconds: float) -> float:
        """Move simulated time forward; returns the new time."""
        return self.clock.advance(seconds)

    def finish_all(self) -> None:
        """Advance past every task's lifecycle, so each ends `succeed` or `failed`."""
        lifecycle = self.core.config.lifecycle
        self.clock.advance((lifecycle.submitted_seconds + lifecycle.processing_seconds) * lifecycle.slow_factor + 1)


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker so --strict-markers accepts it."""
    config.addinivalue_line(
        "markers", "maas_kl_mock(**settings): configure the maas_kl_mock fixture (MockConfig fields)"
    )


def _marker_config(request: pytest.FixtureRequest) -> MockConfig:
    config = MockConfig(check_responses=True, record_calls=None, seed=0)
    marker = request.node.get_closest_marker("maas_kl_mock")
    if marker is not None:
        config = replace(config, **_marker_settings(marker.kwargs, marker.args))
    if config.replay is not None and not Path(config.replay).is_absolute():  # relative to the project root
        config = replace(config, replay=request.config.rootpath / config.replay)
    return config


def _marker_settings(kwargs: dict[str, Any], args: tuple[Any, ...]) -> dict[str, Any]:
    """Check the marker's settings by name: a misspelt one fails the test naming the valid ones, not a TypeError."""
    valid = sorted(field.name for field in fields(MockConfig))
    if args:
        pytest.fail(f"maas_kl_mock(...) takes settings by name ({', '.join(valid)}), not {args!r}", pytrace=False)
    unknown = sorted(set(kwargs) - set(valid))
    if unknown:
        near = [f"{name} (did you mean {close[0]}?)" if (close := get_close_matches(name, valid, n=1)) else name
                for name in unknown]  # fmt: skip
        pytest.fail(
            f"maas_kl_mock(...) has no setting {', '.join(near)}; the settings are the fields of MockConfig: "
            f"{', '.join(valid)}",
            pytrace=False,
        )
    return kwargs


@pytest.fixture
def maas_kl_mock(request: pytest.FixtureRequest) -> MockFixture:
    """Return an in-process MaaS_KL mock; `.client()` talks to it; `.store`, `.calls`, `.clock`, `.faults` show it."""
    return MockFixture(_marker_config(request), ManualClock())


def server_args(config: MockConfig) -> list[str]:
    """Return the `serve` flags for `config`'s start-up settings (its fault plan goes through the control API)."""
    if not config.control_api:
        raise ValueError("maas_kl_mock_server needs the control API; leave control_api=True in the marker")
    lifecycle = config.lifecycle
    args = (
        ["--any-token"]
        if config.tokens is None
        else [arg for token in sorted(config.tokens) for arg in ("--token", token)]
    )
    for path in sorted(config.endpoint_paths or ()):
        args += ["--endpoint-path", path]
    args += [
        "--concurrency", str(config.concurrency_limit),
        "--submitted-seconds", repr(lifecycle.submitted_seconds),
        "--processing-seconds", repr(lifecycle.processing_seconds),
        "--slow-factor", repr(lifecycle.slow_factor),
        "--max-tasks", str(config.max_tasks),
        "--max-body-mb", repr(config.max_body_bytes / (1024 * 1024)),
    ]  # fmt: skip
    optional = {
        "--spec": config.spec_path,
        "--seed": config.seed,
        "--state": config.state_path,
        "--replay": config.replay,
        "--replay-fallback": config.replay_fallback if config.replay is not None else None,
    }
    args += [arg for flag, value in optional.items() if value is not None for arg in (flag, str(value))]
    args += ["--no-capability-rules"] if not config.capability_rules else []
    args += ["--check-responses"] if config.check_responses else []
    return args


class _ServerPool:
    """One running server per distinct start-up configuration, kept for the whole session."""

    def __init__(self) -> None:
        self.servers: dict[tuple[str, ...], MockServer] = {}

    def get(self, config: MockConfig) -> MockServer:
        args = tuple(server_args(config))
        server = self.servers.get(args)
        if server is None or not server.alive():
            server = self.servers[args] = MockServer(*args).start()
        return server

    def close(self) -> None:
        for server in self.servers.values():
            server.stop()


@pytest.fixture(scope="session")
def _maas_kl_mock_servers() -> Iterator[_ServerPool]:
    pool = _ServerPool()
    try:
        yield pool
    finally:
        pool.close()


@pytest.fixture
def maas_kl_mock_server(request: pytest.FixtureRequest, _maas_kl_mock_servers: _ServerPool) -> MockServer:
    """Return a real `maas-kl-mock serve` on a free loopback port, configured by the `maas_kl_mock` marker.

    Tests with the same marker settings share one server for the session; each test starts with no
    tasks, no recorded calls and the marker's fault plan. The server's clock only moves forward.
    """
    config = _marker_config(request)
    server = _maas_kl_mock_servers.get(config)
    server.control.reset()
    server.control.set_faults(**config.faults.to_json())
    return server
