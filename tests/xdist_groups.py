"""How pytest-xdist may split every suite (`make unit`, `make contract-ci` run with `-n`, `--dist loadgroup`).

A test runs on any worker unless its module shares state between tests: when any test of a module
uses a class- or module-scoped fixture defined in that module (a copied workspace, a started
server, built wheels, an autouse check over all the module's tests) or is a unittest class, the
whole module goes to one worker, so that set-up runs once. The rule reads each test's fixtures,
so a new module needs no list; `@pytest.mark.xdist_group(name)` still groups tests by hand.
"""

from __future__ import annotations

from collections import Counter

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
    module_id = _module(item)
    for definitions in info.name2fixturedefs.values():
        for definition in definitions:
            if definition.scope in _SHARED and definition.baseid.split("::", 1)[0] == module_id:
                return True
    return False


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups off the items
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Put every test of a module that shares set-up in one group, so xdist's loadgroup keeps them on one worker.

    The decision is per module: one test that leans on shared set-up (a module fixture, which may be
    autouse and check all the module's tests at its teardown) keeps the whole module together. On
    an xdist worker, two tests with one node id stop the run: xdist would run only one of them.
    """
    if hasattr(config, "workerinput"):
        counts = Counter(item.nodeid for item in items)
        twins = sorted(nodeid for nodeid, n in counts.items() if n > 1)
        if twins:
            raise pytest.UsageError(
                f"tests share a node id, and pytest-xdist would run one of each: {twins[:3]}; "
                "run these suites in one process (PYTEST_WORKERS=0)"
            )
    shared = {_module(item) for item in items if _shares_state(item)}
    for item in items:
        module = _module(item)
        if module in shared and item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(module))


def _module(item: pytest.Item) -> str:
    return item.nodeid.split("::", 1)[0]
