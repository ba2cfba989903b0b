"""The commands of `maas-kl`: argument parsing, one function per command, human or JSON output, exit codes.

Exit codes: 0 done; 1 the service, the task or the network failed (a failed task too, also from
`status`); 2 the command or its input is wrong (nothing was sent); 130 interrupted (the message
says how to go on with a task already created).
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
from maas_kl_specfacts import image_fields
from rich.console import Console

from .. import __version__
from .._batch import InvalidJobs, video_file_name
from .._bodies import new_external_task_id
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
    TaskTimeout,
)
from .._journal import Journal, JournalMismatch
from .._preflight import CAPABILITIES
from .._spec_data import OPERATIONS, REQUEST_FIELDS, REQUEST_SCHEMAS
from .._sync.client import MaasKL
from .._task import Task
from ..models.aspect_ratio import AspectRatio
from ..models.camera_control_type import CameraControlType
from ..models.duration import Duration
from ..models.mode import Mode
from ..models.model_name import ModelName
from ..models.task_status import TaskStatus
from . import _batch_cmd
from ._images import ImageError, image_argument
from ._progress import DownloadBar, TaskProgress, styled
from ._words import in_cli_words, violation

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
CAMERA_AXES = ("horizontal", "vertical", "pan", "tilt", "roll", "zoom")
SCALAR_TYPES: dict[str, Callable[[str], Any]] = {"string": str, "number": float, "integer": int}
# What a positional argument is, for a request field the spec describes at more length.
POSITIONAL_WORDS = {"video_id": "the id of a video a succeeded task produced"}


def request_schema(family: str) -> dict[str, Any]:
    """Return the family's create request schema, `$ref`s inlined (from the spec, through `_spec_data`)."""
    schema: dict[str, Any] = REQUEST_SCHEMAS[OPERATIONS[family]["create_operation"]]
    return schema


def extends_videos(family: str) -> bool:
    """Whether the family's create is the one the capability map marks as extending a video."""
    return bool(OPERATIONS[family]["create_operation"] == CAPABILITIES.extend_operation)


def command_name(family: str) -> str:
    """`extend` for the family that extends videos; every other family by its name with dashes."""
    return "extend" if extends_videos(family) else family.replace("_", "-")


def positional_field(schema: dict[str, Any]) -> str | None:
    """Name the field a command takes positionally: its request's required string field, else an optional prompt."""
    properties = schema.get("properties", {})
    required = [name for name in schema.get("required", []) if properties.get(name, {}).get("type") == "string"]
    if required:
        return str(required[0])
    return "prompt" if properties.get("prompt", {}).get("type") == "string" else None


KIND_ALIASES: dict[str, str] = {
    **{kind: kind for kind in OPERATIONS},
    **{kind.replace("_", "-"): kind for kind in OPERATIONS},
    **{command_name(kind): kind for kind in OPERATIONS},
}
"""What `status --kind` takes: a kind as the SDK spells it, or the name of its command (with or without dashes)."""


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


def _default(field: dict[str, Any]) -> str:
    return f" (default {field['default']})" if "default" in field else ""


def _positional(parser: argparse.ArgumentParser, schema: dict[str, Any]) -> str | None:
    """Add the command's positional argument (optional: --body or the field's option may carry it); return its field."""
    positional = positional_field(schema)
    parser.set_defaults(positional_field=positional)
    if positional is not None:
        field = schema["properties"][positional]
        if positional not in schema.get("required", []):
            help_text = "what should happen (optional)"
        elif positional == "prompt":
            help_text = f"what the video shows (at most {field['maxLength']} characters; or in --body)"
        else:
            help_text = f"{POSITIONAL_WORDS.get(positional, positional)} (or in --body)"
        parser.add_argument("positional", metavar=positional, nargs="?", help=help_text)
    return positional


def _convenience_options(parser: argparse.ArgumentParser, family: str) -> argparse._ArgumentGroup:
    """Add the request-field group: the positional, the hand-tuned options, then (later) every other scalar field.

    Every option is the spec's field name with dashes (`--model-name`); the short forms the CLI had
    before (`--model`, `--camera`) stay as aliases.
    """
    schema = request_schema(family)
    fields: dict[str, Any] = schema.get("properties", {})
    spec_help = {field["name"]: str(field["help"] or field["name"]) for field in REQUEST_FIELDS[family]}
    positional = _positional(parser, schema)
    group = parser.add_argument_group(f"{family} request fields (from the spec)")
    if "prompt" in fields and positional != "prompt":
        group.add_argument("--prompt", help="what happens next (optional)")
    if "aspect_ratio" in fields:
        group.add_argument("--aspect-ratio", help=f"{_values(AspectRatio)}{_default(fields['aspect_ratio'])}")
    for name in image_fields(schema):
        option = f"--{name.replace('_', '-')}"
        words = f"{spec_help.get(name, name).rstrip('.')}: a local jpg/png (checked, sent as base64) or a URL"
        group.add_argument(option, metavar="PATH_OR_URL", help=words)
    _generation_options(group, fields)
    return group


