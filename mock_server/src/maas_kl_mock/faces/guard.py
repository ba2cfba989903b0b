"""Who may use the control surface (/_mock/): an allowed Host, a same-origin Origin, JSON writes, a token off loopback.

A web page the developer opens can send "simple" cross-site requests (text/plain POSTs) without a
preflight, and DNS rebinding lets it read answers under a Host name of its own; this check, run by
the served faces before the core or the proxy sees a control request, stops both (decision M-CONTROL).
"""

from __future__ import annotations

import argparse
import hmac
import ipaddress
import os
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from .._errors import ApiError
from .._http import MockRequest

TOKEN_HEADER = "x-mock-control-token"  # noqa: S105  (a header name, not a secret)
TOKEN_ENV = "MAAS_KL_MOCK_CONTROL_TOKEN"  # noqa: S105  (a variable name)
HEALTH_PATH = "/_mock/health"
_WRITES = frozenset({"POST", "PUT", "DELETE", "PATCH"})
_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
_SET_TOKEN = (
    f"start the server with --control-token TOKEN (or {TOKEN_ENV}) and send the header X-Mock-Control-Token; "
    "the inspector takes it as /_mock/ui/#token=TOKEN"
)


def is_loopback(host: str) -> bool:
    """Whether `host` (a name or an address, brackets allowed) only ever reaches this machine."""
    name = host.strip("[]").lower().rstrip(".")
    if name in _LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def split_host(value: str) -> str:
    """Return the host of a `Host` header value without its port: `[::1]:80` -> `::1`, `a.b:1` -> `a.b`."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


@dataclass(frozen=True, slots=True)
class ControlAccess:
    """The served control surface's rule: which Host names, and whether a token is needed (off loopback)."""

    bind_host: str = "127.0.0.1"
    allow_hosts: frozenset[str] = frozenset()
    token: str | None = None

    @classmethod
    def from_flags(cls, bind_host: str, allow_hosts: Iterable[str] | None, token: str | None) -> ControlAccess:
        """Build the rule from `--host`, `--allow-host` and `--control-token` (else the environment variable)."""
        chosen = token if token is not None else os.environ.get(TOKEN_ENV) or None
        names = frozenset(split_host(h) for h in allow_hosts or () if h.strip())
        return cls(bind_host, names, chosen)

    @property
    def loopback(self) -> bool:
        """Whether the server listens on loopback only, where no token is needed."""
        return is_loopback(self.bind_host)

    def warning(self) -> str | None:
        """Return what start-up must say when the server listens beyond loopback; never the token itself."""
        if self.loopback:
            return None
        if self.token:
            return (
                f"warning: listening on {self.bind_host}, beyond loopback: anyone who can reach it can use the API; "
                "the control API and the inspector need the control token (header X-Mock-Control-Token)"
            )
        return (
            f"warning: listening on {self.bind_host}, beyond loopback, with no control token: the control API and "
            f"the inspector are disabled; to use them, {_SET_TOKEN}"
        )

    def refusal(self, request: MockRequest) -> ApiError | None:  # noqa: PLR0911  (one return per rule)
        """Return why `request` to the control surface is refused, or None when it may go on."""
        headers = request.headers
        host = headers.get("host")
        if host is not None and not self._host_allowed(split_host(host)):
            return ApiError(
                "no_permission",
                f"No permission: the control API answers only requests addressed to an allowed host, not "
                f"{host[:80]!r}; use http://localhost:PORT/_mock/ or start the server with --allow-host NAME",
            )
        origin = headers.get("origin")
        if origin is not None and not _same_origin(origin, request.base_url):
            return ApiError(
                "no_permission",
                f"No permission: a request from {origin[:80]!r} is cross-origin; the control API answers only its "
                "own pages and clients that send no Origin",
            )
        if request.path == HEALTH_PATH:
            return None
        if self.token is not None and TOKEN_HEADER in headers:
            if not hmac.compare_digest(headers[TOKEN_HEADER].encode(), self.token.encode()):
                return ApiError("no_permission", "No permission: the control token is wrong")
        elif not self.loopback:
            if self.token is None:
                return ApiError("no_permission", f"No permission: the control API is off beyond loopback; {_SET_TOKEN}")
            return ApiError("no_permission", "No permission: send the control token as the header X-Mock-Control-Token")
        if request.method in _WRITES and not _is_json(headers.get("content-type")):
            return ApiError(
                "invalid_request",
                "Invalid request parameters: the control API takes writes with 'Content-Type: application/json' "
                "only (even with no body), so no web page can send them",
            )
        return None

    def _host_allowed(self, host: str) -> bool:
        if is_loopback(host) or host in self.allow_hosts:
            return True
        return host == self.bind_host.strip("[]").lower()  # the address it listens on, as launchers name it


def add_control_flags(parser: argparse.ArgumentParser) -> None:
    """Add the control surface's flags, shared by `serve` and `proxy`."""
    parser.add_argument(
        "--allow-host",
        action="append",
        metavar="NAME",
        help="also answer the control API and the inspector under this Host name (repeatable; loopback names always)",
    )
    parser.add_argument(
        "--control-token",
        metavar="TOKEN",
        help=f"the token the control API and inspector need beyond loopback (or {TOKEN_ENV}); never printed",
    )


def control_access(args: argparse.Namespace) -> ControlAccess:
    """Build the control surface's rule from the parsed `--host`, `--allow-host` and `--control-token`."""
    return ControlAccess.from_flags(args.host, args.allow_host, args.control_token)


def _is_json(content_type: str | None) -> bool:
    return content_type is not None and content_type.split(";", 1)[0].strip().lower() == "application/json"


def _same_origin(origin: str, base_url: str) -> bool:
    """Whether `origin` is the server's own scheme://host:port (the Host the request named)."""
    if origin == "null":
        return False
    mine, theirs = urlsplit(base_url), urlsplit(origin)
    try:
        ports = _port(mine.scheme, mine.port), _port(theirs.scheme, theirs.port)
    except ValueError:  # a port that is no number
        return False
    return mine.scheme == theirs.scheme and (mine.hostname or "") == (theirs.hostname or "") and ports[0] == ports[1]


def _port(scheme: str, port: int | None) -> int:
    return port if port is not None else (443 if scheme == "https" else 80)
