"""Settings every suite shares: how pytest-xdist may split the tests (tests/xdist_groups.py, type-checked there)."""

from tests.xdist_groups import pytest_collection_modifyitems

__all__ = ["pytest_collection_modifyitems"]
