"""Hooks every suite shares, type-checked where they live: how xdist splits the tests, and the fuzz tally."""

from tests.reliability.tally import pytest_sessionfinish, pytest_terminal_summary, pytest_testnodedown
from tests.xdist_groups import pytest_collection_modifyitems

__all__ = ["pytest_collection_modifyitems", "pytest_sessionfinish", "pytest_terminal_summary", "pytest_testnodedown"]
