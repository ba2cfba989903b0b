"""The proxy's one header policy, for both directions: what crosses it, what stops at it.

Hop-by-hop fields (RFC 9110 §7.6.1) and every field a `Connection` header names stop here, both
ways. Towards the upstream the body framing and the encoding are httpx's own to set; towards the
caller the upstream's `Date` and `Server` stop too (the proxy's server adds its own `Date`, as
nginx's `proxy_hide_header` defaults do), so none is sent twice. A video fetch sends no caller
header at all: the video host gets no key, no cookie and no conditional (the whole file is
recorded; the CDN rules are applied here).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
# Set by httpx for the upstream request: the target's Host, the body's length, the encodings it decodes.
_REQUEST_OWN = frozenset({"host", "content-length", "accept-encoding", "content-encoding"})
# Set by this side for the caller: the decoded body's type and length, and the server's Date (and no Server).
_RESPONSE_OWN = frozenset({"content-type", "content-length", "content-encoding", "date", "server"})
# What a video fetch sends: only what any HTTP client sends, never a caller's header.
VIDEO_REQUEST_HEADERS: dict[str, str] = {"accept": "*/*"}


def connection_named(values: Iterable[str]) -> frozenset[str]:
    """Return the field names listed in `Connection` header values (lower case)."""
    return frozenset(token.strip().lower() for value in values for token in value.split(",") if token.strip())


def upstream_request(headers: Mapping[str, str]) -> dict[str, str]:
    """Return the caller's headers (lower-case names, one value each) as they go to the upstream API."""
    named = connection_named([headers["connection"]]) if "connection" in headers else frozenset()
    return {k: v for k, v in headers.items() if k not in HOP_BY_HOP and k not in _REQUEST_OWN and k not in named}


def caller_response(items: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Return the upstream's response headers as they go to the caller (any case in, lower case out)."""
    pairs = [(name.lower(), value) for name, value in items]
    named = connection_named(value for name, value in pairs if name == "connection")
    return [
        (name, value)
        for name, value in pairs
        if name not in HOP_BY_HOP and name not in _RESPONSE_OWN and name not in named
    ]
