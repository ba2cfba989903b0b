"""How pytest-xdist may split every suite (`make unit`, `make contract-ci` run with `-n`, `--dist loadgroup`).

A test runs on any worker unless it shares state with its neighbours: a test that uses a module- or
class-scoped fixture defined in its own module (a copied workspace, a started server, built wheels),
or a unittest class, goes to one worker with the rest of its module, so that set-up runs once. The
rule reads each test's fixtures, so a new module needs no list; `@pytest.mark.xdist_group(name)`
still groups tests by hand.
"""

from __future__ import annotations

import pytest

_SHARED = frozenset({"class", "module", "package"})


def _shares_state(item: pytest.Item) -> bool:
    """Whether `item` leans on set-up its module shares between tests."""
    cls = getattr(item, "cls", None)
    if cls is not None and hasattr(cls, "setUpClass"):
        return True  # a unittest.TestCase: its class set-up is shared
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return False
    module_id = item.nodeid.split("::", 1)[0]
    for definitions in info.name2fixturedefs.values():
        for definition in definitions:
            if definition.scope in _SHARED and definition.baseid.split("::", 1)[0] == module_id:
                return True
    return False


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups off the items
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Group the tests of a module that shares set-up, so xdist's loadgroup keeps them on one worker."""
    for item in items:
        if item.get_closest_marker("xdist_group") is None and _shares_state(item):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::", 1)[0]))
