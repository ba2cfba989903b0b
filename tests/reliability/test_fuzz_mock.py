"""Byte-level fuzzing of the mock: in-process against the core for volume, raw bytes over a socket to uvicorn.

What is asserted, for every input:
- the answer is never a 5xx, and the mock counts no internal error;
- every 4xx is the API's error envelope: a JSON object with an integer `code` whose HTTP status
  is the status sent, a string `message` and a string `request_id`;
- a 2xx (an input that happens to be valid) is the success envelope (`code` 0) or, on the file
  route, the video itself;
- over the socket: the server either answers or closes the connection, within a few seconds of
  the client half-closing, and the process stays up and healthy afterwards.
"""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from maas_kl_mock import ManualClock, MockConfig, MockCore, MockRequest, MockResponse, MockServer, load_spec

from .tally import FUZZ_TRIED

API = "/v1/ai/XXX/kling"
ROUTES = [
    f"{API}/videos/text2video",
    f"{API}/videos/image2video",
    f"{API}/videos/video-extend",
    f"{API}/videos/text2video/",
    f"{API}/videos/image2video/",
    f"{API}/videos/video-extend/",
    "/files/videos/",
    "/_mock/",
    "/",
]
TRAVERSAL = [
    "..",
    "../",
    "..%2f",
    "%2e%2e%2f",
    "....//",
    "..\\",
    "%00",
    "/etc/passwd",
    "..%252f",
    "x.mp4/../../y.mp4",
    "%c0%ae%c0%ae/",
]
MAX_BODY = 4096
# Inputs per target: the quick run in `make test`; `make fuzz` sets MAAS_KL_FUZZ=deep (over 100,000 in all).
DEPTH = (
    {"in-process": 100_000, "control API": 10_000, "socket": 3_000}
    if os.environ.get("MAAS_KL_FUZZ") == "deep"
    else {"in-process": 5_000, "control API": 600, "socket": 500}
)


def json_bombs() -> st.SearchStrategy[bytes]:
    """Bodies meant to hurt a JSON parser: deep nesting, huge numbers, invalid UTF-8, truncation."""
    # Random depths, plus the edges of the parsers' limits (jsonschema-rs ~250, orjson 1024).
    depth = st.one_of(st.integers(1, 100_000), st.sampled_from([250, 256, 300, 1000, 1023, 1024, 1025]))
    return st.one_of(
        depth.map(lambda n: b"[" * n + b"]" * n),
        depth.map(lambda n: b'{"a":' * n + b"1" + b"}" * n),
        depth.map(lambda n: b"[" * n),
        st.integers(1, 20_000).map(lambda n: b'{"prompt": "x", "duration": ' + b"9" * n + b"}"),
        st.sampled_from([b'{"prompt": 1e999999}', b'{"prompt": -0.0e-99999}', b'{"cfg_scale": 1e308}', b"NaN"]),
        st.binary(max_size=64).map(lambda b: b'{"prompt": "' + b + b'\xff\xfe"}'),
        st.sampled_from([b'{"prompt": "\xc3\x28"}', b'{"prompt": "\xed\xa0\x80"}', b"\xef\xbb\xbf{}"]),
        st.binary(min_size=1, max_size=200).map(lambda b: b'{"prompt": "A dog", "model_name": "kling-v1"'[: len(b)]),
        st.integers(MAX_BODY + 1, 4 * MAX_BODY).map(lambda n: b'{"prompt": "' + b"a" * n + b'"}'),
    )


def bodies() -> st.SearchStrategy[bytes]:
    """Any body: random bytes, JSON bombs, or valid-looking JSON of random shape."""
    values = st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
        max_leaves=12,
    )
    return st.one_of(st.binary(max_size=300), json_bombs(), values.map(lambda v: json.dumps(v).encode()))


