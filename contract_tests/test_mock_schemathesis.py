"""Mock against spec: schemathesis's examples, coverage, fuzzing and stateful phases on the in-process ASGI app."""

from __future__ import annotations

import tomllib
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import settings

from contract_tests.checks import OTHER_KEY_ENV, STATE
from contract_tests.mock_app import OTHER_TENANT_KEY, TENANT_KEY, contract_mock_app
from contract_tests.profiles import examples_budget, stateful_settings
from contract_tests.spec_facts import SPEC_PATH

_TOML = tomllib.loads(Path(__file__).with_name("schemathesis.toml").read_text(encoding="utf-8"))
# The in-process mock's tenant, set here rather than through os.environ, so no other test sees it.
_TOML["auth"]["openapi"]["bearerAuth"]["bearer"] = TENANT_KEY
_TOML["generation"]["max-examples"] = examples_budget()
# The in-process app serves the spec's server path with the default endpointPath.
_TOML["base-url"] = "http://maas-kl-mock.test/v1/ai/default/kling"
CONFIG = schemathesis.Config.from_dict(_TOML)

schema = schemathesis.openapi.from_path(SPEC_PATH, config=CONFIG)
MOCK = contract_mock_app()
schema.app = MOCK

PHASES = ("examples", "coverage", "fuzzing", "stateful")
# The ten default checks, two of them by the wrapper that calls them first (schemathesis.toml),
# and the three project checks.
REQUIRED_CHECKS = {
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "positive_data_acceptance_with_capabilities",
    "missing_required_header",
    "ignored_auth",
    "unsupported_method_per_service",
    "error_envelope_matches_table",
    "request_id_unique",
    "task_visible_only_to_own_tenant",
}
CHECKS_RUN: defaultdict[str, set[str]] = defaultdict(set)
CASES_RUN: defaultdict[str, int] = defaultdict(int)


def _record_checks(
    context: schemathesis.HookContext, case: schemathesis.Case[Any], response: Any, results: Any
) -> None:
    """Remember which checks ran in which phase, so a phase or check switched off cannot go unnoticed."""
    phase = case.meta.phase.name.value if case.meta is not None else "unknown"
    CASES_RUN[phase] += 1
    CHECKS_RUN[phase].update(result.name for result in results)


schema.hooks.register_hook_with_name(_record_checks, "after_validate")


@pytest.fixture(scope="module", autouse=True)
def _fresh_run_state(request: pytest.FixtureRequest) -> Iterator[None]:
    """Start this module on fresh state; once all its tests ran, in any order, check every phase ran every check."""
    STATE.reset()
    CHECKS_RUN.clear()
    CASES_RUN.clear()
    with pytest.MonkeyPatch.context() as env:
        env.setenv(OTHER_KEY_ENV, OTHER_TENANT_KEY)  # turns on the tenant-isolation check, for this module only
        yield
    names = {
        item.name.split("[")[0] for item in request.session.items if getattr(item, "module", None) is request.module
    }
    if {"test_mock_conforms_to_spec", "runTest"} <= names and not request.session.testsfailed:
        _assert_every_phase_ran_every_required_check()


@schema.parametrize()
def test_mock_conforms_to_spec(case: schemathesis.Case[Any]) -> None:
    case.call_and_validate()


StatefulMock = schema.as_state_machine()


class StatefulLinks(StatefulMock):  # type: ignore[misc,valid-type]
    """Create, then follow the spec's links: query by task_id and by external_task_id."""

    def setup(self) -> None:
        """Start each run on the same mock state, so Hypothesis can replay and shrink it."""
        MOCK.forget_tasks()


TestStatefulLinks = StatefulLinks.TestCase
TestStatefulLinks.settings = settings(**stateful_settings())


def _assert_every_phase_ran_every_required_check() -> None:
    """The tests of this module ran all four phases, and each phase ran every default and project check."""
    assert set(PHASES) <= set(CASES_RUN), f"phases that ran: {dict(CASES_RUN)}; expected all of {PHASES}"
    for phase in PHASES:
        missing = REQUIRED_CHECKS - CHECKS_RUN[phase]
        assert not missing, f"{phase} phase ({CASES_RUN[phase]} cases) never ran {sorted(missing)}"
