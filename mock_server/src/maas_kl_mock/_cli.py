"""The standalone face: `maas-kl-mock serve` runs the mock on uvicorn, loopback by default."""

from __future__ import annotations

import argparse
import asyncio
import errno
import gc
import json
import os
import signal
import socket
import sqlite3
import sys
from pathlib import Path
from typing import Any

import yaml

from ._core import MockConfig, MockCore
from .faces.guard import ControlAccess, add_control_flags, control_access
from .faces.transport import DEFAULT_TOKEN
from .pipeline.auth import tenant_label
from .pipeline.faults import FAULT_KINDS, FaultPlan, Latency, parse_cut_points, parse_rate_limit
from .pipeline.simulate import Lifecycle
from .proxy.cli import add_limit_flags, add_proxy_parser, limits_from_args, run_proxy, write_json_atomically


def build_parser() -> argparse.ArgumentParser:
    """Return the command line, one flag per MockConfig setting."""
    parser = argparse.ArgumentParser(prog="maas-kl-mock", description="A stateful, spec-driven MaaS_KL mock server.")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the mock server")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback only)")
    serve.add_argument("--port", type=int, default=4010, help="port to bind; 0 picks a free one (default: 4010)")
    serve.add_argument("--spec", type=Path, help="spec file to serve (default: the one shipped in the package)")
    serve.add_argument("--config", type=Path, help="YAML or JSON file whose keys are these flags' long names")
    serve.add_argument(
        "--token",
        action="append",
        help=f"accept this API key (repeatable); default: only {DEFAULT_TOKEN!r}, as the real service knows its keys",
    )
    serve.add_argument(
        "--any-token", action="store_true", help="accept any well-formed key, each its own tenant (M-TOKENS)"
    )
    serve.add_argument("--endpoint-path", action="append", help="accept only this endpointPath (repeatable)")
    serve.add_argument("--no-capability-rules", action="store_true", help="do not enforce the capability map")
    serve.add_argument("--concurrency", type=int, default=10, help="unfinished tasks per tenant (default: 10)")
    serve.add_argument("--submitted-seconds", type=float, default=1.0, help="time in submitted (default: 1)")
    serve.add_argument("--processing-seconds", type=float, default=3.0, help="time in processing (default: 3)")
    serve.add_argument("--slow-factor", type=float, default=10.0, help="lifecycle multiplier of scenario=slow")
    serve.add_argument("--max-tasks", type=int, default=20_000, help="tasks kept before the oldest go")
    serve.add_argument("--seed", type=int, help="seed for ids (faults have --fault-seed)")
    serve.add_argument("--fault-rate", type=float, default=0.0, help="share of API requests that fail, 0..1")
    serve.add_argument("--fault-seed", type=int, default=0, help="seed of the fault sequence")
    serve.add_argument(
        "--fault-kinds",
        default=",".join(FAULT_KINDS),
        help=f"comma list of kinds, each optionally KIND=WEIGHT; kinds: {', '.join(FAULT_KINDS)}",
    )
    serve.add_argument("--fault-after-store", type=float, default=0.5, help="share of create faults after storing")
    serve.add_argument("--latency", help="latency distribution: fixed:MS, uniform:LO-HI, normal:MEAN,SD, exp:MEAN")
    serve.add_argument("--rate-limit", help="REQUESTS/SECONDS per tenant, e.g. 10/1; over it: rate_limited (429)")
    serve.add_argument("--retry-after", type=int, default=1, help="Retry-After seconds on injected 429 and 503")
    serve.add_argument(
        "--download-cut", help="drop video downloads at these shares of the file, e.g. 0.3,0.7 (fault download-cut)"
    )
    serve.add_argument("--download-cut-rate", type=float, default=1.0, help="share of downloads --download-cut hits")
    serve.add_argument("--video-size-kb", type=int, help="pad every video file to this size, e.g. 20480 (20 MB)")
    serve.add_argument("--video-cache-mb", type=int, default=64, help="memory for generated videos (default: 64)")
    serve.add_argument("--max-body-mb", type=float, default=20.0, help="largest request body (default: 20 MB)")
    serve.add_argument("--check-responses", action="store_true", help="validate every response against the spec")
    serve.add_argument("--state", type=Path, help="keep tasks in this SQLite file across restarts (default: in memory)")
    serve.add_argument("--no-control-api", action="store_true", help="disable /_mock/")
    add_control_flags(serve)
    serve.add_argument("--open", action="store_true", help="open the inspector (/_mock/ui/) in a web browser")
    serve.add_argument("--log-level", default="warning", help="uvicorn log level (default: warning)")
    add_limit_flags(serve)
    serve.add_argument("--replay", type=Path, help="serve the flows recorded in this directory (proxy --record)")
    serve.add_argument(
        "--replay-fallback",
        choices=("error", "simulate"),
        default="error",
        help="an unmatched request under --replay: error (404 naming the closest recording) or simulate",
    )
    serve.add_argument(
        "--ready-file", type=Path, help="once listening, write the addresses here as JSON (what MockServer reads)"
    )
    add_proxy_parser(sub)
    return parser


