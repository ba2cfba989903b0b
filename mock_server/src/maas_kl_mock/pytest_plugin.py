"""The pytest face: the `maas_kl_mock` fixture, an in-process mock with a manual clock.

Configure it per test with the marker, e.g. `@pytest.mark.maas_kl_mock(concurrency_limit=2)`;
the marker takes MockConfig's fields.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from ._clock import ManualClock
from ._core import MockConfig
from ._faults import FaultInjector, FaultPlan
from ._store import TaskStore
from ._transport import InProcessMock


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


@pytest.fixture
def maas_kl_mock(request: pytest.FixtureRequest) -> MockFixture:
    """Return an in-process MaaS_KL mock; `.client()` talks to it; `.store`, `.calls`, `.clock`, `.faults` show it."""
    config = MockConfig(check_responses=True, record_calls=None, seed=0)
    marker = request.node.get_closest_marker("maas_kl_mock")
    if marker is not None:
        config = replace(config, **marker.kwargs)
    return MockFixture(config, ManualClock())
