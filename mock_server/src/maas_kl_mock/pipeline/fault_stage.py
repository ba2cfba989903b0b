"""Fault stage: the one place faults strike; it wraps the stages that answer a request.

It adds latency, enforces the rate-limit window, draws a fault before or after the inner stages
ran (a create's task may be stored and its answer still lost), and cuts video downloads. Every
effect on the connection goes into the response's `Delivery`; the inner stages never see faults.
"""

from __future__ import annotations

from collections.abc import Callable

from .._errors import ApiError
from .._http import Delivery, Drop, MockRequest, MockResponse
from .faults import Fault, FaultInjector
from .prefer import Preferences
from .respond import Responder

# Fault kinds name an HTTP status; the code served is the x-business-codes row of that name.
_FAULT_CODES = {"429": "concurrency_limited", "500": "internal_error", "503": "unavailable", "504": "timeout"}
_RETRY_AFTER_FAULTS = frozenset({"concurrency_limited", "unavailable"})
_RESET = MockResponse(500, b"", delivery=Delivery(drop=Drop.RESET))


class FaultStage:
    """Wraps an operation's inner stages (and the video files) with the faults the plan draws."""

    def __init__(self, injector: FaultInjector, responder: Responder) -> None:
        self.injector = injector
        self.responder = responder
        self.struck: str | None = None  # what struck the request being handled, for the call log (the core clears it)

    def delayed(self, response: MockResponse) -> MockResponse:
        """Only latency: for answers that take no faults (a replayed recording)."""
        delay = self.injector.latency()
        return response.delivered(Delivery(delay=delay)) if delay > 0 else response

    def operation(
        self, tenant: str, is_create: bool, scenario: str | None, inner: Callable[[], MockResponse], now: float
    ) -> MockResponse:
        """Run `inner` (validate → capability rules → simulate/example) under latency, rate limit and faults."""
        injector = self.injector
        if injector.quiet:  # the same as drawing from a plan that has nothing to draw, three calls sooner
            delay, wait, fault = 0.0, None, None
        else:
            delay = injector.latency()
            wait = injector.over_rate_limit(tenant, now)
            fault = injector.draw(is_create) if wait is None else None
        if wait is not None:
            self.struck = "rate-limit"
            response = self.responder.error(
                ApiError(
                    "rate_limited",
                    f"Request rate limit exceeded: slow down and retry after {wait}s",
                    headers=[("Retry-After", str(wait))],
                )
            )
        elif fault is not None and not fault.after:
            self.struck = fault.kind
            response = self._fault(fault, None)
        else:
            try:
                response = inner()
                if scenario == "lost-response" and is_create:  # only a create's answer is lost, so lookups recover
                    response = response.delivered(Delivery(drop=Drop.RESET))
            except ApiError as error:  # refused; a fault drawn still strikes this answer
                response = self.responder.error(error)
            if fault is not None:
                self.struck = f"{fault.kind} (after store)"
                response = self._fault(fault, response)
        if delay > 0:
            response = response.delivered(_with_delay(response.delivery, delay))
        return response

    def files(self, serve: Callable[[MockRequest], MockResponse]) -> Callable[[MockRequest], MockResponse]:
        """Wrap the video-file route: a download may be cut at the plan's cut points or by Prefer."""

        def serve_with_cuts(request: MockRequest) -> MockResponse:
            response = serve(request)
            prefs = Preferences.parse(request.headers.get("prefer"))
            delivery = response.delivery
            if delivery.span is None:
                return response
            start, stop, size = delivery.span
            cut = self.injector.download_cut(start, stop, size)
            if prefs.scenario == "download-cut":
                cut = start + (stop - start) // 2
            if cut is None:
                return response
            self.struck = f"download-cut at byte {cut}"
            cut_delivery = Delivery(delivery.delay, Drop.TRUNCATE, delivery.chunks, cut - start, delivery.span)
            return response.delivered(cut_delivery)

        return serve_with_cuts

    def _fault(self, fault: Fault, done: MockResponse | None) -> MockResponse:
        if fault.kind == "reset":
            return _RESET
        if fault.kind == "truncate" and done is not None:
            return done.delivered(Delivery(drop=Drop.TRUNCATE))
        name = _FAULT_CODES.get(fault.kind, "internal_error")
        retry = [("Retry-After", str(self.injector.plan.retry_after))] if name in _RETRY_AFTER_FAULTS else []
        return self.responder.error(ApiError(name, headers=retry))


def _with_delay(delivery: Delivery, delay: float) -> Delivery:
    return Delivery(delay, delivery.drop, delivery.chunks, delivery.cut_after, delivery.span)
