"""RawResponse: the HTTP answer behind a result, for callers who need its status, headers or request id."""

from __future__ import annotations

import httpx

from ._errors import MaasKLError
from ._task import Envelope, Task


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
