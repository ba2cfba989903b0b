"""`Prefer: scenario=lost-response` on every request loses the create's answer only, so the SDK recovers it."""

from __future__ import annotations

import httpx
import maas_kl_client as sdk
from maas_kl_mock.pytest_plugin import MockFixture

LOST = {"Prefer": "scenario=lost-response"}


def test_the_sdk_recovers_a_create_when_every_request_says_lost_response(maas_kl_mock: MockFixture) -> None:
    http = httpx.Client(transport=maas_kl_mock.transport(), headers=LOST)  # as the demo sends scenario=fail
    with sdk.MaasKL("k", "default", "http://127.0.0.1:4010", http_client=http, clock=maas_kl_mock.clock) as client:
        task = client.text2video.create(prompt="A dog")  # not CreateOutcomeUnknown: the lookup got its answer
    assert len(maas_kl_mock.store) == 1
    assert task.task_id == next(iter(maas_kl_mock.store.tasks(None))).task_id
