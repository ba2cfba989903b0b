"""FaultPlan: seeded server-side faults, latency and a rate-limit window, as the chaos tests need them."""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

FAULT_KINDS = ("429", "500", "503", "504", "reset", "truncate")
DOWNLOAD_CUT = "download-cut"  # the video route's fault: the connection drops after a share of the file
# Kinds that may strike after a create has stored its task (a 429 always means "not done").
_AFTER_CAPABLE = frozenset({"500", "503", "504", "reset", "truncate"})
# Bounds of every number a plan holds: finite, and small enough that no request waits for ever.
MAX_LATENCY_MS = 120_000.0  # two minutes: past any client's read timeout, short of a hang
MAX_WEIGHT = 1_000_000.0
MAX_RETRY_AFTER = 86_400  # a day, in seconds
MAX_WINDOW_SECONDS = 86_400.0
MAX_REQUESTS = 1_000_000_000
_NUMBER_TEXT = 40  # characters of a number worth reading; longer ones are refused before float() or int()


@dataclass(frozen=True, slots=True)
class Latency:
    """A latency distribution in milliseconds: fixed, uniform, normal or exponential."""

    kind: str = "fixed"
    a: float = 0.0
    b: float = 0.0

    @classmethod
    def parse(cls, text: str) -> Latency:
        """`fixed:20`, `uniform:5-50`, `normal:30,10` or `exp:20` (all in ms)."""
        found = re.fullmatch(r"\s*(fixed|uniform|normal|exp):\s*([0-9.]+)\s*(?:[-,]\s*([0-9.]+))?\s*", text)
        if found is None:
            raise ValueError(
                f"latency {text!r} not understood; use fixed:MS, uniform:LO-HI, normal:MEAN,SD or exp:MEAN"
            )
        kind = found.group(1)
        a = bounded(found.group(2), f"latency {kind}", 0.0, MAX_LATENCY_MS)
        b = bounded(found.group(3) or 0, f"latency {kind}", 0.0, MAX_LATENCY_MS)
        if kind in ("uniform", "normal") and found.group(3) is None:
            raise ValueError(f"latency {text!r} needs two numbers, e.g. {kind}:10{'-' if kind == 'uniform' else ','}50")
        return cls(kind, a, b)

    def draw(self, rng: random.Random) -> float:
        """One delay, in seconds."""
        if self.kind == "uniform":
            ms = rng.uniform(self.a, self.b)
        elif self.kind == "normal":
            ms = rng.gauss(self.a, self.b)
        elif self.kind == "exp":
            ms = rng.expovariate(1 / self.a) if self.a > 0 else 0.0
        else:
            ms = self.a
        return max(ms, 0.0) / 1000

    def __str__(self) -> str:
        if self.kind == "fixed":
            return f"fixed:{self.a:g}"
        if self.kind == "exp":
            return f"exp:{self.a:g}"
        return f"{self.kind}:{self.a:g}{'-' if self.kind == 'uniform' else ','}{self.b:g}"


