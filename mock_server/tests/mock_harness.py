"""Builders for the mock's tests: a core on a manual clock and short request helpers."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import orjson
from maas_kl_mock import ManualClock, MockConfig, MockCore, MockRequest, MockResponse

API = "/v1/ai/XXX/kling/videos"
TOKEN = "tenant-a"


class Harness:
    """A MockCore with a manual clock, checking every response against the spec."""

    def __init__(self, **settings: Any) -> None:
        config = replace(MockConfig(check_responses=True, record_calls=None, seed=1), **settings)
        self.clock = ManualClock()
        self.core = MockCore(config, self.clock)

    def send(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = TOKEN,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
        query: str = "",
    ) -> MockResponse:
        sent = {"content-type": "application/json"}
        if token is not None:
            sent["authorization"] = f"Bearer {token}"
        sent.update({k.lower(): v for k, v in (headers or {}).items()})
        content = raw if raw is not None else (orjson.dumps(body) if body is not None else b"")
        return self.core.handle(MockRequest(method, path, sent, content, query))

    def create(self, kind: str = "text2video", body: Any = None, **kwargs: Any) -> Any:
        response = self.send("POST", f"{API}/{kind}", body if body is not None else {"prompt": "A dog"}, **kwargs)
        return orjson.loads(response.body)

    def query(self, kind: str, key: str, **kwargs: Any) -> Any:
        return orjson.loads(self.send("GET", f"{API}/{kind}/{key}", **kwargs).body)


def body(response: MockResponse) -> Any:
    return orjson.loads(response.body)
