"""The `harness` fixture: a fresh core on a manual clock per test."""

import pytest
from mock_harness import Harness


@pytest.fixture
def harness() -> Harness:
    return Harness()