def paths() -> st.SearchStrategy[str]:
    """A known route with a random or hostile tail, or random text."""
    tail = st.one_of(
        st.text(max_size=40),
        st.sampled_from(TRAVERSAL),
        st.lists(st.sampled_from(TRAVERSAL), min_size=1, max_size=4).map("".join),
    )
    return st.one_of(st.builds(lambda r, t: r + t, st.sampled_from(ROUTES), tail), st.text(max_size=60))


def prefers() -> st.SearchStrategy[str]:
    """`Prefer` values: the mock's own keys with hostile values (latin-1 digits like "²"), lists, junk."""
    value = st.one_of(
        st.text(max_size=6),
        st.text(alphabet="0123456789\xb2\xb3\xb9", min_size=3, max_size=3),
        st.sampled_from(["200", "400", "404", "429", "fail", "slow", "lost-response", "document", "failed"]),
    )
    item = st.builds(lambda k, v: f"{k}={v}", st.sampled_from(["code", "example", "scenario", "CODE", " x"]), value)
    return st.one_of(st.lists(item, min_size=1, max_size=3).map(", ".join), st.text(max_size=30))


def headers() -> st.SearchStrategy[dict[str, str]]:
    """Random headers, often with a plausible Authorization and Content-Type, sometimes a Prefer."""
    auth = st.one_of(
        st.just("Bearer fuzz-tenant"),
        st.text(max_size=40),
        st.builds(lambda t: f"Bearer {t}", st.text(max_size=30)),
    )
    return st.builds(
        lambda a, c, p, extra: {**extra, "authorization": a, "content-type": c, **({"prefer": p} if p else {})},
        auth,
        st.sampled_from(["application/json", "text/plain", "", "application/json; charset=latin-1"]),
        st.one_of(st.none(), prefers()),
        st.dictionaries(st.text(min_size=1, max_size=10).map(str.lower), st.text(max_size=30), max_size=3),
    )


def asked_for(request: MockRequest, status: int) -> bool:
    """Whether the client itself asked for `status` with `Prefer: code=` (the only 5xx a client may cause)."""
    prefer = request.headers.get("prefer", "").lower().replace(";", ",")
    return f"code={status}" in prefer.replace(" ", "")


def check_answer(status: int, content_type: str, body: bytes, *, requested: bool = False) -> None:
    """The assertion of this module (see its docstring) on one answer; `requested`: a Prefer code asked for it."""
    assert status < 500 or requested, f"{status}: {body[:300]!r}"
    if content_type.startswith("video/"):
        assert status == 200
        return
    envelope = orjson.loads(body)
    assert isinstance(envelope, dict), body[:200]
    if 200 <= status < 300:
        assert envelope.get("code") == 0 or "code" not in envelope, body[:200]  # control API answers are plain JSON
        return
    assert 400 <= status < 500 or requested, status
    code = envelope["code"]
    assert isinstance(code, int)
    assert load_spec().facts.codes.by_code[code].status == status, f"code {code} sent with HTTP {status}"
    assert isinstance(envelope["message"], str)
    assert envelope["message"]
    assert isinstance(envelope["request_id"], str)


@pytest.fixture(scope="module")
def core() -> MockCore:
    config = MockConfig(max_body_bytes=MAX_BODY, concurrency_limit=10**6, control_api=False, check_responses=True)
    return MockCore(config, ManualClock())


def api_requests() -> st.SearchStrategy[MockRequest]:
    """Requests that reach an operation (right method, path and key), so hostile ids, Prefer values and
    bodies meet the later stages instead of stopping at the router or the authenticator."""
    operation = st.one_of(
        st.sampled_from(ROUTES[:3]).map(lambda path: ("POST", path)),
        st.builds(
            lambda route, key: ("GET", route + key), st.sampled_from(ROUTES[3:6]), st.text(min_size=1, max_size=40)
        ),
    )
    return st.builds(
        lambda op, prefer, body: MockRequest(
            op[0],
            op[1],
            {"authorization": "Bearer fuzz-tenant", "content-type": "application/json", "prefer": prefer},
            body,
            body_too_large=len(body) > MAX_BODY,
        ),
        operation,
        prefers(),
        bodies(),
    )


