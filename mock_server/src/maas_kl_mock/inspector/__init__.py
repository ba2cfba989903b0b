"""The inspector: a static page at /_mock/ui/ that shows tasks, calls and controls through the control API.

Plain HTML, CSS and JavaScript shipped in the wheel, with no build step and nothing from the
network; every answer carries a strict Content-Security-Policy (no inline script, only this origin).
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

from .._errors import ApiError
from .._http import MockResponse

UI_PREFIX = "/_mock/ui/"
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self' blob:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("Cache-Control", "no-cache"),
)


def serve(path: str) -> MockResponse:
    """Answer `/_mock/ui/<file>`; `/_mock/ui` and `/_mock/ui/` are the page itself."""
    name = path.removeprefix(UI_PREFIX) if path.startswith(UI_PREFIX) else ""
    found = _asset(name or "index.html")
    if found is None:
        raise ApiError("not_found", f"Resource not found: the inspector has no file {name[:80]!r}")
    body, content_type = found
    return MockResponse(200, body, list(HEADERS), content_type=content_type)


@lru_cache(maxsize=16)
def _asset(name: str) -> tuple[bytes, str] | None:
    """Read a shipped file by its bare name; anything with a path separator or an unknown suffix is not one."""
    suffix = name[name.rfind(".") :] if "." in name else ""
    if "/" in name or "\\" in name or name.startswith(".") or suffix not in _TYPES:
        return None
    resource = files(__package__).joinpath("static", name)
    if not resource.is_file():
        return None
    return resource.read_bytes(), _TYPES[suffix]
