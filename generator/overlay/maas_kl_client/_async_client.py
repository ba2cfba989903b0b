"""AsyncMaasKL: the asyncio client; generator/unasync.py derives MaasKL (_client.py) from this file."""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import httpx

from . import _download, _logs, _plans
from ._async_resource import AsyncTaskResource
from ._async_resources import AsyncFamilies
from ._clock import Clock
from ._config import as_timeout
from ._core import NOT_GIVEN, BodyReader, NotGiven, OnUpdate, Timeout, _Core, _transport_error
from ._errors import DownloadError, MaasKLError
from ._retry import PollSchedule, RetryPolicy
from ._spec_data import TaskKind
from ._task import Envelope, Task


class AsyncMaasKL(AsyncFamilies, _Core):
    """Asynchronous MaaS_KL client: one attribute per task family (`client.text2video`, ...), from the spec.

    Example::

        async with AsyncMaasKL(api_key="...", endpoint_path="XXX") as client:
            task = await client.text2video.create_and_wait(prompt="A dog running on the grass")
            await client.download_video(task.videos[0].url, "out/")
    """

    def __init__(  # noqa: PLR0913 - the documented configuration surface
        self,
        api_key: str | None = None,
        endpoint_path: str | None = None,
        base_url: str | None = None,
        *,
        timeout: Timeout = None,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        poll: PollSchedule | None = None,
        http_client: httpx.AsyncClient | None = None,
        preflight: bool = True,
        allow_insecure_http: bool = False,
        clock: Clock | None = None,
        random: Callable[[], float] | None = None,
        external_id_factory: Callable[[], str] | None = None,
    ) -> None:
        """Build a client; arguments left as None come from MAAS_KL_* environment variables and the spec."""
        super().__init__(
            api_key,
            endpoint_path,
            base_url,
            timeout=timeout,
            max_retries=max_retries,
            retry=retry,
            poll=poll,
            preflight=preflight,
            allow_insecure_http=allow_insecure_http,
            clock=clock,
            random=random,
            external_id_factory=external_id_factory,
        )
        self._owns_http = http_client is None
        self._http = http_client if http_client is not None else httpx.AsyncClient(timeout=self.timeout)
        self._attach_families(self)

    def resource(self, kind: TaskKind | str) -> AsyncTaskResource[Task]:
        """Return a task family's resource by name, for code that picks the family at run time."""
        self._operation(kind)
        resource: AsyncTaskResource[Task] = getattr(self, kind)
        return resource

    def with_options(
        self,
        *,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        poll: PollSchedule | None = None,
        preflight: bool | None = None,
    ) -> Self:
        """Return a client with other settings that shares this one's connection pool.

        Example: ``await client.with_options(timeout=120, max_retries=0).text2video.get(task_id)``.
        Closing the derived client leaves the pool open; close the original.
        """
        derived = copy.copy(self)
        derived._owns_http = False
        derived._derive(timeout=timeout, max_retries=max_retries, retry=retry, poll=poll, preflight=preflight)
        derived._attach_families(derived)
        return derived

    async def _send(self, action: _plans.Send, timeout: Timeout) -> Envelope:
        request = self._request(action, timeout, self._http)
        try:
            response = await self._http.send(request, stream=True, follow_redirects=False)
            try:
                reader = BodyReader(response, as_timeout(timeout, self.timeout))
                async for chunk in response.aiter_bytes():
                    reader.add(chunk)
            finally:
                await response.aclose()
        except httpx.TransportError as exc:
            raise _transport_error(exc) from exc
        return self._parse(response, reader.content)

    async def _run(self, plan: _plans.Plan, timeout: Timeout) -> Any:
        try:
            action = next(plan)
            while True:
                outcome: Any
                if isinstance(action, _plans.Sleep):
                    await self._clock.asleep(action.seconds)
                    outcome = None
                else:
                    try:
                        outcome = await self._send(action, timeout)
                    except MaasKLError as error:
                        outcome = error
                action = plan.send(outcome)
        except StopIteration as done:
            return done.value

    async def wait_for_task(  # noqa: PLR0913
        self,
        kind: TaskKind | str,
        task_id: str,
        *,
        timeout: float | None = None,
        poll: PollSchedule | None = None,
        on_update: OnUpdate | None = None,
        request_timeout: Timeout = None,
        retry: RetryPolicy | None = None,
    ) -> Task:
        """Poll a task until it succeeds; TaskFailed if it fails, TaskTimeout after `timeout` seconds (default 900).

        Example: ``await client.wait_for_task("text2video", task.task_id, timeout=600, on_update=print)``.
        """
        self._operation(kind)
        plan = self._wait_plan(kind, task_id, timeout=timeout, poll=poll, on_update=on_update, retry=retry)
        result: Task = await self._run(plan, request_timeout)
        return result

    async def download_video(
        self, url: str, path: str | os.PathLike[str], *, timeout: Timeout = None, retry: RetryPolicy | None = None
    ) -> Path:
        """Stream a video to `path` (a file, or a folder to put it in) atomically; returns the file's Path.

        Example: ``await client.download_video(task.videos[0].url, "out/")``.
        """
        target = _download.destination(url, path)
        _logs.logger.info("download %s to %s", _logs.redact_url(url), target)
        policy = retry or self.retry
        started = self._clock.monotonic()
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self._download_once(httpx.URL(url), target, timeout)
            except DownloadError as error:
                wait = None
                if error.retryable:
                    wait = policy.delay(
                        attempt=attempt,
                        retry_after=None,
                        elapsed=self._clock.monotonic() - started,
                        random=self._random,
                    )
                if wait is None:
                    raise
                await self._clock.asleep(wait)

    async def _download_once(self, current: httpx.URL, target: Path, timeout: Timeout) -> Path:
        for _ in range(_download.MAX_REDIRECTS + 1):
            # No local holds the revealed key: tracebacks that print locals (rich, pytest) stay clean.
            request = self._http.build_request(
                "GET",
                current,
                headers=_download.headers_for(current, self._authorized, self._bearer.reveal()),
                timeout=as_timeout(timeout, self.timeout),
            )
            try:
                response = await self._http.send(request, stream=True, follow_redirects=False)
            except httpx.TransportError as exc:
                raise _download.transport_failure(current, exc) from exc
            try:
                if response.is_redirect:
                    current = _download.redirect_target(response)
                    continue
                expected, raw = _download.check_status(response)
                tmp, handle = _download.open_temporary(target)
                try:
                    received = 0
                    # File writes are local and short, so they run inline: no thread hop per chunk.
                    raw_ok = raw and not response.is_stream_consumed  # in-process transports hand over a read body
                    async for chunk in response.aiter_raw() if raw_ok else response.aiter_bytes():
                        handle.write(chunk)
                        received += len(chunk)
                    _download.check_length(current, expected, received)
                    return _download.finish(tmp, handle, target)
                except BaseException:
                    _download.discard(tmp, handle)
                    raise
            except httpx.TransportError as exc:
                raise _download.transport_failure(current, exc) from exc
            finally:
                await response.aclose()
        raise _download.too_many_redirects(current)

    async def aclose(self) -> None:
        """Close the connection pool, unless the caller passed their own http_client (or this is with_options')."""
        if self._owns_http:
            await self._http.aclose()

    close = aclose  # unasync: drop

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
