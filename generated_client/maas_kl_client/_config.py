"""Client settings: where the API is, the key, timeouts, and the refusal to leak the key; no I/O."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import httpx

from ._errors import ConfigurationError
from ._spec_data import SERVER_ORIGIN, SERVER_PATH_TEMPLATE

ENV_API_KEY = "MAAS_KL_API_KEY"
ENV_ENDPOINT_PATH = "MAAS_KL_ENDPOINT_PATH"
ENV_BASE_URL = "MAAS_KL_BASE_URL"

DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=5.0)
"""Connect within 5 s, and every read, write and pool wait within 60 s."""

DEFAULT_WAIT_TIMEOUT = 900.0
"""How long a wait (`client.<family>.wait`) lasts before TaskTimeout: generation takes minutes."""


class Secret:
    """A string that never shows itself in a repr, a log line or a traceback's locals."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """Return the value, for the Authorization header only."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__


def is_loopback(host: str) -> bool:
    """Whether `host` names this machine, where plain http cannot be overheard."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def origin(url: str | httpx.URL) -> tuple[str, str, int | None]:
    """Scheme, host and port: the unit that may see the API key."""
    parsed = httpx.URL(str(url))
    return parsed.scheme, parsed.host, parsed.port


@dataclass(frozen=True, slots=True)
class Settings:
    """Resolved client settings."""

    api_key: Secret
    endpoint_path: str
    base_url: str
    api_root: str


def resolve(
    *,
    api_key: str | None,
    endpoint_path: str | None,
    base_url: str | None,
    allow_insecure_http: bool,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Fill what the caller left out from the environment and the spec, and refuse unsafe set-ups."""
    env = os.environ if environ is None else environ
    key = api_key if api_key is not None else env.get(ENV_API_KEY)
    if not key:
        msg = f"No API key: pass api_key=... or set {ENV_API_KEY}."
        raise ConfigurationError(msg)
    path = endpoint_path if endpoint_path is not None else env.get(ENV_ENDPOINT_PATH)
    if not path:
        msg = (
            f"No endpoint path: pass endpoint_path=... or set {ENV_ENDPOINT_PATH} "
            "(the account path issued with your key, the XXX in .../v1/ai/XXX/kling)."
        )
        raise ConfigurationError(msg)
    base = (base_url if base_url is not None else env.get(ENV_BASE_URL)) or SERVER_ORIGIN
    base = base.rstrip("/")
    parts = urlsplit(base)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        msg = f"base_url must be an http(s) URL such as {SERVER_ORIGIN}, got {base!r}."
        raise ConfigurationError(msg)
    if parts.scheme == "http" and not allow_insecure_http and not is_loopback(parts.hostname):
        msg = (
            f"Refusing to send the API key over plain http to {parts.hostname}: use https, or pass "
            "allow_insecure_http=True if this network is trusted."
        )
        raise ConfigurationError(msg)
    root = base + SERVER_PATH_TEMPLATE.replace("{endpointPath}", quote(path, safe=""))
    return Settings(api_key=Secret(key), endpoint_path=path, base_url=base, api_root=root)


def as_timeout(value: float | httpx.Timeout | None, default: httpx.Timeout) -> httpx.Timeout:
    """Build a per-client or per-call timeout: a number applies to every phase, None keeps the default."""
    if value is None:
        return default
    if isinstance(value, httpx.Timeout):
        return value
    return httpx.Timeout(value)
