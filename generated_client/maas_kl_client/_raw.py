"""RawResponse: the HTTP answer behind a result, for callers who need its status, headers or request id."""

from __future__ import annotations

from typing import Any

import httpx

from ._errors import MaasKLError
from ._task import Envelope, Task

CREDENTIAL_HEADERS = frozenset({"authorization", "x-api-key", "cookie", "proxy-authorization"})
_BODY_FRAMING = frozenset({"content-encoding", "content-length", "transfer-encoding"})


class RawResponse:
    """What `client.<family>.with_raw_response.<method>(...)` returns; `parse()` gives the Task.

    Example: ``raw = client.text2video.with_raw_response.get(task_id); print(raw.headers, raw.parse().videos)``.
    After retries or a recovery lookup it is the answer that produced the result.
    """

    __slots__ = ("_data", "http_response")

    def __init__(self, data: Envelope) -> None:
        if data.response is None:
            msg = "No HTTP response was recorded for this result"
            raise MaasKLError(msg)
        self._data = data
        self.http_response: httpx.Response = data.response

    @property
    def status_code(self) -> int:
        """The HTTP status of the answer."""
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        """The answer's HTTP headers."""
        return self.http_response.headers

    @property
    def request_id(self) -> str | None:
        """The envelope's request id, to quote to support."""
        return self._data.request_id

    @property
    def http_request(self) -> httpx.Request:
        """The request that was sent (its repr hides the Authorization header)."""
        return self.http_response.request

    def parse(self) -> Task:
        """Return the Task the answer carries."""
        return Task.from_data(self._data)

    def __repr__(self) -> str:
        return f"<RawResponse [{self.status_code}] request_id={self.request_id!r}>"

    def __reduce__(self) -> tuple[Any, ...]:
        # A pickle keeps the answer and the request without its credentials (issue 24): status, headers,
        # the decoded body (so its encoding and length headers go), and the request's method, URL and
        # other headers.
        response, request = self.http_response, self.http_response.request
        sent = [(k, v) for k, v in request.headers.multi_items() if k.lower() not in CREDENTIAL_HEADERS]
        kept = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in _BODY_FRAMING]
        answer = (response.status_code, kept, response.content)
        return (_rebuild, (dict(self._data), self._data.request_id, answer, (request.method, str(request.url), sent)))


def _rebuild(
    data: dict[str, Any],
    request_id: str | None,
    answer: tuple[int, list[tuple[str, str]], bytes],
    sent: tuple[str, str, list[tuple[str, str]]],
) -> RawResponse:
    method, url, headers = sent
    status, response_headers, content = answer
    request = httpx.Request(method, url, headers=headers)
    response = httpx.Response(status, headers=response_headers, content=content, request=request)
    return RawResponse(Envelope(data, request_id, response))
