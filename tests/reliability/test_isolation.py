"""Tenant isolation as a property: in any interleaving, no tenant sees, extends or downloads another's work."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import orjson
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from maas_kl_mock import ManualClock, MockConfig, MockCore, MockRequest, MockResponse

API = "/v1/ai/XXX/kling/videos"
TENANTS = ("tenant-a", "tenant-b", "tenant-c")
KIND_PATH = {"text2video": "text2video", "image2video": "image2video", "video_extend": "video-extend"}
EXTERNAL_IDS = ("shared-1", "shared-2", "shared-3")  # the same ids in several tenants: unique per user only


@dataclass(frozen=True)
class Owned:
    """A task the model knows about, and whose it is."""

    tenant: str
    kind: str
    task_id: str
    external_task_id: str | None


class Isolation(RuleBasedStateMachine):
    """Several tenants create, query, extend and download, with keys and ids of each other mixed in."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = ManualClock()
        self.core = MockCore(MockConfig(concurrency_limit=1000), self.clock)
        self.tasks: list[Owned] = []
        self.videos: dict[str, tuple[str, str]] = {}  # video_id -> (tenant, signed url path?query)
        self.answers = 0

    def call(
        self, tenant: str, method: str, path: str, body: dict[str, object] | None = None, *, key: bool = True
    ) -> MockResponse:
        headers = {"content-type": "application/json"}
        if key:
            headers["authorization"] = f"Bearer {tenant}"
        path, _, query = path.partition("?")
        self.answers += 1
        return self.core.handle(MockRequest(method, path, headers, orjson.dumps(body) if body else b"", query))

    @initialize()
    def start(self) -> None:
        self.answers = 0

    @rule(
        tenant=st.sampled_from(TENANTS),
        kind=st.sampled_from(["text2video", "image2video"]),
        ext=st.none() | st.sampled_from(EXTERNAL_IDS),
    )
    def create(self, tenant: str, kind: str, ext: str | None) -> None:
        body: dict[str, object] = {"prompt": "A dog"} if kind == "text2video" else {"image": "https://e.x/a.png"}
        if ext is not None:
            body["external_task_id"] = ext
        response = self.call(tenant, "POST", f"{API}/{KIND_PATH[kind]}", body)
        taken = any(t.tenant == tenant and t.external_task_id == ext for t in self.tasks if ext is not None)
        if taken:
            assert (response.status, orjson.loads(response.body)["code"]) == (400, 1201)
            return
        assert response.status == 200, response.body
        data = orjson.loads(response.body)["data"]
        self.tasks.append(Owned(tenant, kind, data["task_id"], ext))

    @rule(seconds=st.sampled_from([1.0, 5.0, 60.0]))
    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)

    @rule(tenant=st.sampled_from(TENANTS), which=st.integers(0, 10**6), by_external=st.booleans())
    def query(self, tenant: str, which: int, by_external: bool) -> None:
        if not self.tasks:
            return
        target = self.tasks[which % len(self.tasks)]
        key = target.external_task_id if by_external and target.external_task_id else target.task_id
        response = self.call(tenant, "GET", f"{API}/{KIND_PATH[target.kind]}/{key}")
        mine = [t for t in self.tasks if t.tenant == tenant and t.kind == target.kind]
        if response.status == 200:
            data = orjson.loads(response.body)["data"]
            assert data["task_id"] in {t.task_id for t in mine}, f"{tenant} saw a task it does not own"
            for video in data.get("task_result", {}).get("videos", []):
                self.videos[video["id"]] = (tenant, _local(video["url"]))
        else:
            assert target.tenant != tenant or key != target.task_id, "a tenant could not read its own task"
            assert (response.status, orjson.loads(response.body)["code"]) == (404, 1203)

    @rule(tenant=st.sampled_from(TENANTS), which=st.integers(0, 10**6))
    def extend(self, tenant: str, which: int) -> None:
        if not self.videos:
            return
        video_id = sorted(self.videos)[which % len(self.videos)]
        owner, _ = self.videos[video_id]
        response = self.call(tenant, "POST", f"{API}/video-extend", {"video_id": video_id})
        if owner != tenant:
            assert (response.status, orjson.loads(response.body)["code"]) == (404, 1203), "extended a foreign video"
        elif response.status == 200:
            data = orjson.loads(response.body)["data"]
            self.tasks.append(Owned(tenant, "video_extend", data["task_id"], None))

    @rule(tenant=st.sampled_from(TENANTS), which=st.integers(0, 10**6), swap=st.booleans(), key=st.booleans())
    def download(self, tenant: str, which: int, swap: bool, key: bool) -> None:
        """Download with this tenant's key, or keyless like a CDN where only the signature protects."""
        if not self.videos:
            return
        names = sorted(self.videos)
        video_id = names[which % len(names)]
        owner, url = self.videos[video_id]
        if swap:
            # This tenant's own signature on another tenant's video id: a forged link.
            own = next((u for (t, u) in self.videos.values() if t == tenant), None)
            if own is None:
                return
            url = url.split("?")[0] + "?" + own.split("?")[1]
            owner = tenant if own.split("?")[0] == url.split("?")[0] else "forged"
        response = self.call(tenant, "GET", url, key=key)
        if owner == tenant or (not key and owner != "forged"):
            assert response.status == 200  # a genuine link opens for its owner, and keyless like a CDN link
        else:
            assert response.status == 404, f"{tenant} downloaded {owner}'s video (key sent: {key})"

    @invariant()
    def no_internal_errors(self) -> None:
        assert self.core.internal_errors == 0


def _local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


Isolation.TestCase.settings = settings(
    max_examples=150, stateful_step_count=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
TestIsolation = Isolation.TestCase
