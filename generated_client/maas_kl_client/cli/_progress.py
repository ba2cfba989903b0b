"""Live progress for waiting tasks (rich): one row per task with a spinner, its status and the time elapsed."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from .._download import DownloadProgress
from .._task import Task
from ..models.task_status import TaskStatus

STATUS_STYLE: dict[str, str] = {
    TaskStatus.SUBMITTED: "yellow",
    TaskStatus.PROCESSING: "cyan",
    TaskStatus.SUCCEED: "green",
    TaskStatus.FAILED: "red",
}


def styled(status: str) -> str:
    """Rich markup for a task status: colour by meaning; an unknown status stays plain."""
    style = STATUS_STYLE.get(status)
    return f"[{style}]{status}[/]" if style else status


class _Live:
    """A rich Progress shown while the `with` block runs."""

    _progress: Progress

    def __enter__(self) -> Self:
        self._progress.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._progress.stop()


class TaskProgress(_Live):
    """Rows of live progress, one per task; disabled (silent) when the console is not a terminal."""

    def __init__(self, console: Console, *, enabled: bool = True, transient: bool = False) -> None:
        self.console = console
        self._progress = Progress(
            SpinnerColumn(finished_text=" "),
            TextColumn("{task.description:<12}"),
            TextColumn("{task.fields[ident]:<38}"),
            TextColumn("{task.fields[status]}"),
            TimeElapsedColumn(),
            console=console,
            transient=transient,
            disable=not enabled,
        )

    def add(self, label: str, status: str = "creating") -> TaskID:
        """Start a row for one task, before it has an id."""
        return self._progress.add_task(label, total=None, ident="", status=status)

    def update(self, row: TaskID, task: Task) -> None:
        """Show the latest status of a task (the SDK's `on_update` callback calls this after each poll)."""
        self._progress.update(row, ident=task.task_id, status=styled(str(task.task_status)))

    def note(self, row: TaskID, status: str) -> None:
        """Show a free-text status on a row (the batch's overall count)."""
        self._progress.update(row, status=status)

    def remove(self, row: TaskID) -> None:
        """Drop a row whose task has ended (a batch keeps rows only for running tasks)."""
        self._progress.remove_task(row)

    def finish(self, row: TaskID, status: str) -> None:
        """Stop the row's spinner and clock, showing the final status."""
        self._progress.update(row, status=status, total=1, completed=1)
        self._progress.stop_task(row)


class DownloadBar(_Live):
    """One progress bar per download, with bytes so far, the total, the rate and the time left; silent off a terminal.

    `download_video(..., on_progress=lambda p: bar.update(row, p))` feeds it.
    """

    def __init__(self, console: Console, *, enabled: bool = True, transient: bool = False) -> None:
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=transient,
            disable=not enabled,
        )

    def add(self, label: str) -> TaskID:
        """Start a bar for one file, before its size is known."""
        return self._progress.add_task(label, total=None)

    def update(self, row: TaskID, progress: DownloadProgress) -> None:
        """Show how many bytes are in (a resumed download starts from what it already had)."""
        self._progress.update(row, completed=progress.received, total=progress.total)