@pytest.mark.filterwarnings("ignore:Generating overly large repr")  # so a failure shows its cause, not this
@settings(
    max_examples=DEPTH["in-process"],
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    request=st.one_of(
        st.builds(
            lambda method, path, query, hs, body: MockRequest(
                method, path, hs, body, query, body_too_large=len(body) > MAX_BODY
            ),
            st.one_of(st.sampled_from(["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS"]), st.text(max_size=10)),
            paths(),
            st.text(max_size=40),
            headers(),
            bodies(),
        ),
        api_requests(),
    )
)
def test_core_answers_every_input_with_an_envelope(core: MockCore, request: MockRequest) -> None:
    FUZZ_TRIED["in-process"] += 1
    response: MockResponse = core.handle(request)  # check_responses: a body the spec forbids raises here
    check_answer(response.status, response.content_type, response.body, requested=asked_for(request, response.status))
    assert core.internal_errors == 0


def test_core_refuses_traversal_in_ids_and_the_file_route(core: MockCore) -> None:
    auth = {"authorization": "Bearer fuzz-tenant"}
    for hostile in TRAVERSAL:
        for route in ROUTES[3:7]:
            response = core.handle(MockRequest("GET", route + hostile, auth))
            check_answer(response.status, response.content_type, response.body)
            assert response.status == 404, (route + hostile, response.status)


CONTROL = ["health", "tasks", "stats", "reset", "clock", "clock/advance", "faults", "calls", "nope", ""]
SETTINGS = ["seconds", "rate", "seed", "kinds", "after_store", "latency", "rate_limit", "retry_after"]
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)


