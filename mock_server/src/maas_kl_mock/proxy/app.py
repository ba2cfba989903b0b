"""The validation proxy: forwards API calls to a real gateway, reports spec violations, optionally records flows.

`maas-kl-mock proxy --upstream URL` serves `ProxyApp`. Each request and each answer is judged by
`Conformance`; violations go to the `x-maas-kl-violations` header, the `--report` JSONL file and
`GET /_mock/violations`. Upstream failures become the API's error envelope.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path
from typing import Any

import httpx
import orjson

from .. import inspector
from .._errors import ApiError
from .._http import MockRequest, MockResponse
from .._spec import Operation, load_spec
from ..cassettes.format import Scrubber
from ..cassettes.record import Recorder
from ..faces.asgi import ClientGone, Receive, Scope, Send, read_request
from ..faces.guard import ControlAccess
from ..media import cdn as _cdn
from ..media.video import VideoSigner
from ..pipeline.calls import Call, CallLog
from ..pipeline.control import call_detail, calls_json
from ..pipeline.respond import Responder
from . import headers as _headers
from .conformance import REQUEST, RESPONSE, Conformance, Violation
from .upstream import StackTransport

JSON = Any
log = logging.getLogger("maas_kl_mock.proxy")
VIOLATIONS_HEADER = "x-maas-kl-violations"
PROXY_VIDEO_PREFIX = "/files/proxy/"
_HEADER_LIMIT = 2000  # characters of the violations header; the report has them all


@dataclass(frozen=True, slots=True)
class ProxyConfig:
    """What `maas-kl-mock proxy` is told: where to forward, and what to do with violations."""

    upstream: str
    strict: bool = False
    report: Path | None = None
    record: Path | None = None
    spec_path: Path | None = None
    timeout: float = 60.0
    max_body_bytes: int = 20 * 1024 * 1024
    keep_violations: int = 10_000
    video_cache_bytes: int = 256 * 1024 * 1024  # fetched videos kept to answer ranges and repeats; oldest go first
    max_video_bytes: int = 1024 * 1024 * 1024  # one upstream video larger than this is refused, not buffered
    max_video_urls: int = 100_000  # rewritten video URLs remembered; the oldest's proxy URL then answers 404


class ProxyApp:
    """An ASGI app forwarding to `config.upstream` with the caller's key, judging every exchange against the spec."""

    def __init__(
        self,
        config: ProxyConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        now: Callable[[], float] = time.time,
        access: ControlAccess | None = None,
    ) -> None:
        self.config = config
        self.access = access or ControlAccess()  # the control surface's rule (M-CONTROL)
        self.calls = CallLog()  # every exchange, key-free, with its violations: what the inspector lists
        self.upstream = config.upstream.rstrip("/")
        spec = load_spec(config.spec_path)
        self.conformance = Conformance(spec)
        self.spec = spec
        self.responder = Responder(spec, VideoSigner())
        self.refusal_code = spec.facts.codes.named("internal_error").code  # --strict answers as a server error
        self.scrubber = Scrubber()
        self.recorder = Recorder(config.record, self.scrubber) if config.record is not None else None
        self.violations: deque[dict[str, JSON]] = deque(maxlen=config.keep_violations)
        self.violations_total = 0
        self._now = now
        self._videos: dict[str, tuple[str, str]] = {}  # token -> (upstream URL, flow name); memory only
        self._tokens: dict[str, str] = {}  # upstream URL -> token
        # token -> status, bytes, type, fetch time; least recently used first, within config.video_cache_bytes
        self._fetched: OrderedDict[str, tuple[int, bytes, str, float]] = OrderedDict()
        self._fetched_bytes = 0
        self._recorded: set[str] = set()  # tokens whose video is in the recording: a re-fetch is not recorded twice
        self._client = httpx.AsyncClient(
            transport=transport or StackTransport(),  # O(1) keep-alive reuse under load, unlike httpcore's pool
            timeout=httpx.Timeout(config.timeout, connect=min(config.timeout, 10.0)),
            trust_env=False,  # the upstream is the one given, never an environment proxy
            cookies=_no_cookies(),  # one client serves every caller: an upstream Set-Cookie is never kept
        )

    async def aclose(self) -> None:
        """Close the upstream connection pool."""
        await self._client.aclose()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one HTTP request (lifespan acknowledged, websockets ignored)."""
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        try:
            request = await read_request(scope, receive, self.config.max_body_bytes)
        except ClientGone:  # cut off before its body was in: nothing is forwarded
            return
        started = time.perf_counter()
        note: dict[str, JSON] = {}
        try:
            response = await self._answer(scope["method"], request, note)
        except ApiError as error:
            response = self.responder.error(error)
        except Exception:  # a bug in the proxy: the envelope, never a traceback, and a line in its log
            log.exception("maas-kl-mock proxy failed on %s %s", scope["method"], self.scrubber.text(request.path[:200]))
            response = self.responder.error(
                ApiError("internal_error", "Internal server error in the proxy; see its log")
            )
        logged = not request.path.startswith("/_mock/")
        if logged:
            self._log_call(request, response, note, time.perf_counter() - started)
        await _send(send, response)

    async def _answer(self, method: str, request: MockRequest, note: dict[str, JSON]) -> MockResponse:
        """Route one request: the control surface (guarded), a refusal, a rewritten video, or the API upstream."""
        raw_path = request.path
        if raw_path.startswith("/_mock/"):
            refused = self.access.refusal(request)
            if refused is not None:
                return self.responder.error(refused)  # the status the spec pairs with its code (M-CONTROL)
            return self._control(method, raw_path, request)
        if request.body_too_large:
            limit = self.config.max_body_bytes
            raise ApiError("invalid_request", f"Invalid request parameters: the body is larger than {limit} bytes")
        if not raw_path.startswith("/"):  # `GET *`, `OPTIONS *`: nothing the API answers, nothing to forward
            raise ApiError(
                "invalid_request",
                f"Invalid request parameters: the proxy forwards paths such as /v1/..., not {raw_path[:40]!r}",
            )
        if raw_path.startswith(PROXY_VIDEO_PREFIX):
            return await self._video(method, raw_path, request.headers)
        return await self._api(
            method, raw_path, request.query, request.headers, request.body, base=request.base_url, note=note
        )

    def _log_call(self, request: MockRequest, response: MockResponse, note: dict[str, JSON], latency: float) -> None:
        """Keep the exchange for the inspector: key-free excerpts, its violations, whether it was recorded."""
        authorization = request.headers.get("authorization", "")
        caller = authorization.split(None, 1)[-1].strip() if authorization else None
        self.calls.append(
            Call(
                request,
                response,
                note.get("operation"),
                caller or None,
                at=self._now(),
                latency=latency,
                recorded=bool(note.get("recorded")) if self.recorder is not None else None,
                violations=tuple(note.get("violations", ())),
            )
        )

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        """Acknowledge start-up; on shutdown close the upstream pool."""
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _api(  # noqa: PLR0913
        self,
        method: str,
        path: str,
        query: str,
        headers: dict[str, str],
        body: bytes,
        *,
        base: str,
        note: dict[str, JSON] | None = None,
    ) -> MockResponse:
        note = {} if note is None else note  # what the call log keeps of this exchange
        self.scrubber.learn(headers.get("authorization"))
        self.scrubber.learn(headers.get("x-api-key"))
        op, params, unknown = self.conformance.operation(method, path)
        found = [unknown] if unknown is not None else []
        if op is not None:
            found = self.conformance.check_request(op, params, body)
            note["operation"] = op.operation_id
        note["violations"] = [self._shown(v) for v in found]
        self._report(found, method, path, None)
        if found and self.config.strict:
            code = "not_found" if unknown is not None else "invalid_value"
            words = "; ".join(f"{v.pointer or '(body)'}: {v.message} (rule: {v.rule})" for v in found[:5])
            raise ApiError(code, self.scrubber.text(f"Invalid key or value: proxy --strict refused it unsent: {words}"))
        upstream = await self._forward(method, path, query, headers, body)
        if isinstance(upstream, MockResponse):  # the upstream failed: the envelope, not a traceback
            return self._with_violations(upstream, found)
        content_type = upstream.headers.get("content-type", "")
        answer = upstream.content
        judged = self.conformance.check_response(op, upstream.status_code, content_type, answer)
        note["violations"] = [self._shown(v) for v in found + judged]
        self._report(judged, method, path, upstream.status_code, _request_id(answer))
        out_headers = _headers.caller_response(upstream.headers.multi_items())
        flow = None
        if self.recorder is not None and op is not None:
            is_create = self.conformance.is_create(op)
            ref = next(iter(params.values()), None)
            flow = self.recorder.exchange(
                caller=headers.get("authorization", ""),
                operation=op.operation_id,
                is_create=is_create,
                task_ref=ref,
                method=method,
                path=path,
                query=query,
                request_headers=headers,
                request_body=body,
                status=upstream.status_code,
                response_headers={k.lower(): v for k, v in upstream.headers.items()},
                response_body=answer,
                now=self._now(),
            )
            note["recorded"] = flow is not None
        if judged and self.config.strict:
            return self._refuse_response(upstream.status_code, found + judged)
        if flow is not None and upstream.status_code == 200:
            answer = self._rewrite_videos(answer, flow.name, base)
        response = MockResponse(upstream.status_code, answer, out_headers, content_type=content_type or "text/plain")
        return self._with_violations(response, found + judged)

    async def _forward(
        self, method: str, path: str, query: str, headers: dict[str, str], body: bytes
    ) -> httpx.Response | MockResponse:
        url = self.upstream + path + (f"?{query}" if query else "")
        sent = _headers.upstream_request(headers)
        try:
            return await self._client.request(method, url, headers=sent, content=body)
        except (httpx.InvalidURL, httpx.UnsupportedProtocol):
            error = ApiError("invalid_request", "Invalid request parameters: the path is not one a URL can carry")
        except httpx.TimeoutException:
            error = ApiError("timeout", f"Server timeout: the upstream did not answer within {self.config.timeout:g}s")
        except httpx.ConnectError:
            error = ApiError(
                "unavailable", "Service unavailable: the proxy cannot connect to the upstream; is it running?"
            )
        except httpx.HTTPError as exc:
            error = ApiError(
                "internal_error", f"Internal server error: the upstream connection failed ({type(exc).__name__})"
            )
        return self.responder.error(error)

    def _rewrite_videos(self, body: bytes, flow: str, base: str) -> bytes:
        """Point every video URL of a recorded answer at this proxy, so the fetch (and its bytes) is recorded."""
        try:
            parsed = orjson.loads(body)
        except orjson.JSONDecodeError:
            return body
        changed = False

        def visit(node: JSON) -> None:
            nonlocal changed
            if isinstance(node, dict):
                url = node.get("url")
                if isinstance(url, str) and url.startswith(("http://", "https://")):
                    token = self._tokens.get(url)
                    if token is None:
                        token = self._remember(url, flow)
                    node["url"] = f"{base}{PROXY_VIDEO_PREFIX}{token}.mp4"
                    changed = True
                for value in node.values():
                    visit(value)
            elif isinstance(node, list):
                for value in node:
                    visit(value)

        visit(parsed)
        return orjson.dumps(parsed) if changed else body

    async def _video(self, method: str, path: str, headers: dict[str, str]) -> MockResponse:
        """Fetch a video whole from upstream once, record it, and answer this and later requests from those bytes.

        Only a URL this proxy rewrote is fetched (its token maps to the upstream's URL), and with
        none of the caller's headers: the caller's key and cookies are for the API, never for the
        video host. The cassette needs the whole file, and the CDN rules (206/416, ETag, 304,
        If-Range, HEAD) are applied here to the bytes.
        """
        token = path[len(PROXY_VIDEO_PREFIX) :].removesuffix(".mp4")
        found = self._videos.get(token)
        if found is None or self.recorder is None:
            raise ApiError("not_found", "Video not found: this proxy never handed out that video URL")
        if method not in ("GET", "HEAD"):
            raise ApiError(
                "invalid_method",
                f"Invalid request method: use GET or HEAD on {PROXY_VIDEO_PREFIX}...",
                headers=[("Allow", "GET, HEAD")],
            )
        fetched = self._fetched.get(token)
        if fetched is None:
            fetched = await self._fetch_video(*found, record=token not in self._recorded)
            if fetched[0] == 200:  # a failed fetch is passed on, and tried again next time
                self._recorded.add(token)
                self._keep(token, fetched)
        else:
            self._fetched.move_to_end(token)
        status, data, content_type, modified = fetched
        if status != 200:
            return MockResponse(status, b"" if method == "HEAD" else data, [], content_type=content_type)
        return _cdn.in_memory(method, headers, data, modified, content_type)

    def _remember(self, url: str, flow: str) -> str:
        """Hand out a token for a video URL, forgetting the oldest beyond `max_video_urls`."""
        token = secrets.token_urlsafe(12)
        self._tokens[url] = token
        self._videos[token] = (url, flow)
        while len(self._videos) > self.config.max_video_urls:
            old_token, (old_url, _) = next(iter(self._videos.items()))
            del self._videos[old_token]
            self._tokens.pop(old_url, None)
            self._recorded.discard(old_token)
            self._drop(old_token)
        return token

    def _keep(self, token: str, fetched: tuple[int, bytes, str, float]) -> None:
        """Cache a fetched video, forgetting the least recently used beyond `video_cache_bytes`."""
        size = len(fetched[1])
        if size > self.config.video_cache_bytes:
            return  # served this once; a later request fetches it again
        self._fetched[token] = fetched
        self._fetched_bytes += size
        while self._fetched_bytes > self.config.video_cache_bytes:
            self._drop(next(iter(self._fetched)))

    def _drop(self, token: str) -> None:
        dropped = self._fetched.pop(token, None)
        if dropped is not None:
            self._fetched_bytes -= len(dropped[1])

    async def _fetch_video(self, url: str, flow_name: str, *, record: bool) -> tuple[int, bytes, str, float]:
        limit = self.config.max_video_bytes
        try:
            async with self._client.stream("GET", url, headers=_headers.VIDEO_REQUEST_HEADERS) as upstream:
                chunks: list[bytes] = []
                size = 0
                async for chunk in upstream.aiter_bytes():
                    size += len(chunk)
                    if size > limit:
                        raise ApiError(
                            "unavailable", f"Service unavailable: the upstream's video is larger than {limit} bytes"
                        )
                    chunks.append(chunk)
        except httpx.HTTPError as exc:
            raise ApiError(
                "unavailable", f"Service unavailable: fetching the video upstream failed ({type(exc).__name__})"
            ) from None
        data = b"".join(chunks)
        content_type = upstream.headers.get("content-type", "application/octet-stream")
        flow = self.recorder.flow_named(flow_name) if self.recorder is not None and record else None
        if flow is not None and self.recorder is not None:
            self.recorder.video(
                flow,
                url,
                status=upstream.status_code,
                content_type=content_type,
                data=data,
                now=self._now(),
            )
        return upstream.status_code, data, content_type, self._now()

    def _control(self, method: str, path: str, request: MockRequest) -> MockResponse:  # noqa: PLR0911
        name = path.removeprefix("/_mock/").rstrip("/")
        if method in ("GET", "HEAD") and (name == "ui" or name.startswith("ui/")):
            return inspector.serve(path)
        if (method, name) == ("GET", "meta"):
            statuses = self.spec.facts.statuses
            meta = {
                "kind": "proxy",
                "views": ["calls"],
                "upstream": self.upstream,
                "recording": self.recorder is not None,
                "statuses": list(statuses.values),
                "families": sorted(self.spec.facts.families),
            }
            return MockResponse(200, orjson.dumps(meta))
        if (method, name) == ("GET", "calls"):
            return MockResponse(200, orjson.dumps(calls_json(self.calls, request.query)))
        if method == "GET" and name.startswith("calls/"):
            return MockResponse(200, orjson.dumps(call_detail(self.calls, name.removeprefix("calls/"))))
        if (method, name) == ("GET", "health"):
            return MockResponse(200, orjson.dumps({"status": "ok", "upstream": self.upstream}))
        if (method, name) == ("GET", "violations"):
            listed = list(self.violations)
            return MockResponse(200, orjson.dumps({"count": self.violations_total, "violations": listed}))
        if (method, name) in (("DELETE", "violations"), ("POST", "violations/reset"), ("POST", "reset")):
            self.violations.clear()
            self.violations_total = 0
            self.calls.clear()
            return MockResponse(200, orjson.dumps({"reset": True}))
        raise ApiError(
            "not_found",
            f"No such control endpoint of the proxy: {method} /_mock/{name[:80]}. Known: GET health, GET meta, "
            "GET violations, DELETE violations, GET calls[?limit=&since=], GET calls/N, POST reset, GET ui/ "
            "(the inspector)",
        )

    def _report(
        self,
        found: list[Violation],
        method: str,
        path: str,
        status: int | None,
        request_id: str | None = None,
    ) -> None:
        if not found:
            return
        stamp = datetime.now(UTC).isoformat(timespec="milliseconds")
        lines = []
        for violation in found:
            entry = {
                "time": stamp,
                **violation.to_json(),
                "message": self.scrubber.text(violation.message),
                "method": method,
                "path": self.scrubber.text(path),
                "status": status,
                "request_id": request_id,
            }
            self.violations.append(entry)
            self.violations_total += 1
            lines.append(json.dumps(entry, sort_keys=True, ensure_ascii=False))
        if self.config.report is not None:
            with self.config.report.open("a", encoding="utf-8") as out:
                out.write("\n".join(lines) + "\n")

    def _refuse_response(self, status: int, found: list[Violation]) -> MockResponse:
        shown = [v for v in found if v.direction == RESPONSE] or found
        words = "; ".join(f"{v.pointer or '(body)'}: {v.message} (rule: {v.rule})" for v in shown[:5])
        body = {
            "code": self.refusal_code,
            "message": self.scrubber.text(
                f"maas-kl-mock proxy --strict: the upstream's HTTP {status} broke the spec: {words}"
            ),
            "request_id": f"proxy-{secrets.token_hex(8)}",
            "violations": [self._shown(v) for v in shown],
        }
        return self._with_violations(MockResponse(502, orjson.dumps(body)), found)

    def _shown(self, violation: Violation) -> dict[str, JSON]:
        return {**violation.to_json(), "message": self.scrubber.text(violation.message)}

    def _with_violations(self, response: MockResponse, found: list[Violation]) -> MockResponse:
        if found:
            text = json.dumps([v.short() for v in found], separators=(",", ":"), ensure_ascii=True)
            if len(text) > _HEADER_LIMIT:
                kept = found[:]
                while kept and len(text) > _HEADER_LIMIT:
                    kept.pop()
                    shown: list[dict[str, JSON]] = [v.short() for v in kept]
                    text = json.dumps([*shown, {"more": len(found) - len(kept)}], separators=(",", ":"))
            response.headers.append((VIOLATIONS_HEADER, text))
        return response


def _no_cookies() -> CookieJar:
    """Return a cookie jar that stores nothing: its policy allows no domain (httpx keeps a CookieJar as given)."""
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))


def _request_id(body: bytes) -> str | None:
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    value = parsed.get("request_id") if isinstance(parsed, dict) else None
    return value if isinstance(value, str) else None


async def _send(send: Send, response: MockResponse) -> None:
    headers = [
        (b"content-type", response.content_type.encode("latin-1")),
        (
            b"content-length",
            b"%d" % (len(response.body) if response.content_length is None else response.content_length),
        ),
    ]
    for name, value in response.headers:
        headers.append((name.lower().encode("latin-1"), value.encode("latin-1", "replace")))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": response.body})


__all__ = ["PROXY_VIDEO_PREFIX", "REQUEST", "RESPONSE", "VIOLATIONS_HEADER", "Operation", "ProxyApp", "ProxyConfig"]
