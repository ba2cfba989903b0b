"""The mock as the in-process suite runs it: two known tenants, room for a stateful run, time moved by requests."""

from __future__ import annotations

from typing import Any

from maas_kl_mock import ManualClock, MockApp, MockConfig
from maas_kl_mock._core import MockCore

TENANT_KEY = "contract-tenant-a"
OTHER_TENANT_KEY = "contract-tenant-b"
SECONDS_PER_REQUEST = 1.0


class RequestPacedApp:
    """The mock's ASGI app on a manual clock that moves SECONDS_PER_REQUEST before each HTTP request.

    The mock's answers must depend only on the requests sent, never on wall-clock time: Hypothesis
    replays a stateful run to shrink it, and a task that had succeeded in real time on the first try
    but not on the replay offers a different set of links, which Hypothesis rejects as
    FlakyStrategyDefinition. With time moved by requests, a task created in a run succeeds after
    the same few requests every time (1 s submitted + 3 s processing by default).
    """

    def __init__(self, core: MockCore, clock: ManualClock) -> None:
        self.core = core
        self.app = MockApp(core)
        self.clock = clock

    def forget_tasks(self) -> None:
        """Start a stateful run on an empty store, so an external_task_id a replay reuses is not refused."""
        self.core.reset()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Move the clock for each HTTP request, then let the mock answer it."""
        if scope["type"] == "http":
            self.clock.advance(SECONDS_PER_REQUEST)
        await self.app(scope, receive, send)


def contract_mock_app() -> RequestPacedApp:
    """Return a fresh mock app: known tokens (so ignored_auth can fail), a roomy concurrency limit.

    Tokens are a fixed list because with the default (any well-formed token is its own tenant) a
    made-up key is accepted and schemathesis's ignored_auth check would rightly complain. The
    concurrency limit is raised because a stateful run creates many tasks; the concurrency refusal is itself
    checked by the scenario and end-to-end tests.
    """
    config = MockConfig(
        tokens=frozenset({TENANT_KEY, OTHER_TENANT_KEY}),
        concurrency_limit=10_000,
        check_responses=False,
        record_calls=10,
    )
    clock = ManualClock()
    return RequestPacedApp(MockCore(config, clock=clock), clock)