@settings(
    max_examples=DEPTH["control API"],
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    call=st.one_of(
        st.tuples(st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH"]), st.text(max_size=20)),
        st.sampled_from(
            [("GET", "calls"), ("GET", "tasks"), ("POST", "clock/advance"), ("PUT", "faults"), ("POST", "faults")]
        ),
        st.tuples(st.sampled_from(["GET", "POST", "PUT", "DELETE"]), st.sampled_from(CONTROL)),
    ),
    query=st.one_of(
        st.text(max_size=20),
        st.builds(
            lambda k, v: f"{k}={v}",
            st.sampled_from(["limit", "tenant"]),
            st.one_of(st.text(max_size=6), st.text(alphabet="0123456789\xb2\xb3\xb9", max_size=3)),
        ),
    ),
    body=st.one_of(
        bodies(),
        st.dictionaries(st.sampled_from(SETTINGS), JSON_VALUES, max_size=3).map(lambda d: json.dumps(d).encode()),
    ),
)
def test_control_api_answers_every_input_with_an_envelope(call: tuple[str, str], query: str, body: bytes) -> None:
    FUZZ_TRIED["control API"] += 1
    method, name = call
    core = CONTROL_CORE
    response = core.handle(MockRequest(method, f"/_mock/{name}", {"content-type": "application/json"}, body, query))
    check_answer(response.status, response.content_type, response.body)
    assert core.internal_errors == 0


CONTROL_CORE = MockCore(MockConfig(max_body_bytes=MAX_BODY, check_responses=True), ManualClock())


# --- raw bytes over a real socket --------------------------------------------------------------
TOKEN = st.text(st.characters(min_codepoint=33, max_codepoint=126, exclude_characters='()<>@,;:\\"/[]?={}'), max_size=8)


def raw_requests() -> st.SearchStrategy[tuple[bytes, bool]]:
    """(bytes, complete): a request with hostile parts, and whether its framing is complete."""
    target = st.one_of(paths().map(lambda p: p.encode("utf-8", "surrogatepass")), st.binary(max_size=60))
    header_lines = st.lists(
        st.one_of(
            st.builds(lambda n, v: n + b": " + v, st.binary(max_size=12), st.binary(max_size=40)),
            st.sampled_from([b"Authorization: Bearer fuzz-tenant", b"Transfer-Encoding: chunked", b"X: \xff\xfe"]),
        ),
        max_size=5,
    )
    method = st.one_of(st.sampled_from([b"GET", b"POST", b"PUT"]), TOKEN.map(str.encode), st.binary(max_size=8))
    version = st.sampled_from([b"HTTP/1.1", b"HTTP/1.0", b"HTTP/9.9", b"", b"HTTP/1.1 extra"])

    def build(parts: tuple[bytes, bytes, bytes, list[bytes], bytes, int]) -> tuple[bytes, bool]:
        m, t, v, hs, body, cut = parts
        declared = len(body) + cut
        head = b" ".join(x for x in (m, t, v) if x) + b"\r\n"
        head += b"".join(h + b"\r\n" for h in hs)
        head += b"Connection: close\r\nContent-Length: " + str(declared).encode() + b"\r\n\r\n"
        framed = not any(b"\r" in part or b"\n" in part for part in (m, t, v, *hs))
        return head + body, cut == 0 and framed

    return st.one_of(
        st.tuples(method, target, version, header_lines, bodies(), st.sampled_from([0, 0, 0, 1, 1000])).map(build),
        st.binary(max_size=300).map(lambda b: (b, False)),
    )


def exchange(port: int, data: bytes) -> tuple[bytes, bool]:
    """Send `data`; half-close if the server is still waiting; return all it sent before closing, and whether
    the server closed before taking all of `data` (it may refuse an oversized body unread, then the kernel's
    reset can discard its answer: a timing matter, not a fault)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        try:
            sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            try:
                return sock.recv(65536), True
            except OSError:
                return b"", True
        sock.settimeout(0.3)
        received = b""
        half_closed = False
        deadline = time.monotonic() + 6
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                if not half_closed:
                    sock.shutdown(socket.SHUT_WR)  # "that was everything": the server must now finish
                    half_closed = True
                    sock.settimeout(3)
                    continue
                raise AssertionError(f"the server kept the connection open: {data[:120]!r}") from None
            except ConnectionResetError:
                return received, False
            if not chunk:
                return received, False
            received += chunk
    raise AssertionError(f"no end of answer within 6 s: {data[:120]!r}")


def parse_http(raw: bytes) -> tuple[int, str, bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ")[1])
    content_type = ""
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-type":
            content_type = value.strip().decode("latin-1")
    return status, content_type, body


@pytest.mark.filterwarnings("ignore:Generating overly large repr")  # so a failure shows its cause, not this
def test_server_answers_raw_bytes_with_an_envelope_or_a_close_and_counts_no_internal_error(tmp_path: Path) -> None:
    """One test owns its server, fuzzes it, then reads its stats: passes alone, and only if something was fuzzed."""
    flags = ["--any-token", "--max-body-mb", str(MAX_BODY / 1024 / 1024), "--check-responses"]
    with MockServer(*flags, log_path=tmp_path / "mock.log") as server:
        tried = 0

        @settings(
            max_examples=DEPTH["socket"],
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        @given(case=raw_requests())
        def fuzz(case: tuple[bytes, bool]) -> None:
            nonlocal tried
            data, complete = case
            tried += 1
            FUZZ_TRIED["socket"] += 1
            raw, cut_off = exchange(server.port, data)
            if raw:
                status, content_type, body = parse_http(raw)
                if data.startswith(b"HEAD "):  # a HEAD answer has the GET's headers and no body (RFC 9110 9.3.2)
                    assert status < 500, raw[:300]
                else:
                    check_answer(status, content_type, body)
            else:
                assert not complete or cut_off, f"a completely framed request got no answer: {data[:200]!r}"
            assert server.alive()

        fuzz()
        stats = server.control.stats()
        assert tried >= DEPTH["socket"] // 2, "the socket fuzzing barely ran"
        assert stats["requests"] > 0, "no fuzzed input reached the mock's core"
        assert stats["internal_errors"] == 0
        assert server.alive()
