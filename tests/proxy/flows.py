"""SDK flows of all three families, and what the SDK saw of them, for recording and comparing replays.

`python -m tests.proxy.flows DIR` re-records the committed example cassette through a proxy in
front of a fault-free `maas-kl-mock serve`.
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from maas_kl_client import MaasKL, PollSchedule, RetryPolicy
from maas_kl_mock import MockServer

KEY = "sk-record-test-key-0123456789abcdef"
POLL = PollSchedule(initial=0.2, multiplier=1.5, maximum=0.6)
RETRY = RetryPolicy(max_attempts=10, initial_delay=0.05, max_delay=0.2, deadline=60.0)
LIFECYCLE = ("--submitted-seconds", "0.3", "--processing-seconds", "0.5")


@dataclass(frozen=True, slots=True)
class Seen:
    """What the SDK saw of one flow: the task, its status sequence and the video bytes it downloaded."""

    task_id: str
    statuses: tuple[str, ...]
    video_ids: tuple[str, ...]
    durations: tuple[str, ...]
    video_sha256: str


def client(base_url: str, endpoint_path: str, **kwargs: Any) -> MaasKL:
    """An SDK client with short polls and quick retries, deterministic jitter."""
    return MaasKL(
        api_key=KEY,
        endpoint_path=endpoint_path,
        base_url=base_url,
        poll=POLL,
        retry=RETRY,
        random=lambda: 0.5,
        **kwargs,
    )


def _flow(sdk: MaasKL, family: str, out: Path, **arguments: Any) -> Seen:
    statuses: list[str] = []

    def seen(task: Any) -> None:
        status = str(task.task_status)
        if not statuses or statuses[-1] != status:
            statuses.append(status)

    task = getattr(sdk, family).create_and_wait(**arguments, on_update=seen, timeout=120)
    videos = task.videos
    path = sdk.download_video(videos[0].url, out / family)
    return Seen(
        task_id=str(task.task_id),
        statuses=tuple(statuses),
        video_ids=tuple(v.id for v in videos),
        durations=tuple(v.duration for v in videos),
        video_sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
    )


def run_flows(sdk: MaasKL, out: Path, between: Any = None) -> dict[str, Seen]:
    """Text to video, image to video, then an extension of the first video; `between()` runs before the extension."""
    out.mkdir(parents=True, exist_ok=True)
    seen = {
        "text2video": _flow(sdk, "text2video", out, prompt="A dog running on the grass"),
        "image2video": _flow(sdk, "image2video", out, image="https://example.com/frame.png", prompt="It moves"),
    }
    if between is not None:
        between()
    seen["video_extend"] = _flow(sdk, "video_extend", out, video_id=seen["text2video"].video_ids[0])
    return seen


def record(directory: Path, *upstream_flags: str) -> dict[str, Seen]:
    """Record the three flows through `maas-kl-mock proxy --record` in front of a fresh `serve`."""
    with (
        MockServer("--token", KEY, *LIFECYCLE, *upstream_flags) as upstream,
        MockServer("--upstream", upstream.base_url, "--record", str(directory), command="proxy") as proxy,
        client(proxy.base_url, upstream.endpoint_path) as sdk,
        tempfile.TemporaryDirectory() as out,
    ):
        return run_flows(sdk, Path(out))


if __name__ == "__main__":
    print(record(Path(sys.argv[1])))