def _generation_options(parser: argparse._ArgumentGroup, fields: dict[str, Any]) -> None:
    """Options for the generation settings a request has (model, mode, duration, camera...)."""
    if "model_name" in fields:
        default = _default(fields["model_name"])
        parser.add_argument("--model-name", "--model", dest="model_name", help=f"{_values(ModelName)}{default}")
    if "mode" in fields:
        parser.add_argument("--mode", help=f"{_values(Mode)}{_default(fields['mode'])}")
    if "duration" in fields:
        parser.add_argument("--duration", help=f"seconds: {_values(Duration)}{_default(fields['duration'])}")
    if "cfg_scale" in fields:
        cfg = fields["cfg_scale"]
        bounds = f"{cfg['minimum']:g}..{cfg['maximum']:g}"
        parser.add_argument("--cfg-scale", type=float, help=f"prompt adherence, {bounds}{_default(cfg)}")
    if "camera_control" in fields:
        parser.add_argument(
            "--camera-control",
            "--camera",
            dest="camera",
            metavar="TYPE[:AXIS=VALUE]",
            help=f"{_values(CameraControlType)}; simple takes one movement, "
            f"e.g. simple:zoom=5 (axes: {', '.join(CAMERA_AXES)}, -10..10)",
        )
    if "external_task_id" in fields:
        parser.add_argument("--external-task-id", help="your own recovery key (the CLI makes one otherwise)")
    if "negative_prompt" in fields:
        parser.add_argument("--negative-prompt", help="what the video should not show")


def _task_options(parser: argparse.ArgumentParser) -> None:
    """Options of the commands that create a task."""
    parser.add_argument("--wait", action="store_true", help="wait until the task ends, with live progress on stderr")
    parser.add_argument("--output", "-o", help="download the video to a file, or folder (trailing /); implies --wait")
    parser.add_argument("--overwrite", action="store_true", help="replace a file --output would write (else refused)")
    parser.add_argument(
        "--wait-timeout", type=float, default=DEFAULT_WAIT_TIMEOUT, help="seconds to wait (default %(default)g)"
    )
    parser.add_argument("--no-preflight", action="store_true", help="send without checking the documented rules")


def _family_options(parser: argparse.ArgumentParser, group: argparse._ArgumentGroup, family: str) -> None:
    """`--body` and an option per scalar request field of `family` that the command does not have yet."""
    taken = {action.dest for action in parser._actions}
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


def _command_help(family: str) -> str:
    """Return a family command's one-line help, by what its request takes."""
    schema = request_schema(family)
    if extends_videos(family):
        return f"extend a generated video by about {CAPABILITIES.seconds_added:g} s"
    if image_fields(schema):
        return "animate an image (a local jpg/png or a URL)"
    if "prompt" in schema.get("required", []):
        return "create a video from a prompt"
    return f"create a {family} task"


