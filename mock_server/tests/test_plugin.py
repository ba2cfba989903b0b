"""The README's example: user code tested with the `maas_kl_mock` fixture (from the pytest11 entry point)."""

import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from maas_kl_mock.pytest_plugin import MockFixture


def make_video(client: httpx.Client, prompt: str) -> bytes:
    """User code under test: create, poll, download."""
    task_id = client.post("/videos/text2video", json={"prompt": prompt}).json()["data"]["task_id"]
    data = client.get(f"/videos/text2video/{task_id}").json()["data"]
    assert data["task_status"] == "succeed", data["task_status"]
    return client.get(data["task_result"]["videos"][0]["url"]).content


def test_user_code_against_the_fixture(maas_kl_mock: MockFixture) -> None:
    with maas_kl_mock.client() as client:
        task = client.post("/videos/text2video", json={"prompt": "A dog"}).json()["data"]
        maas_kl_mock.advance(5)
        status = client.get(f"/videos/text2video/{task['task_id']}").json()["data"]["task_status"]
    assert status == "succeed"
    assert len(maas_kl_mock.store) == 1
    assert [c.operation_id for c in maas_kl_mock.calls] == ["create_text2video_task", "get_text2video_task"]


@pytest.mark.maas_kl_mock(lifecycle=__import__("maas_kl_mock").Lifecycle(0, 0))
def test_marker_configures_the_fixture(maas_kl_mock: MockFixture) -> None:
    with maas_kl_mock.client() as client:
        assert make_video(client, "instant")[4:8] == b"ftyp"


def test_fault_controls(maas_kl_mock: MockFixture) -> None:
    maas_kl_mock.set_faults(rate=1.0, kinds=["503"])
    with maas_kl_mock.client() as client:
        response = client.get("/videos/text2video/x")
    assert response.status_code == 503
    assert maas_kl_mock.faults.injected["503"] == 1


def test_finish_all_ends_every_task(maas_kl_mock: MockFixture) -> None:
    with maas_kl_mock.client() as client:
        client.post("/videos/text2video", json={"prompt": "x"}, headers={"Prefer": "scenario=slow"})
    maas_kl_mock.finish_all()
    assert maas_kl_mock.store.tasks()[0].status(maas_kl_mock.clock.now(), maas_kl_mock.core.statuses) == "succeed"


def test_readme_example(maas_kl_mock: MockFixture) -> None:
    with maas_kl_mock.client() as client:  # httpx.Client bound to the mock, token set
        task = client.post("/videos/text2video", json={"prompt": "A dog"}).json()["data"]
        maas_kl_mock.advance(5)  # move simulated time; nothing sleeps
        done = client.get(f"/videos/text2video/{task['task_id']}").json()["data"]
        video = client.get(done["task_result"]["videos"][0]["url"]).content
    assert done["task_status"] == "succeed"
    assert video[4:8] == b"ftyp"
    assert len(maas_kl_mock.store) == 1
    assert [c.operation_id for c in maas_kl_mock.calls] == ["create_text2video_task", "get_text2video_task", None]


def test_a_misspelt_marker_setting_names_the_valid_ones(tmp_path: Path) -> None:
    test = tmp_path / "test_typo.py"
    test.write_text(
        "import pytest\n\n@pytest.mark.maas_kl_mock(concurency_limit=2)\ndef test_typo(maas_kl_mock):\n    pass\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", str(test), "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path)],
        capture_output=True, text=True, check=False, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout
    assert "has no setting concurency_limit (did you mean concurrency_limit?)" in done.stdout
    assert "the settings are the fields of MockConfig" in done.stdout
    assert "TypeError" not in done.stdout
    assert "Traceback" not in done.stdout
