"""The command line is an optional extra: the core SDK never imports it or rich; the console script works."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import maas_kl_client

ROOT = Path(__file__).resolve().parents[2]


# Blocks rich the way a missing package would (httpx itself imports rich when it is installed).
WITHOUT_RICH = "import sys; sys.modules['rich'] = None; "


def test_core_works_without_rich_and_never_loads_the_cli() -> None:
    code = WITHOUT_RICH + (
        "import maas_kl_client; print(sorted(m for m in sys.modules if m.split('.')[:2] == ['maas_kl_client', 'cli']))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_cli_without_the_extra_says_how_to_install_it() -> None:
    code = WITHOUT_RICH + "from maas_kl_client.cli import main; raise SystemExit(main(['status', '1']))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert "pip install 'maas-kl-client[cli]'" in done.stderr


def test_pyproject_declares_the_extra_and_the_script() -> None:
    project = tomllib.loads((ROOT / "generated_client" / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert sorted(dep.split(">")[0] for dep in project["dependencies"]) == ["attrs", "httpx", "maas-kl-specfacts"]
    assert [dep.split(">")[0] for dep in project["optional-dependencies"]["cli"]] == ["rich"]
    assert project["scripts"] == {"maas-kl": "maas_kl_client.cli:main"}


def test_console_script_reports_a_user_error_without_traceback() -> None:
    script = Path(sys.executable).parent / "maas-kl"
    env = {"PATH": str(script.parent), "MAAS_KL_API_KEY": "k"}
    done = subprocess.run([str(script), "status", "1"], capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 2
    assert "ConfigurationError: No endpoint path" in done.stderr
    assert "Traceback" not in done.stderr
    version = subprocess.run([str(script), "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.startswith(f"maas-kl {maas_kl_client.__version__}")
