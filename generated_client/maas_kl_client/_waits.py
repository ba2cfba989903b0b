"""The default poll schedule: learn how long tasks of each kind take on this client, poll densely near the end.

A fixed poll spends most of its requests while a task cannot be done yet. This schedule polls
sparsely (each gap half the task's age) until a low quantile of the durations seen so far for
the same kind, mode and duration, then every `dense` seconds, so the caller learns of the end
no later than with a fixed poll of that period. No I/O: the client feeds it finished tasks.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from ._task import Task

Key = tuple[str, str, str]
"""(task kind, mode, duration) as the request gave them; "" for a field the request left to the default."""

Z_LOW = 2.05
"""Standard normal quantile for 2 %: dense polling starts where about 2 % of tasks of a kind have ended."""


def key_of(kind: str, body: dict[str, Any]) -> Key:
    """Group durations by the kind, and the request's mode and duration."""
    return (kind, str(body.get("mode") or ""), str(body.get("duration") or ""))


@dataclass
class DurationModel:
    """Log-normal fits of task durations per key, from a prior and the tasks this client saw end."""

    prior_median: float = 60.0
    """Seconds a task is assumed to take before any has ended (scaled by a numeric `duration`)."""
    prior_sigma: float = 0.6
    """Spread of the prior on the log scale: wide, so an unknown kind is polled early."""
    prior_weight: int = 1
    """How many observations the prior counts as."""
    memory: int = 200
    """Observations kept per key."""
    _seen: dict[Key, deque[float]] = field(default_factory=dict)

    def observe(self, key: Key, seconds: float) -> None:
        """Record how long a finished task of `key` took, by the service's own timestamps."""
        if seconds > 0:
            self._seen.setdefault(key, deque(maxlen=self.memory)).append(math.log(seconds))

    def _prior(self, key: Key) -> float:
        try:
            scale = float(key[2]) / 5 if key[2] else 1.0
        except ValueError:
            scale = 1.0
        return math.log(self.prior_median * max(scale, 0.2))

    def fit(self, key: Key) -> tuple[float, float]:
        """Mean and spread of log-duration for `key`: the prior, pulled towards what was observed."""
        seen = self._seen.get(key) or self._pooled(key[0])
        prior_mu = self._prior(key)
        if not seen:
            return prior_mu, self.prior_sigma
        from statistics import fmean, pstdev  # noqa: PLC0415 - loads decimal and fractions; only once a task was seen

        n, w = len(seen), self.prior_weight
        mu = (fmean(seen) * n + prior_mu * w) / (n + w)
        spread = pstdev(seen) if n > 1 else self.prior_sigma
        sigma = math.sqrt((spread**2 * n + self.prior_sigma**2 * w) / (n + w))
        return mu, max(sigma, 0.1)

    def _pooled(self, kind: str) -> list[float]:
        return [x for k, xs in self._seen.items() if k[0] == kind for x in xs]

    def low(self, key: Key) -> float:
        """Seconds by which about 2 % of tasks of `key` have ended."""
        mu, sigma = self.fit(key)
        return math.exp(mu - Z_LOW * sigma)

    def known(self, key: Key) -> bool:
        """Whether tasks of this kind (or at least this family) were seen to end on this client."""
        return bool(self._seen.get(key) or self._pooled(key[0]))

    def schedule(self, key: Key) -> AdaptiveSchedule:
        """Build the schedule for a new task of `key`: probing while the kind is unknown, trusting it once seen."""
        return AdaptiveSchedule(start=self.low(key), probe=not self.known(key))


@dataclass(frozen=True, slots=True)
class LearnedSchedule:
    """The default schedule of one wait: asks the model at every poll, so tasks still running learn too."""

    model: DurationModel
    key: Key

    def after(self, poll_number: int, task: Task, elapsed: float) -> float:
        """Follow the AdaptiveSchedule the durations seen so far give for this task's kind."""
        return self.model.schedule(self.key).after(poll_number, task, elapsed)


@dataclass(frozen=True, slots=True)
class AdaptiveSchedule:
    """A poll schedule for one task: sparse until its kind's low quantile, then every `dense` seconds."""

    start: float
    """Task age (seconds) from which polls are dense."""
    probe: bool = True
    """Before `start`, poll at gaps as long as the task's age (for kinds never seen to end); else skip to it."""
    dense: float = 3.3
    """Gap between polls once the task may be done: under the 5 s most clients use."""
    first: float = 2.0
    """Shortest gap before `start`."""

    def after(self, poll_number: int, task: Task, elapsed: float) -> float:
        """Sleep to `start` (probing on the way for an unknown kind), then poll every `dense` seconds."""
        if elapsed >= self.start:
            return self.dense
        gap = min(elapsed, self.start - elapsed) if self.probe else self.start - elapsed
        return max(self.first, gap)
