"""Mock against spec: schemathesis's examples, coverage, fuzzing and stateful phases on the in-process ASGI app."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import settings

from contract_tests.checks import OTHER_KEY_ENV, STATE
from contract_tests.mock_app import OTHER_TENANT_KEY, TENANT_KEY, contract_mock_app
from contract_tests.profiles import examples_budget, stateful_settings
from contract_tests.spec_facts import SPEC_PATH

os.environ.setdefault("MAAS_KL_API_KEY", TENANT_KEY)  # read by schemathesis.toml's bearer auth
os.environ[OTHER_KEY_ENV] = OTHER_TENANT_KEY

_TOML = tomllib.loads(Path(__file__).with_name("schemathesis.toml").read_text(encoding="utf-8"))
_TOML["generation"]["max-examples"] = examples_budget()
# The in-process app serves the spec's server path with the default endpointPath.
_TOML["base-url"] = "http://maas-kl-mock.test/v1/ai/default/kling"
CONFIG = schemathesis.Config.from_dict(_TOML)

schema = schemathesis.openapi.from_path(SPEC_PATH, config=CONFIG)
schema.app = contract_mock_app()


@pytest.fixture(scope="module", autouse=True)
def _fresh_run_state() -> None:
    STATE.reset()


@schema.parametrize()
def test_mock_conforms_to_spec(case: schemathesis.Case[Any]) -> None:
    case.call_and_validate()


StatefulMock = schema.as_state_machine()


class StatefulLinks(StatefulMock):  # type: ignore[misc,valid-type]
    """Create, then follow the spec's links: query by task_id and by external_task_id."""


TestStatefulLinks = StatefulLinks.TestCase
TestStatefulLinks.settings = settings(**stateful_settings())
