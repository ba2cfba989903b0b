"""The inspector at /_mock/ui/ in a real Chromium (issue 23): tasks, videos, calls, controls, the proxy's violations.

One served mock (a short lifecycle, so nothing waits long) and one browser for the module. Every
view is checked for console errors and by axe-core, and photographed into reports/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from maas_kl_client import MaasKL, PollSchedule
from maas_kl_mock import MockServer

from tests.proxy.misbehaving import MisbehavingUpstream

from .conftest import REPORTS, ROOT

HOSTILE = "<script>alert(1)</script>"
FAST = PollSchedule(initial=0.2, multiplier=1.0, maximum=0.2)
LIVE = 5_000  # ms a live change may take to show; the page polls every 500 ms (test_the_page_polls_within_a_second)
# A request body per task family; the test checks that these are all the families the spec has.
BODIES: dict[str, dict[str, Any]] = {
    "text2video": {"prompt": HOSTILE, "duration": "10"},
    "image2video": {"image": "https://example.com/frame.png", "prompt": "Waves"},
    "video_extend": {"prompt": "The dog jumps"},  # video_id: the text2video task's video
}


@dataclass
class Watched:
    """A page of the inspector, with the console errors and dialogs it produced."""

    page: Any
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def view(self, name: str) -> None:
        self.page.get_by_role("button", name=name, exact=True).click()

    def check(self, shot: str) -> None:
        """No console error so far, no serious or critical axe violation, and a screenshot in reports/."""
        assert self.errors == [], self.errors
        assert self.dialogs == [], self.dialogs
        found = self.page.evaluate(
            """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
                .filter((v) => v.impact === "serious" || v.impact === "critical")
                .map((v) => v.id + ": " + v.nodes.map((n) => n.target.join(" ")).join(", "))"""
        )
        assert found == [], found
        REPORTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(REPORTS / f"inspector-{shot}.png"), full_page=False)


@pytest.fixture(scope="module")
def mock() -> Iterator[MockServer]:
    lifecycle = ("--submitted-seconds", "0.4", "--processing-seconds", "0.6")
    with MockServer("--any-token", *lifecycle, "--check-responses") as m:
        yield m
    assert "Traceback" not in m.logs(), m.logs()


@pytest.fixture
def page(browser: Any) -> Iterator[Watched]:
    tab = browser.new_page()
    watched = Watched(tab)
    tab.on("console", lambda m: watched.errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: watched.errors.append(str(e)))
    tab.on("dialog", lambda d: _dismiss(watched, d))
    yield watched
    tab.close()


def _dismiss(watched: Watched, dialog: Any) -> None:
    """A dialog means a script ran that should not have (an alert from a prompt): note it, close it."""
    watched.dialogs.append(dialog.message)
    dialog.dismiss()


def _sdk(mock: MockServer, key: str = "inspector-key") -> MaasKL:
    return MaasKL(api_key=key, endpoint_path=mock.endpoint_path, base_url=mock.base_url, poll=FAST, max_retries=0)


def _row(page: Any, task_id: str) -> Any:
    return page.locator(f'#task-table tr[data-task="{task_id}"]')


def test_tasks_of_every_family_show_their_timelines_requests_and_messages(mock: MockServer, page: Watched) -> None:
    from playwright.sync_api import expect  # noqa: PLC0415

    mock.control.reset()
    page.page.goto(f"{mock.base_url}/_mock/ui/")
    expect(page.page.locator("#server-kind")).to_have_text("serving: mock")
    families = sorted(httpx.get(f"{mock.base_url}/_mock/meta").json()["families"])
    assert sorted(BODIES) == families, "a family was added to the spec: give it a body here"
    with _sdk(mock) as client:
        source = client.text2video.create_and_wait(prompt=HOSTILE, duration="10")
        created = {"text2video": source.task_id}
        for family in families[:]:
            if family == "text2video":
                continue
            body = {**BODIES[family], **({"video_id": source.videos[0].id} if family == "video_extend" else {})}
            created[family] = client.resource(family).create_from(body).task_id
    failed = httpx.post(
        f"{mock.api_base_url}/videos/text2video",
        headers={"Authorization": "Bearer other-key", "Prefer": "scenario=fail"},
        json={"prompt": "A cat"},
    ).json()["data"]["task_id"]
    for family, task_id in created.items():  # live: no reload
        expect(_row(page.page, task_id)).to_contain_text(family, timeout=LIVE)
        expect(_row(page.page, task_id).locator("td.timeline")).to_have_text(re.compile(r"→ succeed$"), timeout=LIVE)
    expect(_row(page.page, failed).locator("td.timeline")).to_have_text(re.compile(r"→ failed$"), timeout=LIVE)
    expect(_row(page.page, failed)).to_contain_text("Failure to pass the risk control system")
    # the tenant is a label, never the key
    assert "inspector-key" not in page.page.locator("#task-table").inner_text()
    # the hostile prompt is text: the request shows it, and no script ran
    _row(page.page, created["text2video"]).get_by_role("button").click()
    detail = page.page.locator("#task-detail")
    expect(detail.locator("pre").first).to_contain_text(HOSTILE)
    expect(detail).to_contain_text("extended by task " + created["video_extend"])
    assert page.page.locator("#task-detail script").count() == 0
    statuses = detail.locator("ol.timeline li").all_inner_texts()
    assert [s.split(" ")[0] for s in statuses] == ["submitted", "processing", "succeed"]
    # filters come from the spec: filtering by status leaves only the failed task
    page.page.select_option("#filter-status", "failed")
    expect(page.page.locator("#task-table tbody tr")).to_have_count(1, timeout=LIVE)
    page.page.select_option("#filter-status", "")
    page.check("tasks")


def test_videos_play_with_the_tasks_duration(mock: MockServer, page: Watched) -> None:
    from playwright.sync_api import expect  # noqa: PLC0415

    with _sdk(mock, "video-key") as client:
        source = client.text2video.create_and_wait(prompt="A dog", duration="10")
        extension = client.video_extend.create_and_wait(video_id=source.videos[0].id, prompt="The dog jumps")
    page.page.goto(f"{mock.base_url}/_mock/ui/")
    for task, seconds in ((source, 10.1), (extension, 15.1)):
        assert float(task.videos[0].duration) == seconds
        _row(page.page, task.task_id).get_by_role("button").click()
        # This task's own player: the detail of the task shown before may still be on the page for a poll.
        label = f"Video {task.videos[0].id}"
        video = page.page.locator(f'#task-detail video[aria-label="{label}"]')
        expect(video).to_have_count(1, timeout=LIVE)
        page.page.wait_for_function(
            "(label) => { const v = [...document.querySelectorAll('#task-detail video')]"
            ".find((p) => p.getAttribute('aria-label') === label); return v && v.readyState >= 2; }",
            arg=label,
            timeout=15_000,
        )
        duration = video.evaluate("v => v.duration")
        assert abs(duration - seconds) <= 0.1, (task.task_id, duration)
        expect(page.page.locator("#task-detail .video-facts")).to_contain_text(re.compile(r"KiB|MiB"))
    page.check("video")


def test_clock_control_moves_the_clock_and_says_so(mock: MockServer, page: Watched) -> None:
    from playwright.sync_api import expect  # noqa: PLC0415

    page.page.goto(f"{mock.base_url}/_mock/ui/")
    page.view("Controls")
    expect(page.page.locator("#clock")).to_have_text(re.compile("UTC$"), timeout=LIVE)
    shown_before = _shown_time(page.page.locator("#clock").inner_text())
    before = mock.control.now()
    page.page.get_by_label("Advance by (seconds)").fill("3600")
    page.page.get_by_role("button", name="Advance the clock").click()
    expect(page.page.locator("#clock-result")).to_contain_text("the clock moved 3600 s")
    assert mock.control.now() - before >= 3600
    assert _shown_time(page.page.locator("#clock").inner_text()) - shown_before >= 3600  # the page shows it
    page.check("controls")


def _shown_time(text: str) -> float:
    """Read the page's `2026-12-07 18:02:06.538 UTC` back as seconds since the epoch."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f UTC").replace(tzinfo=UTC).timestamp()


