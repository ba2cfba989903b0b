"""AsyncMaasKL: the asyncio client; generator/unasync.py derives MaasKL (_client.py) from this file."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import httpx

from . import _download, _plans
from ._clock import Clock
from ._config import as_timeout
from ._core import BodyReader, OnUpdate, TaskKind, Timeout, _Core, _transport_error, build_body
from ._errors import DownloadError, MaasKLError
from ._retry import PollSchedule, RetryPolicy
from .models.task import Task


class AsyncTaskResource:
    """One task kind's operations (create, get, wait, create_and_wait) on an async client."""

    def __init__(self, client: AsyncMaasKL, kind: TaskKind) -> None:
        self._client = client
        self.kind: TaskKind = kind

    async def create(
        self,
        body: Any = None,
        /,
        *,
        preflight: bool | None = None,
        timeout: Timeout = None,
        retry: RetryPolicy | None = None,
        **fields: Any,
    ) -> Task:
        """Create a task exactly once; `body` is a request model or mapping, `fields` add or override.

        Example: ``await client.text2video.create(prompt="A dog running on the grass", duration="5")``.
        """
        c = self._client
        plan = c._create_plan(self.kind, build_body(body, fields), preflight=preflight, retry=retry)
        return Task.from_dict(await c._run(plan, timeout))

    async def get(self, task_id: str, *, timeout: Timeout = None, retry: RetryPolicy | None = None) -> Task:
        """Fetch a task by its task_id or, for text and image to video, its external_task_id."""
        c = self._client
        return Task.from_dict(await c._run(c._get_plan(self.kind, task_id, retry), timeout))

    async def wait(  # noqa: PLR0913
        self,
        task_id: str,
        *,
        timeout: float | None = None,
        poll: PollSchedule | None = None,
        on_update: OnUpdate | None = None,
        request_timeout: Timeout = None,
        retry: RetryPolicy | None = None,
    ) -> Task:
        """Wait until the task succeeds (TaskFailed if it fails, TaskTimeout after `timeout` seconds)."""
        return await self._client.wait_for_task(
            self.kind,
            task_id,
            timeout=timeout,
            poll=poll,
            on_update=on_update,
            request_timeout=request_timeout,
            retry=retry,
        )

    async def create_and_wait(  # noqa: PLR0913
        self,
        body: Any = None,
        /,
        *,
        timeout: float | None = None,
        poll: PollSchedule | None = None,
        on_update: OnUpdate | None = None,
        preflight: bool | None = None,
        request_timeout: Timeout = None,
        retry: RetryPolicy | None = None,
        **fields: Any,
    ) -> Task:
        """Create a task and wait for it to succeed; `timeout` bounds the wait in seconds.

        Example: ``await client.text2video.create_and_wait(prompt="A dog", timeout=600, on_update=print)``.
        """
        task = await self.create(body, preflight=preflight, timeout=request_timeout, retry=retry, **fields)
        if on_update is not None:
            on_update(task)
        return await self.wait(
            task.task_id,
            timeout=timeout,
            poll=poll,
            on_update=on_update,
            request_timeout=request_timeout,
            retry=retry,
        )


class AsyncMaasKL(_Core):
    """Asynchronous MaaS_KL client.

    Example::

        async with AsyncMaasKL(api_key="...", endpoint_path="XXX") as client:
            task = await client.text2video.create_and_wait(prompt="A dog running on the grass")
            await client.download_video(task_videos(task)[0].url, "out/")
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
        self.text2video = AsyncTaskResource(self, "text2video")
        self.image2video = AsyncTaskResource(self, "image2video")
        self.video_extend = AsyncTaskResource(self, "video_extend")

    def resource(self, kind: TaskKind) -> AsyncTaskResource:
        """Return the resource for a task kind given as a string."""
        self._operation(kind)
        resource: AsyncTaskResource = getattr(self, kind)
        return resource

    async def _send(self, action: _plans.Send, timeout: Timeout) -> dict[str, Any]:
        request = self._request(action, timeout, self._http)
        try:
            response = await self._http.send(request, stream=True, follow_redirects=False)
            try:
                reader = BodyReader(response, as_timeout(timeout, self.timeout), self._clock.monotonic)
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
        kind: TaskKind,
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
        plan = self._wait_plan(kind, task_id, timeout=timeout, poll=poll, on_update=on_update, retry=retry)
        result: Task = await self._run(plan, request_timeout)
        return result

    async def download_video(
        self, url: str, path: str | os.PathLike[str], *, timeout: Timeout = None, retry: RetryPolicy | None = None
    ) -> Path:
        """Stream a video to `path` (a file, or a folder to put it in) atomically; returns the file's Path.

        Example: ``await client.download_video(task_videos(task)[0].url, "out/")``.
        """
        target = _download.destination(url, path)
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

    async def close(self) -> None:
        """Close the connection pool, unless the caller passed their own http_client."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
