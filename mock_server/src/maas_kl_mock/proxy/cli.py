"""`maas-kl-mock proxy`: the command line of the validation proxy and recorder, served on uvicorn."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..faces.guard import ControlAccess, add_control_flags, control_access
from ..faces.guarded import ServerLimits, guarded
from .app import ProxyApp, ProxyConfig


def add_proxy_parser(sub: Any) -> argparse.ArgumentParser:
    """Add the `proxy` subcommand to the CLI's subparsers."""
    proxy: argparse.ArgumentParser = sub.add_parser(
        "proxy", help="forward to the real gateway, report spec violations, optionally record flows"
    )
    proxy.add_argument("--upstream", required=True, help="the gateway's origin, e.g. https://genaiapi.cloudsway.net")
    proxy.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback only)")
    proxy.add_argument("--port", type=int, default=4011, help="port to bind; 0 picks a free one (default: 4011)")
    proxy.add_argument("--spec", type=Path, help="spec to judge against (default: the one shipped in the package)")
    proxy.add_argument("--report", type=Path, help="append one JSON line per violation to this file")
    proxy.add_argument("--strict", action="store_true", help="refuse invalid requests (400) and answers (502)")
    proxy.add_argument("--record", type=Path, help="write each task flow, scrubbed, as a cassette into this directory")
    proxy.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for the upstream (default: 60)")
    proxy.add_argument("--log-level", default="warning", help="uvicorn log level (default: warning)")
    add_limit_flags(proxy)
    proxy.add_argument(
        "--ready-file", type=Path, help="once listening, write the addresses here as JSON (what MockServer reads)"
    )
    add_control_flags(proxy)
    return proxy


def add_limit_flags(parser: argparse.ArgumentParser) -> None:
    """Add the connection limits `serve` and `proxy` share (M-LIMITS)."""
    default = ServerLimits()
    parser.add_argument(
        "--max-header-kb",
        type=int,
        default=default.max_header_bytes // 1024,
        help=f"largest request line and headers; more gets 431 (default: {default.max_header_bytes // 1024})",
    )
    parser.add_argument(
        "--header-timeout",
        type=float,
        default=default.header_timeout,
        help=f"seconds a request head may take to arrive; then 408 (default: {default.header_timeout:g})",
    )
    parser.add_argument(
        "--body-timeout",
        type=float,
        default=default.body_timeout,
        help="seconds a request body may pause, and the grace before it must average 1 KiB/s; then 408 "
        f"(default: {default.body_timeout:g})",
    )
    parser.add_argument(
        "--shutdown-timeout",
        type=float,
        default=default.shutdown_timeout,
        help=f"seconds open requests get after SIGTERM, then cancelled (default: {default.shutdown_timeout:g})",
    )


def limits_from_args(args: argparse.Namespace) -> ServerLimits:
    """ServerLimits from parsed flags; a ValueError names the flag out of range."""
    return ServerLimits(
        max_header_bytes=int(args.max_header_kb) * 1024,
        header_timeout=float(args.header_timeout),
        body_timeout=float(args.body_timeout),
        shutdown_timeout=float(args.shutdown_timeout),
    )


def proxy_config(parser: argparse.ArgumentParser, args: argparse.Namespace) -> ProxyConfig:
    """ProxyConfig from parsed flags; a malformed --upstream is a usage error naming the flag."""
    parts = urlsplit(str(args.upstream))
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        parser.error(
            f"--upstream {args.upstream!r}: give the gateway's origin only, scheme and host (and port), "
            "e.g. https://genaiapi.cloudsway.net; paths are forwarded as they come"
        )
    if parts.username or parts.password or parts.query:
        parser.error("--upstream must not carry credentials or a query; the caller's key is forwarded as it comes")
    if args.timeout <= 0:
        parser.error("--timeout must be a positive number of seconds")
    return ProxyConfig(
        upstream=f"{parts.scheme}://{parts.netloc}",
        strict=args.strict,
        report=args.report,
        record=args.record,
        spec_path=args.spec,
        timeout=args.timeout,
    )


def run_proxy(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """Run the proxy until interrupted."""
    config = proxy_config(parser, args)
    try:
        limits_from_args(args)
    except ValueError as exc:
        parser.error(str(exc))
    try:
        app = ProxyApp(config, access=control_access(args))
    except (OSError, ValueError) as exc:
        parser.error(f"cannot start the proxy: {exc}; check --spec, --record and --report")
    try:
        import uvloop  # noqa: PLC0415  (the fast loop, where it exists)
    except ImportError:  # pragma: no cover  (Windows)
        return asyncio.run(_serve(app, args))
    return uvloop.run(_serve(app, args))


async def _serve(app: ProxyApp, args: argparse.Namespace) -> int:
    import uvicorn  # noqa: PLC0415  (only the standalone face needs the server)

    limits = limits_from_args(args)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=args.host,
            port=args.port,
            http=guarded(limits),  # its own refusals (unparsable, too large, too slow) in the API's envelope
            timeout_graceful_shutdown=limits.shutdown_timeout,  # type: ignore[arg-type]  # uvicorn types it int
            lifespan="off",
            access_log=False,
            log_level=args.log_level,
            server_header=False,
            proxy_headers=False,  # the proxy forwards paths as they come; no X-Forwarded-* rewriting per request
        )
    )
    announce = asyncio.create_task(_announce(server, args.host, app, args.ready_file, control_access(args)))
    try:
        await server.serve()
    finally:
        announce.cancel()
        await app.aclose()
    return 0


def write_json_atomically(path: Path, document: dict[str, Any]) -> None:
    """Write a ready document so that a reader never sees half of it."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(json.dumps(document), encoding="utf-8")
    partial.replace(path)


async def _announce(server: Any, host: str, app: ProxyApp, ready_file: Path | None, access: ControlAccess) -> None:
    while not server.started:
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    base = f"http://{shown}:{port}"
    if ready_file is not None:  # the caller's key is forwarded as it comes: the proxy has no token of its own
        document = {
            "base_url": base,
            "api_base_url": f"{base}/v1/ai/default/kling",
            "control_url": f"{base}/_mock/",
            "inspector_url": f"{base}/_mock/ui/",
        }
        extra = {"endpoint_path": "default", "token": None, "pid": os.getpid(), "upstream": app.upstream}
        write_json_atomically(ready_file, {**document, **extra})
    mode = ", ".join(
        word
        for word, on in (("strict", app.config.strict), (f"recording into {app.config.record}", app.recorder))
        if on
    )
    warning = access.warning()
    if warning is not None:
        print(f"maas-kl-mock proxy: {warning}", file=sys.stderr, flush=True)
    print(
        f"maas-kl-mock proxy listening on {base} | forwarding to {app.upstream}"
        f"{' | ' + mode if mode else ''} | violations: {base}/_mock/violations | inspector: {base}/_mock/ui/",
        flush=True,
    )