def test_fault_control_sets_a_rate_and_the_next_calls_show_their_faults(mock: MockServer, page: Watched) -> None:
    from playwright.sync_api import expect  # noqa: PLC0415

    page.page.goto(f"{mock.base_url}/_mock/ui/")
    page.view("Controls")
    rate = page.page.get_by_label("Rate (share of API requests, 0 to 1)")
    expect(rate).to_have_value("0", timeout=LIVE)  # the page has shown the current plan, as a user would see first
    rate.fill("1")
    for box in page.page.locator("#fault-kinds input").all():
        box.set_checked(box.get_attribute("value") == "503")
    page.page.get_by_label("Seed").fill("4")
    page.page.wait_for_timeout(1200)  # a few polls of the plan: they must not overwrite what the user typed
    expect(page.page.get_by_label("Rate (share of API requests, 0 to 1)")).to_have_value("1")
    page.page.get_by_role("button", name="Set the fault plan").click()
    expect(page.page.locator("#fault-result")).to_contain_text("rate 0 → 1")
    try:
        for _ in range(2):
            answer = httpx.get(f"{mock.api_base_url}/videos/text2video/123", headers=mock.headers)
            assert answer.status_code == 503
    finally:
        mock.control.set_faults(rate=0.0)
    page.view("Calls")
    rows = page.page.locator("#call-table tbody tr")
    expect(rows.filter(has_text="fault 503")).to_have_count(2, timeout=LIVE)
    rows.filter(has_text="fault 503").first.get_by_role("button").click()
    expect(page.page.locator("#call-detail")).to_contain_text("5001")
    assert "mock-token" not in page.page.locator("#call-detail").inner_text()  # the key is masked
    page.check("calls")


