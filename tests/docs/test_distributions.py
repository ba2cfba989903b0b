"""The distributions as a user gets them: `uv build --all-packages`, then wheels in clean venvs (issues 16, 19)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# `uv run` tells its children where uv is; otherwise the one on PATH.
UV = os.environ.get("UV") or shutil.which("uv")
pytestmark = pytest.mark.skipif(UV is None, reason="uv is not available to build the wheels")

SMOKE = """
from maas_kl_client import MaasKL
from maas_kl_mock import InProcessMock, MockServer

with MockServer() as mock, MaasKL(mock.token, mock.endpoint_path, mock.base_url) as client:
    print("created", client.text2video.create(prompt="A dog").task_status)
try:
    InProcessMock().respx_router()
except ModuleNotFoundError as missing:
    print("respx:", missing)
"""


def _uv(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    assert UV is not None
    return subprocess.run([UV, *args], cwd=cwd, capture_output=True, text=True, timeout=600, check=False)


def _install(venv: Path, *requirements: str, links: Path) -> None:
    """Install from the local wheels; dependencies from uv's cache, or the registry when the cache lacks them."""
    args = ["pip", "install", "--python", str(venv / "bin" / "python"), "--find-links", str(links), *requirements]
    done = _uv(*args, "--offline")
    if done.returncode != 0:
        done = _uv(*args)
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    dist = tmp_path_factory.mktemp("dist")
    done = _uv("build", "--all-packages", "--wheel", "--out-dir", str(dist))
    assert done.returncode == 0, done.stderr[-3000:]
    found = {wheel.name.split("-")[0]: wheel for wheel in dist.glob("*.whl")}
    assert sorted(found) == ["maas_kl_client", "maas_kl_mock", "maas_kl_specfacts"], found
    return found


@pytest.fixture(scope="module")
def venv(wheels: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    env = tmp_path_factory.mktemp("venv") / ".venv"
    done = _uv("venv", "--python", sys.executable, str(env))
    assert done.returncode == 0, done.stderr[-3000:]
    _install(env, "maas-kl-client[cli]", "maas-kl-mock", links=wheels["maas_kl_client"].parent)
    return env


def test_readme_says_how_to_build_the_distributions() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "uv build --all-packages" in readme


@pytest.mark.parametrize("name", ["maas_kl_client", "maas_kl_mock", "maas_kl_specfacts"])
def test_each_wheel_ships_the_license_it_declares(wheels: dict[str, Path], name: str) -> None:
    with zipfile.ZipFile(wheels[name]) as wheel:
        licenses = [n for n in wheel.namelist() if n.endswith("/LICENSE") and ".dist-info/" in n]
        metadata = wheel.read(next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))).decode()
        assert len(licenses) == 1, wheel.namelist()
        assert "Apache License" in wheel.read(licenses[0]).decode()
    assert "License-Expression: Apache-2.0" in metadata
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith(" " * 30 + "Apache License")


def test_the_wheels_work_in_a_clean_venv(venv: Path) -> None:
    python = venv / "bin" / "python"
    done = subprocess.run([python, "-c", SMOKE], capture_output=True, text=True, timeout=120, check=False, cwd=venv)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "created submitted" in done.stdout
    assert "pip install 'maas-kl-mock[respx]'" in done.stdout  # respx is an extra; the error says which
    version = subprocess.run([venv / "bin" / "maas-kl", "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.startswith("maas-kl ")
    serve = subprocess.run(
        [venv / "bin" / "maas-kl-mock", "serve", "--help"], capture_output=True, text=True, check=False
    )
    assert "--ready-file" in serve.stdout


def test_the_mock_wheel_ships_the_inspector(wheels: dict[str, Path], venv: Path) -> None:
    """The inspector's static files are package data: in the wheel, and served from an installed copy."""
    static = ROOT / "mock_server" / "src" / "maas_kl_mock" / "inspector" / "static"
    with zipfile.ZipFile(wheels["maas_kl_mock"]) as wheel:
        names = set(wheel.namelist())
    expected = {f"maas_kl_mock/inspector/static/{p.name}" for p in static.iterdir()}
    assert {"index.html", "inspector.js", "inspector.css"} <= {p.name for p in static.iterdir()}
    assert expected <= names, sorted(expected - names)
    check = (
        "from maas_kl_mock.inspector import serve\n"
        "for name in ('', 'inspector.js', 'inspector.css'):\n"
        "    answer = serve('/_mock/ui/' + name)\n"
        "    print(answer.status, len(answer.body) > 100, answer.header('content-security-policy')[:18])\n"
    )
    python = venv / "bin" / "python"
    done = subprocess.run([python, "-c", check], capture_output=True, text=True, timeout=60, check=False, cwd=venv)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.splitlines() == ["200 True default-src 'self'"] * 3


def test_the_respx_extra_makes_the_router_work(venv: Path, wheels: dict[str, Path]) -> None:
    _install(venv, "maas-kl-mock[respx]", links=wheels["maas_kl_mock"].parent)
    code = "from maas_kl_mock import InProcessMock; print(type(InProcessMock().respx_router()).__name__)"
    done = subprocess.run([venv / "bin" / "python", "-c", code], capture_output=True, text=True, check=False)
    assert done.stdout.strip() == "MockRouter", done.stderr[-2000:]


ALONE = {
    "maas-kl-client": (
        "import importlib.util, maas_kl_client, maas_kl_specfacts\n"
        "assert importlib.util.find_spec('maas_kl_mock') is None\n"
        "from maas_kl_client import MaasKL, PreflightError\n"
        "client = MaasKL('k', 'p', 'http://127.0.0.1:9')\n"
        "try:\n    client.text2video.create(prompt='')\nexcept PreflightError as e:\n    print('refused', e.field)\n"
    ),
    "maas-kl-mock": (
        "import importlib.util, maas_kl_mock\n"
        "assert importlib.util.find_spec('maas_kl_client') is None\n"
        "import httpx\n"
        "mock = maas_kl_mock.InProcessMock()\n"
        "http = httpx.Client(transport=mock.transport(), base_url='http://mock')\n"
        "auth = {'Authorization': 'Bearer k'}\n"
        "r = http.post('/v1/ai/x/kling/videos/text2video', json={'prompt': ''}, headers=auth)\n"
        "print('refused', r.status_code)\n"
    ),
}


@pytest.mark.parametrize("product", sorted(ALONE))
def test_each_product_installs_and_works_alone(
    product: str, wheels: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Each product's wheel brings only its own dependencies (the interpreter among them), never the other."""
    env = tmp_path_factory.mktemp(product) / ".venv"
    done = _uv("venv", "--python", sys.executable, str(env))
    assert done.returncode == 0, done.stderr[-3000:]
    _install(env, product, links=wheels["maas_kl_client"].parent)
    run = subprocess.run(
        [env / "bin" / "python", "-c", ALONE[product]], capture_output=True, text=True, timeout=120, check=False
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.startswith("refused"), run.stdout


@pytest.mark.parametrize("folder", ["generated_client", "mock_server", "specfacts"])
def test_each_distribution_links_the_one_license(folder: str) -> None:
    """The license text exists once: each distribution's LICENSE is a link to the root's, which the wheel resolves."""
    license_file = ROOT / folder / "LICENSE"
    assert license_file.is_symlink()
    assert license_file.resolve() == (ROOT / "LICENSE").resolve()
