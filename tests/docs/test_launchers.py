"""One way to start a real mock: tests start it through MockServer, never on a port chosen before binding."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEST_CODE = sorted(
    path
    for folder in ("tests", "mock_server/tests", "contract_tests")
    for path in (ROOT / folder).rglob("*.py")
    if path != Path(__file__).resolve()
)
# A port picked by binding a socket, closing it and passing the number on; or the mock started by hand.
RACY = re.compile(r"def free_port|\"--port\", str\(|subprocess\.Popen\(\[?[^)]*maas.kl.mock", re.DOTALL)


@pytest.mark.parametrize("path", TEST_CODE, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_test_picks_a_port_and_binds_it_later_or_starts_the_mock_by_hand(path: Path) -> None:
    found = RACY.search(path.read_text(encoding="utf-8"))
    assert found is None, f"{path.relative_to(ROOT)}: {found[0]!r}; start the mock with maas_kl_mock.MockServer"