def test_a_proxy_in_front_of_a_misbehaving_upstream_shows_its_violations(page: Watched) -> None:
    from playwright.sync_api import expect  # noqa: PLC0415

    with MisbehavingUpstream() as upstream, MockServer("--upstream", upstream.base_url, command="proxy") as proxy:
        auth = {"Authorization": "Bearer sk-proxy-inspector-0123456789"}
        httpx.get(f"{proxy.base_url}/v1/ai/default/kling/videos/text2video/unknown-status", headers=auth)
        httpx.get(f"{proxy.base_url}/v1/ai/default/kling/videos/text2video/fine", headers=auth)
        page.page.goto(f"{proxy.base_url}/_mock/ui/")
        expect(page.page.locator("#server-kind")).to_contain_text("proxy to")
        assert page.page.get_by_role("button", name="Tasks", exact=True).is_hidden()
        rows = page.page.locator("#call-table tbody tr")
        expect(rows).to_have_count(2, timeout=LIVE)
        expect(rows.filter(has_text="1 violation")).to_have_count(1)
        expect(rows.filter(has_text="conforms")).to_have_count(1)
        rows.filter(has_text="1 violation").get_by_role("button").click()
        detail = page.page.locator("#call-detail .violations")
        expect(detail).to_contain_text("/data/task_status")
        expect(detail).to_contain_text("rule: schema:enum")
        assert "sk-proxy-inspector" not in page.page.locator("#call-detail").inner_text()
        page.check("proxy-calls")


def test_the_page_is_usable_from_the_keyboard(mock: MockServer, page: Watched) -> None:
    from playwright.sync_api import expect  # noqa: PLC0415

    page.page.goto(f"{mock.base_url}/_mock/ui/")
    page.page.get_by_role("button", name="Calls", exact=True).focus()
    page.page.keyboard.press("Enter")
    expect(page.page.locator("#view-calls")).to_be_visible()
    page.page.keyboard.press("Tab")
    page.page.keyboard.press("Enter")
    expect(page.page.locator("#view-controls")).to_be_visible()
    page.check("keyboard")


def test_the_page_is_served_with_a_strict_policy_and_polls_within_a_second(mock: MockServer) -> None:
    answer = httpx.get(f"{mock.base_url}/_mock/ui/")
    policy = answer.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    script = (ROOT / "mock_server/src/maas_kl_mock/inspector/static/inspector.js").read_text(encoding="utf-8")
    assert "innerHTML" not in script
    assert "insertAdjacentHTML" not in script
    poll = re.search(r"const POLL_MS = (\d+);", script)
    assert poll is not None
    assert int(poll.group(1)) <= 1000
    page = answer.text
    assert "<script>" not in page  # no inline script
    assert "http://" not in page
    assert "https://" not in page  # nothing from the network


def test_the_policy_blocks_inline_script_in_the_browser(mock: MockServer, page: Watched) -> None:
    page.page.goto(f"{mock.base_url}/_mock/ui/")
    ran = page.page.evaluate(
        """() => {
            const inline = document.createElement("script");
            inline.textContent = "window.__inlineRan = true";
            document.body.append(inline);
            return window.__inlineRan === true;
        }"""
    )
    assert ran is False
    assert any("Content Security Policy" in error for error in page.errors), page.errors
