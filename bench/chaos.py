"""The chaos run: N concurrent create-and-wait-and-download flows of the async SDK against a faulty mock.

`python -m bench.chaos --flows 500` (what `make chaos` runs) starts the standalone
mock as a subprocess on loopback, seeds source videos for the extension flows with faults off,
turns on seeded faults (429/1303, 500, 503, 504/5002, resets, before and after the task is
stored), latency jitter and a per-account concurrency limit below N, runs the flows, then checks
the mock's store through its control API: one task per flow, every video downloaded and
byte-identical to what the mock serves, no untyped exception, requests per flow within the bound.

How a flow treats each typed SDK error is decision R2 in docs/decisions/contract.md: it does what the
error's message tells a caller to do, and nothing the real API could not do, except for one
documented step (R1): an extension whose outcome is unknown is looked up in the "console", which
the mock's control API stands in for. Those flows are counted apart from the SDK's own recoveries.
"""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import hashlib
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson
from maas_kl_client import (
    APIConnectionError,
    AsyncMaasKL,
    CreateOutcomeUnknown,
    DownloadError,
    Job,
    JobResult,
    MaasKLError,
    NotFoundError,
    PollSchedule,
    RateLimitError,
    RetryPolicy,
    ServerError,
    Task,
    TaskKind,
    TaskTimeout,
)
from maas_kl_mock import MockServer

TENANT = "chaos-tenant"
KINDS: tuple[TaskKind, ...] = ("text2video", "image2video", "video_extend")
FLOW: contextvars.ContextVar[int] = contextvars.ContextVar("chaos_flow", default=-1)
# How often a flow may re-drive one step after a typed error the SDK raised (R2): a bound, not a hope.
MAX_REDRIVES = 6
REDRIVE_CAP = 3 * MAX_REDRIVES  # re-drives of all steps of one flow together
MAX_REDIRECTS = 5  # the SDK's download redirect limit


class ScaledClock:
    """The SDK's injected clock, running `scale` times faster than the wall: SDK seconds are short.

    Backoffs, Retry-After and poll intervals keep their ratios to each other and to the mock's
    lifecycle (configured in the same scaled seconds), so the run is the real protocol, compressed.
    """

    def __init__(self, scale: float) -> None:
        self.scale = scale
        self._origin = time.monotonic()

    def monotonic(self) -> float:
        """Scaled seconds since the clock was made."""
        return (time.monotonic() - self._origin) * self.scale

    def time(self) -> float:
        """Wall time, only read for HTTP-date Retry-After values."""
        return time.time()

    def sleep(self, seconds: float) -> None:
        """Block for `seconds` scaled seconds."""
        time.sleep(seconds / self.scale)

    async def asleep(self, seconds: float) -> None:
        """Suspend for `seconds` scaled seconds."""
        await asyncio.sleep(seconds / self.scale)


@dataclass
class Ledger:
    """What the client side saw: requests per flow and failed attempts by kind."""

    requests: Counter[int] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    flow_failures: Counter[int] = field(default_factory=Counter)
    recovery_misses: int = 0


def _failure_kind(status: int, body: bytes) -> str | None:
    if status < 400:
        return None
    try:
        code = orjson.loads(body).get("code")
    except (orjson.JSONDecodeError, AttributeError):
        code = None
    return f"{status}/{code}" if code is not None else str(status)


