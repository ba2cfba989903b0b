"""make bench-video: what the mock's videos cost to produce and serve, and download_video against curl.

Prints, all measured in this run on this machine:
- producing a video with the mock's muxer (`media.mp4.mp4`) against encoding the same frames with an
  encoder library (PyAV's H.264 encoder, the alternative the muxer was chosen over);
- the time to produce and serve a 10 s and the longest video over HTTP (first request: built;
  second: cached), against curl fetching a small JSON answer from the same server;
- the server's peak RSS while 50 curl downloads of 20 MB videos run at once, against its idle RSS;
- `download_video` (sync and async) on a 20 MB file against curl in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from fractions import Fraction
from functools import partial
from pathlib import Path
from typing import Any

import httpx

from bench.bench_mock import BIN, ROOT, TOKEN, free_port, wait_ready
from bench.targets import record

API = "/v1/ai/default/kling/videos"
HEADERS = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}


def median_time(action: Callable[[], object], runs: int) -> float:
    """Median wall time of `runs` calls, in seconds."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def status_kb(pid: int, field: str) -> int:
    """A /proc/PID/status memory field (VmRSS, VmHWM), in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


class Server:
    """`maas-kl-mock serve` on a free port, tasks finishing at once."""

    def __init__(self, *extra: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        command = [str(BIN / "maas-kl-mock"), "serve", "--port", str(self.port), "--log-level", "error"]
        command += ["--token", TOKEN, "--submitted-seconds", "0", "--processing-seconds", "0"]
        command += ["--concurrency", "100000", *extra]
        self.proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_ready(f"{self.base}/_mock/health", self.proc)
        self.http = httpx.Client(base_url=self.base, headers=HEADERS, timeout=60)

    def video(self, kind: str = "text2video", body: dict[str, Any] | None = None) -> dict[str, str]:
        """Create a task, let it finish, return its video (id, url, duration)."""
        created = self.http.post(f"{API}/{kind}", json=body or {"prompt": "A dog", "duration": "10"}).json()
        return self.finished(kind, created["data"]["task_id"])

    def finished(self, kind: str, task_id: str) -> dict[str, str]:
        """Poll the task until it succeeds; return its video."""
        for _ in range(100):
            data = self.http.get(f"{API}/{kind}/{task_id}").json()["data"]
            if data["task_status"] == "succeed":
                video: dict[str, str] = data["task_result"]["videos"][0]
                return video
            time.sleep(0.01)
        raise RuntimeError(f"{kind} task {task_id} did not finish")

    def longest(self) -> dict[str, str]:
        """Extend a 5 s video until the next extension would pass the 180 s cap: the longest the API makes."""
        video = self.video(body={"prompt": "A dog", "duration": "5"})
        while True:
            created = self.http.post(f"{API}/video-extend", json={"video_id": video["id"]}).json()
            if created["code"] != 0:
                return video
            video = self.finished("video-extend", created["data"]["task_id"])

    def close(self) -> None:
        self.http.close()
        self.proc.terminate()
        self.proc.wait(10)


def curl(url: str, out: str = "/dev/null") -> None:
    subprocess.run(["curl", "-sS", "-f", "-o", out, url], check=True)


def encoder_library_seconds(seconds: float) -> tuple[str, float] | None:
    """Encode the same number of 160x90 frames with PyAV's H.264 encoder; None when PyAV has none."""
    try:
        import av  # noqa: PLC0415  (a dev dependency: only this comparison needs it)
    except ImportError:
        return None
    for codec in ("libx264", "libopenh264", "h264"):
        try:
            av.codec.Codec(codec, "w")
        except Exception:
            continue
        frames = round(seconds * 30)

        def encode(codec: str = codec, frames: int = frames) -> None:
            with tempfile.TemporaryFile() as sink, av.open(sink, "w", format="mp4") as container:
                stream = container.add_stream(codec, rate=30)
                assert isinstance(stream, av.VideoStream)
                stream.width, stream.height, stream.pix_fmt = 160, 90, "yuv420p"
                stream.codec_context.time_base = Fraction(1, 30)
                picture = av.VideoFrame(160, 90, "yuv420p")
                for index in range(frames):
                    picture.pts = index
                    for packet in stream.encode(picture):
                        container.mux(packet)
                for packet in stream.encode(None):
                    container.mux(packet)

        return codec, median_time(encode, 3)
    return None


