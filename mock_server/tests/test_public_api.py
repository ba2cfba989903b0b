"""The public surface: `__all__` is sorted and resolves, and importing it stays light (optional parts load lazily)."""

import subprocess
import sys

import maas_kl_mock


def test_all_is_sorted_and_every_name_resolves() -> None:
    assert list(maas_kl_mock.__all__) == sorted(maas_kl_mock.__all__)
    for name in maas_kl_mock.__all__:
        assert getattr(maas_kl_mock, name) is not None, name
    assert set(maas_kl_mock.__all__) <= set(dir(maas_kl_mock))


def test_import_loads_neither_sqlite3_nor_uvicorn_until_asked() -> None:
    probe = (
        "import sys, maas_kl_mock\n"
        "print(sorted({'sqlite3', 'uvicorn'} & set(sys.modules)))\n"
        "from maas_kl_mock import SqliteTaskStore, create_app\n"
        "print(sorted({'sqlite3', 'uvicorn'} & set(sys.modules)), SqliteTaskStore.__name__, create_app.__name__)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60)
    assert done.stdout.splitlines() == ["[]", "['sqlite3', 'uvicorn'] SqliteTaskStore create_app"]