class RecordingTransport(httpx.AsyncBaseTransport):
    """Counts every request per flow and classifies every failed attempt, then hands it on unchanged."""

    def __init__(self, inner: httpx.AsyncBaseTransport, ledger: Ledger) -> None:
        self.inner = inner
        self.ledger = ledger

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Forward `request`, reading the body here so truncations are attributed to this attempt."""
        ledger = self.ledger
        ledger.requests[FLOW.get()] += 1
        try:
            response = await self.inner.handle_async_request(request)
        except httpx.TransportError as exc:
            ledger.failures["connect refused" if isinstance(exc, httpx.ConnectError) else "reset (no answer)"] += 1
            ledger.flow_failures[FLOW.get()] += 1
            raise
        try:
            body = await response.aread()
        except httpx.TransportError:
            ledger.failures["truncated body"] += 1
            ledger.flow_failures[FLOW.get()] += 1
            raise
        finally:
            await response.aclose()
        kind = _failure_kind(response.status_code, body)
        if kind == "404/1203" and request.method == "GET":
            ledger.recovery_misses += 1  # "not created yet": the answer that makes a resend safe
        elif kind is not None:
            ledger.failures[kind] += 1
            ledger.flow_failures[FLOW.get()] += 1
        return httpx.Response(response.status_code, headers=response.headers, content=body, request=request)

    async def aclose(self) -> None:
        """Close the inner transport."""
        await self.inner.aclose()


@dataclass(frozen=True)
class ChaosSettings:
    """One chaos run; scaled seconds are SDK seconds (see ScaledClock)."""

    flows: int = 50
    seed: int = 20240806
    fault_rate: float = 0.2
    fault_kinds: tuple[str, ...] = ("429", "500", "503", "504", "reset")
    after_store: float = 0.5
    latency: str = "uniform:0-15"
    concurrency: int | None = None  # per-account limit of unfinished tasks; default N // 10
    scale: float = 5.0
    submitted_seconds: float = 0.25  # scaled
    processing_seconds: float = 1.0  # scaled
    retry: RetryPolicy = field(
        default_factory=lambda: RetryPolicy(max_attempts=8, initial_delay=0.5, max_delay=4.0, deadline=None)
    )
    poll: PollSchedule = field(default_factory=lambda: PollSchedule(initial=0.5, multiplier=1.5, maximum=2.0))
    wait_timeout: float = 120.0  # scaled
    request_timeout: float = 10.0  # real seconds per HTTP request
    max_connections: int = 100
    batch: bool = False  # one client.batch over all flows instead of N concurrent flows

    @property
    def limit(self) -> int:
        """The account's concurrency limit, below N."""
        return self.concurrency or max(2, self.flows // 10)

    def mock_args(self) -> list[str]:
        """Flags of `maas-kl-mock serve` for this run (faults are switched on later, by the control API)."""
        return [
            "--token",
            TENANT,
            "--concurrency",
            str(self.limit),
            "--submitted-seconds",
            str(self.submitted_seconds / self.scale),
            "--processing-seconds",
            str(self.processing_seconds / self.scale),
            "--seed",
            str(self.seed),
            "--check-responses",  # a body the spec forbids counts as an internal error, which check() refuses
        ]

    def fault_plan(self) -> dict[str, Any]:
        """The control API's fault plan: the issue's kinds, before and after the store, with jitter."""
        return {
            "rate": self.fault_rate,
            "seed": self.seed,
            "kinds": list(self.fault_kinds),
            "after_store": self.after_store,
            "latency": self.latency,
            "retry_after": 1,
        }

    def call_bound(self) -> int:
        """Most requests one SDK call can send under the policy: creates, recovery queries, re-checks."""
        attempts = self.retry.max_attempts
        return attempts + attempts * attempts + attempts

    def wait_bound(self) -> int:
        """Most requests one wait can send: its polls within wait_timeout, each retried within the policy."""
        polls, elapsed = 1, 0.0
        while elapsed < self.wait_timeout:
            elapsed += self.poll.interval(polls - 1)
            polls += 1
        return polls * self.retry.max_attempts

    def clean_polls(self) -> int:
        """Polls a wait needs when nothing fails: until the schedule passes the lifecycle, plus two for latency."""
        lifecycle = self.submitted_seconds + self.processing_seconds
        polls, elapsed = 1, 0.0
        while elapsed < lifecycle:
            elapsed += self.poll.interval(polls - 1)
            polls += 1
        return polls + 2

    def flow_budget(self, failures: int, redrives: int) -> int:
        """What one flow should cost given what it met: create + download, one wait per drive, 4 per failure.

        A failed attempt costs at most its retry, a recovery lookup and a resend, plus one spare; a
        re-drive waits again. Unlike flow_bound (the policies' worst case), this catches retry storms
        and over-eager polling, which stay far inside the worst case.
        """
        return 2 + (1 + redrives) * self.clean_polls() + 4 * failures

    def flow_bound(self) -> int:
        """Worst case the policies allow one flow: its SDK calls (re-drives capped by R2), each at its bound."""
        calls = 3 + 2 * REDRIVE_CAP  # create, wait, download; a re-drive adds at most a lookup and a resend
        return calls * max(self.call_bound(), self.wait_bound(), self.retry.max_attempts * (MAX_REDIRECTS + 1))


@dataclass
class FlowResult:
    """How one flow ended."""

    index: int
    kind: TaskKind
    external_task_id: str | None
    source_video: str | None
    task_id: str | None = None
    video_sha256: str | None = None
    error: str | None = None
    redrives: Counter[str] = field(default_factory=Counter)
    console_lookups: int = 0


@dataclass
class Interference:
    """What ran alongside the flows did: restarts of the mock, and the faults its killed processes injected."""

    restarts: int = 0
    faults: Counter[str] = field(default_factory=Counter)


@dataclass
class ChaosReport:
    """Everything a chaos run measured and checked."""

    settings: ChaosSettings
    results: list[FlowResult]
    ledger: Ledger
    faults: Counter[str]
    served_sha256: dict[str, str]  # task_id -> SHA-256 of the video the mock serves for it (each video differs)
    tasks: list[dict[str, Any]]
    seeded: int
    wall_seconds: float
    internal_errors: int
    restarts: int = 0

    @property
    def duplicates(self) -> int:
        """Tasks beyond one per flow, found in the store."""
        counts = Counter(self._flow_key(t) for t in self.tasks[self.seeded :] if self._flow_key(t) is not None)
        strays = len(self.tasks) - self.seeded - sum(counts.values())
        return sum(n - 1 for n in counts.values() if n > 1) + strays

    @staticmethod
    def _flow_key(task: dict[str, Any]) -> str | None:
        if task["kind"] == "video_extend":
            return f"extend:{task['parent_video_id']}"
        return f"id:{task['external_task_id']}" if task["external_task_id"] else None

    def lost(self) -> list[FlowResult]:
        """Flows that did not end with the store's one task for them, downloaded and byte-identical."""
        by_key: dict[str, list[dict[str, Any]]] = {}
        for task in self.tasks[self.seeded :]:
            key = self._flow_key(task)
            if key is not None:
                by_key.setdefault(key, []).append(task)
        lost = []
        for r in self.results:
            key = f"extend:{r.source_video}" if r.kind == "video_extend" else f"id:{r.external_task_id}"
            stored = by_key.get(key, [])
            if (
                r.error is not None
                or len(stored) != 1
                or stored[0]["task_id"] != r.task_id
                or r.video_sha256 != self.served_sha256.get(r.task_id or "")
            ):
                lost.append(r)
        return lost

    def untyped(self) -> list[FlowResult]:
        """Flows that ended on an exception outside the SDK's MaasKLError family."""
        return [r for r in self.results if r.error is not None and r.error.startswith("untyped")]

    def per_flow(self) -> list[int]:
        """Requests each flow sent."""
        return [self.ledger.requests[r.index] for r in self.results]

    def over_budget(self) -> list[tuple[int, int, int]]:
        """(flow, requests, budget) for each flow that sent more than what it met explains."""
        over = []
        for r in self.results:
            sent = self.ledger.requests[r.index]
            budget = self.settings.flow_budget(self.ledger.flow_failures[r.index], sum(r.redrives.values()))
            if sent > budget:
                over.append((r.index, sent, budget))
        return over

    def render(self) -> str:
        """The figures `make chaos` prints."""
        s = self.settings
        per_flow = self.per_flow()
        redrives: Counter[str] = Counter()
        for r in self.results:
            redrives.update(r.redrives)
        kinds = Counter(r.kind for r in self.results)
        lines = [
            f"flows: {len(self.results)} ({', '.join(f'{k} {kinds[k]}' for k in KINDS)}), "
            f"async SDK, mock subprocess on loopback, concurrency limit {s.limit}, seed {s.seed}",
            f"fault plan: rate {s.fault_rate:.0%} of API requests, kinds {','.join(s.fault_kinds)}, "
            f"{s.after_store:.0%} of create faults after the task is stored, latency {s.latency} ms",
            f"faults injected by kind: {_counter(self.faults)}",
            f"failed attempts seen by the SDK, by kind (each retried or recovered): {_counter(self.ledger.failures)}",
            f"recovery lookups that found no task (safe to resend): {self.ledger.recovery_misses}",
            f"flow re-drives after a typed SDK error (R2): {_counter(redrives)}",
            f"extension outcomes resolved through the console (R1, outside the SDK): "
            f"{sum(r.console_lookups for r in self.results)}",
            f"restarts of the mock: {self.restarts}",
            f"tasks in the mock: {len(self.tasks)} = {self.seeded} seeded sources + "
            f"{len(self.tasks) - self.seeded} created by {len(self.results)} flows",
            f"duplicates: {self.duplicates} (must be 0)",
            f"lost results: {len(self.lost())} (must be 0)",
            f"untyped exceptions: {len(self.untyped())} (must be 0)",
            f"mock internal errors (500s of its own): {self.internal_errors}",
            f"mode: {'one client.batch, limit learned' if s.batch else 'N concurrent flows'}; "
            f"requests in all: {self.ledger.requests.total()} ({self.ledger.requests.total() / len(self.results):.1f} "
            "per flow)",
            "requests per flow: not attributed per job in batch mode"
            if s.batch
            else f"requests per flow: median {statistics.median(per_flow):g}, max {max(per_flow)} "
            f"(worst case the policies allow {s.flow_bound()}; flows over their budget of 2 + waits x "
            f"{s.clean_polls()} polls + 4 per failed attempt: {len(self.over_budget())})",
            f"wall time: {self.wall_seconds:.1f} s",
        ]
        for r in self.lost()[:10]:
            lines.append(f"  lost flow {r.index} ({r.kind}): {r.error or 'store or bytes mismatch'}")
        return "\n".join(lines)

    def check(self) -> None:
        """Raise AssertionError unless every guarantee held."""
        assert self.duplicates == 0, self.render()
        assert not self.lost(), self.render()
        assert not self.untyped(), self.render()
        assert self.internal_errors == 0, self.render()
        assert len(self.tasks) == self.seeded + len(self.results), self.render()
        assert max(self.per_flow()) <= self.settings.flow_bound(), self.render()
        assert not self.over_budget(), f"{self.over_budget()[:5]}\n{self.render()}"


def _counter(counter: Counter[str]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counter.items())) or "none"