def produce(report: dict[str, Any]) -> None:
    from maas_kl_mock.media.mp4 import VideoShape, mp4  # noqa: PLC0415

    print("\n== producing one video (median of 5 runs) ==")
    print(f"{'video':<10} {'muxer ms':>9} {'bytes':>9} {'encoder':>12} {'enc ms':>9} {'enc/muxer':>10}")
    for seconds in (10.1, 180.0):
        shape = VideoShape(f"bench-{seconds}", seconds)
        muxer = median_time(partial(mp4, shape), 5)
        size = len(mp4(shape))
        encoded = encoder_library_seconds(seconds)
        enc_name, enc_time = encoded if encoded else ("-", float("nan"))
        print(
            f"{seconds:>7.1f} s {muxer * 1000:>9.1f} {size:>9} {enc_name:>12} {enc_time * 1000:>9.1f} "
            f"{enc_time / muxer:>10.1f}"
        )
        report[f"produce_{seconds:g}s"] = {"muxer_ms": muxer * 1000, "bytes": size, "encoder": enc_name,
                                           "encoder_ms": enc_time * 1000}  # fmt: skip


def serve(report: dict[str, Any]) -> None:
    server = Server()
    try:
        health = f"{server.base}/_mock/health"
        baseline = median_time(lambda: curl(health), 7)
        print("\n== produce and serve over HTTP (curl; cold = first request builds it, warm = cached) ==")
        print(f"{'video':<10} {'bytes':>9} {'cold ms':>9} {'warm ms':>9} {'health ms':>10} {'cold/health':>12}")
        makers: tuple[tuple[str, Callable[[], dict[str, str]]], ...] = (
            ("10 s", server.video),
            ("longest", server.longest),
        )
        for label, make in makers:
            colds, warms = [], []
            for _ in range(3):
                video = make()
                colds.append(median_time(partial(curl, video["url"]), 1))
                warms.append(median_time(partial(curl, video["url"]), 5))
            size = len(httpx.get(video["url"]).content)
            cold, warm = statistics.median(colds), statistics.median(warms)
            name = f"{float(video['duration']):.1f} s" if label == "longest" else label
            print(f"{name:<10} {size:>9} {cold * 1000:>9.1f} {warm * 1000:>9.1f} {baseline * 1000:>10.1f} "
                  f"{cold / baseline:>12.2f}")  # fmt: skip
            report[f"serve_{label}"] = {"duration": video["duration"], "bytes": size, "cold_ms": cold * 1000,
                                        "warm_ms": warm * 1000, "health_ms": baseline * 1000}  # fmt: skip
    finally:
        server.close()


def concurrent_rss(report: dict[str, Any], downloads: int, size_kb: int) -> None:
    server = Server("--video-size-kb", str(size_kb))
    try:
        videos = [server.video(body={"prompt": f"video {n}", "duration": "5"}) for n in range(downloads)]
        idle = status_kb(server.proc.pid, "VmRSS")
        started = time.perf_counter()
        curls = [subprocess.Popen(["curl", "-sS", "-f", "-o", "/dev/null", v["url"]]) for v in videos]
        peak = 0
        while any(c.poll() is None for c in curls):
            peak = max(peak, status_kb(server.proc.pid, "VmRSS"))
            time.sleep(0.01)
        elapsed = time.perf_counter() - started
        failed = sum(1 for c in curls if c.returncode != 0)
        hwm = status_kb(server.proc.pid, "VmHWM")
        total_mb = downloads * size_kb / 1024
        print(f"\n== {downloads} concurrent downloads of {size_kb // 1024} MB videos (curl), server memory ==")
        print(f"idle RSS {idle / 1024:.1f} MB | peak RSS sampled {peak / 1024:.1f} MB | VmHWM {hwm / 1024:.1f} MB"
              f" | peak/idle {max(peak, hwm) / idle:.2f} | {total_mb:.0f} MB in {elapsed:.2f} s"
              f" ({total_mb / elapsed:.0f} MB/s) | failed {failed}")  # fmt: skip
        report["concurrent"] = {"downloads": downloads, "size_kb": size_kb, "idle_rss_mb": idle / 1024,
                                "peak_rss_mb": peak / 1024, "vmhwm_mb": hwm / 1024, "seconds": elapsed,
                                "failed": failed}  # fmt: skip
    finally:
        server.close()