def config_from_args(args: argparse.Namespace) -> MockConfig:
    """MockConfig from parsed flags (a --config file fills what the flags left at their defaults)."""
    kinds: dict[str, float] = {}
    for item in filter(None, (part.strip() for part in str(args.fault_kinds).split(","))):
        name, _, weight = item.partition("=")
        kinds[name.strip()] = float(weight) if weight else 1.0
    plan = FaultPlan(
        rate=args.fault_rate,
        seed=args.fault_seed,
        kinds=kinds,
        after_store=args.fault_after_store,
        latency=Latency.parse(args.latency) if args.latency else None,
        rate_limit=parse_rate_limit(args.rate_limit) if args.rate_limit else None,
        retry_after=args.retry_after,
        download_cut=parse_cut_points(args.download_cut) if args.download_cut else (),
        download_cut_rate=args.download_cut_rate,
    )
    if args.video_size_kb is not None and args.video_size_kb < 0:
        raise ValueError(f"--video-size-kb {args.video_size_kb} must be 0 or more")
    if args.video_cache_mb < 1:
        raise ValueError(f"--video-cache-mb {args.video_cache_mb} must be at least 1")
    return MockConfig(
        spec_path=args.spec,
        tokens=_tokens(args),
        endpoint_paths=frozenset(args.endpoint_path) if args.endpoint_path else None,
        capability_rules=not args.no_capability_rules,
        concurrency_limit=args.concurrency,
        lifecycle=Lifecycle(args.submitted_seconds, args.processing_seconds, args.slow_factor),
        max_tasks=args.max_tasks,
        faults=plan,
        max_body_bytes=int(args.max_body_mb * 1024 * 1024),
        seed=args.seed,
        check_responses=args.check_responses,
        control_api=not args.no_control_api,
        state_path=Path(args.state) if args.state else None,
        video_size_kb=args.video_size_kb,
        video_cache_mb=args.video_cache_mb,
        replay=Path(args.replay) if args.replay else None,
        replay_fallback=args.replay_fallback,
    )


def _tokens(args: argparse.Namespace) -> frozenset[str] | None:
    """Return the known keys: --token's, else the documented default; None (any key) only with --any-token."""
    if args.any_token:
        if args.token:
            raise ValueError("--any-token accepts every key; leave out --token, or drop --any-token")
        return None
    return frozenset(args.token) if args.token else frozenset({DEFAULT_TOKEN})


