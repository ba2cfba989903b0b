"""The four demo tasks on the async SDK: text to video, image to video, an extension, and a task meant to fail."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from maas_kl_client import APIError, AsyncMaasKL, MaasKLError, Task, TaskFailed
from maas_kl_client.cli._progress import TaskProgress, styled

TEXT_PROMPT = "A corgi running along the beach at sunset, waves rolling in"
IMAGE_PROMPT = "The sun sinks slowly and the sea shimmers"
EXTEND_PROMPT = "The corgi turns and runs back towards the camera"
FAIL_PROMPT = "A task the mock is told to fail (Prefer: scenario=fail)"
# On the real service nothing can be told to fail, so the failing step asks to extend a video that
# does not exist: the service refuses it (404 / 1203) before any paid work starts.
MISSING_VIDEO_ID = "00000000-0000-0000-0000-000000000000"


@dataclass
class Outcome:
    """What one demo task ended as, for the final table."""

    label: str
    kind: str
    expect_failure: bool = False
    task_id: str = ""
    status: str = "not started"
    seconds: float = 0.0
    files: list[Path] = field(default_factory=list)
    error: str = ""

    @property
    def as_expected(self) -> bool:
        """Succeeded with a video, or (for the failing step) failed with a typed error."""
        if self.expect_failure:
            return bool(self.error) and self.status != "succeed"
        return self.status == "succeed" and bool(self.files)


@dataclass
class Flow:
    """The demo's clients, display and output folder."""

    client: AsyncMaasKL
    failing_client: AsyncMaasKL | None  # sends `Prefer: scenario=fail`; None on the real service
    progress: TaskProgress
    out_dir: Path
    image_base64: str
    outcomes: list[Outcome] = field(default_factory=list)

    async def run(self) -> list[Outcome]:
        """Run every task: the extension waits for the text-to-video result, the rest run side by side."""
        text = self._outcome("text to video", "text2video")
        image = self._outcome("image to video", "image2video")
        extend = self._outcome("extend video", "video_extend")
        failing = self._outcome("meant to fail", "text2video" if self.failing_client else "video_extend", fail=True)

        async def text_then_extend() -> None:
            task = await self._step(
                text, lambda on_update: self.client.text2video.create_and_wait(prompt=TEXT_PROMPT, on_update=on_update)
            )
            if task is None:
                extend.status, extend.error = "skipped", "the text-to-video task produced no video to extend"
                return
            video_id = task.videos[0].id
            await self._step(
                extend,
                lambda on_update: self.client.video_extend.create_and_wait(
                    video_id=video_id, prompt=EXTEND_PROMPT, on_update=on_update
                ),
            )

        await asyncio.gather(
            text_then_extend(),
            self._step(
                image,
                lambda on_update: self.client.image2video.create_and_wait(
                    image=self.image_base64, prompt=IMAGE_PROMPT, on_update=on_update
                ),
            ),
            self._step(failing, self._failing_task),
        )
        return self.outcomes

    def _outcome(self, label: str, kind: str, *, fail: bool = False) -> Outcome:
        outcome = Outcome(label, kind, expect_failure=fail)
        self.outcomes.append(outcome)
        return outcome

    async def _failing_task(self, on_update: Callable[[Task], object]) -> Task:
        if self.failing_client is not None:
            return await self.failing_client.text2video.create_and_wait(prompt=FAIL_PROMPT, on_update=on_update)
        return await self.client.video_extend.create_and_wait(
            video_id=MISSING_VIDEO_ID, prompt=EXTEND_PROMPT, on_update=on_update
        )

    async def _step(
        self, outcome: Outcome, start: Callable[[Callable[[Task], object]], Awaitable[Task]]
    ) -> Task | None:
        """Run one task with a live row, download its videos, record the outcome; errors become table rows."""
        row = self.progress.add(outcome.label)
        started = time.monotonic()

        def on_update(task: Task) -> None:
            status = str(task.task_status)
            if status != outcome.status and not self.progress.console.is_terminal:
                self.progress.console.print(f"  {outcome.label:<15} {task.task_id}  {status}")
            outcome.task_id, outcome.status = task.task_id, status
            self.progress.update(row, task)

        try:
            task = await start(on_update)
            for n, video in enumerate(task.videos):
                suffix = f"-{n}" if n else ""
                target = self.out_dir / f"{outcome.kind}-{task.task_id}{suffix}.mp4"
                outcome.files.append(await self.client.download_video(video.url, target))
        except TaskFailed as failed:
            outcome.status, outcome.error = "failed", f"TaskFailed: {failed.task_status_msg or failed}"
            task = None
        except APIError as error:
            outcome.status, outcome.error = "refused", f"{type(error).__name__}: {error.message} (code {error.code})"
            task = None
        except MaasKLError as error:
            outcome.status, outcome.error = "error", f"{type(error).__name__}: {error}"
            task = None
        outcome.seconds = time.monotonic() - started
        mark = "[green]✓[/]" if outcome.as_expected else "[red]✗[/]"
        self.progress.finish(row, f"{mark} {styled(outcome.status)}")
        shown = ", ".join(str(path) for path in outcome.files) or outcome.error
        self.progress.console.print(
            f"{mark} {outcome.label:<15} {outcome.task_id or '-':<20} {styled(outcome.status)} "
            f"in {outcome.seconds:.1f} s: {shown}"
        )
        return task
