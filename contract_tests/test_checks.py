"""The project checks themselves: each passes on the mock's correct answer and fails on a wrong one."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis

from contract_tests.checks import OTHER_KEY_ENV, task_visible_only_to_own_tenant
from contract_tests.mock_app import OTHER_TENANT_KEY, TENANT_KEY, contract_mock_app
from contract_tests.spec_facts import SPEC_PATH

CONFIG = schemathesis.Config.from_dict({"base-url": "http://maas-kl-mock.test/v1/ai/default/kling"})


def _created(external_task_id: str, *, owner: str = TENANT_KEY) -> tuple[schemathesis.Case[Any], Any]:
    schema = schemathesis.openapi.from_path(SPEC_PATH, config=CONFIG)
    schema.app = contract_mock_app()
    case = schema.find_operation_by_id("create_text2video_task").Case(
        body={"prompt": "A dog", "external_task_id": external_task_id},
        headers={"Authorization": f"Bearer {owner}"},
    )
    response = case.call()
    assert response.status_code == 200, response.text
    return case, response


@pytest.mark.parametrize("external_task_id", ["plain-id", "?", "a#b", "50%", "a b"])
def test_tenant_check_probes_any_external_task_id(external_task_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The probe encodes the id: "?" once reached the list route (400 / 1201) and failed the check."""
    monkeypatch.setenv(OTHER_KEY_ENV, OTHER_TENANT_KEY)
    case, response = _created(external_task_id)
    assert task_visible_only_to_own_tenant(None, response, case) is None  # type: ignore[arg-type]


def test_tenant_check_fails_when_the_other_key_sees_the_task(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(OTHER_KEY_ENV, TENANT_KEY)  # the "other" tenant is the owner: the task is visible
    case, response = _created("seen-by-owner")
    with pytest.raises(AssertionError, match="expected 404 / 1203"):
        task_visible_only_to_own_tenant(None, response, case)  # type: ignore[arg-type]
