"""AsyncMaasKL: the asyncio client, written by hand; generator/unasync.py derives MaasKL (_sync/client.py) from it."""

from __future__ import annotations

import copy
import dataclasses
import os
from collections.abc import Callable, Generator, Iterable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import httpx

from .. import _download, _download_plan, _inflight, _logs, _plans
from .._answers import BodyReader, received, transport_error
from .._arguments import NOT_GIVEN, NotGiven, OnEvent, OnUpdate, Timeout
from .._clock import Clock
from .._config import as_timeout
from .._core import _Core
from .._errors import DownloadError, MaasKLError
from .._retry import PollSchedule, RetryPolicy
from .._spec_data import TaskKind
from .._task import Envelope, Task
from .callbacks import call
from .families import AsyncFamilies
from .resource import AsyncTaskResource

if TYPE_CHECKING:
    from .. import _batch, _journal  # the batch runner and its journal load with the first batch, not the client


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
        on_event: OnEvent | None = None,
    ) -> None:
        """Build a client; arguments left as None come from MAAS_KL_* environment variables and the spec.

        Building a client also sets up the SDK's logging (`_logs.configure`): MAAS_KL_LOG is read
        here, and httpx's logger gets the filter that masks URL query values.
        """
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
            on_event=on_event,
        )
        self._owns_http = http_client is None
        self._http = http_client if http_client is not None else httpx.AsyncClient(timeout=self.timeout)
        self._attach_families(self)

    def resource(self, kind: TaskKind | str) -> AsyncTaskResource[Task]:
        """Return a task family's resource by name, for code that picks the family at run time."""
        self._operation(kind)
        resource: AsyncTaskResource[Task] = getattr(self, kind)
        return resource

    def with_options(  # noqa: PLR0913 - the options a derived client may change
        self,
        *,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        poll: PollSchedule | None = None,
        preflight: bool | None = None,
        on_event: OnEvent | NotGiven | None = NOT_GIVEN,
    ) -> Self:
        """Return a client with other settings that shares this one's connection pool.

        Example: ``await client.with_options(timeout=120, max_retries=0).text2video.get(task_id)``.
        Closing the derived client leaves the pool open; close the original.
        """
        derived = copy.copy(self)
        derived._owns_http = False
        derived._derive(timeout=timeout, max_retries=max_retries, retry=retry, poll=poll, preflight=preflight)
        if not isinstance(on_event, NotGiven):
            derived.on_event = on_event
        derived._attach_families(derived)
        return derived

    async def _send(self, action: _plans.Send, timeout: Timeout) -> Envelope:
        limits = as_timeout(timeout, self.timeout)
        request = self._request(action, limits, self._http)
        try:
            response = await self._http.send(request, stream=True, follow_redirects=False)
            try:
                reader = BodyReader(response, limits, self._clock.monotonic)
                async for chunk in response.aiter_bytes():
                    reader.add(chunk)
            finally:
                await response.aclose()
        except httpx.TransportError as exc:
            raise transport_error(exc) from exc
        return self._parse(response, reader.content)

    async def _run(  # noqa: PLR0912 - one branch per kind of action a plan yields
        self,
        plan: Generator[Any, Any, Any],
        timeout: Timeout,
        *,
        on_plan_event: OnEvent | None = None,
        on_event: OnEvent | None = None,
        transfer: _download.Transfer | None = None,
    ) -> Any:
        """Drive a plan: send its requests (a batch's: Start, then Collect), sleep on the clock, hand on its events.

        `on_plan_event` is the method's own handler (on_update's, a batch's report); `on_event` is the
        caller's per-call `on_event`: it, the client's `on_event` and MAAS_KL_LOG's logger see every
        event, each request sent and each response received too. A download plan's Open and Stream
        actions are answered into `transfer`.
        """
        listeners = self._listeners(on_event)
        requests: _inflight.AsyncRequests | None = None  # made by a batch's first Start: a query needs none
        try:
            action = next(plan)
            while True:
                outcome: Any = None
                try:
                    if type(action) is _plans.Send:  # the common action first
                        outcome = await self._answer(action, timeout, listeners)
                    elif isinstance(action, _plans.Sleep):
                        await self._clock.asleep(action.seconds)
                    elif isinstance(action, _plans.Start):
                        if requests is None:
                            requests = _inflight.AsyncRequests(self._clock)
                        requests.start(action.ticket, self._answer(action.send, timeout, listeners))
                    elif isinstance(action, _plans.Collect):
                        if requests is None:
                            requests = _inflight.AsyncRequests(self._clock)
                        outcome = await requests.collect(action.seconds)
                    elif isinstance(action, _download_plan.Open | _download_plan.Stream) and transfer is not None:
                        outcome = await self._transfer(action, transfer, timeout)
                    else:
                        if on_plan_event is not None:
                            await call(on_plan_event, action)
                        await self._emit(listeners, action)
                except _plans.INTERRUPTS as stop:
                    action = plan.throw(stop)  # the plan reports what it had done (a batch: how to resume)
                    continue
                action = plan.send(outcome)
        except StopIteration as done:
            return done.value
        finally:
            if requests is not None:
                await requests.aclose()  # requests still in flight when a batch stops are cancelled

    async def _answer(self, action: _plans.Send, timeout: Timeout, listeners: tuple[OnEvent, ...]) -> Any:
        """Send one request of a plan; its outcome is the data or the typed error, told to the listeners."""
        if not listeners:  # no event to build, no clock to read
            try:
                return await self._send(action, timeout)
            except MaasKLError as error:
                return error
        await self._emit(listeners, _plans.RequestSent(action.method, action.path))
        started = self._clock.monotonic()
        outcome: Any
        try:
            outcome = await self._send(action, timeout)
        except MaasKLError as error:
            outcome = error
        await self._emit(listeners, received(action, outcome, self._clock.monotonic() - started))
        return outcome

    async def _emit(self, listeners: tuple[OnEvent, ...], event: object) -> None:
        for listener in listeners:
            await call(listener, event)

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
        on_event: OnEvent | None = None,
    ) -> Task:
        """Wait as ``client.<kind>.wait(task_id, ...)`` does (it runs that), for code that holds the kind as data.

        Example: ``await client.wait_for_task(job.kind, job.task_id, timeout=600, on_update=print)``.
        """
        return await self.resource(kind).wait(
            task_id,
            timeout=timeout,
            poll=poll,
            on_update=on_update,
            request_timeout=request_timeout,
            retry=retry,
            on_event=on_event,
        )

    async def batch(  # noqa: PLR0913
        self,
        jobs: Iterable[_batch.Job | tuple[str, Any] | dict[str, Any]],
        *,
        max_in_flight: int | None = None,
        on_update: Callable[[_batch.JobUpdate], object] | None = None,
        download_to: str | os.PathLike[str] | None = None,
        resume: Iterable[_batch.JobResult] | None = None,
        journal: str | os.PathLike[str] | _journal.Journal | None = None,
        skip_invalid: bool = False,
        preflight: bool | None = None,
        timeout: float | None = None,
        request_timeout: Timeout = None,
        retry: RetryPolicy | None = None,
    ) -> list[_batch.JobResult]:
        """Create and wait for many tasks, never more unfinished than `max_in_flight` (None: learn the limit).

        Every job is checked first; an invalid one raises InvalidJobs (nothing sent) unless
        `skip_invalid`, which records it as its own error. Returns one JobResult per job, in input
        order. Interrupted, it raises BatchInterrupted, whose `results` resume the batch without
        creating anything twice: ``batch(jobs, resume=err.results)``. With `journal=PATH` each job's
        recovery key, task id, status and files are on disk before they matter, and calling batch
        again with the same jobs and journal (after a crash or a kill) resumes from it.

        Example: ``results = await client.batch([("text2video", {"prompt": "A dog"})], journal="run.jsonl")``.
        """
        jobs = list(jobs)
        from .. import _journal  # noqa: PLC0415 - only a batch loads the journal (and the batch runner)

        book = journal if isinstance(journal, _journal.Journal) or journal is None else _journal.Journal(journal, jobs)
        if book is not None:
            resume = [*book.load(), *(resume or ())]
        plan = self._batch_plan(
            jobs,
            max_in_flight=max_in_flight,
            resume=resume,
            timeout=timeout,
            retry=retry,
            preflight=preflight,
            skip_invalid=skip_invalid,
            overlapping=_inflight.AsyncRequests.overlapping,
        )
        saved: dict[int, _batch.JobResult] = {}

        async def report(update: _batch.JobUpdate) -> None:
            # The journal's fsync'd writes go through in_thread: the plan waits for each (a recovery key
            # is on disk before its create starts), requests already in flight go on meanwhile.
            if book is not None:
                await _download.in_thread(book.record, update)
            result = update.result
            if download_to is not None and result is not None and result.task is not None and result.error is None:
                result = await self._save_videos(result, download_to, book, request_timeout, retry)
                saved[result.index] = result
                update = dataclasses.replace(update, result=result)
                if book is not None:
                    await _download.in_thread(book.record, update)
            if on_update is not None:
                await call(on_update, update)

        results: list[_batch.JobResult] = await self._run(plan, request_timeout, on_plan_event=report)
        return [saved.get(r.index, r) for r in results]

    async def _save_videos(
        self,
        result: _batch.JobResult,
        folder: str | os.PathLike[str],
        book: _journal.Journal | None,
        timeout: Timeout,
        retry: RetryPolicy | None,
    ) -> _batch.JobResult:
        """Download a finished job's videos (those a resumed journal already has on disk stay); errors are the job's."""
        from .. import _batch  # noqa: PLC0415 - loaded by the batch that calls this

        assert result.task is not None
        files = book.files(result.index) if book is not None else []
        try:
            for video in result.task.videos[len(files) :]:
                Path(folder).mkdir(parents=True, exist_ok=True)
                target = Path(folder) / _batch.video_file_name(video.id, video.url)
                # named by its video id: an existing file is this video, saved by a run the journal did not see end
                path = await self.download_video(video.url, target, timeout=timeout, retry=retry, overwrite=True)
                files.append(path)
                if book is not None:
                    await _download.in_thread(book.saved, result.index, path)
        except DownloadError as error:  # the job's result, not the batch's end
            return dataclasses.replace(result, files=tuple(files), error=error)
        return dataclasses.replace(result, files=tuple(files))

    async def download_video(  # noqa: PLR0913 - keyword-only options, each with a default
        self,
        url: str,
        path: str | os.PathLike[str],
        *,
        timeout: Timeout = None,
        retry: RetryPolicy | None = None,
        on_progress: _download.OnProgress | None = None,
        overwrite: bool = False,
    ) -> Path:
        """Stream a video to `path` (a file, or a folder to put it in) atomically; returns the file's Path.

        A cut transfer resumes from the bytes already received (Range + If-Range on the ETag), and
        the file appears only once its length (and ETag) check. `on_progress` gets a
        DownloadProgress after each chunk. An existing file raises DownloadTargetExists, before
        anything is fetched, unless `overwrite=True` (S18).

        Example: ``await client.download_video(task.videos[0].url, "out/", on_progress=print)``.
        """
        target = _download.destination(url, path, overwrite=overwrite)
        _logs.logger.info("download %s to %s", _logs.redact_url(url), target)
        transfer = _download.Transfer(_download.PartFile(target, overwrite=overwrite), on_progress)
        plan = _download_plan.download(url, self._context(retry))
        try:
            complete: _download_plan.Complete = await self._run(plan, timeout, transfer=transfer)
            return await _download.in_thread(transfer.part.finish, complete.size)
        except BaseException:
            transfer.part.discard()
            raise
        finally:
            if transfer.response is not None:
                await transfer.response.aclose()

    async def _transfer(
        self, action: _download_plan.Open | _download_plan.Stream, transfer: _download.Transfer, timeout: Timeout
    ) -> _download_plan.Opened | _download_plan.Streamed | DownloadError:
        """Answer a download plan's Open or Stream; an answer whose body the plan cannot stream is closed at once."""
        held, transfer.response = transfer.response, None
        if isinstance(action, _download_plan.Stream):
            if held is None:
                msg = "a download plan streamed without an open answer"
                raise RuntimeError(msg)
            try:
                return await self._stream_download(held, transfer.part, action, transfer.on_progress)
            finally:
                await held.aclose()
        if held is not None:
            await held.aclose()
        response, opened = await self._open_download(action, timeout)
        if response is not None and response.status_code in _download_plan.BODY_STATUSES:
            transfer.response = response
        elif response is not None:
            await response.aclose()
        return opened

    async def _open_download(
        self, action: _download_plan.Open, timeout: Timeout
    ) -> tuple[httpx.Response | None, _download_plan.Opened | DownloadError]:
        # No local holds the revealed key: tracebacks that print locals (rich, pytest) stay clean.
        request = self._http.build_request(
            "GET",
            action.url,
            headers={**action.headers, **_download.headers_for(action.url, self._authorized, self._bearer.reveal())},
            timeout=as_timeout(timeout, self.timeout),
        )
        try:
            response = await self._http.send(request, stream=True, follow_redirects=False)
        except httpx.TransportError as exc:
            return None, _download.transport_failure(action.url, exc)
        headers = {k.lower(): v for k, v in response.headers.items()}
        return response, _download_plan.Opened(response.status_code, headers)

    async def _stream_download(
        self,
        response: httpx.Response,
        part: _download.PartFile,
        action: _download_plan.Stream,
        on_progress: _download.OnProgress | None,
    ) -> _download_plan.Streamed:
        await _download.in_thread(part.start_at, action.offset)
        received = 0
        pending: list[bytes] = []  # chunks as they came, written together: one write per MiB, no copy
        pending_size = 0
        error: DownloadError | None = None
        shown = _download.shown(response.request.url)
        writer = _download.AsyncPartWriter(part)  # each MiB is written as it fills (see the writer)
        try:
            async for chunk in response.aiter_raw() if _download.raw_body(response) else response.aiter_bytes():
                pending.append(chunk)
                pending_size += len(chunk)
                received += len(chunk)
                if pending_size >= _download.WRITE_SIZE:
                    full, pending, pending_size = pending, [], 0
                    await writer.write(full)
                if on_progress is not None:
                    on_progress(_download.DownloadProgress(action.offset + received, action.total, shown))
        except httpx.TransportError as exc:
            error = _download.transport_failure(response.request.url, exc)
        finally:
            await writer.drain()  # every byte counted in `received` is in the file before the plan hears of it
        if pending:
            await _download.in_thread(part.write, pending)
        return _download_plan.Streamed(received, error)

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
