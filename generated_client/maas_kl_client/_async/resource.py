"""AsyncTaskResource: what every task family's async resource shares; unasync derives _sync/resource.py from it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar, cast

from .._arguments import OnEvent, OnUpdate, Timeout
from .._bodies import build_body
from .._plans import TaskUpdated
from .._raw import RawResponse
from .._retry import PollSchedule, RetryPolicy
from .._spec_data import TaskKind
from .._task import Envelope, Task
from .callbacks import call

if TYPE_CHECKING:
    from .client import AsyncMaasKL

R = TypeVar("R", bound=Task | RawResponse)
"""What a resource's methods return: the Task, or (with_raw_response) the HTTP answer around it."""


def _task_updates(on_update: OnUpdate | None) -> OnEvent | None:
    """Turn a per-task callback into a plan-event handler that passes on each poll's Task."""
    if on_update is None:
        return None

    def handle(event: object) -> object:
        return on_update(event.task) if isinstance(event, TaskUpdated) else None

    return handle


class AsyncTaskResource(Generic[R]):
    """One task family's operations on an async client; the generated subclass adds the typed creates."""

    kind: ClassVar[TaskKind]
    """The family's name, as the spec tags it."""

    def __init__(self, client: AsyncMaasKL, *, raw: bool = False) -> None:
        self._client = client
        self._raw = raw

    def _result(self, outcome: Envelope | Task) -> R:
        if not self._raw:
            return cast("R", outcome if isinstance(outcome, Task) else Task(outcome))
        data = outcome.envelope if isinstance(outcome, Task) else outcome
        return cast("R", RawResponse(data))

    async def _create_task(  # noqa: PLR0913
        self,
        body: Any,
        fields: Mapping[str, Any],
        *,
        preflight: bool | None,
        timeout: Timeout,
        retry: RetryPolicy | None,
        on_event: OnEvent | None,
    ) -> Task:
        c = self._client
        plan = c._create_plan(self.kind, build_body(body, fields), preflight=preflight, retry=retry)
        task: Task = await c._run(plan, timeout, on_event=on_event)
        return task

    async def _create(  # noqa: PLR0913
        self,
        body: Any,
        fields: Mapping[str, Any],
        *,
        preflight: bool | None,
        timeout: Timeout,
        retry: RetryPolicy | None,
        on_event: OnEvent | None,
    ) -> R:
        task = await self._create_task(
            body, fields, preflight=preflight, timeout=timeout, retry=retry, on_event=on_event
        )
        return self._result(task)

    async def create_from(
        self,
        body: Any,
        /,
        *,
        preflight: bool | None = None,
        timeout: Timeout = None,
        retry: RetryPolicy | None = None,
        on_event: OnEvent | None = None,
    ) -> R:
        """Create a task from a request model or mapping, for code that picks the family at run time.

        Example: ``await client.resource("text2video").create_from({"prompt": "A dog"})``.
        """
        return await self._create(body, {}, preflight=preflight, timeout=timeout, retry=retry, on_event=on_event)

    async def get(
        self,
        task_id: str,
        *,
        timeout: Timeout = None,
        retry: RetryPolicy | None = None,
        on_event: OnEvent | None = None,
    ) -> R:
        """Fetch a task by its task_id or, when the family has one, its external_task_id."""
        c = self._client
        data: Envelope = await c._run(c._get_plan(self.kind, task_id, retry), timeout, on_event=on_event)
        return cast("R", Task(data)) if not self._raw else self._result(data)

    async def wait(  # noqa: PLR0913
        self,
        task_id: str,
        *,
        timeout: float | None = None,
        poll: PollSchedule | None = None,
        on_update: OnUpdate | None = None,
        request_timeout: Timeout = None,
        retry: RetryPolicy | None = None,
        on_event: OnEvent | None = None,
    ) -> R:
        """Poll a task until it succeeds; TaskFailed if it fails, TaskTimeout after `timeout` seconds (default 900).

        Example: ``await client.text2video.wait(task.task_id, timeout=600, on_update=print)``.
        """
        c = self._client
        plan = c._wait_plan(self.kind, task_id, timeout=timeout, poll=poll, retry=retry)
        task: Task = await c._run(plan, request_timeout, on_plan_event=_task_updates(on_update), on_event=on_event)
        return self._result(task)

    async def _create_and_wait(  # noqa: PLR0913
        self,
        body: Any,
        fields: Mapping[str, Any],
        *,
        timeout: float | None,
        poll: PollSchedule | None,
        on_update: OnUpdate | None,
        preflight: bool | None,
        request_timeout: Timeout,
        retry: RetryPolicy | None,
        on_event: OnEvent | None,
    ) -> R:
        task = await self._create_task(
            body, fields, preflight=preflight, timeout=request_timeout, retry=retry, on_event=on_event
        )
        if on_update is not None:
            await call(on_update, task)
        return await self.wait(
            task.task_id,
            timeout=timeout,
            poll=poll,
            on_update=on_update,
            request_timeout=request_timeout,
            retry=retry,
            on_event=on_event,
        )

    async def create_and_wait_from(  # noqa: PLR0913
        self,
        body: Any,
        /,
        *,
        timeout: float | None = None,
        poll: PollSchedule | None = None,
        on_update: OnUpdate | None = None,
        preflight: bool | None = None,
        request_timeout: Timeout = None,
        retry: RetryPolicy | None = None,
        on_event: OnEvent | None = None,
    ) -> R:
        """create_from, then wait until the task succeeds; `timeout` bounds the wait in seconds."""
        return await self._create_and_wait(
            body,
            {},
            timeout=timeout,
            poll=poll,
            on_update=on_update,
            preflight=preflight,
            request_timeout=request_timeout,
            retry=retry,
            on_event=on_event,
        )

    def __repr__(self) -> str:
        return f"<{type(self).__name__} kind={self.kind!r}{' raw' if self._raw else ''}>"
