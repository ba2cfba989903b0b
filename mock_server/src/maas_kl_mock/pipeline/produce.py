"""Produce stage: a validated request becomes a task (create or query) or, Prism-style, a documented example."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._http import MockResponse
from ..state.clock import Clock
from .prefer import Preferences
from .respond import Responder
from .router import Route
from .simulate import Simulator

JSON = Any


class Producer:
    """Chooses between the simulator and the spec's examples, and lays the answer out with the responder."""

    def __init__(self, simulator: Simulator, responder: Responder, clock: Clock) -> None:
        self.simulator = simulator
        self.responder = responder
        self.clock = clock

    def produce(  # noqa: PLR0913  (the stage's whole input: what the earlier stages found)
        self,
        route: Route,
        tenant: str,
        body: Mapping[str, JSON] | None,
        prefs: Preferences,
        base_url: str,
        *,
        is_create: bool,
    ) -> MockResponse:
        """Answer the operation: an example when asked for one or outside every task family, else the task."""
        op = route.operation
        simulator = self.simulator
        if (
            prefs.example is not None
            or (prefs.code is not None and prefs.code != 200)
            or not simulator.serves(op.operation_id)
        ):  # Prism-style: an operation outside every task family answers its documented example
            return self.responder.example(op, prefs.code or 200, prefs.example)
        if is_create:
            task = simulator.create(op.operation_id, tenant, body or {}, prefs.scenario)
        else:
            task = simulator.query(op.operation_id, tenant, route.params["id"])
        return self.responder.task(op, task, self.clock.now(), base_url)
