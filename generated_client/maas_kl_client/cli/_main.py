"""The commands of `maas-kl`: argument parsing, one function per command, human or JSON output, exit codes.

Exit codes: 0 done; 1 the service, the task or the network failed; 2 the command or its input is
wrong (nothing was sent); 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path, PurePosixPath
from typing import Any, TextIO
from urllib.parse import urlsplit

import httpx
from rich.console import Console

from .. import __version__
from .._clock import Clock
from .._config import DEFAULT_WAIT_TIMEOUT, ENV_API_KEY, ENV_BASE_URL, ENV_ENDPOINT_PATH
from .._envelope import CODES
from .._errors import (
    APIError,
    ConfigurationError,
    MaasKLError,
    NotFoundError,
    PreflightError,
    TaskFailed,
)
from .._spec_data import OPERATIONS, REQUEST_FIELDS
from .._sync.client import MaasKL
from .._task import Task
from ..models.aspect_ratio import AspectRatio
from ..models.camera_control_type import CameraControlType
from ..models.duration import Duration
from ..models.mode import Mode
from ..models.model_name import ModelName
from . import _batch_cmd
from ._images import ImageError, image_argument
from ._progress import DownloadBar, TaskProgress, styled

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
CAMERA_AXES = ("horizontal", "vertical", "pan", "tilt", "roll", "zoom")
KIND_ALIASES: dict[str, str] = {**{kind: kind for kind in OPERATIONS}, "extend": "video_extend"}
# The hand-tuned commands (local image checks, --camera, a positional prompt) and the families they serve;
# every other family in the spec gets a command named after it, with an option per scalar request field.
TUNED: dict[str, str] = {"text2video": "text2video", "image2video": "image2video", "video_extend": "extend"}
SCALAR_TYPES: dict[str, Callable[[str], Any]] = {"string": str, "number": float, "integer": int}


class UsageError(ValueError):
    """An argument the parser accepted but the command cannot use; nothing was sent."""


def _values(enum: Any) -> str:
    return ", ".join(member.value for member in enum)


def _common() -> argparse.ArgumentParser:
    """Options every command takes, before or after the command name (SUPPRESS lets both places work)."""
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("connection and output")
    keep = argparse.SUPPRESS
    group.add_argument(
        "--base-url", default=keep, help=f"service origin, e.g. a mock's http://127.0.0.1:4010 ({ENV_BASE_URL})"
    )
    group.add_argument(
        "--endpoint-path", default=keep, help=f"the account path, the XXX in /v1/ai/XXX/kling ({ENV_ENDPOINT_PATH})"
    )
    group.add_argument("--api-key", default=keep, help=f"API key; prefer the environment variable {ENV_API_KEY}")
    group.add_argument(
        "--allow-insecure-http",
        action="store_true",
        default=keep,
        help="send the key over plain http to a non-loopback --base-url (only on a network you trust)",
    )
    group.add_argument("--json", action="store_true", default=keep, help="print one JSON document on stdout")
    return common


# The SDK's messages name its arguments; the CLI user holds flags, so the CLI says those instead.
SDK_WORDS_TO_FLAGS = (
    ("Pass preflight=False to send it anyway", "Pass --no-preflight to send it anyway"),
    ("pass api_key=...", "pass --api-key"),
    ("pass endpoint_path=...", "pass --endpoint-path"),
    ("pass allow_insecure_http=True", "pass --allow-insecure-http"),
    ("base_url must be", "--base-url must be"),
)


def in_cli_words(message: str) -> str:
    """Return an SDK message with its argument names replaced by the CLI flags that set them."""
    for sdk_words, flag_words in SDK_WORDS_TO_FLAGS:
        message = message.replace(sdk_words, flag_words)
    return message


def _task_options(parser: argparse.ArgumentParser, *, generation: bool) -> None:
    """Options of the commands that create a task."""
    if generation:
        parser.add_argument("--model", dest="model_name", help=f"model_name: {_values(ModelName)} (default kling-v1)")
        parser.add_argument("--mode", help=f"{_values(Mode)} (default std)")
        parser.add_argument("--duration", help=f"seconds: {_values(Duration)} (default 5)")
        parser.add_argument("--cfg-scale", type=float, help="prompt adherence, 0..1 (default 0.5)")
        parser.add_argument(
            "--camera",
            metavar="TYPE[:AXIS=VALUE]",
            help=f"camera_control: {_values(CameraControlType)}; simple takes one movement, "
            f"e.g. simple:zoom=5 (axes: {', '.join(CAMERA_AXES)}, -10..10)",
        )
        parser.add_argument("--external-task-id", help="your own recovery key (the SDK makes one otherwise)")
        parser.add_argument("--negative-prompt", help="what the video should not show")
    parser.add_argument("--wait", action="store_true", help="wait until the task ends, with live progress on stderr")
    parser.add_argument("--output", "-o", help="download the video to a file, or folder (trailing /); implies --wait")
    parser.add_argument(
        "--wait-timeout", type=float, default=DEFAULT_WAIT_TIMEOUT, help="seconds to wait (default %(default)g)"
    )
    parser.add_argument("--no-preflight", action="store_true", help="send without checking the documented rules")


def _family_options(parser: argparse.ArgumentParser, family: str) -> None:
    """`--body` and an option per scalar request field of `family` that the command does not have yet."""
    taken = {action.dest for action in parser._actions}
    group = parser.add_argument_group(f"{family} request fields (from the spec)")
    group.add_argument(
        "--body",
        metavar="FILE|-",
        help="the request as a JSON object, from a file or - for stdin; options given as well override its fields",
    )
    for field in REQUEST_FIELDS[family]:
        name = field["name"]
        if name in taken:
            continue
        help_text = field["help"] or name
        if field["enum"]:
            help_text += f" ({', '.join(str(v) for v in field['enum'])})"
        if field["required"]:
            help_text += " [required unless --body has it]"
        if field["type"] == "boolean":
            group.add_argument(f"--{name.replace('_', '-')}", dest=name, choices=["true", "false"], help=help_text)
        else:
            option = f"--{name.replace('_', '-')}"
            group.add_argument(option, dest=name, type=SCALAR_TYPES[field["type"]], help=help_text.replace("%", "%%"))
    parser.set_defaults(family=family, field_names=[field["name"] for field in REQUEST_FIELDS[family]])


def _read_body(source: str) -> dict[str, Any]:
    """Read the --body JSON object from a file or stdin."""
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as error:
        msg = f"--body {source}: cannot read it ({error.strerror or error})."
        raise UsageError(msg) from None
    try:
        body = json.loads(text)
    except ValueError as error:
        msg = f"--body {source}: not valid JSON ({error})."
        raise UsageError(msg) from None
    if not isinstance(body, dict):
        msg = f"--body {source}: the request must be a JSON object, not {type(body).__name__}."
        raise UsageError(msg)
    return body


def build_parser() -> argparse.ArgumentParser:
    """Build the whole command line."""
    common = _common()
    parser = argparse.ArgumentParser(
        prog="maas-kl",
        parents=[common],
        description="Create, watch and download MaaS_KL (Kling) video-generation tasks.",
        epilog=f"Environment: {ENV_API_KEY}, {ENV_ENDPOINT_PATH}, {ENV_BASE_URL}. "
        "Exit codes: 0 done, 1 the service or the task failed, 2 wrong command or input, 130 interrupted.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    families: dict[str, argparse.ArgumentParser] = {}

    t2v = sub.add_parser("text2video", parents=[common], help="create a video from a prompt")
    families["text2video"] = t2v
    t2v.add_argument("prompt", nargs="?", help="what the video shows (at most 2500 characters; or in --body)")
    t2v.add_argument("--aspect-ratio", help=f"{_values(AspectRatio)} (default 16:9)")
    _task_options(t2v, generation=True)

    i2v = sub.add_parser("image2video", parents=[common], help="animate an image (a local jpg/png or a URL)")
    i2v.add_argument("prompt", nargs="?", help="what should happen (optional)")
    i2v.add_argument(
        "--image", metavar="PATH_OR_URL", help="first frame: a local jpg/png (checked, sent as base64) or a URL"
    )
    i2v.add_argument("--image-tail", metavar="PATH_OR_URL", help="last frame, same forms as --image")
    i2v.add_argument("--static-mask", metavar="PATH_OR_URL", help="motion brush: the area that stays still")
    _task_options(i2v, generation=True)
    families["image2video"] = i2v

    ext = sub.add_parser(
        "extend", aliases=["video-extend"], parents=[common], help="extend a generated video by about 5 s"
    )
    families["video_extend"] = ext
    ext.add_argument("video_id", nargs="?", help="the id of a video a succeeded task produced (or in --body)")
    ext.add_argument("--prompt", help="what happens next (optional)")
    _task_options(ext, generation=False)

    for family in OPERATIONS:
        if family not in families:
            command = family.replace("_", "-")
            families[family] = sub.add_parser(command, parents=[common], help=f"create a {family} task")
            _task_options(families[family], generation=False)
    for family, family_parser in families.items():
        _family_options(family_parser, family)

    status = sub.add_parser("status", parents=[common], help="show a task (and optionally wait for it)")
    status.add_argument("task_id", help="a task_id, or an external_task_id for text2video and image2video")
    status.add_argument(
        "--kind",
        choices=sorted(KIND_ALIASES),
        help=f"the task's kind; left out, each kind is queried in turn ({', '.join(OPERATIONS)})",
    )
    status.add_argument("--wait", action="store_true", help="wait until the task ends")
    status.add_argument("--output", "-o", help="download its video to a file, or folder (trailing /); implies --wait")
    status.add_argument("--wait-timeout", type=float, default=DEFAULT_WAIT_TIMEOUT, help="seconds to wait")

    batch = sub.add_parser("batch", parents=[common], help="run a JSONL file of jobs, a few at a time")
    batch.add_argument(
        "jobs", type=Path, metavar="JOBS.jsonl", help='one JSON object per line: request fields + "family"'
    )
    batch.add_argument("--max-in-flight", type=int, help="most unfinished tasks at once (default: learn the limit)")
    batch.add_argument(
        "--output", "-o", type=Path, default=Path("batch-out"), help="folder for videos and results.jsonl"
    )
    batch.add_argument("--resume", type=Path, metavar="RESULTS.jsonl", help="finish an interrupted run: no job twice")

    download = sub.add_parser("download", parents=[common], help="download a video URL to a file")
    download.add_argument("url", metavar="VIDEO_URL", help="a video URL from a succeeded task")
    download.add_argument("--output", "-o", default=".", help="file, or folder (a trailing / says so; default: here)")
    return parser


def camera_control(value: str) -> dict[str, Any]:
    """Parse --camera TYPE[:AXIS=VALUE] into the API's camera_control object."""
    kind, _, movement = value.partition(":")
    if kind not in {member.value for member in CameraControlType}:
        msg = f"--camera {value}: the type must be one of {_values(CameraControlType)}."
        raise UsageError(msg)
    if not movement:
        return {"type": kind}
    axis, _, amount = movement.partition("=")
    if axis not in CAMERA_AXES:
        msg = f"--camera {value}: the movement must be AXIS=VALUE with AXIS one of {', '.join(CAMERA_AXES)}."
        raise UsageError(msg)
    try:
        number = float(amount)
    except ValueError:
        msg = f"--camera {value}: {amount!r} is not a number; use e.g. {kind}:{axis}=5."
        raise UsageError(msg) from None
    config = dict.fromkeys(CAMERA_AXES, 0.0)
    config[axis] = number
    return {"type": kind, "config": config}