@dataclass(frozen=True, slots=True)
class FaultPlan:
    """What goes wrong, how often, with which seed; immutable, replaced whole through the control API."""

    rate: float = 0.0
    seed: int = 0
    kinds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(FAULT_KINDS, 1.0))
    after_store: float = 0.5  # share of create faults that strike after the task was stored
    latency: Latency | None = None
    rate_limit: tuple[int, float] | None = None  # (requests, window seconds) per tenant
    retry_after: int = 1
    download_cut: tuple[float, ...] = ()  # shares of a video file at which a download's connection drops
    download_cut_rate: float = 1.0  # share of video downloads the cut points apply to

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError(f"fault rate {self.rate} must be between 0 and 1")
        if not 0.0 <= self.after_store <= 1.0:
            raise ValueError(f"after_store {self.after_store} must be between 0 and 1")
        unknown = set(self.kinds) - set(FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; known: {', '.join(FAULT_KINDS)}")
        if any(not 0.0 < share < 1.0 for share in self.download_cut):
            raise ValueError(
                f"download cut points {list(self.download_cut)} must each be between 0 and 1, e.g. 0.3,0.7"
            )
        if not 0.0 <= self.download_cut_rate <= 1.0:
            raise ValueError(f"download cut rate {self.download_cut_rate} must be between 0 and 1")
        for kind, weight in self.kinds.items():
            bounded(weight, f"the weight of fault kind {kind}", 0.0, MAX_WEIGHT)
        if not 0 <= self.retry_after <= MAX_RETRY_AFTER:
            raise ValueError(f"retry_after {self.retry_after} must be between 0 and {MAX_RETRY_AFTER} seconds")
        if self.rate > 0 and not any(w > 0 for w in self.kinds.values()):
            raise ValueError("a fault rate needs at least one fault kind with a positive weight")

    @classmethod
    def from_json(cls, data: dict[str, Any], base: FaultPlan | None = None) -> FaultPlan:
        """Return a plan from the control API's JSON; keys left out keep `base`'s values."""
        plan = base or cls()
        known = {
            "rate", "seed", "kinds", "after_store", "latency", "rate_limit", "retry_after", "download_cut",
            "download_cut_rate",
        }  # fmt: skip
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault settings {sorted(unknown)}; known: {', '.join(sorted(known))}")
        changes: dict[str, Any] = {}
        try:
            if "rate" in data:
                changes["rate"] = bounded(data["rate"], "rate", 0.0, 1.0)
            if "seed" in data:
                changes["seed"] = _json_int(data["seed"], "seed")
            if "kinds" in data:
                changes["kinds"] = _kinds(data["kinds"])
            if "after_store" in data:
                changes["after_store"] = bounded(data["after_store"], "after_store", 0.0, 1.0)
            if "latency" in data:
                changes["latency"] = Latency.parse(str(data["latency"])) if data["latency"] else None
            if "rate_limit" in data:
                changes["rate_limit"] = parse_rate_limit(data["rate_limit"]) if data["rate_limit"] else None
            if "retry_after" in data:
                changes["retry_after"] = _json_int(data["retry_after"], "retry_after")
            if "download_cut" in data:
                changes["download_cut"] = parse_cut_points(data["download_cut"])
            if "download_cut_rate" in data:
                changes["download_cut_rate"] = bounded(data["download_cut_rate"], "download_cut_rate", 0.0, 1.0)
        except (TypeError, OverflowError, AttributeError) as exc:  # a wrong JSON type: one kind of error for the caller
            raise ValueError(f"fault settings not understood ({exc}); see GET /_mock/faults for their shape") from None
        return replace(plan, **changes)

    def to_json(self) -> dict[str, Any]:
        """Return the plan as the control API shows it."""
        return {
            "rate": self.rate,
            "seed": self.seed,
            "kinds": self.kinds,
            "after_store": self.after_store,
            "latency": str(self.latency) if self.latency else None,
            "rate_limit": f"{self.rate_limit[0]}/{self.rate_limit[1]:g}" if self.rate_limit else None,
            "retry_after": self.retry_after,
            "download_cut": list(self.download_cut),
            "download_cut_rate": self.download_cut_rate,
        }


def parse_rate_limit(text: str) -> tuple[int, float]:
    """`10/1` means at most 10 requests per tenant in each 1-second window."""
    found = re.fullmatch(r"\s*([0-9]{1,10})\s*/\s*([0-9.]{1,20})\s*s?\s*", str(text)[: _NUMBER_TEXT * 2])
    if found is None:
        raise ValueError(f"rate limit {str(text)[:40]!r} not understood; use REQUESTS/SECONDS, e.g. 10/1")
    count = int(bounded(found.group(1), "rate limit requests", 1, MAX_REQUESTS))
    window = bounded(found.group(2), "rate limit seconds", 0.0, MAX_WINDOW_SECONDS)
    if window <= 0:
        raise ValueError(f"rate limit {str(text)[:40]!r}: the window must be more than 0 seconds, e.g. 10/1")
    return count, window


def parse_cut_points(value: Any) -> tuple[float, ...]:
    """`0.3,0.7` (or a list) → (0.3, 0.7): the shares of the file at which downloads are cut, in order."""
    items = value if isinstance(value, list | tuple) else str(value)[:1000].split(",")
    try:
        return tuple(sorted(bounded(item, "a download cut point", 0.0, 1.0) for item in items if str(item).strip()))
    except ValueError:
        shown = str(value)[:40]
        raise ValueError(
            f"download cut {shown!r} not understood; use shares of the file between 0 and 1, e.g. 0.3,0.7"
        ) from None


@dataclass(frozen=True, slots=True)
class Fault:
    """One drawn fault: its kind and whether it strikes after the request took effect."""

    kind: str
    after: bool


class FaultInjector:
    """Draws faults and latency from a FaultPlan with its own seeded generator, and counts them."""

    def __init__(self, plan: FaultPlan | None = None) -> None:
        self.injected: Counter[str] = Counter()
        self._windows: dict[str, tuple[float, int]] = {}
        self.plan = plan or FaultPlan()

    @property
    def plan(self) -> FaultPlan:
        """The plan in force."""
        return self._plan

    @plan.setter
    def plan(self, plan: FaultPlan) -> None:
        self._plan = plan
        self._rng = random.Random(plan.seed)  # noqa: S311  (reproducible faults, not secrets)
        self._cuts = random.Random(plan.seed + 1)  # noqa: S311  (its own sequence: downloads leave API faults alone)
        self._windows.clear()
        # Nothing to draw: no latency, no rate limit, no fault rate (download cuts are drawn apart).
        self.quiet = plan.latency is None and plan.rate_limit is None and plan.rate <= 0
        names = [k for k, w in plan.kinds.items() if w > 0]
        self._names = names
        self._weights = [plan.kinds[k] for k in names]

    def reset(self) -> None:
        """Forget counts and windows; restart the seeded sequence."""
        self.injected.clear()
        self.plan = self._plan

    def latency(self) -> float:
        """Return a delay in seconds for this response (0 without a latency distribution)."""
        return self._plan.latency.draw(self._rng) if self._plan.latency else 0.0

    def draw(self, is_create: bool) -> Fault | None:
        """Return the fault for this request, if the dice say so."""
        plan = self._plan
        if plan.rate <= 0 or self._rng.random() >= plan.rate:
            return None
        kind = self._rng.choices(self._names, self._weights)[0]
        after = kind == "truncate" or (is_create and kind in _AFTER_CAPABLE and self._rng.random() < plan.after_store)
        self.injected[f"{kind}{'-after-store' if after and is_create else ''}"] += 1
        return Fault(kind, after)

    def download_cut(self, start: int, stop: int, size: int) -> int | None:
        """Where to drop a download of bytes [start, stop) of a `size`-byte file: the first cut point inside, if any.

        Cut points are positions in the file, so a download cut at 30% and resumed from there
        meets the next point (70%) and then none: each resume makes progress.
        """
        plan = self._plan
        for share in plan.download_cut:
            position = int(size * share)
            if start < position < stop:
                if plan.download_cut_rate < 1.0 and self._cuts.random() >= plan.download_cut_rate:
                    return None
                self.injected[DOWNLOAD_CUT] += 1
                return position
        return None

    def over_rate_limit(self, tenant: str, now: float) -> int | None:
        """Seconds until the tenant's window reopens when it is over the limit, else None."""
        limit = self._plan.rate_limit
        if limit is None:
            return None
        count, window = limit
        start, used = self._windows.get(tenant, (now, 0))
        if now - start >= window:
            start, used = now, 0
        if used >= count:
            self.injected["rate-limit"] += 1
            return max(1, math.ceil(start + window - now))
        self._windows[tenant] = (start, used + 1)
        return None


_INT64 = 2**63 - 1


def _json_int(value: Any, name: str) -> int:
    """Return an integer setting that JSON answers can carry back (64 bits); a ValueError names it otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | float | str) or len(str(value)) > _NUMBER_TEXT:
        raise ValueError(f"{name} must be a whole number that fits in 64 bits, got {str(value)[:20]}")
    try:
        number = int(value)
    except OverflowError:  # int(float("inf"))
        raise ValueError(f"{name} must be a whole number that fits in 64 bits, got {str(value)[:20]}") from None
    if not -_INT64 - 1 <= number <= _INT64:
        raise ValueError(f"{name} must fit in 64 bits, got {str(number)[:20]}...")
    return number


def bounded(value: Any, name: str, low: float, high: float) -> float:
    """Return `value` as a finite number between `low` and `high`; a ValueError names the setting otherwise.

    Text is read only up to 40 characters (so `9` repeated 400 times is refused, never `inf`), and
    `inf`, `nan` and booleans never pass.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | str) or len(str(value)) > _NUMBER_TEXT:
        raise ValueError(f"{name} must be a number between {low:g} and {high:g}, got {str(value)[:20]}")
    try:
        number = float(value)
    except (ValueError, OverflowError):
        raise ValueError(f"{name} must be a number between {low:g} and {high:g}, got {str(value)[:20]}") from None
    if not math.isfinite(number) or not low <= number <= high:
        raise ValueError(f"{name} must be a number between {low:g} and {high:g}, got {str(value)[:20]}")
    return number


def _kinds(value: Any) -> dict[str, float]:
    """Read fault kinds: a list of names (weight 1 each) or an object of name → weight."""
    if isinstance(value, dict):
        return {str(k): bounded(v, f"the weight of fault kind {k}", 0.0, MAX_WEIGHT) for k, v in value.items()}
    if isinstance(value, list):
        return dict.fromkeys((str(k) for k in value), 1.0)
    raise ValueError("kinds must be a list of fault kinds or an object of kind: weight")