RESUME_HERE = Path("\0results-in-output")
"""`--resume` without a file: the results file in --output."""


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
    families: dict[str, tuple[argparse.ArgumentParser, argparse._ArgumentGroup]] = {}

    for family in OPERATIONS:
        command, dashed = command_name(family), family.replace("_", "-")
        aliases = [dashed] if dashed != command else []
        family_parser = sub.add_parser(command, aliases=aliases, parents=[common], help=_command_help(family))
        families[family] = family_parser, _convenience_options(family_parser, family)
        _task_options(family_parser)
    for family, (family_parser, group) in families.items():
        _family_options(family_parser, group, family)

    recoverable = " and ".join(kind for kind, operations in OPERATIONS.items() if operations["external_task_id"])
    status = sub.add_parser("status", parents=[common], help="show a task (and optionally wait for it)")
    status.add_argument("task_id", help=f"a task_id, or an external_task_id for {recoverable}")
    status.add_argument(
        "--kind",
        choices=sorted(KIND_ALIASES),
        metavar="KIND",
        help=f"the task's kind or its command ({', '.join(sorted(KIND_ALIASES))}); left out, each kind is "
        "queried in turn",
    )
    status.add_argument("--wait", action="store_true", help="wait until the task ends")
    status.add_argument("--output", "-o", help="download its video to a file, or folder (trailing /); implies --wait")
    status.add_argument("--overwrite", action="store_true", help="replace a file --output would write (else refused)")
    status.add_argument("--wait-timeout", type=float, default=DEFAULT_WAIT_TIMEOUT, help="seconds to wait")

    batch = sub.add_parser("batch", parents=[common], help="run a JSONL file of jobs, a few at a time")
    batch.add_argument(
        "jobs", type=Path, metavar="JOBS.jsonl", help='one JSON object per line: request fields + "family"'
    )
    batch.add_argument("--max-in-flight", type=int, help="most unfinished tasks at once (default: learn the limit)")
    batch.add_argument(
        "--output",
        "-o",
        type=Path,
        default=Path("batch-out"),
        help="folder for the videos and results.jsonl, the run's journal (default: batch-out)",
    )
    again = batch.add_mutually_exclusive_group()
    again.add_argument(
        "--resume",
        type=Path,
        nargs="?",
        const=RESUME_HERE,
        metavar="RESULTS.jsonl",
        help="finish an interrupted run from its results file (default: the one in --output): no job twice",
    )
    again.add_argument("--overwrite", action="store_true", help="start afresh over an existing results file")
    batch.add_argument(
        "--skip-invalid", action="store_true", help="run the valid jobs and record the invalid ones as errors"
    )
    batch.add_argument("--no-preflight", action="store_true", help="send without checking the documented rules")

    download = sub.add_parser("download", parents=[common], help="download a video URL to a file")
    download.add_argument("url", metavar="VIDEO_URL", help="a video URL from a succeeded task")
    download.add_argument("--output", "-o", default=".", help="file, or folder (a trailing / says so; default: here)")
    download.add_argument("--overwrite", action="store_true", help="replace the file if it exists (else refused)")
    return parser


def command_parser(parser: argparse.ArgumentParser, command: str) -> argparse.ArgumentParser:
    """Find the parser of one command, whose usage an error about that command's arguments prints."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) and command in action.choices:
            found: argparse.ArgumentParser = action.choices[command]
            return found
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


def _check_alternatives(kind: str, schema: dict[str, Any], body: dict[str, Any]) -> None:
    """Refuse, before any image is read, a body that gives none of the fields the schema's `anyOf` asks one of."""
    choices = [branch["required"] for branch in schema.get("anyOf", []) if set(branch) == {"required"}]
    if choices and not any(all(body.get(name) is not None for name in names) for names in choices):
        flags = " or ".join("/".join(f"--{name.replace('_', '-')}" for name in names) for names in choices)
        msg = f"{kind} needs {flags} (a local jpg/png or a URL)."
        raise UsageError(msg)