class Control:
    """The mock's control API, called without faults (faults only strike the API routes)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    async def call(self, method: str, name: str, body: dict[str, Any] | None = None) -> Any:
        """Call /_mock/<name>, retrying while the server is down (during a restart)."""
        for _ in range(200):
            try:
                async with httpx.AsyncClient(timeout=10) as http:
                    response = await http.request(
                        method, f"{self.base_url}/_mock/{name}", json=body, headers={"Content-Type": "application/json"}
                    )
                response.raise_for_status()
                return response.json()
            except httpx.TransportError:
                await asyncio.sleep(0.05)
        raise RuntimeError(f"control API {name} unreachable at {self.base_url}")

    async def extensions_of(self, video_id: str) -> list[dict[str, Any]]:
        """The tenant's extension tasks of `video_id`: the console view a person would check (R1)."""
        tasks = (await self.call("GET", f"tasks?tenant={TENANT}"))["tasks"]
        return [t for t in tasks if t["kind"] == "video_extend" and t["parent_video_id"] == video_id]


class Flow:
    """One create-and-wait-and-download, driven as R2 says for each typed error."""

    def __init__(
        self, client: AsyncMaasKL, clock: ScaledClock, control: Control, settings: ChaosSettings, result: FlowResult
    ) -> None:
        self.client = client
        self.clock = clock
        self.control = control
        self.s = settings
        self.r = result

    def _body(self) -> dict[str, Any]:
        i = self.r.index
        if self.r.kind == "text2video":
            return {"prompt": f"Chaos flow {i}: a dog on the grass", "external_task_id": self.r.external_task_id}
        if self.r.kind == "image2video":
            return {
                "image": f"https://example.com/chaos/{i}.png",
                "prompt": f"Chaos flow {i}",
                "external_task_id": self.r.external_task_id,
            }
        return {"video_id": self.r.source_video, "prompt": f"Chaos flow {i}: and then it rains"}

    async def _redrive(self, why: MaasKLError, step: str) -> None:
        self.r.redrives[f"{step}: {type(why).__name__}"] += 1
        if sum(self.r.redrives.values()) > REDRIVE_CAP:
            raise why
        await self.clock.asleep(1.0)

    async def _create(self) -> str:
        """Create the flow's task exactly once; return the key to wait on (task_id or external_task_id)."""
        resource = self.client.resource(self.r.kind)
        for _ in range(MAX_REDRIVES + 1):
            try:
                task = await resource.create_from(self._body(), retry=self.s.retry)
                return task.task_id
            except RateLimitError as error:
                await self._redrive(error, "create")  # a refusal: definitely not created
            except CreateOutcomeUnknown as unknown:
                await self._redrive(unknown, "create")
                found = await self._resolve_unknown(unknown.external_task_id)
                if found is not None:
                    return found
            except (ServerError, APIConnectionError) as error:
                # Unsent, or the policy ran out on a 5xx or a lost answer after a lookup said "not
                # created". With an id, looking again is safe whatever happened; an extension only
                # gets here unsent (its unknown outcomes are CreateOutcomeUnknown: S4).
                if self.r.external_task_id is None:
                    if isinstance(error, APIConnectionError) and not error.request_sent:
                        await self._redrive(error, "create")
                        continue
                    raise
                await self._redrive(error, "create")
                found = await self._resolve_unknown(self.r.external_task_id)
                if found is not None:
                    return found
        raise RuntimeError(f"flow {self.r.index}: create not settled after {MAX_REDRIVES} re-drives")

    async def _resolve_unknown(self, external_task_id: str | None) -> str | None:
        """Settle an unknown outcome: by external_task_id (the SDK's way), else through the console (R1)."""
        if external_task_id is not None:
            for _ in range(MAX_REDRIVES + 1):
                try:
                    await self.client.resource(self.r.kind).get(external_task_id, retry=self.s.retry)
                    return external_task_id
                except NotFoundError:
                    return None  # not created: the same external_task_id may be sent again
                except (ServerError, APIConnectionError) as error:
                    await self._redrive(error, "lookup")
            raise RuntimeError(f"flow {self.r.index}: lookup of {external_task_id} kept failing")
        self.r.console_lookups += 1
        assert self.r.source_video is not None
        found = await self.control.extensions_of(self.r.source_video)
        return str(found[0]["task_id"]) if found else None

    async def _wait(self, key: str) -> Task:
        for _ in range(MAX_REDRIVES + 1):
            try:
                return await self.client.wait_for_task(
                    self.r.kind,
                    key,
                    timeout=self.s.wait_timeout,
                    poll=self.s.poll,
                    retry=self.s.retry,
                )
            except (ServerError, APIConnectionError, RateLimitError, TaskTimeout) as error:
                await self._redrive(error, "wait")  # queries are idempotent: wait again
        raise RuntimeError(f"flow {self.r.index}: wait not settled after {MAX_REDRIVES} re-drives")

    async def _download(self, url: str, folder: Path) -> bytes:
        target = folder / f"flow-{self.r.index}.mp4"
        for _ in range(MAX_REDRIVES + 1):
            try:
                path = await self.client.download_video(url, target, retry=self.s.retry)
                return path.read_bytes()
            except DownloadError as error:
                if not error.retryable:
                    raise
                await self._redrive(error, "download")
        raise RuntimeError(f"flow {self.r.index}: download not settled after {MAX_REDRIVES} re-drives")

    async def run(self, folder: Path) -> None:
        """Run the flow; record its end, typed or not, and never raise."""
        FLOW.set(self.r.index)
        try:
            key = await self._create()
            task = await self._wait(key)
            self.r.task_id = task.task_id
            data = await self._download(task.videos[0].url, folder)
            self.r.video_sha256 = hashlib.sha256(data).hexdigest()
        except MaasKLError as error:
            self.r.error = f"typed {type(error).__name__}: {error}"
        except Exception as error:
            self.r.error = f"untyped {type(error).__name__}: {error}"


