"""The ceiling: the smallest ASGI app, served exactly as `maas-kl-mock serve` serves the mock.

Same uvicorn, same protocol class, uvloop, no lifespan, no access log, no server header: only the
app differs, so the mock-to-bare ratio is the cost of the mock's pipeline and nothing else.
`python bench/bare_asgi.py PORT` runs it.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import uvicorn
import uvloop
from maas_kl_mock.faces.asgi import ResettingHttpToolsProtocol

BODY = b'{"code":0,"message":"SUCCEED","request_id":"x","data":{"task_id":"1","task_status":"submitted"}}'


async def app(
    scope: MutableMapping[str, Any],
    receive: Callable[[], Awaitable[MutableMapping[str, Any]]],
    send: Callable[[MutableMapping[str, Any]], Awaitable[None]],
) -> None:
    """Drain the body and answer a fixed JSON document."""
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = bool(message.get("more_body", False))
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": BODY})


async def serve(port: int) -> None:
    """Run `app` on loopback with the uvicorn settings of maas_kl_mock._cli._serve."""
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        http=ResettingHttpToolsProtocol,
        loop="none",
        lifespan="off",
        access_log=False,
        log_level="error",
        server_header=False,
    )
    await uvicorn.Server(config).serve()


if __name__ == "__main__":
    uvloop.run(serve(int(sys.argv[1])))