def request_body(args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    """Return the family and JSON body a create command sends; local images are checked and base64-encoded here."""
    kind: str = args.family
    body = _read_body(args.body) if args.body is not None else {}
    fields = _fields(args, args.field_names)
    if getattr(args, "positional", None) is not None:
        name = args.positional_field
        if fields.get(name) is not None:
            msg = f"{name} is given twice: once positionally, once as --{name.replace('_', '-')}; keep one."
            raise UsageError(msg)
        fields[name] = args.positional
    body.update({name: value == "true" if value in {"true", "false"} else value for name, value in fields.items()})
    schema = request_schema(kind)
    images = image_fields(schema)
    if images:
        _check_alternatives(kind, schema, body)
        for field, limits in images.items():
            value = getattr(args, field, None)
            if value is not None:
                body[field] = image_argument(value, limits)
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

    def download(self, client: MaasKL, url: str, target: str | Path, *, overwrite: bool = False) -> Path:
        """Download one video with a progress bar; an existing file is replaced only with --overwrite."""
        with self.download_bar() as bar:
            row = bar.add(PurePosixPath(urlsplit(url).path).name or "video")
            return client.download_video(url, target, on_progress=lambda p: bar.update(row, p), overwrite=overwrite)

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

    def error(self, error: BaseException, message: str | None = None) -> None:
        """Show a failure as its type and message in the CLI's words, never a traceback."""
        name = type(error).__name__
        message = cli_message(error) if message is None else message
        self.err.print(f"[red]maas-kl: error:[/] {name}: {message}", markup=True, highlight=False)
        if self.as_json:
            detail: dict[str, Any] = {"type": name, "message": message}
            if isinstance(error, APIError):
                detail.update(code=error.code, status_code=error.status_code, request_id=error.request_id)
            if isinstance(error, TaskFailed):
                detail.update(task_id=error.task_id, task_status_msg=error.task_status_msg)
            self.document({"error": detail})


def cli_message(error: BaseException) -> str:
    """Word an error as a command line user reads it: flags, not the SDK's arguments or field names."""
    if isinstance(error, PreflightError):
        found = "; ".join(violation(field, rule) for field, rule in error.violations)
        return f"Request not sent: {found}. (Pass --no-preflight to send it anyway.)"
    if isinstance(error, UsageError):
        return str(error)  # the command line's own words already (a batch file's lines name its JSON keys)
    return in_cli_words(str(error))


def follow_up(kind: str, ident: str, args: argparse.Namespace) -> str:
    """Spell the command that goes on with a task: `maas-kl status ID --kind COMMAND --wait [--output ...]`."""
    command = f"maas-kl status {ident} --kind {command_name(kind)} --wait"
    if getattr(args, "output", None) is not None:
        command += f" --output {args.output}"
    return command


class Stopped(Exception):  # noqa: N818 - reads as what happened to the command
    """A command stopped after its task may exist: the message says which task and how to go on; `code` exits."""

    def __init__(self, message: str, code: int) -> None:
        self.code = code
        super().__init__(message)


def interrupted(kind: str, ident: str | None, args: argparse.Namespace, *, created: bool) -> Stopped:
    """Say what a Ctrl-C left behind: the task (or the recovery key of a create that may have made one)."""
    if created and ident is not None:
        msg = f"interrupted; the {kind} task {ident} keeps running. Go on with it:\n  {follow_up(kind, ident, args)}"
    elif ident is not None:
        msg = (
            f"interrupted while creating a {kind} task; one may exist. Look it up by its external_task_id "
            f"(nothing is created twice):\n  {follow_up(kind, ident, args)}"
        )
    else:
        msg = (
            f"interrupted while creating a {kind} task; one may exist, and this family has no recovery key to look "
            "it up by. Check the MaaS_KL console, then `maas-kl status TASK_ID --wait`."
        )
    return Stopped(in_cli_words(msg, fields_as_flags=False), EXIT_INTERRUPTED)


def timed_out(kind: str, error: TaskTimeout, args: argparse.Namespace) -> Stopped:
    """Say a wait ran out in CLI words: the task keeps running; the command that waits longer."""
    status = str(error.task.task_status) if error.task is not None else "unfinished"
    longer = f"{follow_up(kind, error.task_id, args)} --wait-timeout {max(error.timeout * 2, DEFAULT_WAIT_TIMEOUT):g}"
    return Stopped(
        f"TaskTimeout: task {error.task_id} is still {status} after --wait-timeout {error.timeout:g} s; it keeps "
        f"running. Wait longer:\n  {longer}",
        EXIT_FAILED,
    )


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


def _save(client: MaasKL, task: Task, output_text: str, out: Output, *, overwrite: bool = False) -> list[Path]:
    videos = task.videos
    if not videos:
        msg = f"Task {task.task_id} succeeded without a video to download."
        raise MaasKLError(msg)
    output = Path(output_text)
    if is_folder(output_text):
        output.mkdir(parents=True, exist_ok=True)  # a folder: each video is named after its id
        targets = [output / video_file_name(video.id, video.url) for video in videos]
    else:
        targets = [output.with_name(f"{output.stem}-{n}{output.suffix}") if n else output for n in range(len(videos))]
    return [
        out.download(client, video.url, target, overwrite=overwrite)
        for video, target in zip(videos, targets, strict=True)
    ]


def _finish(client: MaasKL, kind: str, task: Task, args: argparse.Namespace, out: Output) -> int:
    files: list[Path] = []
    try:
        if args.wait or args.output is not None:
            task = _wait(client, kind, task, args, out)
            if args.output is not None:
                files = _save(client, task, args.output, out, overwrite=args.overwrite)
    except KeyboardInterrupt:
        raise interrupted(kind, task.task_id, args, created=True) from None
    except TaskTimeout as error:
        raise timed_out(kind, error, args) from None
    out.task(kind, task, files)
    return EXIT_FAILED if task.task_status == TaskStatus.FAILED else 0


def cmd_create(client: MaasKL, args: argparse.Namespace, out: Output) -> int:
    """Run a family's command: create the task, then optionally wait and download."""
    kind, body = request_body(args)
    check_output(args.output)
    if OPERATIONS[kind]["external_task_id"] and body.get("external_task_id") is None:
        body["external_task_id"] = new_external_task_id()  # known before the send, so a Ctrl-C can name it
    try:
        task = client.resource(kind).create_from(body, preflight=False if args.no_preflight else None)
    except KeyboardInterrupt:
        raise interrupted(kind, body.get("external_task_id"), args, created=False) from None
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
    path = out.download(client, args.url, args.output, overwrite=args.overwrite)
    if out.as_json:
        out.document({"url": args.url, "file": str(path)})
    else:
        out.out.print(f"saved {path} ({path.stat().st_size} bytes)")
    return 0


def _journal(args: argparse.Namespace, jobs: _batch_cmd.JobsFile) -> Journal:
    """Open the run's results file, refusing to overwrite an earlier run's without --resume or --overwrite."""
    path = args.output / _batch_cmd.RESULTS_NAME
    journal = Journal(path, jobs.jobs, lines=jobs.lines)
    source = path if args.resume == RESUME_HERE else args.resume
    if source is not None:
        if not source.is_file():
            msg = f"--resume {source}: no such results file; run without --resume to start the batch."
            raise UsageError(msg)
        journal.load(source)  # checks it belongs to these jobs; client.batch reads it again from `path`
        if source.resolve() != path.resolve():
            journal.path.parent.mkdir(parents=True, exist_ok=True)
            journal.path.write_bytes(source.read_bytes())
    elif path.exists() and not args.overwrite:
        msg = (
            f"{path} exists: it is the results file of an earlier run, needed to resume it. Add --resume to finish "
            "that run, --overwrite to start afresh, or choose another --output."
        )
        raise UsageError(msg)
    elif path.exists():
        path.unlink()
    return journal


def cmd_batch(client: MaasKL, args: argparse.Namespace, out: Output) -> int:
    """Run a jobs file with its results file as a journal; on Ctrl-C (or a kill) --resume finishes it."""
    if args.max_in_flight is not None and args.max_in_flight < 1:
        msg = f"--max-in-flight must be 1 or more, got {args.max_in_flight}"
        raise UsageError(msg)
    try:
        jobs = _batch_cmd.read_jobs(args.jobs)
        journal = _journal(args, jobs)
        with out.progress() as progress:
            results, stopped = _batch_cmd.run_batch(client, args, jobs, journal, progress)
    except _batch_cmd.BatchFileError as error:
        raise UsageError(str(error)) from None
    except JournalMismatch as error:
        raise UsageError(in_cli_words(str(error), fields_as_flags=False)) from None
    except InvalidJobs as refused:
        raise UsageError(_batch_cmd.describe_invalid(refused, jobs)) from None
    path = journal.path
    if stopped:
        out.err.print(
            f"maas-kl: interrupted; every job's state is in {path}. Finish it without creating anything twice:\n"
            f"  maas-kl batch {args.jobs} --output {args.output} --resume"
            + (f" --max-in-flight {args.max_in_flight}" if args.max_in_flight else ""),
            highlight=False,
        )
        return EXIT_INTERRUPTED
    failed = _batch_cmd.failures(results, jobs)
    if out.as_json:
        out.document({"results": str(path), "jobs": [_batch_cmd.result_row(r) for r in journal.rows]})
    else:
        out.out.print(f"{len(results)} jobs: {_batch_cmd.summary(results)}; results in {path}", highlight=False)
        if failed:
            out.out.print("\n".join(["not done:", *failed]), highlight=False, markup=False)
    return EXIT_FAILED if failed else 0


COMMANDS: dict[str, Callable[[MaasKL, argparse.Namespace, Output], int]] = {
    "batch": cmd_batch,
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
    parser = build_parser()
    args, extra = parser.parse_known_args(sys.argv[1:] if argv is None else list(argv))
    if extra:  # argparse would show the top-level usage; the command's own is the useful one
        command_parser(parser, args.command).error(f"unrecognized arguments: {' '.join(extra)}")
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
    except Stopped as stop:
        out.err.print(f"maas-kl: {stop}", highlight=False, markup=False)
        return stop.code
    except USER_ERRORS as error:
        out.error(error)
        return EXIT_USAGE
    except FAILURES as error:
        out.error(error)
        return EXIT_FAILED
    except KeyboardInterrupt:
        out.err.print("maas-kl: interrupted; this command had created no task.")
        return EXIT_INTERRUPTED