async def _seed_sources(client: AsyncMaasKL, count: int, settings: ChaosSettings) -> list[str]:
    """Create the extension flows' source videos with faults off; they are not part of N."""
    if count == 0:
        return []

    async def one(i: int) -> str:
        task = await client.text2video.create_and_wait(
            prompt=f"Chaos source {i}", timeout=settings.wait_timeout, poll=settings.poll, retry=settings.retry
        )
        return str(task.videos[0].id)

    sources: list[str] = []
    for start in range(0, count, settings.limit):  # stay under the concurrency limit
        sources += await asyncio.gather(*(one(i) for i in range(start, min(count, start + settings.limit))))
    return sources


async def run_chaos(
    base_url: str,
    settings: ChaosSettings,
    *,
    during: Callable[[list[FlowResult]], Awaitable[Interference]] | None = None,
) -> ChaosReport:
    """Run the flows against the mock at `base_url`; `during` runs alongside them (the restart test kills there)."""
    control = Control(base_url)
    await control.call("PUT", "faults", {"rate": 0.0})
    await control.call("POST", "reset")
    ledger = Ledger()
    clock = ScaledClock(settings.scale)
    pool = settings.max_connections
    inner = httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=pool, max_keepalive_connections=pool))
    timeout = httpx.Timeout(settings.request_timeout, pool=None)
    async with httpx.AsyncClient(transport=RecordingTransport(inner, ledger), timeout=timeout) as http:
        client = AsyncMaasKL(
            api_key=TENANT, endpoint_path="XXX", base_url=base_url, http_client=http, clock=clock, timeout=timeout
        )
        n_extend = sum(1 for i in range(settings.flows) if KINDS[i % 3] == "video_extend")
        sources = await _seed_sources(client, n_extend, settings)
        seeded = len(sources)
        ledger.requests.clear()
        await control.call("PUT", "faults", settings.fault_plan())
        results = []
        for i in range(settings.flows):
            kind = KINDS[i % 3]
            results.append(
                FlowResult(
                    index=i,
                    kind=kind,
                    external_task_id=None if kind == "video_extend" else f"chaos-{settings.seed}-{i}",
                    source_video=sources.pop() if kind == "video_extend" else None,
                )
            )
        started = time.monotonic()
        interference = Interference()
        with tempfile.TemporaryDirectory(prefix="maas-kl-chaos-") as folder:
            runs = [Flow(client, clock, control, settings, r).run(Path(folder)) for r in results]
            if settings.batch:
                for run in runs:
                    run.close()  # the batch drives the same bodies itself
                await run_batch(client, control, settings, results, Path(folder))
            elif during is None:
                await asyncio.gather(*runs)
            else:
                first, *_ = await asyncio.gather(during(results), *runs)
                interference = first or Interference()
        wall = time.monotonic() - started
        stats = await control.call("GET", "stats")
        await control.call("PUT", "faults", {"rate": 0.0})
        tasks = (await control.call("GET", "tasks"))["tasks"]
        async with httpx.AsyncClient(timeout=10) as plain:
            served = await _served_digests(plain, client, results, settings)
    return ChaosReport(
        settings=settings,
        results=results,
        ledger=ledger,
        faults=Counter(stats["faults"]) + interference.faults,
        served_sha256=served,
        tasks=sorted(tasks, key=lambda t: (t["created_at"], int(t["task_id"]))),
        seeded=seeded,
        wall_seconds=wall,
        internal_errors=int(stats["internal_errors"]),
        restarts=interference.restarts,
    )


