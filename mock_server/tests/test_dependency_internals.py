"""The httpx, httpcore and uvicorn internals the mock relies on are still there, in the versions it was tested with.

When one of these fails after an upgrade, re-check `proxy/upstream.py` (httpx's private `_pool`, an
httpcore `AsyncConnectionPool` it replaces) and `faces/asgi.py` (uvicorn's `HttpToolsProtocol`:
`on_message_begin`, `send_400_response`, `scope`, `transport`) and `faces/guarded.py` (the connection
callbacks it overrides, `loop`, `cycle`), run the proxy and ASGI tests, then move
the upper bounds in mock_server/pyproject.toml.
"""

import inspect
from importlib.metadata import requires, version

import httpcore
import httpx
import pytest
from packaging.requirements import Requirement
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

RECHECK = "re-check proxy/upstream.py and faces/asgi.py (see this module's docstring) before moving the pin"


@pytest.mark.parametrize("name", ["httpx", "httpcore", "uvicorn"])
def test_installed_version_is_in_the_pinned_range(name: str) -> None:
    pins = {Requirement(text).name: Requirement(text).specifier for text in requires("maas-kl-mock") or ()}
    assert name in pins, f"maas-kl-mock no longer pins {name}; {RECHECK}"
    assert pins[name].contains(version(name)), f"{name} {version(name)} is outside {pins[name]}; {RECHECK}"


def test_httpx_transport_still_sends_through_a_private_httpcore_pool() -> None:
    transport = httpx.AsyncHTTPTransport()
    assert isinstance(getattr(transport, "_pool", None), httpcore.AsyncConnectionPool), RECHECK
    assert "self._pool.handle_async_request" in inspect.getsource(httpx.AsyncHTTPTransport.handle_async_request), (
        RECHECK
    )


def test_uvicorn_httptools_protocol_still_has_what_the_mock_overrides() -> None:
    # faces/asgi.py overrides the first two; faces/guarded.py (the connection limits, M-LIMITS) the rest.
    overridden = (
        "on_message_begin",
        "send_400_response",
        "connection_made",
        "connection_lost",
        "data_received",
        "on_headers_complete",
        "on_body",
        "on_message_complete",
        "on_response_complete",
        "shutdown",
    )
    for method in overridden:
        assert callable(getattr(HttpToolsProtocol, method, None)), f"HttpToolsProtocol.{method} is gone; {RECHECK}"
    source = inspect.getsource(HttpToolsProtocol)
    for attribute in ("self.scope = ", "self.transport = ", "self.loop = ", "self.cycle = "):
        assert attribute in source, f"HttpToolsProtocol no longer sets {attribute.strip(' =')}; {RECHECK}"