def _apply_config_file(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    args = parser.parse_args(argv)
    if getattr(args, "config", None) is None:
        return args
    try:
        text = args.config.read_text(encoding="utf-8")
        data: Any = json.loads(text) if args.config.suffix == ".json" else yaml.safe_load(text) or {}
    except (OSError, ValueError, yaml.YAMLError) as exc:
        parser.error(f"{args.config}: cannot read it ({exc}); pass a YAML or JSON file of settings")
    if not isinstance(data, dict):
        parser.error(f"{args.config}: expected a mapping of settings, e.g. 'fault-rate: 0.2'")
    defaults = parser.parse_args([args.command])
    actions = {action.dest: action for action in _serve_parser(parser)._actions}
    for key, value in data.items():
        attr = str(key).replace("-", "_")
        if attr not in actions or attr == "help":
            parser.error(f"{args.config}: unknown setting {key!r}; use the long flag names, e.g. fault-rate")
        if getattr(args, attr) == getattr(defaults, attr):
            setattr(args, attr, _setting(parser, args.config, key, value, actions[attr]))
    return args


def _serve_parser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    serve: argparse.ArgumentParser = sub.choices["serve"]
    return serve


def _setting(parser: argparse.ArgumentParser, source: Path, key: str, value: Any, action: argparse.Action) -> Any:
    """Convert a config file value as the flag's own type would, so a wrong type is an error, not a traceback."""
    try:
        if isinstance(action, argparse._StoreTrueAction):
            if not isinstance(value, bool):
                raise ValueError("expected true or false")
            return value
        if isinstance(action, argparse._AppendAction):
            return [str(v) for v in (value if isinstance(value, list) else [value])]
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise TypeError("expected a single number or text")
        convert = action.type if callable(action.type) else str
        return convert(str(value))
    except (TypeError, ValueError) as exc:
        parser.error(f"{source}: setting {key!r} = {value!r} is not valid ({exc}); see 'maas-kl-mock serve --help'")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `maas-kl-mock` console script."""
    parser = build_parser()
    args = _apply_config_file(parser, sys.argv[1:] if argv is None else argv)
    if args.command == "proxy":
        return run_proxy(parser, args)
    try:
        config = config_from_args(args)
        limits_from_args(args)
    except ValueError as exc:
        parser.error(str(exc))
    try:
        core = MockCore(config)
    except (OSError, ValueError, sqlite3.Error) as exc:  # a spec, state or cassette file that cannot be used
        parser.error(
            f"cannot start: {exc}; check --spec, --state and --replay (state files and cassettes must be ones "
            "this mock wrote)"
        )
    listening = _listen(parser, args.host, args.port)
    try:
        import uvloop  # noqa: PLC0415  (the fast loop, where it exists)
    except ImportError:  # pragma: no cover  (Windows)
        return asyncio.run(_serve(args, core, listening))
    return uvloop.run(_serve(args, core, listening))


def _listen(parser: argparse.ArgumentParser, host: str, port: int) -> socket.socket:
    """Bind the port before serving, so a port in use is one clear line with what to do, not uvicorn's Errno."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listening = socket.socket(family, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listening.bind((host, port))
    except OSError as exc:
        listening.close()
        if exc.errno == errno.EADDRINUSE:
            parser.error(
                f"port {port} on {host} is in use (another mock, e.g. `make mock`?); pass --port N for another "
                "port, or --port 0 for a free one (--ready-file PATH then says which)"
            )
        parser.error(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
    listening.set_inheritable(True)
    return listening


async def _serve(args: argparse.Namespace, core: MockCore, listening: socket.socket) -> int:
    import uvicorn  # noqa: PLC0415  (only the standalone face needs the server)

    from .faces.asgi import MockApp  # noqa: PLC0415
    from .faces.guarded import guarded  # noqa: PLC0415

    config = core.config
    limits = limits_from_args(args)
    # Tasks hold no reference cycles: freeze start-up objects and collect rarely, so a full store
    # is not rescanned every few hundred requests.
    gc.collect()
    gc.freeze()
    gc.set_threshold(100_000, 50, 1_000)
    server = uvicorn.Server(
        uvicorn.Config(
            MockApp(core, control_access(args)),
            host=args.host,
            port=args.port,
            http=guarded(limits),
            loop="none",
            lifespan="off",
            access_log=False,
            log_level=args.log_level,
            server_header=False,
            timeout_graceful_shutdown=limits.shutdown_timeout,  # type: ignore[arg-type]  # uvicorn types it int
        )
    )
    announce = asyncio.create_task(
        _announce(server, args.host, config, args.ready_file, control_access(args), opening=args.open)
    )
    # uvicorn re-raises a captured SIGTERM after its graceful shutdown; exit cleanly then, store closed.
    signal.signal(signal.SIGTERM, _exit_cleanly)
    try:
        await server.serve(sockets=[listening])
    finally:
        announce.cancel()
        core.close()  # the CLI's exit closes the store (a SQLite state file is committed and closed)
    return 0


def _exit_cleanly(_signum: int, _frame: object) -> None:
    raise SystemExit(0)


async def _announce(  # noqa: PLR0913  (what start-up says depends on each)
    server: Any, host: str, config: MockConfig, ready_file: Path | None, access: ControlAccess, *, opening: bool
) -> None:
    while not server.started:
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    base = f"http://{shown}:{port}"
    if ready_file is not None:
        write_ready_file(ready_file, base, config)
    warning = access.warning() if config.control_api else None
    if warning is not None:
        print(f"maas-kl-mock: {warning}", file=sys.stderr, flush=True)
    print(startup_line(base, config), flush=True)
    if opening and config.control_api:
        open_inspector(base)


def open_inspector(base: str) -> bool:
    """Open the inspector in the default browser (`serve --open`); the token is never put in the URL here."""
    import webbrowser  # noqa: PLC0415  (only --open needs it)

    return webbrowser.open(f"{base}/_mock/ui/")


def ready_document(base: str, config: MockConfig) -> dict[str, Any]:
    """Return what a launcher needs to know once the server listens; never a --token key."""
    endpoint = sorted(config.endpoint_paths)[0] if config.endpoint_paths else "default"
    return {
        "base_url": base,
        "api_base_url": f"{base}/v1/ai/{endpoint}/kling",
        "control_url": f"{base}/_mock/",
        "inspector_url": f"{base}/_mock/ui/" if config.control_api else None,
        "endpoint_path": endpoint,
        "token": DEFAULT_TOKEN if config.tokens is None or config.tokens == frozenset({DEFAULT_TOKEN}) else None,
        "pid": os.getpid(),
    }


def write_ready_file(path: Path, base: str, config: MockConfig) -> None:
    """Write the ready document atomically, so a reader never sees half of it."""
    write_json_atomically(path, ready_document(base, config))


def startup_line(base: str, config: MockConfig) -> str:
    """Return the start-up line: where the API is and how to authenticate, without printing a --token key.

    The default token is a public placeholder and is shown; keys given with --token may be real
    ones (start-up lines end up in CI logs), so only their count and non-secret labels are.
    """
    endpoint = sorted(config.endpoint_paths)[0] if config.endpoint_paths else "default"
    if config.tokens == frozenset({DEFAULT_TOKEN}):
        auth = f"token: 'Authorization: Bearer {DEFAULT_TOKEN}' (the only key; --token adds yours, --any-token any)"
    elif config.tokens:
        labels = ", ".join(sorted(tenant_label(token) for token in config.tokens)[:3])
        more = ", ..." if len(config.tokens) > 3 else ""
        auth = f"token: one of the {len(config.tokens)} --token keys (not printed; tenants {labels}{more})"
    else:
        auth = f"token: 'Authorization: Bearer {DEFAULT_TOKEN}' (any token works)"
    api = f"{base}/v1/ai/{endpoint}/kling"
    control = f"control API: {base}/_mock/ | inspector: {base}/_mock/ui/" if config.control_api else "control API: off"
    return f"maas-kl-mock listening on {base} | API base URL: {api} | {auth} | {control}"