async def run_batch(
    client: AsyncMaasKL, control: Control, settings: ChaosSettings, results: list[FlowResult], folder: Path
) -> None:
    """Every flow as one job of client.batch; jobs it ends with an error are re-driven as R2 says, via resume=."""
    jobs = [Job(r.kind, Flow(client, ScaledClock(1), control, settings, r)._body()) for r in results]
    resume: list[JobResult] = []
    for _ in range(MAX_REDRIVES + 1):
        done = await client.batch(jobs, resume=resume, download_to=folder, timeout=settings.wait_timeout,
                                  retry=settings.retry)  # fmt: skip
        resume = []
        for job in done:
            flow = results[job.index]
            if job.error is None and job.files:
                flow.task_id, flow.error = job.task_id, None
                flow.video_sha256 = hashlib.sha256(job.files[0].read_bytes()).hexdigest()
                resume.append(job)
                continue
            why = job.error or MaasKLError("no video")
            flow.error = f"typed {type(why).__name__}: {why}"
            flow.redrives[f"batch: {type(why).__name__}"] += 1
            if isinstance(why, CreateOutcomeUnknown) and flow.source_video is not None:
                flow.console_lookups += 1  # R1: an extension's unknown outcome is settled in the console
                found = await control.extensions_of(flow.source_video)
                if found:
                    resume.append(JobResult(job.index, job.job, task_id=str(found[0]["task_id"])))
            elif job.task_id is not None or job.external_task_id is not None:
                resume.append(JobResult(job.index, job.job, task_id=job.task_id,
                                        external_task_id=job.external_task_id))  # fmt: skip
        if all(r.error is None for r in results):
            return