def throughput(report: dict[str, Any], size_kb: int, runs: int) -> None:
    from maas_kl_client import AsyncMaasKL, MaasKL  # noqa: PLC0415

    server = Server("--video-size-kb", str(size_kb))
    try:
        url = server.video()["url"]
        curl(url)  # build and cache it once: the comparison is of the clients
        folder = Path(tempfile.mkdtemp(prefix="bench-video-"))
        settings: dict[str, Any] = {"api_key": TOKEN, "endpoint_path": "default", "base_url": server.base}
        times: dict[str, list[float]] = {
            "curl": [],
            "httpx (sync stream)": [],
            "download_video": [],
            "httpx (async stream)": [],
            "async download_video": [],
        }

        def timed(name: str, action: Callable[[], object]) -> None:
            times[name].append(median_time(action, 1))

        async def measure() -> None:
            # One client of each kind, built once (an SSL context costs ~0.1 s): the figures are of transfers.
            with MaasKL(**settings) as client, httpx.Client() as http:
                async with AsyncMaasKL(**settings) as aclient, httpx.AsyncClient() as ahttp:
                    for _ in range(runs):  # interleaved, so load on the machine hits all alike
                        timed("curl", lambda: curl(url, str(folder / "c.mp4")))
                        timed("httpx (sync stream)", lambda: write_sync(http, url, folder / "h.mp4"))
                        timed("download_video", lambda: client.download_video(url, folder / "s.mp4", overwrite=True))
                        started = time.perf_counter()
                        await write_async(ahttp, url, folder / "ah.mp4")
                        times["httpx (async stream)"].append(time.perf_counter() - started)
                        started = time.perf_counter()
                        await aclient.download_video(url, folder / "a.mp4", overwrite=True)
                        times["async download_video"].append(time.perf_counter() - started)

        asyncio.run(measure())
        sizes = {p.name: p.stat().st_size for p in folder.iterdir()}
        shutil.rmtree(folder)
        assert set(sizes.values()) == {size_kb * 1024}, sizes
        mb = size_kb / 1024
        curl_time = statistics.median(times["curl"])
        print(f"\n== downloading one {mb:.0f} MB video (median of {runs}, interleaved) ==")
        print(f"{'client':<22} {'seconds':>8} {'MB/s':>8} {'time vs curl':>13}")
        for name, values in times.items():
            seconds = statistics.median(values)
            print(f"{name:<22} {seconds:>8.3f} {mb / seconds:>8.0f} {seconds / curl_time:>13.2f}")
            report[f"throughput_{name}"] = {"seconds": seconds, "mb_per_s": mb / seconds}
        record(
            {
                "download_sync_vs_curl": curl_time / statistics.median(times["download_video"]),
                "download_async_vs_curl": curl_time / statistics.median(times["async download_video"]),
            },
            "make bench-video",
        )
    finally:
        server.close()


def write_sync(http: httpx.Client, url: str, path: Path) -> None:
    """The plain-httpx baseline: stream the body into a file, nothing else."""
    with http.stream("GET", url) as response, path.open("wb") as out:
        for chunk in response.iter_raw():
            out.write(chunk)


async def write_async(http: httpx.AsyncClient, url: str, path: Path) -> None:
    """The plain-httpx async baseline (writes inline on the loop, as a naive client would)."""
    async with http.stream("GET", url) as response:
        with path.open("wb") as out:
            async for chunk in response.aiter_raw():
                out.write(chunk)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--downloads", type=int, default=50)
    parser.add_argument("--size-kb", type=int, default=20 * 1024)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--only-downloads", action="store_true", help="measure only download_video against curl")
    args = parser.parse_args()
    if shutil.which("curl") is None:
        print("bench-video needs curl on PATH (apt-get install curl)")
        return 1
    report: dict[str, Any] = {}
    if not args.only_downloads:
        produce(report)
        serve(report)
        concurrent_rss(report, args.downloads, args.size_kb)
    throughput(report, args.size_kb, args.runs)
    out = ROOT / "reports" / "bench-video.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
