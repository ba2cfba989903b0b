"""`make demo`: start the mock (or, with credentials, use the real service), run the four tasks, show a table.

Exit codes: 0 every task ended as intended; 1 one did not; 2 refused to start (missing
confirmation for paid work, half-set credentials); 130 interrupted. The mock is stopped in every case.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

import httpx
from maas_kl_client import AsyncMaasKL, PollSchedule
from maas_kl_client.cli._images import image_argument
from maas_kl_client.cli._progress import TaskProgress, styled
from maas_kl_mock import MockServer, MockServerError
from rich.console import Console
from rich.markup import escape
from rich.prompt import Confirm
from rich.table import Table

from demo.flow import Flow, Outcome
from demo.frame import sunset_png

ENV_KEY, ENV_PATH = "MAAS_KL_API_KEY", "MAAS_KL_ENDPOINT_PATH"
MOCK_ENDPOINT_PATH = "default"
PAID_TASKS = 3


def build_parser() -> argparse.ArgumentParser:
    """Parse the demo's options (`make demo YES=1` passes --yes, `DEMO_ARGS=...` anything else)."""
    parser = argparse.ArgumentParser(prog="python -m demo", description=__doc__.splitlines()[0])
    parser.add_argument("--yes", action="store_true", help="create paid tasks on the real service without asking")
    parser.add_argument("--mock", action="store_true", help="use the local mock even when credentials are set")
    parser.add_argument("--out", type=Path, default=Path("out"), help="where the MP4s go (default: ./out)")
    parser.add_argument("--submitted-seconds", type=float, default=1.0, help="mock: time a task stays submitted")
    parser.add_argument("--processing-seconds", type=float, default=2.0, help="mock: time a task stays processing")
    return parser


def group_alive(pgid: int) -> bool:
    """Whether any process of the group `pgid` still exists (the mock leads its own group)."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _on_signal(signum: int, _frame: FrameType | None) -> None:
    """Turn SIGTERM and SIGHUP into an exception, so `finally` blocks stop the mock."""
    raise KeyboardInterrupt(signal.Signals(signum).name)


def confirm_paid_work(console: Console, *, yes: bool, interactive: bool) -> bool:
    """Ask before creating paid tasks; without a terminal, refuse unless --yes was given."""
    if yes:
        return True
    if not interactive:
        console.print(
            f"[red]Refusing to create {PAID_TASKS} paid tasks on the real service without confirmation.[/] "
            "Run `make demo YES=1` (or `python -m demo --yes`) to accept the cost, or "
            f"`make demo DEMO_ARGS=--mock` (or unset {ENV_KEY}) to use the local mock."
        )
        return False
    return Confirm.ask(
        f"This creates {PAID_TASKS} paid video tasks on the real MaaS_KL service. Continue?",
        console=console,
        default=False,
    )


def results_table(outcomes: Sequence[Outcome]) -> Table:
    """Build the final summary: one row per task."""
    table = Table(title="MaaS_KL demo", title_justify="left")
    for name in ("step", "kind", "task id", "status", "duration", "result"):
        wide = name == "result"
        table.add_column(
            name, no_wrap=not wide, min_width=24 if wide else None, justify="right" if name == "duration" else "left"
        )
    for o in outcomes:
        mark = "[green]✓[/]" if o.as_expected else "[red]✗[/]"
        result = ", ".join(str(path) for path in o.files) or o.error
        table.add_row(f"{mark} {o.label}", o.kind, o.task_id or "-", styled(o.status), f"{o.seconds:.1f} s", result)
    return table


async def _run_flow(console: Console, out_dir: Path, base_url: str | None, token: str | None) -> list[Outcome]:
    frame = out_dir / "frame.png"
    frame.write_bytes(sunset_png())
    image = image_argument(str(frame))  # checked like any local image, base64 without a data: prefix
    console.print(f"Input image for image to video: {frame} (640x360 PNG, {frame.stat().st_size} bytes)\n")
    # The mock is told to fail one task with `Prefer: scenario=fail`, sent by a client of its own.
    prefer_fail = httpx.AsyncClient(headers={"Prefer": "scenario=fail"})
    if base_url is None:  # the real service: credentials and base URL from the environment
        client, failing = AsyncMaasKL(), None
    else:
        fast = PollSchedule(initial=0.5, multiplier=1.0, maximum=0.5)
        client = AsyncMaasKL(api_key=token, endpoint_path=MOCK_ENDPOINT_PATH, base_url=base_url, poll=fast)
        failing = AsyncMaasKL(
            api_key=token, endpoint_path=MOCK_ENDPOINT_PATH, base_url=base_url, poll=fast, http_client=prefer_fail
        )
    try:
        with TaskProgress(console, enabled=console.is_terminal) as progress:
            return await Flow(client, failing, progress, out_dir, image).run()
    finally:
        await client.close()
        await prefer_fail.aclose()  # a client given as http_client stays the caller's to close


def main(argv: Sequence[str] | None = None) -> int:
    """Run the demo; every path out of here has stopped the mock."""
    args = build_parser().parse_args(argv)
    # Off a terminal (CI logs, pipes) rich assumes 80 columns; give the table room for its file paths.
    console = Console(highlight=False, width=None if sys.stdout.isatty() else 150)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _on_signal)
    has_key, has_path = bool(os.environ.get(ENV_KEY)), bool(os.environ.get(ENV_PATH))
    live = (has_key or has_path) and not args.mock
    if live and not (has_key and has_path):
        missing = ENV_PATH if has_key else ENV_KEY
        console.print(
            f"[red]{missing} is not set.[/] Set both {ENV_KEY} and {ENV_PATH} for the real service, "
            "or neither for the local mock."
        )
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    mock: MockServer | None = None
    try:
        if live:
            if not confirm_paid_work(console, yes=args.yes, interactive=sys.stdin.isatty()):
                return 2
            console.print(f"[bold]MaaS_KL demo[/] against the real service ({ENV_PATH} from the environment)")
            outcomes = asyncio.run(_run_flow(console, args.out, None, None))
        else:
            token = f"demo-{secrets.token_hex(8)}"
            mock = MockServer(
                "--token",
                token,
                "--submitted-seconds",
                str(args.submitted_seconds),
                "--processing-seconds",
                str(args.processing_seconds),
                die_with_parent=True,
            )
            with console.status("Starting maas-kl-mock on a free loopback port..."):
                base_url = mock.start().base_url
            console.print(
                f"[bold]MaaS_KL demo[/] against maas-kl-mock at {base_url} (pid {mock.pid}; tasks take "
                f"{args.submitted_seconds:g} s submitted + {args.processing_seconds:g} s processing)"
            )
            outcomes = asyncio.run(_run_flow(console, args.out, base_url, token))
    except MockServerError as error:
        console.print(f"[red]{escape(str(error))}[/]")
        return 1
    except KeyboardInterrupt:
        console.print("\n[yellow]Interrupted.[/]")
        return 130
    finally:
        if mock is not None:
            pid = mock.pid
            mock.stop()
            if pid is not None:
                left = "[red]some of it is still running![/]" if group_alive(pid) else "no process left behind"
                console.print(f"\nStopped maas-kl-mock (pid {pid}): {left}.")
    console.print()
    console.print(results_table(outcomes))
    good = sum(o.as_expected for o in outcomes)
    videos = sum(len(o.files) for o in outcomes)
    console.print(f"{good}/{len(outcomes)} tasks ended as intended; {videos} MP4 files in {args.out}/.")
    return 0 if good == len(outcomes) else 1