async def _served_digests(
    plain: httpx.AsyncClient, client: AsyncMaasKL, results: list[FlowResult], settings: ChaosSettings
) -> dict[str, str]:
    """Fetch each finished flow's video straight from the mock, without the SDK, to compare bytes."""
    digests: dict[str, str] = {}
    for done in results:
        if done.task_id is None:
            continue
        task = await client.resource(done.kind).get(done.task_id, retry=settings.retry)
        response = await plain.get(task.videos[0].url)
        response.raise_for_status()
        digests[done.task_id] = hashlib.sha256(response.content).hexdigest()
    return digests


def main(argv: list[str] | None = None) -> int:
    """`make chaos`: run, print the figures, exit 1 if a guarantee broke."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--flows", type=int, default=500)
    parser.add_argument("--seed", type=int, default=ChaosSettings.seed)
    parser.add_argument("--fault-rate", type=float, default=ChaosSettings.fault_rate)
    parser.add_argument("--concurrency", type=int, help="the account's limit of unfinished tasks (default N/10)")
    parser.add_argument("--batch", action="store_true", help="run the flows as one client.batch (learned limit)")
    args = parser.parse_args(argv)
    settings = ChaosSettings(
        flows=args.flows, seed=args.seed, fault_rate=args.fault_rate, concurrency=args.concurrency, batch=args.batch
    )
    with MockServer(*settings.mock_args()) as mock:
        report = asyncio.run(run_chaos(mock.base_url, settings))
    print(report.render())
    try:
        report.check()
    except AssertionError:
        print("CHAOS RUN FAILED: a guarantee did not hold", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