def _fields(args: argparse.Namespace, names: Sequence[str]) -> dict[str, Any]:
    return {name: getattr(args, name) for name in names if getattr(args, name, None) is not None}


def request_body(args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    """Return the family and JSON body a create command sends; local images are checked and base64-encoded here."""
    kind: str = args.family
    body = _read_body(args.body) if args.body is not None else {}
    fields = _fields(args, args.field_names)
    body.update({name: value == "true" if value in {"true", "false"} else value for name, value in fields.items()})
    if args.command == "image2video":
        if body.get("image") is None and body.get("image_tail") is None:
            msg = "image2video needs --image or --image-tail (a local jpg/png or a URL)."
            raise UsageError(msg)
        for field in ("image", "image_tail", "static_mask"):
            value = getattr(args, field)
            if value is not None:
                body[field] = image_argument(value)
    if getattr(args, "camera", None):
        body["camera_control"] = camera_control(args.camera)
    return kind, body


class Output:
    """Where results go: readable lines, or one JSON document, on stdout; progress and errors on stderr."""

    def __init__(self, as_json: bool, stdout: TextIO, stderr: TextIO) -> None:
        self.as_json = as_json
        self.stdout = stdout
        self.err = Console(file=stderr, highlight=False, soft_wrap=True)
        self.out = Console(file=stdout, highlight=False, soft_wrap=True)

    def progress(self) -> TaskProgress:
        """Live progress on stderr, shown only on a terminal and never in --json mode."""
        return TaskProgress(self.err, enabled=self.err.is_terminal and not self.as_json, transient=True)

    def download_bar(self) -> DownloadBar:
        """Return a download's progress bar (bytes, rate) on stderr: only on a terminal, never with --json."""
        return DownloadBar(self.err, enabled=self.err.is_terminal and not self.as_json)

    def download(self, client: MaasKL, url: str, target: str | Path) -> Path:
        """Download one video with a progress bar."""
        with self.download_bar() as bar:
            row = bar.add(PurePosixPath(urlsplit(url).path).name or "video")
            return client.download_video(url, target, on_progress=lambda p: bar.update(row, p))

    def document(self, data: dict[str, Any]) -> None:
        """Print the one JSON document of --json mode."""
        self.stdout.write(json.dumps(data, indent=2, sort_keys=True) + "\n")

    def task(self, kind: str, task: Task, files: Sequence[Path] = ()) -> None:
        """Show a task: as JSON, or a few readable lines."""
        if self.as_json:
            self.document({"kind": kind, "task": task.to_dict(), "files": [str(f) for f in files]})
            return
        status = str(task.task_status)
        self.out.print(f"{kind} task [bold]{task.task_id}[/]: {styled(status)}")
        if task.status_message:
            self.out.print(f"  reason: {task.status_message}")
        for video in task.videos:
            self.out.print(f"  video {video.id} ({video.duration} s): {video.url}")
        for path in files:
            self.out.print(f"  saved {path}")

    def error(self, error: BaseException) -> None:
        """Show a failure as its type and message, never a traceback."""
        name, message = type(error).__name__, in_cli_words(str(error))
        self.err.print(f"[red]maas-kl: error:[/] {name}: {message}", markup=True, highlight=False)
        if self.as_json:
            detail: dict[str, Any] = {"type": name, "message": message}
            if isinstance(error, APIError):
                detail.update(code=error.code, status_code=error.status_code, request_id=error.request_id)
            if isinstance(error, TaskFailed):
                detail.update(task_id=error.task_id, task_status_msg=error.task_status_msg)
            self.document({"error": detail})


def _wait(client: MaasKL, kind: str, task: Task, args: argparse.Namespace, out: Output) -> Task:
    with out.progress() as progress:
        row = progress.add(kind)
        progress.update(row, task)
        try:
            done = client.wait_for_task(
                kind, task.task_id, timeout=args.wait_timeout, on_update=lambda t: progress.update(row, t)
            )
        except TaskFailed:
            progress.finish(row, "[red]✗ failed[/]")
            raise
        progress.finish(row, "[green]✓ succeed[/]")
    return done


def is_folder(output: str) -> bool:
    """Whether --output names a folder: a trailing slash, an existing folder, or a new name without a suffix."""
    path = Path(output)
    return output.endswith(("/", os.sep)) or path.is_dir() or (not path.suffix and not path.exists())


def check_output(output: str | None) -> None:
    """Refuse an --output that cannot be written before anything is sent (a file where a folder must be)."""
    if output is None:
        return
    folder = Path(output) if is_folder(output) else Path(output).parent
    for place in (folder, *folder.parents):
        if place.exists():
            if not place.is_dir():
                msg = f"--output {output}: {place} is a file, not a folder; choose another --output or move that file."
                raise UsageError(msg)
            return


def _save(client: MaasKL, task: Task, output_text: str, out: Output) -> list[Path]:
    videos = task.videos
    if not videos:
        msg = f"Task {task.task_id} succeeded without a video to download."
        raise MaasKLError(msg)
    output = Path(output_text)
    if is_folder(output_text):
        output.mkdir(parents=True, exist_ok=True)  # a folder: each video keeps the name in its URL
        targets = [output] * len(videos)
    else:
        targets = [output.with_name(f"{output.stem}-{n}{output.suffix}") if n else output for n in range(len(videos))]
    return [out.download(client, video.url, target) for video, target in zip(videos, targets, strict=True)]


def _finish(client: MaasKL, kind: str, task: Task, args: argparse.Namespace, out: Output) -> int:
    files: list[Path] = []
    if args.wait or args.output is not None:
        task = _wait(client, kind, task, args, out)
        if args.output is not None:
            files = _save(client, task, args.output, out)
    out.task(kind, task, files)
    return 0


def cmd_create(client: MaasKL, args: argparse.Namespace, out: Output) -> int:
    """Run a family's command: create the task, then optionally wait and download."""
    kind, body = request_body(args)
    check_output(args.output)
    task = client.resource(kind).create_from(body, preflight=False if args.no_preflight else None)
    return _finish(client, kind, task, args, out)


def find_task(client: MaasKL, task_id: str, kind: str | None) -> tuple[str, Task]:
    """Query a task by id; without a kind, try each kind in turn (queries are free, ids carry no kind)."""
    kinds: tuple[str, ...] = (KIND_ALIASES[kind],) if kind else tuple(OPERATIONS)
    for candidate in kinds:
        try:
            return candidate, client.resource(candidate).get(task_id)
        except NotFoundError:
            if len(kinds) == 1:
                raise
    msg = f"No {', '.join(OPERATIONS)} task {task_id!r} for this API key and endpoint path."
    row = CODES.named("not_found")
    raise NotFoundError(msg, status_code=row.status, code=row.code, request_id=None)


def cmd_status(client: MaasKL, args: argparse.Namespace, out: Output) -> int:
    """Show a task, inferring its kind unless --kind is given."""
    check_output(args.output)
    kind, task = find_task(client, args.task_id, args.kind)
    return _finish(client, kind, task, args, out)


def cmd_download(client: MaasKL, args: argparse.Namespace, out: Output) -> int:
    """Download one video URL."""
    check_output(args.output)
    path = out.download(client, args.url, args.output)
    if out.as_json:
        out.document({"url": args.url, "file": str(path)})
    else:
        out.out.print(f"saved {path} ({path.stat().st_size} bytes)")
    return 0


def cmd_batch(client: MaasKL, args: argparse.Namespace, out: Output) -> int:
    """Run a jobs file; write results.jsonl; on Ctrl-C say how to resume."""
    if args.max_in_flight is not None and args.max_in_flight < 1:
        msg = f"--max-in-flight must be 1 or more, got {args.max_in_flight}"
        raise UsageError(msg)
    try:
        with out.progress() as progress:
            results, interrupted = _batch_cmd.run_batch(client, args, progress)
    except _batch_cmd.BatchFileError as error:
        raise UsageError(str(error)) from None
    path = args.output / _batch_cmd.RESULTS_NAME
    _batch_cmd.write_results(path, results)
    if interrupted:
        out.err.print(
            f"maas-kl: interrupted; results so far in {path}. Resume without creating anything twice:\n"
            f"  maas-kl batch {args.jobs} --output {args.output} --resume {path}"
            + (f" --max-in-flight {args.max_in_flight}" if args.max_in_flight else "")
        )
        return EXIT_INTERRUPTED
    if out.as_json:
        out.document({"results": str(path), "jobs": [_batch_cmd.result_row(r) for r in results]})
    else:
        out.out.print(f"{len(results)} jobs: {_batch_cmd.summary(results)}; results in {path}")
    return 0 if all(r.error is None for r in results) else EXIT_FAILED


COMMANDS: dict[str, Callable[[MaasKL, argparse.Namespace, Output], int]] = {
    "batch": cmd_batch,
    "text2video": cmd_create,
    "image2video": cmd_create,
    "extend": cmd_create,
    "status": cmd_status,
    "download": cmd_download,
}
USER_ERRORS = (UsageError, ImageError, ConfigurationError, PreflightError)
FAILURES = (MaasKLError, OSError)


def run(
    argv: Sequence[str] | None,
    *,
    clock: Clock | None = None,
    http_client: httpx.Client | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Parse, run one command, map every expected failure to a message and an exit code."""
    args = build_parser().parse_args(sys.argv[1:] if argv is None else list(argv))
    out = Output(bool(getattr(args, "json", False)), stdout or sys.stdout, stderr or sys.stderr)
    try:
        with MaasKL(
            api_key=getattr(args, "api_key", None),
            endpoint_path=getattr(args, "endpoint_path", None),
            base_url=getattr(args, "base_url", None),
            allow_insecure_http=getattr(args, "allow_insecure_http", False),
            clock=clock,
            http_client=http_client,
        ) as client:
            command = COMMANDS.get(args.command, cmd_create)  # every other command is a task family's
            return command(client, args, out)
    except USER_ERRORS as error:
        out.error(error)
        return EXIT_USAGE
    except FAILURES as error:
        out.error(error)
        return EXIT_FAILED
    except KeyboardInterrupt:
        out.err.print("maas-kl: interrupted; a task already created keeps running (see `maas-kl status`).")
        return EXIT_INTERRUPTED
