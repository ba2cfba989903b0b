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


def test_version_loads_neither_rich_nor_the_client() -> None:
    """`maas-kl --version` answers from the package's version alone: no rich, no httpx, no client (issue 22)."""
    code = (
        "import sys\n"
        "from maas_kl_client.cli import main\n"
        "sys.argv = ['maas-kl', '--version']\n"
        "assert main() == 0\n"
        "loaded = [m for m in ('rich', 'httpx', 'attrs', 'asyncio', 'maas_kl_client._core') if m in sys.modules]\n"
        "print(loaded)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines() == [f"maas-kl {maas_kl_client.__version__}", "[]"]


def test_importing_the_sdk_loads_no_client_machinery_until_a_name_is_used() -> None:
    """`import maas_kl_client` is cheap; the client, models and batch runner load on first use (issue 22)."""
    code = (
        "import sys, maas_kl_client\n"
        "print(sorted(m for m in ('httpx', 'attrs', 'asyncio', 'maas_kl_client._batch') if m in sys.modules))\n"
        "maas_kl_client.MaasKL(api_key='k', endpoint_path='e').close()\n"
        "print(sorted(m for m in ('attrs', 'maas_kl_client._batch', 'maas_kl_client._preflight')"
        " if m in sys.modules))\n"
        "from maas_kl_client.models import Text2VideoRequest\n"
        "print('attrs' in sys.modules, Text2VideoRequest(prompt='p').to_dict())\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines() == ["[]", "[]", "True {'prompt': 'p'}"]
